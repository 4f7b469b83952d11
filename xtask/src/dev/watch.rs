//! Watching the sources: which files changed, settled over a short quiet
//! period, and what they mean for the build.

use anyhow::{Context, bail};
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The top-level folders whose files feed a build; the workspace root
/// itself is watched too, for `Cargo.toml`, `Cargo.lock` and `.env`.
pub const WATCHED: &[&str] = &[
    "app",
    "domain",
    "entity",
    "frontend",
    "migration",
    "server",
    "style",
    ".cargo",
];

/// Folders never looked at, wherever they are.
const IGNORED: &[&str] = &["target", ".git", "node_modules"];

/// A change is over once no file has changed for this long (an editor's
/// save, a `git checkout` or a formatter touch several files in a burst).
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What a set of changed files needs rebuilt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub server: bool,
    /// The WASM, hence the server too (both compile the changed code).
    pub wasm: bool,
    pub css: bool,
    pub static_files: bool,
}

impl Plan {
    const SERVER: Plan = Plan {
        server: true,
        wasm: false,
        css: false,
        static_files: false,
    };
    const BOTH: Plan = Plan {
        server: true,
        wasm: true,
        css: true,
        static_files: false,
    };
    const CSS: Plan = Plan {
        server: false,
        wasm: false,
        css: true,
        static_files: false,
    };
    const STATIC: Plan = Plan {
        server: false,
        wasm: false,
        css: false,
        static_files: true,
    };

    fn merge(&mut self, other: Plan) {
        self.server |= other.server;
        self.wasm |= other.wasm;
        self.css |= other.css;
        self.static_files |= other.static_files;
    }

    fn is_empty(&self) -> bool {
        *self == Plan::default()
    }
}

/// What a change to `rel` (relative to the workspace root) needs rebuilt.
/// Code that only the server compiles (`#[cfg(feature = "ssr")]` inside
/// `app/`) cannot be told apart by its path, so all of `app/` counts as
/// both sides. Tailwind reads class names from every source, so a build of
/// both sides rebuilds the stylesheet too.
pub fn classify(rel: &Path) -> Plan {
    let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
    let Some(name) = parts.last() else {
        return Plan::default();
    };
    if is_editor_scratch(name) || parts.iter().any(|p| IGNORED.contains(p)) {
        return Plan::default();
    }
    match parts.as_slice() {
        ["style", "public", ..] => Plan::STATIC,
        ["style", ..] => Plan::CSS,
        ["app" | "frontend", ..] | ["domain", "wire", ..] => Plan::BOTH,
        ["server" | "domain" | "entity" | "migration", ..] => Plan::SERVER,
        ["Cargo.toml" | "Cargo.lock"] | [".cargo", ..] => Plan::BOTH,
        // Settings: the server restarts to read them.
        [".env"] => Plan::SERVER,
        _ => Plan::default(),
    }
}

/// Editors' swap, backup and lock files (vim, emacs, JetBrains).
fn is_editor_scratch(name: &str) -> bool {
    name.ends_with('~')
        || name.starts_with(".#")
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

/// One settled change: when it began, its files, what it needs.
pub struct Change {
    pub first_seen: Instant,
    pub paths: BTreeSet<PathBuf>,
    pub plan: Plan,
}

/// The source watcher (inotify on Linux, FSEvents on macOS).
pub struct Watch {
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    root: PathBuf,
}

impl Watch {
    /// Watches `root` (the workspace) and its [`WATCHED`] folders.
    pub fn start(root: &Path) -> anyhow::Result<Self> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx).context("starting the file watcher")?;
        watcher
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", root.display()))?;
        for dir in WATCHED.iter().map(|d| root.join(d)).filter(|d| d.is_dir()) {
            watcher
                .watch(&dir, RecursiveMode::Recursive)
                .with_context(|| format!("watching {}", dir.display()))?;
        }
        Ok(Watch {
            _watcher: watcher,
            events,
            root: root.to_path_buf(),
        })
    }

    /// Waits for a change that needs a rebuild, then for [`DEBOUNCE`] of
    /// quiet. `idle` runs about once a second while nothing changes.
    pub fn next(&self, mut idle: impl FnMut()) -> anyhow::Result<Change> {
        let mut change = loop {
            match self.events.recv_timeout(Duration::from_secs(1)) {
                Ok(event) => {
                    let (paths, plan) = self.relevant(event);
                    if !plan.is_empty() {
                        break Change {
                            first_seen: Instant::now(),
                            paths,
                            plan,
                        };
                    }
                }
                Err(RecvTimeoutError::Timeout) => idle(),
                Err(RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
            }
        };
        loop {
            match self.events.recv_timeout(DEBOUNCE) {
                Ok(event) => {
                    let (paths, plan) = self.relevant(event);
                    change.paths.extend(paths);
                    change.plan.merge(plan);
                }
                Err(RecvTimeoutError::Timeout) => return Ok(change),
                Err(RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
            }
        }
    }

    /// The paths of an event that may change a build, and what they need.
    /// Reads (`Access`) and metadata-only changes are not changes: builds
    /// read every source.
    fn relevant(&self, event: notify::Result<Event>) -> (BTreeSet<PathBuf>, Plan) {
        let mut found = (BTreeSet::new(), Plan::default());
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                eprintln!("[dev] file watcher: {e}");
                return found;
            }
        };
        let counts = match event.kind {
            EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
            EventKind::Modify(kind) => !matches!(kind, ModifyKind::Metadata(_)),
            EventKind::Access(_) => false,
        };
        if !counts {
            return found;
        }
        for path in event.paths {
            let rel = path.strip_prefix(&self.root).unwrap_or(&path).to_path_buf();
            let plan = classify(&rel);
            if !plan.is_empty() {
                found.1.merge(plan);
                found.0.insert(rel);
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(path: &str) -> Plan {
        classify(Path::new(path))
    }

    #[test]
    fn server_only_folders_rebuild_only_the_server() {
        for path in [
            "server/src/startup.rs",
            "domain/src/chat.rs",
            "entity/src/user.rs",
            "migration/src/lib.rs",
            ".env",
        ] {
            assert_eq!(plan(path), Plan::SERVER, "{path}");
        }
    }

    #[test]
    fn code_both_sides_compile_rebuilds_both_and_the_stylesheet() {
        for path in [
            "app/src/pages/landing.rs",
            "frontend/src/lib.rs",
            "domain/wire/locales/en/core.toml",
            "domain/wire/src/sse.rs",
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
        ] {
            assert_eq!(plan(path), Plan::BOTH, "{path}");
        }
    }

    #[test]
    fn style_changes_rebuild_only_the_stylesheet_and_public_files_are_copied() {
        assert_eq!(plan("style/main.css"), Plan::CSS);
        assert_eq!(plan("style/public/favicon.svg"), Plan::STATIC);
    }

    #[test]
    fn build_output_data_tools_docs_and_editor_scratch_files_are_ignored() {
        for path in [
            "target/debug/server",
            "app/target/x",
            "data/app.db",
            "node_modules/.bin/tailwindcss",
            ".git/index",
            "xtask/src/dev.rs",
            "docs/dev.md",
            "end2end/tests/a.mjs",
            "app/src/.landing.rs.swp",
            "app/src/landing.rs~",
            "app/src/4913",
            "README.md",
        ] {
            assert!(plan(path).is_empty(), "{path}");
        }
    }
}

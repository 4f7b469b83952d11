//! Small helpers: running commands loudly, paths, ports, HTTP probes.

use anyhow::{Context, bail};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Prints a step header.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs `cmd`, echoing it, and fails with its exit status.
pub fn run(cmd: &mut Command) -> anyhow::Result<()> {
    println!("  $ {}", describe(cmd));
    let status = cmd.status().with_context(|| format!("starting `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(cmd));
    }
    Ok(())
}

/// Runs `cmd` and returns its stdout, failing on a non-zero exit.
pub fn output(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("starting `{}`", describe(cmd)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            describe(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// The workspace root (where the top `Cargo.toml` is).
pub fn workspace_root() -> anyhow::Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest
        .parent()
        .context("xtask has no parent directory")?
        .to_path_buf())
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR`).
pub fn target_dir() -> anyhow::Result<PathBuf> {
    let json = output(Command::new(cargo()).args(["metadata", "--format-version", "1", "--no-deps"]))?;
    let meta: serde_json::Value = serde_json::from_str(&json).context("parsing cargo metadata")?;
    Ok(PathBuf::from(
        meta["target_directory"]
            .as_str()
            .context("cargo metadata has no target_directory")?,
    ))
}

/// Where builds put the site and staged copies: `XTASK_OUT_DIR` if set
/// (two checkouts sharing one cargo target directory keep their outputs
/// apart this way), else cargo's target directory.
pub fn out_dir() -> anyhow::Result<PathBuf> {
    match std::env::var_os("XTASK_OUT_DIR") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => target_dir(),
    }
}

/// The cargo that runs us.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Threads for a `cargo test` run: `RUST_TEST_THREADS` if set, else twice
/// the cores. The integration tests mostly wait on their servers, databases
/// and mail, so a core's worth of threads leaves it idle (the API suite:
/// 93 s at two threads, 70 s at four, on two cores).
pub fn test_threads() -> String {
    std::env::var("RUST_TEST_THREADS")
        .unwrap_or_else(|_| (2 * std::thread::available_parallelism().map_or(1, usize::from)).to_string())
}

/// A port nobody listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A plain HTTP/1.1 GET on loopback: (status, body).
pub fn http_get(port: u16, path: &str) -> anyhow::Result<(u16, String)> {
    http_get_with(port, path, &[])
}

/// [`http_get`] with extra request headers.
pub fn http_get_with(port: u16, path: &str, headers: &[(&str, &str)]) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n"
    )?;
    read_response(stream)
}

/// A plain HTTP/1.1 form POST on loopback, as the app's pages send server
/// function calls: (status, body).
pub fn http_post_form(port: u16, path: &str, form: &str) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    )?;
    read_response(stream)
}

/// Reads a whole HTTP/1.1 response (the request said `Connection: close`).
fn read_response(stream: TcpStream) -> anyhow::Result<(u16, String)> {
    read_full_response(stream).map(|(status, _, body)| (status, body))
}

/// (status, header block, body) of a response to a `Connection: close` request.
fn read_full_response(mut stream: TcpStream) -> anyhow::Result<(u16, String, String)> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("malformed HTTP response")?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Ok((status, head.to_owned(), body.to_owned()))
}

/// A POST on loopback with extra headers: (status, header block, body).
pub fn http_post(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> anyhow::Result<(u16, String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    read_full_response(stream)
}

/// A response read as it arrives: status, header block (lower-cased
/// names), and the body, de-chunked when it is `Transfer-Encoding: chunked`.
pub struct Streamed {
    pub status: u16,
    pub head: String,
    pub body: Box<dyn BufRead + Send>,
}

/// A POST on loopback whose response is read as it streams (Server-Sent
/// Events). No Nagle delay on the socket; each read waits at most `timeout`.
pub fn http_post_streamed(
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> anyhow::Result<Streamed> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut whole = request.into_bytes();
    whole.extend_from_slice(body);
    stream.write_all(&whole)?;
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            bail!("the connection closed inside the response's headers");
        }
        if line.trim_end().is_empty() {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("malformed HTTP response")?;
    let chunked = head
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    let body: Box<dyn BufRead + Send> = if chunked {
        Box::new(BufReader::new(Chunked {
            inner: reader,
            remaining: 0,
            done: false,
        }))
    } else {
        // `Connection: close`: the body runs to the end of the connection.
        Box::new(reader)
    };
    Ok(Streamed { status, head, body })
}

/// A `Transfer-Encoding: chunked` body, de-chunked. A read returns what
/// has arrived of the current chunk without waiting for the rest of it.
struct Chunked<R> {
    inner: R,
    remaining: u64,
    done: bool,
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::{Error, ErrorKind};
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.remaining == 0 {
            // The size line, after the CRLF that ends the previous chunk.
            let size = loop {
                let mut line = String::new();
                if self.inner.read_line(&mut line)? == 0 {
                    return Err(Error::new(
                        ErrorKind::UnexpectedEof,
                        "the connection closed inside a chunked body",
                    ));
                }
                let line = line.trim();
                if !line.is_empty() {
                    let hex = line.split(';').next().unwrap_or_default().trim();
                    break u64::from_str_radix(hex, 16)
                        .map_err(|_| Error::new(ErrorKind::InvalidData, format!("bad chunk size `{line}`")))?;
                }
            };
            if size == 0 {
                // Trailers, if any, are ignored: the request said `Connection: close`.
                self.done = true;
                return Ok(0);
            }
            self.remaining = size;
        }
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX).min(buf.len());
        let got = self.inner.read(&mut buf[..n])?;
        if got == 0 {
            return Err(Error::new(
                ErrorKind::UnexpectedEof,
                "the connection closed inside a chunk",
            ));
        }
        self.remaining -= got as u64;
        Ok(got)
    }
}

/// The Server-Sent Events of a streamed body, decoded by the product's own
/// decoder ([`wire::sse`]) from whatever has arrived at each read, so an
/// event is handed over as soon as its blank line is in.
pub struct SseEvents<R> {
    body: R,
    decoder: wire::sse::Decoder,
    ready: VecDeque<wire::sse::Event>,
    ended: bool,
}

impl<R: BufRead> SseEvents<R> {
    pub fn new(body: R) -> Self {
        SseEvents {
            body,
            decoder: wire::sse::Decoder::default(),
            ready: VecDeque::new(),
            ended: false,
        }
    }

    /// The next event: (`event`, `data`), the event type empty when the
    /// stream gave none, data lines joined with `\n`; comments skipped.
    /// `None` at the end of the stream (a half-sent last event is dropped).
    pub fn next_event(&mut self) -> std::io::Result<Option<(String, String)>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Ok(Some((event.kind.unwrap_or_default(), event.data)));
            }
            if self.ended {
                return Ok(None);
            }
            // What is buffered, or one read's worth: never waits for more.
            let chunk = match self.body.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                self.ended = true;
                self.ready.extend(self.decoder.finish().events);
            } else {
                let n = chunk.len();
                self.ready.extend(self.decoder.push(chunk));
                self.body.consume(n);
            }
        }
    }
}

/// Polls `GET path` until it answers 200 or `timeout` passes.
pub fn wait_for_ok(port: u16, path: &str, timeout: Duration) -> anyhow::Result<Duration> {
    let start = Instant::now();
    loop {
        if let Ok((200, _)) = http_get(port, path) {
            return Ok(start.elapsed());
        }
        if start.elapsed() > timeout {
            bail!("http://127.0.0.1:{port}{path} did not answer 200 within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Gives a copy of the workspace (at `root`) that builds in our target
/// directory artifacts of its own. Cargo names a workspace crate's
/// artifacts after its name, version and path *within its workspace*, so a
/// copy with the same layout, built with the same features, would write
/// over ours, and its artifacts would then pass for fresh in our builds
/// (their dependency files are read relative to the package). A version of
/// its own (`0.1.0-copy`) keeps the two apart; dependencies, which do not
/// change, are still shared. Cargo updates the copy's lock file to match.
pub fn version_workspace_copy(root: &Path) -> anyhow::Result<()> {
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let at = text
        .find("[workspace.package]")
        .and_then(|s| text[s..].find("\nversion = \"").map(|v| s + v + "\nversion = \"".len()))
        .context("no `version = \"…\"` under [workspace.package]")?;
    let end = at + text[at..].find('"').context("an unterminated version")?;
    let version = format!("{}-copy", &text[at..end]);
    std::fs::write(&manifest, format!("{}{version}{}", &text[..at], &text[end..]))?;
    Ok(())
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest).with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Whether the current user is root (tools are then installed without sudo,
/// and PostgreSQL must run as its own user).
pub fn is_root() -> bool {
    output(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_copy_gets_a_version_of_its_own() {
        let dir = std::env::temp_dir().join(format!("xtask-version-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = "[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"0.3.1\"\nedition = \"2024\"\n\n[workspace.dependencies]\nx = { version = \"1\" }\n";
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        version_workspace_copy(&dir).unwrap();
        let after = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert_eq!(after, manifest.replace("0.3.1", "0.3.1-copy"));
        let _ = std::fs::remove_dir_all(&dir);
    }
    use std::io::{Error, ErrorKind};

    /// `bytes`, then a read timeout.
    struct ThenTimeout<'a>(&'a [u8]);

    impl Read for ThenTimeout<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(Error::from(ErrorKind::TimedOut));
            }
            self.0.read(buf)
        }
    }

    #[test]
    fn sse_events_come_one_at_a_time_from_small_reads() {
        let stream = b"event: ping\ndata: {}\n\n: comment\ndata: a\r\ndata: b\r\n\r\ndata: half";
        let mut events = SseEvents::new(BufReader::with_capacity(3, &stream[..]));
        let kind_data = |k: &str, d: &str| Some((k.to_owned(), d.to_owned()));
        assert_eq!(events.next_event().unwrap(), kind_data("ping", "{}"));
        assert_eq!(events.next_event().unwrap(), kind_data("", "a\nb"));
        assert_eq!(
            events.next_event().unwrap(),
            None,
            "the half-sent last event is dropped"
        );
        assert_eq!(events.next_event().unwrap(), None);
    }

    #[test]
    fn sse_events_hand_over_a_whole_event_before_the_read_that_fails() {
        let mut events = SseEvents::new(BufReader::new(ThenTimeout(b"data: first\n\ndata: sec")));
        assert_eq!(events.next_event().unwrap(), Some((String::new(), "first".to_owned())));
        let e = events.next_event().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TimedOut);
    }
}

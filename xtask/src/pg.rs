//! A throw-away PostgreSQL server for the tests: Debian's binaries, a fresh
//! cluster in a temporary directory, on a free loopback port; removed when
//! dropped. Tests create a fresh database per test on it.

use crate::tools;
use crate::util::{self, run};
use anyhow::Context;
use std::path::PathBuf;
use std::process::Command;

pub struct TempPostgres {
    bindir: PathBuf,
    dir: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

impl TempPostgres {
    pub fn start() -> anyhow::Result<Self> {
        let bindir = tools::postgres_bindir()?;
        let port = util::free_port()?;
        let dir = std::env::temp_dir().join(format!("xtask-pg-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        // initdb refuses to run as root: run the server as Debian's `postgres` user then.
        let as_postgres = util::is_root();
        if as_postgres {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir))?;
        }
        let pg = TempPostgres {
            bindir,
            dir,
            port,
            as_postgres,
        };
        let data = pg.dir.join("data");
        run(pg
            .cmd("initdb")
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .stdout(std::process::Stdio::null()))?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300",
            pg.dir.display()
        );
        run(pg
            .cmd("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(pg.dir.join("log"))
            .args(["-o", &opts, "-w", "start"]))
        .context("starting PostgreSQL")?;
        Ok(pg)
    }

    /// URL of the maintenance database; tests create their own next to it.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn cmd(&self, tool: &str) -> Command {
        let bin = self.bindir.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(bin);
            c
        } else {
            Command::new(bin)
        }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(std::process::Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

//! The app's server binary. Everything lives in the library; this only parses
//! the command line and reports a failure.

use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: rendering a page allocates a lot
/// of small, short-lived objects, and a quarter of the server's time under
/// load went to glibc's allocator (`cargo xtask bench`, README "Render cost").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match server::cli::Command::parse(&args) {
        Ok(c) => c,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    match server::cli::run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

//! `fakes --port N [--redirect URI]… [--stripe-webhook URL]
//! [--stripe-period-secs N] [--llm-pace-ms N]`: serves the fake providers
//! for the browser tests (and `cargo xtask bench`) until killed, printing
//! the settings that point the app at them. `--llm-pace-ms` is the fake model
//! APIs' delay before each chunk (default 20 ms).

use fakes::Fakes;
use std::net::{Ipv4Addr, SocketAddr};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut port = 0u16;
    let mut redirects = Vec::new();
    let mut webhook = None;
    let mut period = None;
    let mut pace = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                port = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--port needs a value"))?
                    .parse()?
            }
            "--redirect" => redirects.push(args.next().ok_or_else(|| anyhow::anyhow!("--redirect needs a value"))?),
            "--stripe-webhook" => {
                webhook = Some(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--stripe-webhook needs a URL"))?,
                )
            }
            "--stripe-period-secs" => {
                period = Some(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--stripe-period-secs needs a value"))?
                        .parse()?,
                )
            }
            "--llm-pace-ms" => {
                pace = Some(std::time::Duration::from_millis(
                    args.next()
                        .ok_or_else(|| anyhow::anyhow!("--llm-pace-ms needs a value"))?
                        .parse()?,
                ))
            }
            other => anyhow::bail!("unknown argument `{other}`"),
        }
    }
    let fakes = Fakes::start(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    for uri in &redirects {
        fakes.allow_redirect(uri);
    }
    if let Some(url) = webhook {
        fakes.stripe_webhook_to(&url, period);
    }
    if let Some(pace) = pace {
        fakes.set_llm_pace(pace);
    }
    for (name, value) in fakes.app_env() {
        println!("{name}={value}");
    }
    println!("ready {}", fakes.url());
    std::future::pending::<()>().await;
    Ok(())
}

//! The live-reload WebSocket that Leptos' `<AutoReload>` script connects
//! to (`ws://<page host>:<reload port>/live_reload`), speaking the messages
//! cargo-leptos sends: `{"all":true}` reloads the page, `{"css":"pkg/x.css"}`
//! re-fetches the `<link>` whose `href` contains that path.

use crate::build::BuildOutput;
use anyhow::Context;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tungstenite::WebSocket;

/// What open tabs are told to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Reload the page.
    All,
    /// Re-fetch the stylesheet at this site-relative path (no leading `/`).
    Css(String),
}

impl Message {
    /// The stylesheet of `out`, by the path its `<link>` carries.
    pub fn css(out: &BuildOutput) -> anyhow::Result<Self> {
        let rel = out
            .css
            .strip_prefix(&out.site)
            .with_context(|| format!("{} is outside the site root", out.css.display()))?;
        let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
        Ok(Message::Css(parts.join("/")))
    }

    /// The JSON `reload_script.js` reads (the shape cargo-leptos sends).
    pub fn json(&self) -> String {
        let (css, all) = match self {
            Message::All => (None, true),
            Message::Css(path) => (Some(path.as_str()), false),
        };
        serde_json::json!({ "css": css, "view": null, "all": all }).to_string()
    }

    pub fn describe(&self) -> String {
        match self {
            Message::All => "page".to_owned(),
            Message::Css(path) => format!("stylesheet /{path}"),
        }
    }
}

/// The tabs connected to the reload socket.
pub struct Tabs {
    sockets: Arc<Mutex<Vec<WebSocket<TcpStream>>>>,
}

impl Tabs {
    /// Accepts tabs on `127.0.0.1:port`, each handshake on its own thread.
    pub fn listen(port: u16) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).with_context(|| {
            format!("listening for live-reload tabs on 127.0.0.1:{port} (in use? choose another with --reload-port)")
        })?;
        let sockets: Arc<Mutex<Vec<WebSocket<TcpStream>>>> = Arc::default();
        let accepted = sockets.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let accepted = accepted.clone();
                std::thread::spawn(move || {
                    if let Some(socket) = handshake(stream) {
                        accepted.lock().unwrap_or_else(PoisonError::into_inner).push(socket);
                    }
                });
            }
        });
        Ok(Tabs { sockets })
    }

    /// Tells every connected tab; returns how many were told. A full
    /// reload closes the sockets, as cargo-leptos does: the reloaded pages
    /// connect again.
    pub fn send(&self, message: &Message) -> usize {
        let text = message.json();
        let mut sockets = self.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        sockets.retain_mut(|socket| socket.send(tungstenite::Message::text(text.clone())).is_ok());
        let told = sockets.len();
        if *message == Message::All {
            for mut socket in sockets.drain(..) {
                let _ = socket.close(None);
                let _ = socket.flush();
            }
        }
        told
    }
}

/// The WebSocket handshake, given ten seconds; the socket then blocks
/// without limit (it is only written to).
fn handshake(stream: TcpStream) -> Option<WebSocket<TcpStream>> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let socket = tungstenite::accept(stream).ok()?;
    socket.get_ref().set_read_timeout(None).ok()?;
    Some(socket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_shape_the_reload_script_reads() {
        let all: serde_json::Value = serde_json::from_str(&Message::All.json()).unwrap();
        assert_eq!(all["all"], true);
        let css = Message::Css("pkg/app.0a1b.css".into()).json();
        let css: serde_json::Value = serde_json::from_str(&css).unwrap();
        assert_eq!(css["css"], "pkg/app.0a1b.css");
        assert_eq!(css["all"], false);
    }

    #[test]
    fn a_connected_client_gets_the_message() {
        let port = crate::util::free_port().unwrap();
        let tabs = Tabs::listen(port).unwrap();
        let (mut client, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}/live_reload")).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while tabs.send(&Message::Css("pkg/a.css".into())) == 0 {
            assert!(std::time::Instant::now() < deadline, "the tab never registered");
            std::thread::sleep(Duration::from_millis(10));
        }
        let got = client.read().unwrap();
        let got: serde_json::Value = serde_json::from_str(got.to_text().unwrap()).unwrap();
        assert_eq!(got["css"], "pkg/a.css");
    }
}

//! The error type of Keel's server functions.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What a server function can fail with, typed so the UI can react to each
/// case without matching on strings. Server-side causes are logged on the
/// server and never sent to the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request was understood but a value in it is not acceptable.
    #[error("invalid {field}")]
    Invalid { field: String },
    /// Something failed on the server; details are in the server's log.
    #[error("internal error")]
    Internal,
    /// Transport or encoding failure between browser and server.
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

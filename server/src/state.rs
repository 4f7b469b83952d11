//! State shared by every handler and server function.

use crate::config::Config;
use crate::db::Database;
use axum::extract::FromRef;
use domain::Services;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub config: Arc<Config>,
    /// What server functions and the accounts routes use (also in Leptos' context).
    pub services: Services,
}

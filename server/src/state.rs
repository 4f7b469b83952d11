//! State shared by every handler and server function.

use crate::config::Config;
use crate::db::Database;
use axum::extract::FromRef;
use domain::Services;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Cloned for every page a request renders (Leptos provides it to the
/// page and its server functions): one reference count, not a copy of
/// each field.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub config: Arc<Config>,
    /// What server functions and the accounts routes use (also in Leptos' context).
    pub services: Services,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What Leptos' file and error handlers read from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

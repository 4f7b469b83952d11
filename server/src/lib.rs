//! The product's server: configuration, HTTP plumbing, database and CLI around the
//! `app` crate's pages and server functions.

pub mod cli;
pub mod config;
pub mod db;
pub mod health;
pub mod http;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;

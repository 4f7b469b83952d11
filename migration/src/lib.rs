//! The app's schema, one migration per change. The server applies pending
//! migrations at boot; `cargo run -p migration -- status|up|down` runs them by hand.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_users;
mod m20261125_000001_accounts;
mod m20261125_000002_payments;
mod m20261125_000003_chat;
mod m20261204_000001_hardening;
mod m20261204_000002_rate_limits;
mod m20261205_000001_invite_links;
mod m20261205_000002_chat_search;
mod m20261206_000001_credits;
mod m20261206_000002_credit_controls;
mod m20261206_000003_credit_hold_abort;
mod m20261206_000004_credit_settle_path;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_users::Migration),
            Box::new(m20261125_000001_accounts::Migration),
            Box::new(m20261125_000002_payments::Migration),
            Box::new(m20261125_000003_chat::Migration),
            Box::new(m20261204_000001_hardening::Migration),
            Box::new(m20261204_000002_rate_limits::Migration),
            Box::new(m20261205_000001_invite_links::Migration),
            Box::new(m20261205_000002_chat_search::Migration),
            Box::new(m20261206_000001_credits::Migration),
            Box::new(m20261206_000002_credit_controls::Migration),
            Box::new(m20261206_000003_credit_hold_abort::Migration),
            Box::new(m20261206_000004_credit_settle_path::Migration),
        ]
    }
}

//! Accounts: one account per email whatever the sign-in method, sessions,
//! the rule that protects unproven addresses ([`rules`]), email and
//! password sign-in ([`password`], `local_auth`), provider sign-in
//! ([`oauth`]), the account's own page ([`profile`]) and the admin
//! bootstrap ([`admin`]).

pub mod admin;
pub mod devices;
#[cfg(feature = "local_auth")]
pub mod hasher;
#[cfg(feature = "local_auth")]
pub mod new_password;
#[cfg(any(feature = "google_auth", feature = "github_auth"))]
pub mod oauth;
#[cfg(feature = "local_auth")]
pub mod password;
pub mod profile;
pub mod rules;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;

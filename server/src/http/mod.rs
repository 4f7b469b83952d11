//! HTTP plumbing shared by every route.

pub mod assets;
pub mod client_ip;
pub mod csrf;
pub mod security;

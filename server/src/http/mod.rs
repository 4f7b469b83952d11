//! HTTP plumbing shared by every route.

pub mod assets;
pub mod security;

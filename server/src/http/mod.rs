//! HTTP plumbing shared by every route.

pub mod assets;
pub mod client_ip;
pub mod csrf;
pub mod limits;
pub mod paths;
pub mod prerender;
pub mod security;
pub mod serve;
pub mod texts;

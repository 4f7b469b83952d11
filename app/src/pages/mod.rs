//! Pages that every build has.

mod holding;
mod invite_only;
mod landing;
mod not_found;

pub use holding::{HoldingPage, HomeInfo, Welcome, home_summary};
pub use invite_only::{INVITE_ONLY_PATH, InviteOnlyPage, InviteOnlyRoute};
pub use landing::LandingPage;
pub use not_found::NotFound;

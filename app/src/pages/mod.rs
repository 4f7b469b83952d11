//! Pages that every build has.

mod holding;
mod invite_only;
mod landing;
mod not_found;

pub use holding::{HoldingPage, HomeInfo, Welcome, home_summary};
pub use invite_only::{AllSet, AskForInvite, INVITE_ONLY_PATH, InviteOnly, InviteOnlyPage, InviteOnlyRoute};
pub use landing::LandingPage;
pub use not_found::NotFound;

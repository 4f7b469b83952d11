//! Pages that every build has.

mod holding;
#[cfg(not(feature = "stripe_payment"))]
mod invite_only;
mod landing;
mod not_found;

pub use holding::{HoldingPage, HomeInfo, Welcome, home_summary};
#[cfg(not(feature = "stripe_payment"))]
pub use invite_only::{INVITE_ONLY_PATH, InviteOnlyPage};
pub use landing::LandingPage;
pub use not_found::NotFound;

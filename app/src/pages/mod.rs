//! Pages that every build has.

mod holding;
mod landing;
mod not_found;

pub use holding::HoldingPage;
pub use landing::LandingPage;
pub use not_found::NotFound;

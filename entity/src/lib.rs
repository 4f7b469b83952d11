//! SeaORM entities: Keel's tables as Rust types. Hand-written queries live
//! next to the code that uses them, not here.

pub mod users;

pub mod prelude {
    pub use crate::users::Entity as Users;
}

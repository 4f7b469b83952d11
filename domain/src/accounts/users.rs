//! Looking accounts up.

use entity::users;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use wire::email::Email;

/// The account with this (normalised) email.
pub async fn find_by_email<C: ConnectionTrait>(db: &C, email: &Email) -> Result<Option<users::Model>, DbErr> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

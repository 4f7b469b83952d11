//! Replies left `streaming` by a process that died, closed by the
//! janitor's round (the feature registry runs it).

use super::settings::ChatSettings;
use chrono::{DateTime, Duration, Utc};
use entity::chat_messages as messages;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use wire::chat::{ErrorKind, Outcome};

/// The janitor's name for these rows.
pub const INTERRUPTED: &str = "interrupted chat replies";

/// Replies still `streaming` long after any stream could last: the
/// process serving them died. They are closed as `interrupted` with what
/// was saved. Returns how many.
pub async fn close_interrupted(
    db: &DatabaseConnection,
    settings: &ChatSettings,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let stale = now - Duration::from_std(settings.stale_reply_after).unwrap_or(Duration::MAX);
    Ok(messages::Entity::update_many()
        .col_expr(messages::Column::Outcome, Expr::value(Some(Outcome::Interrupted)))
        .col_expr(messages::Column::Error, Expr::value(Some(ErrorKind::Interrupted)))
        .filter(messages::Column::Outcome.eq(Outcome::Streaming))
        .filter(messages::Column::CreatedAt.lte(stale))
        .exec(db)
        .await?
        .rows_affected)
}

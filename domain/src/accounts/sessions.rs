//! Server-side sessions in the database.
//!
//! A session's token (256 random bits) goes to the browser in a cookie;
//! the `sessions` table stores only its SHA-256, so a copy of the table
//! opens no session. A session has an idle timeout (from its last use) and
//! an absolute one (from sign-in, longer with "remember me"). A new id is
//! minted at every sign-in and on privilege changes; sign-out deletes the
//! row. Cookies themselves are the HTTP adapter's business: operations
//! return a [`NewSession`] for it to set.

use crate::actor::Client;
pub use crate::actor::CurrentSession;
pub use crate::actor::viewer_of;
use crate::error::{DomainError, Result};
pub use crate::secret::{hash_token, new_token};
use crate::services::Services;
use chrono::Utc;
use entity::{access_grants, sessions, users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QueryTrait,
    SelectThree, SelectThreeModel, SelectorTrait, Set, Statement, TopologyChain,
};
use std::sync::OnceLock;
use std::time::Duration;

/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// Longest user agent kept for the sessions list.
const MAX_USER_AGENT: usize = 255;

/// A session just started: its token for the cookie, and how long the
/// cookie should outlive the browser (`None`: until the browser closes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub max_age: Option<Duration>,
}

/// Someone signed in: their new session, and where they go now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub session: NewSession,
    pub next: String,
}

/// Starts a session for `user_id`.
pub async fn start(
    services: &Services,
    user_id: uuid::Uuid,
    auth_method: &str,
    remember: bool,
    client: &Client,
) -> Result<NewSession> {
    let token = new_token();
    let now = Utc::now();
    let s = &services.settings.session;
    let lifetime = if remember { s.remember } else { s.absolute };
    let mut user_agent = client.user_agent.clone();
    crate::text::truncate_bytes(&mut user_agent, MAX_USER_AGENT);
    sessions::ActiveModel {
        id: Set(hash_token(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + to_delta(lifetime)),
        remember: Set(remember),
        auth_method: Set(auth_method.to_owned()),
        user_agent: Set(user_agent),
        ip: Set(client.ip.to_string()),
    }
    .insert(&services.db)
    .await?;
    tracing::info!(user = %user_id, method = auth_method, remember, "session started");
    Ok(NewSession {
        token,
        max_age: remember.then_some(lifetime),
    })
}

/// Signs `user` in: ends `current` (a new session id at every sign-in),
/// starts a session, and says where the user belongs (`next` when they may
/// open it, else their landing page).
pub async fn sign_in(
    services: &Services,
    current: Option<&CurrentSession>,
    user: &users::Model,
    auth_method: &str,
    remember: bool,
    client: &Client,
    next: Option<&str>,
) -> Result<SignedIn> {
    if let Some(current) = current {
        end(&services.db, &current.id).await?;
    }
    let session = start(services, user.id, auth_method, remember, client).await?;
    let access = crate::access::state_for(&services.db, user, Utc::now()).await?;
    let viewer = CurrentSession {
        id: String::new(),
        user: user.clone(),
        access,
        remember,
        auth_method: auth_method.to_owned(),
    }
    .viewer();
    Ok(SignedIn {
        session,
        next: wire::gate::destination(Some(&viewer), next),
    })
}

/// Gives the session a new id (privilege change), keeping everything else.
pub async fn rotate(services: &Services, current: &CurrentSession) -> Result<NewSession> {
    let Some(old) = sessions::Entity::find_by_id(current.id.clone())
        .one(&services.db)
        .await?
    else {
        return Err(DomainError::NotSignedIn);
    };
    let token = new_token();
    let remember = old.remember;
    let lifetime = (old.expires_at - Utc::now()).to_std().unwrap_or_default();
    let txn = crate::services::begin_write(&services.db).await?;
    sessions::Entity::delete_by_id(old.id.clone()).exec(&txn).await?;
    sessions::ActiveModel {
        id: Set(hash_token(&token)),
        ..sessions::ActiveModel::from(old)
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(NewSession {
        token,
        max_age: remember.then_some(lifetime),
    })
}

/// Resolves a cookie token to its live session, user and access; ends
/// sessions that timed out.
pub async fn resolve(services: &Services, token: &str) -> Result<Option<CurrentSession>> {
    let now = Utc::now();
    // One query for the session, its user and the user's access grants
    // (one row per grant, one with no grant if there are none): every
    // signed-in request runs it. SeaORM reads a left-joined grant it cannot
    // decode as no grant, so such a row gives less access, never more.
    let rows = services
        .db
        .query_all_raw(session_query(services.db.get_database_backend(), hash_token(token)))
        .await?;
    let mut rows = rows
        .into_iter()
        .map(SelectThreeModel::<sessions::Model, users::Model, access_grants::Model>::from_raw_query_result)
        .collect::<std::result::Result<Vec<_>, _>>()?
        .into_iter();
    let Some((session, Some(user), first_grant)) = rows.next() else {
        return Ok(None);
    };
    let grants: Vec<access_grants::Model> = first_grant
        .into_iter()
        .chain(rows.filter_map(|(_, _, grant)| grant))
        .collect();
    let idle_end = session.last_seen_at + to_delta(services.settings.session.idle_for(session.remember));
    if now >= session.expires_at || now >= idle_end {
        end(&services.db, &session.id).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::LastSeenAt, Expr::value(now))
            .filter(sessions::Column::Id.eq(session.id.clone()))
            .exec(&services.db)
            .await?;
    }
    let access = crate::access::state_of(&user, &grants, now);
    Ok(Some(CurrentSession {
        id: session.id,
        user,
        access,
        remember: session.remember,
        auth_method: session.auth_method,
    }))
}

/// The query [`resolve`] runs: a session by its id (the token's hash),
/// its user and the user's access grants.
fn session_select(id: String) -> SelectThree<sessions::Entity, users::Entity, access_grants::Entity, TopologyChain> {
    sessions::Entity::find_by_id(id)
        .find_also_related(users::Entity)
        .and_also_related(access_grants::Entity)
}

/// [`session_select`] as SQL for `backend`, with `id` bound. Every
/// signed-in request runs it, and building its SQL anew each time (the
/// query builder's joins, quoting and clean-up) had about 5 % of a
/// profile's samples on a signed-in page, so the SQL is built once per
/// backend; only the bound id changes.
fn session_query(backend: DbBackend, id: String) -> Statement {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let built = match backend {
        DbBackend::Sqlite => &SQLITE,
        DbBackend::Postgres => &POSTGRES,
        _ => return session_select(id).build(backend),
    };
    let sql = built.get_or_init(|| session_select(String::new()).build(backend).sql);
    Statement::from_sql_and_values(backend, sql.as_str(), [id.into()])
}

/// Ends one session.
pub async fn end<C: ConnectionTrait>(db: &C, id: &str) -> Result<()> {
    sessions::Entity::delete_by_id(id.to_owned()).exec(db).await?;
    Ok(())
}

/// Ends every session of a user, except `keep`; returns how many ended.
pub async fn end_all<C: ConnectionTrait>(db: &C, user_id: uuid::Uuid, keep: Option<&str>) -> Result<u64> {
    let mut query = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(sessions::Column::Id.ne(keep.to_owned()));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// A user's live sessions, most recently used first.
pub async fn list(services: &Services, user_id: uuid::Uuid) -> Result<Vec<sessions::Model>> {
    let now = Utc::now();
    let idle = |remember| to_delta(services.settings.session.idle_for(remember));
    Ok(sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .order_by_desc(sessions::Column::LastSeenAt)
        .all(&services.db)
        .await?
        .into_iter()
        .filter(|s| now < s.expires_at && now < s.last_seen_at + idle(s.remember))
        .collect())
}

fn to_delta(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL built once must be the query the builder makes for any id,
    /// with that id as its only value: were the builder to put another
    /// value in the query (a condition of the joins, say), the reused SQL
    /// would bind the id in the wrong place.
    #[test]
    fn the_session_query_built_once_is_the_builders_own() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres, DbBackend::MySql] {
            // The first id builds the SQL kept; the others reuse it.
            for id in ["c2Vzc2lvbg", "", "a'; DROP TABLE sessions; --"] {
                let reused = session_query(backend, id.to_owned());
                let fresh = session_select(id.to_owned()).build(backend);
                assert_eq!(reused.sql, fresh.sql, "{backend:?}");
                assert_eq!(reused.values, fresh.values, "{backend:?}");
                assert_eq!(reused.values.as_ref().map(|v| v.0.len()), Some(1), "{backend:?}");
            }
        }
    }
}

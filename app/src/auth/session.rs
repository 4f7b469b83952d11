//! Server-side sessions in the database.
//!
//! The cookie carries 256 random bits; the `sessions` table stores only
//! their SHA-256, so a copy of the table opens no session. A session has an
//! idle timeout (from its last use) and an absolute one (from sign-in,
//! longer with "remember me"). A new id is minted at every sign-in and on
//! privilege changes; sign-out deletes the row.
//!
//! [`middleware`] runs for every page, server function and OAuth route: it
//! resolves the cookie to a [`CurrentSession`] (user + access, computed
//! now), puts it in the request's extensions, and applies the gate
//! (`crate::gate`) before anything else runs.

use crate::access::AccessState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::gate;
use crate::services::Services;
use crate::services::net::ClientIp;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::{sessions, users};
use http::{HeaderValue, StatusCode, header};
use rand::RngCore as _;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// The session cookie over HTTPS: `__Host-` pins it to this exact host,
/// path `/`, `Secure`.
pub const SECURE_COOKIE: &str = "__Host-keel_session";
/// The session cookie on plain-http localhost (`COOKIE_SECURE=false`).
pub const PLAIN_COOKIE: &str = "keel_session";
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// Longest user agent kept for the sessions list.
const MAX_USER_AGENT: usize = 255;

/// The signed-in user of this request.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    /// The session's id (hash of the cookie token).
    pub id: String,
    pub user: users::Model,
    pub access: AccessState,
    pub remember: bool,
    pub auth_method: String,
}

impl CurrentSession {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            id: self.user.id.to_string(),
            email: self.user.email.clone(),
            display_name: self.user.display_name.clone(),
            email_verified: self.user.email_verified_at.is_some(),
            // An admin flag on an unproven address counts for nothing.
            is_admin: self.user.is_admin && self.user.email_verified_at.is_some(),
            has_password: self.user.password_hash.is_some(),
            access: self.access.clone(),
        }
    }
}

/// What the middleware found: in every request's extensions.
#[derive(Clone, Debug, Default)]
pub struct RequestSession(pub Option<Arc<CurrentSession>>);

/// Where a session was started from, for the sessions list.
#[derive(Clone, Debug)]
pub struct ClientMeta {
    pub ip: IpAddr,
    pub user_agent: String,
}

/// The cookie's name under these settings.
pub fn cookie_name(services: &Services) -> &'static str {
    if services.settings.secure_cookies {
        SECURE_COOKIE
    } else {
        PLAIN_COOKIE
    }
}

/// A fresh random token (256 bits, URL-safe base64).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256: how tokens are stored and looked up.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Starts a session for `user_id` and returns the `Set-Cookie` value.
pub async fn start(
    services: &Services,
    user_id: uuid::Uuid,
    auth_method: &str,
    remember: bool,
    meta: &ClientMeta,
) -> Result<HeaderValue, AppError> {
    let token = new_token();
    let now = Utc::now();
    let s = &services.settings.session;
    let lifetime = if remember { s.remember } else { s.absolute };
    let mut user_agent = meta.user_agent.clone();
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
        ip: Set(meta.ip.to_string()),
    }
    .insert(&services.db)
    .await?;
    tracing::info!(user = %user_id, method = auth_method, remember, "session started");
    set_cookie(services, &token, remember.then_some(lifetime))
}

/// Signs `user` in: ends `current` (a new session id at every sign-in),
/// starts a session, and returns its `Set-Cookie` and where the user
/// belongs (`next` when they may open it, else their landing page).
pub async fn sign_in(
    services: &Services,
    current: Option<&CurrentSession>,
    user: &users::Model,
    auth_method: &str,
    remember: bool,
    meta: &ClientMeta,
    next: Option<&str>,
) -> Result<(HeaderValue, String), AppError> {
    if let Some(current) = current {
        end(&services.db, &current.id).await?;
    }
    let cookie = start(services, user.id, auth_method, remember, meta).await?;
    let access = crate::access::store::state_for(&services.db, user, Utc::now()).await?;
    let viewer = CurrentSession {
        id: String::new(),
        user: user.clone(),
        access,
        remember,
        auth_method: auth_method.to_owned(),
    }
    .viewer();
    Ok((cookie, gate::destination(Some(&viewer), next)))
}

/// Gives the session a new id (privilege change), keeping everything else.
/// Returns the new `Set-Cookie`.
pub async fn rotate(services: &Services, current: &CurrentSession) -> Result<HeaderValue, AppError> {
    let Some(old) = sessions::Entity::find_by_id(current.id.clone())
        .one(&services.db)
        .await?
    else {
        return Err(AppError::NotSignedIn);
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
    set_cookie(services, &token, remember.then_some(lifetime))
}

/// Resolves a cookie token to its live session, user and access; ends
/// sessions that timed out.
pub async fn resolve(services: &Services, token: &str) -> Result<Option<CurrentSession>, AppError> {
    let now = Utc::now();
    let found = sessions::Entity::find_by_id(hash_token(token))
        .find_also_related(users::Entity)
        .one(&services.db)
        .await?;
    let Some((session, Some(user))) = found else {
        return Ok(None);
    };
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
    let access = crate::access::store::state_for(&services.db, &user, now).await?;
    Ok(Some(CurrentSession {
        id: session.id,
        user,
        access,
        remember: session.remember,
        auth_method: session.auth_method,
    }))
}

/// Ends one session.
pub async fn end<C: ConnectionTrait>(db: &C, id: &str) -> Result<(), AppError> {
    sessions::Entity::delete_by_id(id.to_owned()).exec(db).await?;
    Ok(())
}

/// Ends every session of a user, except `keep`; returns how many ended.
pub async fn end_all<C: ConnectionTrait>(db: &C, user_id: uuid::Uuid, keep: Option<&str>) -> Result<u64, AppError> {
    let mut query = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(sessions::Column::Id.ne(keep.to_owned()));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// A user's live sessions, most recently used first.
pub async fn list(services: &Services, user_id: uuid::Uuid) -> Result<Vec<sessions::Model>, AppError> {
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

/// `Set-Cookie` for a session token. `max_age` makes it survive the browser
/// closing ("remember me"); without it the cookie ends with the browser.
pub fn set_cookie(services: &Services, token: &str, max_age: Option<Duration>) -> Result<HeaderValue, AppError> {
    let mut value = format!("{}={token}; Path=/; HttpOnly; SameSite=Lax", cookie_name(services));
    if services.settings.secure_cookies {
        value.push_str("; Secure");
    }
    if let Some(age) = max_age {
        value.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    HeaderValue::from_str(&value).map_err(crate::error::internal)
}

/// `Set-Cookie` that deletes the session cookie.
pub fn clear_cookie(services: &Services) -> HeaderValue {
    let secure = if services.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(services)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub(crate) fn to_delta(d: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}

/// Resolves the session and applies the gate, for every routed request.
pub async fn middleware(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    let token = crate::prefs::cookie(request.headers(), cookie_name(&services));
    let session = match &token {
        Some(token) => match resolve(&services, token).await {
            Ok(s) => s.map(Arc::new),
            Err(_) => return error_response(AppError::Internal),
        },
        None => None,
    };
    let stale_cookie = token.is_some() && session.is_none();
    let viewer = session.as_ref().map(|s| s.viewer());
    request.extensions_mut().insert(RequestSession(session));

    let path = request.uri().path().to_owned();
    let is_api = path.starts_with("/api/");
    match gate::requirement(&path) {
        None => return error_response(AppError::NotFound),
        Some(requirement) => {
            if let Err(denial) = gate::check(viewer.as_ref(), requirement) {
                let is_page_read = matches!(*request.method(), http::Method::GET | http::Method::HEAD);
                if is_api || !is_page_read {
                    return error_response(denial_error(denial));
                }
                let requested = request.uri().path_and_query().map_or(path.as_str(), |pq| pq.as_str());
                let to = gate::redirect_for(viewer.as_ref(), denial, requested);
                let mut response = see_other(&to);
                if stale_cookie {
                    response
                        .headers_mut()
                        .append(header::SET_COOKIE, clear_cookie(&services));
                }
                return response;
            }
        }
    }

    let mut response = next.run(request).await;
    // A cookie for a session that no longer exists is removed, unless the
    // handler just set a new one (signing in over a stale cookie).
    let name = cookie_name(&services);
    let sets_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(name.as_bytes()));
    if stale_cookie && !sets_session {
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear_cookie(&services));
    }
    response
}

/// The error a denied server-function call gets.
pub fn denial_error(denial: gate::Denial) -> AppError {
    match denial {
        gate::Denial::SignIn => AppError::NotSignedIn,
        gate::Denial::VerifyEmail => AppError::EmailNotVerified,
        gate::Denial::NoAccess => AppError::AccessRequired,
        gate::Denial::NotAdmin | gate::Denial::AlreadySignedIn => AppError::Forbidden,
    }
}

/// A JSON error body the server-function client decodes into [`AppError`].
pub fn error_response(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(secs) = error.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// `303 See Other` to a path on this site.
pub fn see_other(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The client IP and user agent of a request.
pub fn client_meta(parts: &http::request::Parts) -> ClientMeta {
    ClientMeta {
        ip: parts
            .extensions
            .get::<ClientIp>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

//! Sign-in through an identity provider (Google, GitHub): the parts every
//! provider shares. Each provider is one file implementing [`Provider`]
//! behind its feature.
//!
//! The flow: `GET /auth/{provider}/start` stores a single-use flow row
//! (PKCE verifier, nonce, what to do afterwards) under the hash of a random
//! `state`, puts `state` in its own short-lived `SameSite=Lax` cookie and
//! redirects to the provider. `GET /auth/{provider}/callback` accepts the
//! answer only when the query's `state` equals the cookie's, the flow row
//! exists (it is deleted as it is read), belongs to this provider (each
//! provider has its own exactly-matched redirect URI: mix-up defence) and
//! has not expired. The provider's profile is then matched by
//! (provider, subject), never by email alone.

use crate::error::AppError;
use crate::i18n::{Key, use_locale};
use leptos::prelude::*;

/// Why a provider sign-in ended without signing in, carried to the page it
/// returns to as `?oauth_error=<code>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthFailure {
    /// The user said no at the provider.
    Denied,
    /// No matching flow: a wrong or replayed `state`, or too slow.
    Expired,
    /// The provider refused the code or answered something unusable.
    Provider,
    /// The provider has no verified email for the account.
    NoVerifiedEmail,
    /// The email belongs to an account that signs in another way.
    EmailTaken,
    /// Registration is by invite only.
    InviteOnly,
    /// That provider account is linked to another user.
    AlreadyLinked,
    /// The provider is compiled in but has no client id/secret.
    NotConfigured,
    RateLimited,
    /// Linking needs a verified email first.
    VerifyFirst,
}

impl OAuthFailure {
    const ALL: [OAuthFailure; 10] = [
        OAuthFailure::Denied,
        OAuthFailure::Expired,
        OAuthFailure::Provider,
        OAuthFailure::NoVerifiedEmail,
        OAuthFailure::EmailTaken,
        OAuthFailure::InviteOnly,
        OAuthFailure::AlreadyLinked,
        OAuthFailure::NotConfigured,
        OAuthFailure::RateLimited,
        OAuthFailure::VerifyFirst,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            OAuthFailure::Denied => "denied",
            OAuthFailure::Expired => "expired",
            OAuthFailure::Provider => "provider",
            OAuthFailure::NoVerifiedEmail => "no_verified_email",
            OAuthFailure::EmailTaken => "email_taken",
            OAuthFailure::InviteOnly => "invite_only",
            OAuthFailure::AlreadyLinked => "already_linked",
            OAuthFailure::NotConfigured => "not_configured",
            OAuthFailure::RateLimited => "rate_limited",
            OAuthFailure::VerifyFirst => "verify_first",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The message, given the methods of the existing account (for `EmailTaken`).
    pub fn message(self, methods: &[String]) -> String {
        let locale = use_locale();
        match self {
            OAuthFailure::EmailTaken => AppError::EmailTaken {
                methods: methods.to_vec(),
            }
            .message(locale),
            OAuthFailure::InviteOnly => AppError::InviteOnly.message(locale),
            OAuthFailure::RateLimited => AppError::RateLimited { retry_after_secs: 60 }.message(locale),
            other => locale
                .t(match other {
                    OAuthFailure::Denied => Key::OAuthDenied,
                    OAuthFailure::Expired => Key::OAuthExpired,
                    OAuthFailure::NoVerifiedEmail => Key::OAuthNoVerifiedEmail,
                    OAuthFailure::AlreadyLinked => Key::OAuthAlreadyLinked,
                    OAuthFailure::NotConfigured => Key::OAuthNotConfigured,
                    OAuthFailure::VerifyFirst => Key::OAuthVerifyFirst,
                    _ => Key::OAuthProvider,
                })
                .to_owned(),
        }
    }
}

/// Where a provider button leads: the provider's start route with what
/// should happen afterwards.
pub fn start_url(start_path: &str, next: Option<&str>, invite: Option<&str>, remember: bool, link: bool) -> String {
    let mut query = Vec::new();
    if link {
        query.push("intent=link".to_owned());
    }
    if remember {
        query.push("remember=1".to_owned());
    }
    if let Some(next) = next.filter(|n| !n.is_empty()) {
        query.push(format!("next={}", crate::gate::encode_query(next)));
    }
    if let Some(invite) = invite.filter(|i| !i.is_empty()) {
        query.push(format!("invite={}", crate::gate::encode_query(invite)));
    }
    if query.is_empty() {
        start_path.to_owned()
    } else {
        format!("{start_path}?{}", query.join("&"))
    }
}

/// One button per compiled-in provider ("Continue with Google"). Plain
/// links (`rel="external"`): the browser leaves for the provider.
#[component]
pub fn ProviderButtons(
    #[prop(into)] next: Signal<Option<String>>,
    #[prop(into)] invite: Signal<Option<String>>,
    #[prop(into)] remember: Signal<bool>,
) -> impl IntoView {
    let locale = use_locale();
    let providers: Vec<(&'static str, Key, &'static str)> = vec![
        #[cfg(feature = "google_auth")]
        (crate::auth::google::START_PATH, Key::ContinueWithGoogle, "oauth-google"),
        #[cfg(feature = "github_auth")]
        (crate::auth::github::START_PATH, Key::ContinueWithGitHub, "oauth-github"),
    ];
    view! {
        <div class="flex flex-col gap-2">
            {providers
                .into_iter()
                .map(|(path, label, testid)| {
                    let href = move || {
                        start_url(path, next.get().as_deref(), invite.get().as_deref(), remember.get(), false)
                    };
                    view! {
                        <a href=href rel="external" class="btn-secondary w-full" data-testid=testid>
                            {locale.t(label)}
                        </a>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::OAuthFailure;
    use crate::auth::accounts;
    use crate::auth::email::Email;
    use crate::auth::session::{self, ClientMeta, CurrentSession, RequestSession, hash_token, new_token, see_other};
    use crate::error::AppError;
    use crate::routes;
    use crate::services::Services;
    use axum::extract::{Query, Request, State};
    use axum::response::Response;
    use chrono::Utc;
    use entity::{oauth_flows, user_identities, users};
    use http::{HeaderValue, header};
    use oauth2::PkceCodeChallenge;
    use sea_orm::{
        ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, SqlErr,
    };
    use serde::Deserialize;
    use std::sync::Arc;
    use subtle::ConstantTimeEq;

    /// The flow cookie over HTTPS.
    pub const SECURE_STATE_COOKIE: &str = "__Host-keel_oauth";
    /// The flow cookie on plain-http localhost.
    pub const PLAIN_STATE_COOKIE: &str = "keel_oauth";
    /// How long the user has at the provider.
    const FLOW_MINUTES: i64 = 10;

    /// What a provider tells us about the person.
    #[derive(Clone, Debug)]
    pub struct Profile {
        /// The provider's stable account id.
        pub subject: String,
        /// The account's email, only when the provider says it is verified.
        pub email: Option<Email>,
        pub name: String,
    }

    /// Why talking to a provider failed (logged, never shown).
    #[derive(Debug, thiserror::Error)]
    pub enum ProviderError {
        #[error("token exchange failed: {0}")]
        Exchange(String),
        #[error("ID token rejected: {0}")]
        IdToken(String),
        #[error("provider API call failed: {0}")]
        Api(String),
    }

    /// An identity provider.
    pub trait Provider: Send + Sync + 'static {
        /// Its id in (provider, subject) identities.
        const ID: &'static str;
        /// The provider, when configured.
        fn from_services(services: &Services) -> Option<&Self>;
        /// The URL to send the browser to.
        fn authorize_url(&self, state: &str, pkce: PkceCodeChallenge, nonce: &str) -> String;
        /// Exchanges the code (with the PKCE verifier) and reads the profile.
        fn profile(
            &self,
            http: &reqwest::Client,
            code: String,
            pkce_verifier: String,
            nonce: &str,
        ) -> impl std::future::Future<Output = Result<Profile, ProviderError>> + Send;
    }

    /// The query of a start link.
    #[derive(Debug, Default, Deserialize)]
    pub struct StartQuery {
        next: Option<String>,
        invite: Option<String>,
        remember: Option<String>,
        intent: Option<String>,
    }

    /// The provider's answer.
    #[derive(Debug, Default, Deserialize)]
    pub struct CallbackQuery {
        code: Option<String>,
        state: Option<String>,
        error: Option<String>,
    }

    fn state_cookie(services: &Services) -> &'static str {
        if services.settings.secure_cookies {
            SECURE_STATE_COOKIE
        } else {
            PLAIN_STATE_COOKIE
        }
    }

    fn cookie_header(services: &Services, value: &str, max_age: i64) -> HeaderValue {
        let secure = if services.settings.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        HeaderValue::from_str(&format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            state_cookie(services)
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    fn failure_url(to: &str, failure: OAuthFailure, methods: &[String]) -> String {
        let mut url = format!("{to}?oauth_error={}", failure.code());
        if !methods.is_empty() {
            url.push_str(&format!("&methods={}", methods.join(",")));
        }
        url
    }

    fn current(request: &http::request::Parts) -> Option<Arc<CurrentSession>> {
        request.extensions.get::<RequestSession>().and_then(|s| s.0.clone())
    }

    /// `GET /auth/{provider}/start`.
    pub async fn start<P: Provider>(
        State(services): State<Services>,
        Query(query): Query<StartQuery>,
        request: Request,
    ) -> Response {
        let (parts, _) = request.into_parts();
        let link = query.intent.as_deref() == Some("link");
        let back = if link {
            routes::ACCOUNT_PATH
        } else {
            routes::SIGN_IN_PATH
        };
        let Some(provider) = P::from_services(&services) else {
            return see_other(&failure_url(back, OAuthFailure::NotConfigured, &[]));
        };
        let meta = session::client_meta(&parts);
        if services
            .limit_ip("sign-in", meta.ip, services.settings.limits.sign_in_per_ip)
            .is_err()
        {
            return see_other(&failure_url(back, OAuthFailure::RateLimited, &[]));
        }
        let user_id = match (link, current(&parts)) {
            // An account whose address is unproven may belong to someone
            // else: nothing is linked to it (pre-hijacking defence).
            (true, Some(current)) if current.user.email_verified_at.is_none() => {
                return see_other(&failure_url(back, OAuthFailure::VerifyFirst, &[]));
            }
            (true, Some(current)) => Some(current.user.id),
            (true, None) => return see_other(routes::SIGN_IN_PATH),
            (false, _) => None,
        };
        let state = new_token();
        let nonce = new_token();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let now = Utc::now();
        let flow = oauth_flows::ActiveModel {
            state_hash: Set(hash_token(&state)),
            provider: Set(P::ID.to_owned()),
            pkce_verifier: Set(verifier.secret().clone()),
            nonce: Set(nonce.clone()),
            intent: Set(if link { "link" } else { "sign_in" }.to_owned()),
            user_id: Set(user_id),
            next_path: Set(query.next.filter(|n| crate::gate::is_local_path(n))),
            invite_token: Set(query.invite.filter(|i| !i.is_empty() && i.len() <= 128)),
            remember: Set(query.remember.is_some()),
            created_at: Set(now),
            expires_at: Set(now + chrono::Duration::minutes(FLOW_MINUTES)),
        };
        if let Err(e) = flow.insert(&services.db).await {
            tracing::error!(error = %e, "storing the OAuth flow failed");
            return see_other(&failure_url(back, OAuthFailure::Provider, &[]));
        }
        let mut response = see_other(&provider.authorize_url(&state, challenge, &nonce));
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie_header(&services, &state, FLOW_MINUTES * 60));
        response
    }

    /// Where a finished flow goes.
    struct Done {
        location: String,
        cookie: Option<HeaderValue>,
    }

    /// Why a flow failed, and which page shows it.
    struct Failed {
        failure: OAuthFailure,
        back: &'static str,
        methods: Vec<String>,
    }

    impl Failed {
        fn new(failure: OAuthFailure, back: &'static str) -> Self {
            Failed {
                failure,
                back,
                methods: Vec::new(),
            }
        }
    }

    /// `GET /auth/{provider}/callback`.
    pub async fn callback<P: Provider>(
        State(services): State<Services>,
        Query(query): Query<CallbackQuery>,
        request: Request,
    ) -> Response {
        let (parts, _) = request.into_parts();
        let cookie_state = crate::prefs::cookie(&parts.headers, state_cookie(&services));
        let current = current(&parts);
        let meta = session::client_meta(&parts);
        let mut response = match finish::<P>(&services, query, cookie_state, current, &meta).await {
            Ok(done) => {
                let mut r = see_other(&done.location);
                if let Some(cookie) = done.cookie {
                    r.headers_mut().append(header::SET_COOKIE, cookie);
                }
                r
            }
            Err(failed) => {
                tracing::info!(
                    provider = P::ID,
                    failure = failed.failure.code(),
                    "provider sign-in refused"
                );
                see_other(&failure_url(failed.back, failed.failure, &failed.methods))
            }
        };
        // The flow cookie is single-use whatever happened.
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie_header(&services, "", 0));
        response
    }

    async fn finish<P: Provider>(
        services: &Services,
        query: CallbackQuery,
        cookie_state: Option<String>,
        current: Option<Arc<CurrentSession>>,
        meta: &ClientMeta,
    ) -> Result<Done, Failed> {
        let expired = || Failed::new(OAuthFailure::Expired, routes::SIGN_IN_PATH);
        let state = query.state.ok_or_else(expired)?;
        // The cookie proves this browser started this flow (login CSRF).
        let cookie_state = cookie_state.ok_or_else(expired)?;
        if !bool::from(state.as_bytes().ct_eq(cookie_state.as_bytes())) {
            return Err(expired());
        }
        // Read and deleted at once: a replayed callback finds nothing.
        let flow = take_flow(services, &state)
            .await
            .map_err(|_| expired())?
            .ok_or_else(expired)?;
        let back = if flow.intent == "link" {
            routes::ACCOUNT_PATH
        } else {
            routes::SIGN_IN_PATH
        };
        if flow.provider != P::ID || flow.expires_at <= Utc::now() {
            return Err(Failed::new(OAuthFailure::Expired, back));
        }
        if query.error.is_some() {
            return Err(Failed::new(OAuthFailure::Denied, back));
        }
        let provider = P::from_services(services).ok_or(Failed::new(OAuthFailure::NotConfigured, back))?;
        let code = query.code.ok_or(Failed::new(OAuthFailure::Provider, back))?;
        let profile = provider
            .profile(&services.http, code, flow.pkce_verifier.clone(), &flow.nonce)
            .await
            .map_err(|e| {
                tracing::warn!(provider = P::ID, error = %e, "provider sign-in failed");
                Failed::new(OAuthFailure::Provider, back)
            })?;
        if flow.intent == "link" {
            link::<P>(services, &flow, current, profile).await
        } else {
            sign_in::<P>(services, &flow, current, profile, meta).await
        }
    }

    async fn take_flow(services: &Services, state: &str) -> Result<Option<oauth_flows::Model>, sea_orm::DbErr> {
        let hash = hash_token(state);
        let Some(flow) = oauth_flows::Entity::find_by_id(hash.clone()).one(&services.db).await? else {
            return Ok(None);
        };
        let deleted = oauth_flows::Entity::delete_by_id(hash).exec(&services.db).await?;
        Ok((deleted.rows_affected == 1).then_some(flow))
    }

    async fn find_identity<C: ConnectionTrait>(
        db: &C,
        provider: &str,
        subject: &str,
    ) -> Result<Option<user_identities::Model>, sea_orm::DbErr> {
        user_identities::Entity::find()
            .filter(user_identities::Column::Provider.eq(provider))
            .filter(user_identities::Column::Subject.eq(subject))
            .one(db)
            .await
    }

    async fn add_identity<C: ConnectionTrait>(
        db: &C,
        user_id: uuid::Uuid,
        provider: &str,
        profile: &Profile,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        user_identities::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            user_id: Set(user_id),
            provider: Set(provider.to_owned()),
            subject: Set(profile.subject.clone()),
            email: Set(profile
                .email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default()),
            created_at: Set(now),
            last_used_at: Set(now),
        }
        .insert(db)
        .await
        .map(drop)
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Forbidden,
            _ => e.into(),
        })
    }

    /// Links the provider account to the signed-in user who started the flow.
    async fn link<P: Provider>(
        services: &Services,
        flow: &oauth_flows::Model,
        current: Option<Arc<CurrentSession>>,
        profile: Profile,
    ) -> Result<Done, Failed> {
        let back = routes::ACCOUNT_PATH;
        let current = current
            .filter(|c| Some(c.user.id) == flow.user_id)
            .ok_or(Failed::new(OAuthFailure::Expired, routes::SIGN_IN_PATH))?;
        if current.user.email_verified_at.is_none() {
            return Err(Failed::new(OAuthFailure::VerifyFirst, back));
        }
        let internal = |_| Failed::new(OAuthFailure::Provider, back);
        match find_identity(&services.db, P::ID, &profile.subject)
            .await
            .map_err(internal)?
        {
            Some(identity) if identity.user_id != current.user.id => {
                return Err(Failed::new(OAuthFailure::AlreadyLinked, back));
            }
            Some(_) => {}
            None => add_identity(&services.db, current.user.id, P::ID, &profile)
                .await
                .map_err(|_| Failed::new(OAuthFailure::AlreadyLinked, back))?,
        }
        tracing::info!(user = %current.user.id, provider = P::ID, "provider linked");
        Ok(Done {
            location: format!("{back}?linked={}", P::ID),
            cookie: None,
        })
    }

    /// Signs in (or up) with the provider account.
    async fn sign_in<P: Provider>(
        services: &Services,
        flow: &oauth_flows::Model,
        current: Option<Arc<CurrentSession>>,
        profile: Profile,
        meta: &ClientMeta,
    ) -> Result<Done, Failed> {
        let back = routes::SIGN_IN_PATH;
        let fail = |failure| Failed::new(failure, back);
        let internal = |e: AppError| match e {
            AppError::InviteOnly => fail(OAuthFailure::InviteOnly),
            AppError::EmailNotVerified => fail(OAuthFailure::NoVerifiedEmail),
            AppError::EmailTaken { methods } => Failed {
                failure: OAuthFailure::EmailTaken,
                back,
                methods,
            },
            _ => fail(OAuthFailure::Provider),
        };
        let user = resolve_account::<P>(services, flow, &profile).await.map_err(internal)?;
        let (cookie, location) = session::sign_in(
            services,
            current.as_deref(),
            &user,
            P::ID,
            flow.remember,
            meta,
            flow.next_path.as_deref(),
        )
        .await
        .map_err(internal)?;
        Ok(Done {
            location,
            cookie: Some(cookie),
        })
    }

    /// The account for this provider profile: the linked one; or, by its
    /// verified email, an existing account (when linking is allowed, or the
    /// account has no way to sign in yet); or a new account.
    async fn resolve_account<P: Provider>(
        services: &Services,
        flow: &oauth_flows::Model,
        profile: &Profile,
    ) -> Result<users::Model, AppError> {
        let now = Utc::now();
        let txn = crate::services::begin_write(&services.db).await?;
        let user = match find_identity(&txn, P::ID, &profile.subject).await? {
            Some(identity) => {
                let mut active = identity.clone().into_active_model();
                active.last_used_at = Set(now);
                if let Some(email) = &profile.email {
                    active.email = Set(email.as_str().to_owned());
                }
                active.update(&txn).await?;
                users::Entity::find_by_id(identity.user_id)
                    .one(&txn)
                    .await?
                    .ok_or(AppError::NotFound)?
            }
            None => {
                let email = profile.email.clone().ok_or(AppError::EmailNotVerified)?;
                match accounts::find_by_email(&txn, &email).await? {
                    Some(existing) => {
                        let methods = accounts::methods_of(&txn, &existing).await?;
                        if !(services.settings.allow_account_linking || methods.is_empty()) {
                            return Err(AppError::EmailTaken { methods });
                        }
                        // An unverified account is proven by this sign-in
                        // below: whatever else could open it goes then.
                        add_identity(&txn, existing.id, P::ID, profile).await?;
                        tracing::info!(user = %existing.id, provider = P::ID, "provider linked by verified email");
                        existing
                    }
                    None => {
                        accounts::admission(&txn, services, &email, flow.invite_token.as_deref(), now).await?;
                        let name = provider_name(profile, &email);
                        let user = accounts::insert_user(&txn, &email, &name, None, None).await?;
                        add_identity(&txn, user.id, P::ID, profile).await?;
                        tracing::info!(user = %user.id, provider = P::ID, "account registered");
                        user
                    }
                }
            }
        };
        // The provider vouches for its email: when it is this account's
        // address, the address is proven, and on an unverified account only
        // this identity stays (every other credential may be an earlier
        // registrant's).
        let user = if profile.email.as_ref().is_some_and(|e| e.as_str() == user.email) {
            let proof = accounts::Proof::Provider {
                provider: P::ID,
                subject: &profile.subject,
            };
            accounts::prove(&txn, services, user, proof, now).await?
        } else {
            user
        };
        txn.commit().await?;
        services.mailer.wake();
        Ok(user)
    }

    /// A display name from the profile, else the email's name part.
    fn provider_name(profile: &Profile, email: &Email) -> String {
        let name: String = profile
            .name
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(crate::auth::MAX_NAME_CHARS)
            .collect();
        if name.is_empty() {
            email.as_str().split('@').next().unwrap_or_default().to_owned()
        } else {
            name
        }
    }

    /// An error and its causes, on one line (for logs).
    pub fn describe(error: &dyn std::error::Error) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    }

    /// The OAuth routes of every compiled-in provider.
    pub fn router() -> axum::Router<Services> {
        use axum::routing::get;
        let router = axum::Router::new();
        #[cfg(feature = "google_auth")]
        let router = {
            use crate::auth::google::{self, Google};
            router
                .route(google::START_PATH, get(start::<Google>))
                .route(google::CALLBACK_PATH, get(callback::<Google>))
        };
        #[cfg(feature = "github_auth")]
        let router = {
            use crate::auth::github::{self, GitHub};
            router
                .route(github::START_PATH, get(start::<GitHub>))
                .route(github::CALLBACK_PATH, get(callback::<GitHub>))
        };
        router
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_codes_round_trip() {
        for f in OAuthFailure::ALL {
            assert_eq!(OAuthFailure::from_code(f.code()), Some(f));
        }
        assert_eq!(OAuthFailure::from_code("nope"), None);
    }

    #[test]
    fn start_urls_carry_next_and_invite_encoded() {
        assert_eq!(start_url("/auth/x/start", None, None, false, false), "/auth/x/start");
        assert_eq!(
            start_url("/auth/x/start", Some("/chat?a=b"), Some("t0k"), true, false),
            "/auth/x/start?remember=1&next=/chat%3Fa%3Db&invite=t0k"
        );
        assert_eq!(
            start_url("/auth/x/start", None, None, false, true),
            "/auth/x/start?intent=link"
        );
    }
}

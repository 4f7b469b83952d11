//! Sign-in through an identity provider (Google, GitHub): the parts every
//! provider shares. Each provider is one file implementing [`Provider`]
//! behind its feature.
//!
//! The flow: [`start`] stores a single-use flow row (PKCE verifier, nonce,
//! what to do afterwards) under the hash of a random `state`, which the
//! adapter puts in its own short-lived `SameSite=Lax` cookie before sending
//! the browser to the provider. [`finish`] accepts the provider's answer
//! only when the query's `state` equals the cookie's, the flow row exists
//! (it is deleted as it is read), belongs to this provider (each provider
//! has its own exactly-matched redirect URI: mix-up defence) and has not
//! expired. The provider's profile is then matched by (provider, subject),
//! never by email alone; an unproven account links nothing, and a proof of
//! its address removes every other way in (see `accounts::rules`).

#[cfg(feature = "github_auth")]
pub mod github;
#[cfg(feature = "google_auth")]
pub mod google;

use super::rules::{self, Proof};
use super::sessions::{self, CurrentSession, NewSession};
use crate::actor::Actor;
use crate::error::{DomainError, Result, ResultExt};
use crate::secret::{hash_token, new_token};
use crate::services::Services;
use chrono::Utc;
use entity::{oauth_flows, user_identities, users};
use oauth2::PkceCodeChallenge;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use subtle::ConstantTimeEq;
use wire::email::Email;
use wire::oauth::OAuthFailure;
use wire::paths as routes;

/// How long the user has at the provider.
pub const FLOW_MINUTES: i64 = 10;

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
    /// The URL to send the browser to.
    fn authorize_url(&self, state: &str, pkce: PkceCodeChallenge, nonce: &str) -> String;
    /// Exchanges the code (with the PKCE verifier) and reads the profile.
    fn profile(
        &self,
        http: &reqwest::Client,
        code: String,
        pkce_verifier: String,
        nonce: &str,
    ) -> impl std::future::Future<Output = std::result::Result<Profile, ProviderError>> + Send;
}

/// Where the services keep a provider: `None` when it is compiled in but
/// not configured.
pub trait Configured: Provider {
    fn configured(services: &Services) -> Option<&Self>;
}

#[cfg(feature = "google_auth")]
impl Configured for google::Google {
    fn configured(services: &Services) -> Option<&Self> {
        services.features.google.as_ref()
    }
}

#[cfg(feature = "github_auth")]
impl Configured for github::GitHub {
    fn configured(services: &Services) -> Option<&Self> {
        services.features.github.as_ref()
    }
}

/// What a start link asks for.
#[derive(Debug, Default)]
pub struct StartRequest {
    pub next: Option<String>,
    pub invite: Option<String>,
    pub remember: bool,
    /// Link the provider to the signed-in account instead of signing in.
    pub link: bool,
}

/// A flow started: send the browser to `authorize_url`, with `state` in
/// the flow cookie for [`FLOW_MINUTES`].
#[derive(Debug)]
pub struct Started {
    pub authorize_url: String,
    pub state: String,
}

/// The provider's answer, and the flow cookie the browser brought back.
#[derive(Debug, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub cookie_state: Option<String>,
}

/// A finished flow: where the browser goes, and the new session when it
/// signed in.
#[derive(Debug)]
pub struct Finished {
    pub location: String,
    pub session: Option<NewSession>,
}

/// Why a flow failed, and which page shows it.
#[derive(Debug)]
pub struct Failed {
    pub failure: OAuthFailure,
    pub back: &'static str,
    /// The sign-in methods of the account the email belongs to (`EmailTaken`).
    pub methods: Vec<String>,
    /// Go back without a message (a link started without a session: the
    /// sign-in page is all there is to say).
    pub quiet: bool,
}

impl Failed {
    fn new(failure: OAuthFailure, back: &'static str) -> Self {
        Failed {
            failure,
            back,
            methods: Vec::new(),
            quiet: false,
        }
    }

    /// The page that shows it, with the failure in its query.
    pub fn location(&self) -> String {
        if self.quiet {
            return self.back.to_owned();
        }
        let mut url = format!("{}?oauth_error={}", self.back, self.failure.code());
        if !self.methods.is_empty() {
            url.push_str(&format!("&methods={}", self.methods.join(",")));
        }
        url
    }
}

/// Starts a flow with provider `P`. Linking needs a signed-in account whose
/// address is proven (an unproven one may be someone else's registration:
/// nothing is linked to it).
#[tracing::instrument(skip_all, fields(provider = P::ID, actor = %actor.label()))]
pub async fn start<P: Configured>(
    services: &Services,
    actor: &Actor,
    request: StartRequest,
) -> std::result::Result<Started, Failed> {
    let back = if request.link {
        routes::ACCOUNT_PATH
    } else {
        routes::SIGN_IN_PATH
    };
    let Some(provider) = P::configured(services) else {
        return Err(Failed::new(OAuthFailure::NotConfigured, back));
    };
    if services
        .limit_ip("sign-in", actor.client().ip, services.settings.limits.sign_in_per_ip)
        .await
        .is_err()
    {
        return Err(Failed::new(OAuthFailure::RateLimited, back));
    }
    let user_id = match (request.link, actor.session()) {
        (true, Some(current)) if current.user.email_verified_at.is_none() => {
            return Err(Failed::new(OAuthFailure::VerifyFirst, back));
        }
        (true, Some(current)) => Some(current.user.id),
        (true, None) => {
            return Err(Failed {
                quiet: true,
                ..Failed::new(OAuthFailure::Expired, routes::SIGN_IN_PATH)
            });
        }
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
        intent: Set(if request.link { "link" } else { "sign_in" }.to_owned()),
        user_id: Set(user_id),
        next_path: Set(request.next.filter(|n| wire::gate::is_local_path(n))),
        invite_token: Set(request.invite.filter(|i| !i.is_empty() && i.len() <= 128)),
        remember: Set(request.remember),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::minutes(FLOW_MINUTES)),
    };
    if let Err(e) = flow.insert(&services.db).await {
        tracing::error!(error = %e, "storing the OAuth flow failed");
        return Err(Failed::new(OAuthFailure::Provider, back));
    }
    Ok(Started {
        authorize_url: provider.authorize_url(&state, challenge, &nonce),
        state,
    })
}

/// Finishes a flow with provider `P`: signs in (or up), or links. Every
/// refusal is logged with its reason (a forged or replayed callback
/// included).
#[tracing::instrument(skip_all, fields(provider = P::ID, actor = %actor.label()))]
pub async fn finish<P: Configured>(
    services: &Services,
    actor: &Actor,
    callback: Callback,
) -> std::result::Result<Finished, Failed> {
    let result = finish_flow::<P>(services, actor, callback).await;
    if let Err(failed) = &result {
        tracing::info!(
            provider = P::ID,
            failure = failed.failure.code(),
            "provider sign-in refused"
        );
    }
    result
}

async fn finish_flow<P: Configured>(
    services: &Services,
    actor: &Actor,
    callback: Callback,
) -> std::result::Result<Finished, Failed> {
    let expired = || Failed::new(OAuthFailure::Expired, routes::SIGN_IN_PATH);
    let state = callback.state.ok_or_else(expired)?;
    // The cookie proves this browser started this flow (login CSRF).
    let cookie_state = callback.cookie_state.ok_or_else(expired)?;
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
    if callback.error.is_some() {
        return Err(Failed::new(OAuthFailure::Denied, back));
    }
    let provider = P::configured(services).ok_or(Failed::new(OAuthFailure::NotConfigured, back))?;
    let code = callback.code.ok_or(Failed::new(OAuthFailure::Provider, back))?;
    let profile = provider
        .profile(&services.http, code, flow.pkce_verifier.clone(), &flow.nonce)
        .await
        .map_err(|e| {
            tracing::warn!(provider = P::ID, error = %e, "provider sign-in failed");
            Failed::new(OAuthFailure::Provider, back)
        })?;
    if flow.intent == "link" {
        link::<P>(services, &flow, actor.session().map(|s| s.as_ref()), profile).await
    } else {
        sign_in::<P>(services, &flow, actor, profile).await
    }
}

async fn take_flow(
    services: &Services,
    state: &str,
) -> std::result::Result<Option<oauth_flows::Model>, sea_orm::DbErr> {
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
) -> std::result::Result<Option<user_identities::Model>, sea_orm::DbErr> {
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
) -> Result<()> {
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
    .on_unique(|| DomainError::Forbidden)
}

/// Links the provider account to the signed-in user who started the flow.
async fn link<P: Provider>(
    services: &Services,
    flow: &oauth_flows::Model,
    current: Option<&CurrentSession>,
    profile: Profile,
) -> std::result::Result<Finished, Failed> {
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
    Ok(Finished {
        location: format!("{back}?linked={}", P::ID),
        session: None,
    })
}

/// Signs in (or up) with the provider account.
async fn sign_in<P: Provider>(
    services: &Services,
    flow: &oauth_flows::Model,
    actor: &Actor,
    profile: Profile,
) -> std::result::Result<Finished, Failed> {
    let back = routes::SIGN_IN_PATH;
    let fail = |failure| Failed::new(failure, back);
    let refused = |e: DomainError| match e {
        DomainError::InviteOnly => fail(OAuthFailure::InviteOnly),
        DomainError::EmailNotVerified => fail(OAuthFailure::NoVerifiedEmail),
        DomainError::EmailTaken { methods } => Failed {
            failure: OAuthFailure::EmailTaken,
            back,
            methods,
            quiet: false,
        },
        other => {
            tracing::warn!(error = %other, "provider sign-in failed");
            fail(OAuthFailure::Provider)
        }
    };
    let user = resolve_account::<P>(services, flow, &profile).await.map_err(refused)?;
    let signed_in = sessions::sign_in(
        services,
        actor.session().map(|s| s.as_ref()),
        &user,
        P::ID,
        flow.remember,
        &actor.client(),
        flow.next_path.as_deref(),
    )
    .await
    .map_err(refused)?;
    Ok(Finished {
        location: signed_in.next,
        session: Some(signed_in.session),
    })
}

/// The account for this provider profile: the linked one; or, by its
/// verified email, an existing account (when linking is allowed, or the
/// account has no way to sign in yet); or a new account.
async fn resolve_account<P: Provider>(
    services: &Services,
    flow: &oauth_flows::Model,
    profile: &Profile,
) -> Result<users::Model> {
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
                .ok_or(DomainError::NotFound)?
        }
        None => {
            let email = profile.email.clone().ok_or(DomainError::EmailNotVerified)?;
            match rules::find_by_email(&txn, &email).await? {
                Some(existing) => {
                    let methods = rules::methods_of(&txn, &existing).await?;
                    if !(services.settings.allow_account_linking || methods.is_empty()) {
                        return Err(DomainError::EmailTaken { methods });
                    }
                    // An unverified account is proven by this sign-in
                    // below: whatever else could open it goes then.
                    add_identity(&txn, existing.id, P::ID, profile).await?;
                    tracing::info!(user = %existing.id, provider = P::ID, "provider linked by verified email");
                    existing
                }
                None => {
                    rules::admission(&txn, services, &email, flow.invite_token.as_deref(), now).await?;
                    let name = provider_name(profile, &email);
                    let user = rules::insert_user(&txn, &email, &name, None, None).await?;
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
        let proof = Proof::Provider {
            provider: P::ID,
            subject: &profile.subject,
        };
        rules::prove(&txn, services, user, proof, now).await?
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
        .take(wire::auth::MAX_NAME_CHARS)
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

//! Sign-in with Google (`google_auth`) through OpenID Connect: authorization
//! code with PKCE S256 and a nonce; the ID token's signature is checked
//! against Google's JWKS, and its `iss`, `aud`, `exp` and `nonce` claims.
//! Every URL comes from the settings, so tests run this code against a fake.

/// Identifier of this method in `(provider, subject)` identities.
pub const PROVIDER_ID: &str = "google";
/// Where the "Continue with Google" button leads.
pub const START_PATH: &str = "/auth/google/start";
/// The redirect URI registered with Google (prefixed by `PUBLIC_URL`).
pub const CALLBACK_PATH: &str = "/auth/google/callback";

#[cfg(feature = "ssr")]
pub use ssr::{Google, GoogleSettings};

#[cfg(feature = "ssr")]
mod ssr {
    use super::{CALLBACK_PATH, PROVIDER_ID};
    use crate::auth::email::Email;
    use crate::auth::oauth::{Profile, Provider, ProviderError, describe};
    use crate::services::Services;
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    use oauth2::basic::{
        BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
    };
    use oauth2::{
        AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
        ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken,
        StandardTokenResponse, TokenUrl,
    };
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serialize};
    use std::time::{Duration, Instant};
    use subtle::ConstantTimeEq;
    use tokio::sync::Mutex;

    /// Google's endpoints and this app's client credentials.
    #[derive(Clone, Debug)]
    pub struct GoogleSettings {
        pub client_id: String,
        pub client_secret: SecretString,
        pub auth_url: String,
        pub token_url: String,
        pub jwks_url: String,
        /// Accepted `iss` values.
        pub issuers: Vec<String>,
    }

    /// The token response: the standard fields plus the ID token.
    #[derive(Clone, Debug, Deserialize, Serialize)]
    pub struct IdTokenFields {
        id_token: String,
    }
    impl ExtraTokenFields for IdTokenFields {}

    type GoogleClient = Client<
        BasicErrorResponse,
        StandardTokenResponse<IdTokenFields, BasicTokenType>,
        BasicTokenIntrospectionResponse,
        StandardRevocableToken,
        BasicRevocationErrorResponse,
        EndpointSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointSet,
    >;

    /// Signing keys are refetched at most this often when a token names an unknown key.
    const MIN_REFETCH: Duration = Duration::from_secs(30);

    struct Keys {
        set: JwkSet,
        fetched: Instant,
        ttl: Duration,
    }

    /// The configured Google client, with a cache of Google's signing keys.
    pub struct Google {
        settings: GoogleSettings,
        client: GoogleClient,
        keys: Mutex<Option<Keys>>,
    }

    impl std::fmt::Debug for Google {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Google")
                .field("client_id", &self.settings.client_id)
                .finish()
        }
    }

    impl Google {
        pub fn new(settings: GoogleSettings, public_url: &str) -> anyhow::Result<Self> {
            let client = Client::new(ClientId::new(settings.client_id.clone()))
                .set_client_secret(ClientSecret::new(settings.client_secret.expose_secret().to_owned()))
                .set_auth_uri(AuthUrl::new(settings.auth_url.clone())?)
                .set_token_uri(TokenUrl::new(settings.token_url.clone())?)
                .set_redirect_uri(RedirectUrl::new(format!("{public_url}{CALLBACK_PATH}"))?);
            Ok(Google {
                settings,
                client,
                keys: Mutex::new(None),
            })
        }

        /// Checks the ID token: RS256 signature by a key from the JWKS,
        /// issuer, audience (this client), expiry, and our nonce.
        async fn validate(&self, http: &reqwest::Client, token: &str, nonce: &str) -> Result<Claims, ProviderError> {
            let bad = |why: String| ProviderError::IdToken(why);
            let header = jsonwebtoken::decode_header(token).map_err(|e| bad(e.to_string()))?;
            if header.alg != Algorithm::RS256 {
                return Err(bad(format!("unexpected algorithm {:?}", header.alg)));
            }
            let kid = header.kid.ok_or_else(|| bad("no key id".into()))?;
            let key = self.key(http, &kid).await?;
            let mut validation = Validation::new(Algorithm::RS256);
            validation.set_audience(&[&self.settings.client_id]);
            validation.set_issuer(&self.settings.issuers);
            validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
            validation.leeway = 60;
            let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
                .map_err(|e| bad(e.to_string()))?
                .claims;
            let nonce_ok = claims
                .nonce
                .as_deref()
                .is_some_and(|n| bool::from(n.as_bytes().ct_eq(nonce.as_bytes())));
            if !nonce_ok {
                return Err(bad("nonce mismatch".into()));
            }
            if claims.azp.as_deref().is_some_and(|azp| azp != self.settings.client_id) {
                return Err(bad("authorized party mismatch".into()));
            }
            Ok(claims)
        }

        /// The signing key `kid`, from the cached JWKS or a fresh one.
        async fn key(&self, http: &reqwest::Client, kid: &str) -> Result<DecodingKey, ProviderError> {
            let mut keys = self.keys.lock().await;
            let fresh = keys.as_ref().is_some_and(|k| k.fetched.elapsed() < k.ttl);
            let known = keys.as_ref().is_some_and(|k| k.set.find(kid).is_some());
            let may_refetch = keys.as_ref().is_none_or(|k| k.fetched.elapsed() >= MIN_REFETCH);
            if !fresh || (!known && may_refetch) {
                *keys = Some(self.fetch_keys(http).await?);
            }
            let jwk = keys
                .as_ref()
                .and_then(|k| k.set.find(kid))
                .ok_or_else(|| ProviderError::IdToken(format!("unknown key {kid}")))?;
            DecodingKey::from_jwk(jwk).map_err(|e| ProviderError::IdToken(e.to_string()))
        }

        async fn fetch_keys(&self, http: &reqwest::Client) -> Result<Keys, ProviderError> {
            let response = http
                .get(&self.settings.jwks_url)
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| ProviderError::Api(format!("JWKS: {e}")))?;
            let ttl = max_age(response.headers()).unwrap_or(Duration::from_secs(3600));
            let set = response
                .json::<JwkSet>()
                .await
                .map_err(|e| ProviderError::Api(format!("JWKS: {e}")))?;
            Ok(Keys {
                set,
                fetched: Instant::now(),
                ttl: ttl.clamp(Duration::from_secs(60), Duration::from_secs(86_400)),
            })
        }
    }

    /// `Cache-Control: max-age=N`.
    fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
        headers
            .get(reqwest::header::CACHE_CONTROL)?
            .to_str()
            .ok()?
            .split(',')
            .find_map(|d| d.trim().strip_prefix("max-age="))
            .and_then(|n| n.parse().ok())
            .map(Duration::from_secs)
    }

    /// The ID token claims Keel reads.
    #[derive(Debug, Deserialize)]
    struct Claims {
        sub: String,
        email: Option<String>,
        #[serde(default, deserialize_with = "bool_or_string")]
        email_verified: bool,
        name: Option<String>,
        nonce: Option<String>,
        azp: Option<String>,
    }

    /// Google sends `email_verified` as a boolean (older tokens: a string).
    fn bool_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Flag {
            Bool(bool),
            Text(String),
        }
        Ok(match Flag::deserialize(d)? {
            Flag::Bool(b) => b,
            Flag::Text(s) => s == "true",
        })
    }

    impl Provider for Google {
        const ID: &'static str = PROVIDER_ID;

        fn from_services(services: &Services) -> Option<&Self> {
            services.google.as_ref()
        }

        fn authorize_url(&self, state: &str, pkce: PkceCodeChallenge, nonce: &str) -> String {
            let state = state.to_owned();
            let (url, _) = self
                .client
                .authorize_url(move || CsrfToken::new(state))
                .add_scope(Scope::new("openid".into()))
                .add_scope(Scope::new("email".into()))
                .add_scope(Scope::new("profile".into()))
                .set_pkce_challenge(pkce)
                .add_extra_param("nonce", nonce)
                .add_extra_param("prompt", "select_account")
                .url();
            url.to_string()
        }

        async fn profile(
            &self,
            http: &reqwest::Client,
            code: String,
            pkce_verifier: String,
            nonce: &str,
        ) -> Result<Profile, ProviderError> {
            let token = self
                .client
                .exchange_code(AuthorizationCode::new(code))
                .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
                .request_async(http)
                .await
                .map_err(|e| ProviderError::Exchange(describe(&e)))?;
            let claims = self.validate(http, &token.extra_fields().id_token, nonce).await?;
            let email = claims
                .email
                .as_deref()
                .filter(|_| claims.email_verified)
                .and_then(|e| Email::parse(e).ok());
            Ok(Profile {
                subject: claims.sub,
                email,
                name: claims.name.unwrap_or_default(),
            })
        }
    }
}

//! Sign-in with Google (`google_auth`) through OpenID Connect: authorization
//! code with PKCE S256 and a nonce; the ID token's signature is checked
//! against Google's JWKS, and its `iss`, `aud`, `exp`, `nbf`, `iat` and
//! `nonce` claims (a token not valid yet, or issued in the future, is
//! refused: the JWT library checks `nbf` only when asked, `iat` never).
//! Every URL comes from the settings, so tests run this code against a fake.

use super::{Profile, Provider, ProviderError, describe};
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
use tokio::sync::{Mutex, RwLock};
use wire::auth::{GOOGLE as PROVIDER_ID, GOOGLE_CALLBACK_PATH as CALLBACK_PATH};
use wire::email::Email;

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
/// Clock difference allowed with Google, in seconds (`exp`, `nbf`, `iat`).
const LEEWAY_SECS: i64 = 60;

struct Keys {
    set: JwkSet,
    fetched: Instant,
    ttl: Duration,
}

/// The configured Google client, with a cache of Google's signing keys.
/// The cache is read without waiting on a fetch; one fetch runs at a
/// time (`fetching`), and those who need it wait for that one.
pub struct Google {
    settings: GoogleSettings,
    client: GoogleClient,
    keys: RwLock<Option<Keys>>,
    fetching: Mutex<()>,
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
            keys: RwLock::new(None),
            fetching: Mutex::new(()),
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
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS.unsigned_abs();
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| bad(e.to_string()))?
            .claims;
        // Issued in the future: a forged or replayed-ahead token, or a
        // clock far off. Either way, not now.
        let now = chrono::Utc::now().timestamp();
        if claims.iat > now + LEEWAY_SECS {
            return Err(bad(format!("issued {} s in the future", claims.iat - now)));
        }
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

    /// The signing key `kid`, from the cached JWKS or a fresh one. The
    /// cache is never locked across the network: a slow or hanging
    /// fetch delays only those who need a key the cache lacks.
    async fn key(&self, http: &reqwest::Client, kid: &str) -> Result<DecodingKey, ProviderError> {
        if let Some(key) = self.cached(kid, false).await? {
            return Ok(key);
        }
        let _one_fetch = self.fetching.lock().await;
        // Someone else's fetch may have brought it meanwhile.
        if let Some(key) = self.cached(kid, true).await? {
            return Ok(key);
        }
        let fetched = self.fetch_keys(http).await?;
        *self.keys.write().await = Some(fetched);
        self.cached(kid, true)
            .await?
            .ok_or_else(|| ProviderError::IdToken(format!("unknown key {kid}")))
    }

    /// `kid` from the cache, when the cache is fresh and has it (or,
    /// with `after_fetch`, when a refetch would not be allowed yet).
    async fn cached(&self, kid: &str, after_fetch: bool) -> Result<Option<DecodingKey>, ProviderError> {
        let keys = self.keys.read().await;
        let Some(k) = keys.as_ref() else { return Ok(None) };
        let fresh = k.fetched.elapsed() < k.ttl;
        let may_refetch = k.fetched.elapsed() >= MIN_REFETCH;
        match k.set.find(kid) {
            Some(jwk) if fresh => DecodingKey::from_jwk(jwk)
                .map(Some)
                .map_err(|e| ProviderError::IdToken(e.to_string())),
            None if fresh && after_fetch && !may_refetch => Err(ProviderError::IdToken(format!("unknown key {kid}"))),
            _ => Ok(None),
        }
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

/// The ID token claims the app reads.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    email: Option<String>,
    #[serde(default, deserialize_with = "bool_or_string")]
    email_verified: bool,
    name: Option<String>,
    nonce: Option<String>,
    azp: Option<String>,
    iat: i64,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A JWKS endpoint (plain HTTP over a socket) that counts its
    /// requests and, from the second on, hangs until `release` is notified.
    async fn jwks_server(release: Arc<tokio::sync::Notify>) -> (String, Arc<AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/certs", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (counter, release) = (Arc::clone(&counter), Arc::clone(&release));
                tokio::spawn(async move {
                    let mut request = [0u8; 1024];
                    let _ = socket.read(&mut request).await;
                    if counter.fetch_add(1, Ordering::SeqCst) > 0 {
                        release.notified().await;
                    }
                    let body = r#"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"k1","n":"sXch","e":"AQAB"}]}"#;
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                });
            }
        });
        (url, hits)
    }

    #[tokio::test]
    async fn a_hanging_key_fetch_does_not_hold_up_sign_ins_whose_key_is_cached() {
        let release = Arc::new(tokio::sync::Notify::new());
        let (jwks_url, hits) = jwks_server(Arc::clone(&release)).await;
        let google = Arc::new(
            Google::new(
                GoogleSettings {
                    client_id: "c".into(),
                    client_secret: SecretString::from("s"),
                    auth_url: "http://127.0.0.1:9/auth".into(),
                    token_url: "http://127.0.0.1:9/token".into(),
                    jwks_url,
                    issuers: vec!["i".into()],
                },
                "http://127.0.0.1:3000",
            )
            .unwrap(),
        );
        let http = reqwest::Client::new();
        assert!(google.key(&http, "k1").await.is_ok());
        // Some time later, a token names a key the cache lacks: a refetch
        // starts, and the key server hangs.
        if let Some(keys) = google.keys.write().await.as_mut() {
            keys.fetched -= MIN_REFETCH;
        }
        let refetch = {
            let (google, http) = (Arc::clone(&google), http.clone());
            tokio::spawn(async move { google.key(&http, "rotated").await.is_err() })
        };
        while hits.load(Ordering::SeqCst) < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Meanwhile a sign-in with the cached key goes through.
        let cached = tokio::time::timeout(Duration::from_secs(5), google.key(&http, "k1")).await;
        assert!(matches!(cached, Ok(Ok(_))), "waited on the hanging fetch");
        release.notify_one();
        assert!(refetch.await.unwrap(), "the rotated key is still unknown");
    }
}

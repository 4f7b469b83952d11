//! Sign-in with GitHub (`github_auth`): OAuth 2 authorization code with
//! PKCE S256, then GitHub's API: `/user` for the stable numeric id and
//! name, `/user/emails` for the primary verified address. Every URL comes
//! from the settings, so tests run this code against a fake.

use super::{Profile, Provider, ProviderError, describe};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use wire::auth::{GITHUB as PROVIDER_ID, GITHUB_CALLBACK_PATH as CALLBACK_PATH};
use wire::email::Email;

/// GitHub's endpoints and this app's OAuth app credentials.
#[derive(Clone, Debug)]
pub struct GitHubSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    pub auth_url: String,
    pub token_url: String,
    /// The REST API's base, `https://api.github.com`.
    pub api_url: String,
}

type GitHubClient = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The configured GitHub client.
pub struct GitHub {
    settings: GitHubSettings,
    client: GitHubClient,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("client_id", &self.settings.client_id)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
struct User {
    id: u64,
    login: String,
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserEmail {
    email: String,
    primary: bool,
    verified: bool,
}

impl GitHub {
    pub fn new(settings: GitHubSettings, public_url: &str) -> anyhow::Result<Self> {
        let client = BasicClient::new(ClientId::new(settings.client_id.clone()))
            .set_client_secret(ClientSecret::new(settings.client_secret.expose_secret().to_owned()))
            // GitHub documents the client credentials as body parameters.
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(settings.auth_url.clone())?)
            .set_token_uri(TokenUrl::new(settings.token_url.clone())?)
            .set_redirect_uri(RedirectUrl::new(format!("{public_url}{CALLBACK_PATH}"))?);
        Ok(GitHub { settings, client })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        http: &reqwest::Client,
        token: &str,
        path: &str,
    ) -> Result<T, ProviderError> {
        let url = format!("{}{path}", self.settings.api_url.trim_end_matches('/'));
        http.get(&url)
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| ProviderError::Api(format!("{path}: {}", describe(&e))))?
            .json::<T>()
            .await
            .map_err(|e| ProviderError::Api(format!("{path}: {}", describe(&e))))
    }
}

impl Provider for GitHub {
    const ID: &'static str = PROVIDER_ID;

    fn authorize_url(&self, state: &str, pkce: PkceCodeChallenge, _nonce: &str) -> String {
        let state = state.to_owned();
        let (url, _) = self
            .client
            .authorize_url(move || CsrfToken::new(state))
            .add_scope(Scope::new("read:user".into()))
            .add_scope(Scope::new("user:email".into()))
            .set_pkce_challenge(pkce)
            .add_extra_param("allow_signup", "true")
            .url();
        url.to_string()
    }

    async fn profile(
        &self,
        http: &reqwest::Client,
        code: String,
        pkce_verifier: String,
        _nonce: &str,
    ) -> Result<Profile, ProviderError> {
        // GitHub answers a bad code with 200 and `{"error": …}`: that
        // fails to parse as a token and lands here as an error too.
        let token = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(http)
            .await
            .map_err(|e| ProviderError::Exchange(describe(&e)))?;
        let access_token = token.access_token().secret();
        let user: User = self.get(http, access_token, "/user").await?;
        let emails: Vec<UserEmail> = self.get(http, access_token, "/user/emails").await?;
        let email = emails
            .iter()
            .find(|e| e.primary && e.verified)
            .and_then(|e| Email::parse(&e.email).ok());
        Ok(Profile {
            subject: user.id.to_string(),
            email,
            name: user.name.filter(|n| !n.trim().is_empty()).unwrap_or(user.login),
        })
    }
}

//! A provider sign-in that ended without signing in: why, as the code the
//! callback puts in the page's address (`?oauth_error=…`), and the start
//! links the provider buttons use.

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

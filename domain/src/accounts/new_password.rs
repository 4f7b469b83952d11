//! A new password that passed every rule (OWASP ASVS 5 §6.2): the length
//! rule shared with the browser ([`wire::password`]), and not a commonly
//! used password. The common list holds the 11,611 entries of at least 8
//! characters from zxcvbn 4.4.2's password frequency list (MIT, © Dan
//! Wheeler and Dropbox, Inc.), lower-cased, in `domain/data/common-passwords.txt`.

use crate::error::{DomainError, Result};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use std::sync::LazyLock;
use wire::email::Email;
use wire::fields::{Field, Problem};
use wire::password::check_length;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../../data/common-passwords.txt").lines().collect());

/// A password that passed every rule, ready to hash. Never logged.
pub struct NewPassword(SecretString);

impl NewPassword {
    /// Checks `input` for `email`'s account; `field` says which form
    /// field errors belong to.
    pub fn parse(input: String, email: &Email, field: Field) -> Result<Self> {
        check_length(&input).map_err(|p| DomainError::invalid(field, p))?;
        if is_guessable(&input, email) {
            return Err(DomainError::invalid(field, Problem::Common));
        }
        Ok(NewPassword(SecretString::from(input)))
    }

    pub fn into_secret(self) -> SecretString {
        self.0
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// In the common list, or the account's own email or its name part, or
/// the product's name (case-insensitive).
fn is_guessable(password: &str, email: &Email) -> bool {
    let lower = password.to_lowercase();
    let local = email.as_str().split('@').next().unwrap_or_default();
    COMMON.contains(lower.as_str())
        || lower == email.as_str()
        || lower == local
        || lower == wire::brand::PRODUCT_NAME.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::password::MAX_CHARS;

    fn email() -> Email {
        Email::parse("ada.lovelace@example.com").unwrap()
    }

    fn problem(input: String) -> Option<Problem> {
        match NewPassword::parse(input, &email(), Field::Password) {
            Err(DomainError::Invalid { problem, .. }) => Some(problem),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        }
    }

    #[test]
    fn the_bundled_list_is_loaded_and_lower_case() {
        assert!(COMMON.len() > 10_000);
        assert!(COMMON.contains("password1"));
        assert!(COMMON.iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn common_and_contextual_passwords_are_refused_whatever_their_case() {
        for bad in [
            "Password1",
            "ILOVEYOU",
            "12345678",
            "ada.lovelace",
            "Ada.Lovelace@Example.com",
        ] {
            assert_eq!(problem(bad.into()), Some(Problem::Common), "{bad}");
        }
    }

    #[test]
    fn length_rules_count_characters_and_allow_long_passphrases() {
        assert_eq!(problem("äöüß123".into()), Some(Problem::TooShort));
        assert_eq!(problem("äöüß1234".into()), None);
        assert_eq!(problem("correct horse battery staple ".repeat(30)), None);
        assert_eq!(problem("x".repeat(MAX_CHARS + 1)), Some(Problem::TooLong));
    }
}

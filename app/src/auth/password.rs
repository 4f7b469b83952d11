//! Password rules (OWASP ASVS 5 §6.2): at least 8 characters, long
//! passphrases welcome and never truncated, no composition rules, and not a
//! commonly used password.
//!
//! The length rule is shared with the browser for inline validation; the
//! common-password list stays on the server. It holds the 11,611 entries of
//! at least 8 characters from zxcvbn 4.4.2's password frequency list
//! (MIT, © Dan Wheeler and Dropbox, Inc.), lower-cased, in
//! `app/data/common-passwords.txt`.

use crate::error::Problem;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 8;
/// Most characters a password may have: far above any passphrase, low
/// enough that nobody can make the server hash megabytes.
pub const MAX_CHARS: usize = 1024;

/// Checks the length rule (Unicode characters, not bytes).
pub fn check_length(password: &str) -> Result<(), Problem> {
    let chars = password.chars().count();
    if chars == 0 {
        Err(Problem::Required)
    } else if chars < MIN_CHARS {
        Err(Problem::TooShort)
    } else if chars > MAX_CHARS {
        Err(Problem::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(feature = "ssr")]
pub use ssr::NewPassword;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::auth::email::Email;
    use crate::error::{AppError, Field};
    use secrecy::{ExposeSecret, SecretString};
    use std::collections::HashSet;
    use std::sync::LazyLock;

    static COMMON: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| include_str!("../../data/common-passwords.txt").lines().collect());

    /// A password that passed every rule, ready to hash. Never logged.
    pub struct NewPassword(SecretString);

    impl NewPassword {
        /// Checks `input` for `email`'s account; `field` says which form
        /// field errors belong to.
        pub fn parse(input: String, email: &Email, field: Field) -> Result<Self, AppError> {
            check_length(&input).map_err(|p| AppError::invalid(field, p))?;
            if is_guessable(&input, email) {
                return Err(AppError::invalid(field, Problem::Common));
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
            || lower == crate::brand::PRODUCT_NAME.to_lowercase()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn email() -> Email {
            Email::parse("ada.lovelace@example.com").unwrap()
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
                let err = NewPassword::parse(bad.into(), &email(), Field::Password).err();
                assert_eq!(err, Some(AppError::invalid(Field::Password, Problem::Common)), "{bad}");
            }
        }

        #[test]
        fn length_rules_count_characters_and_allow_long_passphrases() {
            let short = NewPassword::parse("äöüß123".into(), &email(), Field::Password).err();
            assert_eq!(short, Some(AppError::invalid(Field::Password, Problem::TooShort)));
            assert!(NewPassword::parse("äöüß1234".into(), &email(), Field::Password).is_ok());
            assert!(NewPassword::parse("correct horse battery staple ".repeat(30), &email(), Field::Password).is_ok());
            let long = NewPassword::parse("x".repeat(MAX_CHARS + 1), &email(), Field::Password).err();
            assert_eq!(long, Some(AppError::invalid(Field::Password, Problem::TooLong)));
        }
    }
}

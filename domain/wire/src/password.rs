//! Password rules (OWASP ASVS 5 §6.2): at least 8 characters, long
//! passphrases welcome and never truncated, no composition rules, and not a
//! commonly used password.
//!
//! The length rule is shared with the browser for inline validation; the
//! common-password list stays on the server. It holds the 11,611 entries of
//! at least 8 characters from zxcvbn 4.4.2's password frequency list
//! (MIT, © Dan Wheeler and Dropbox, Inc.), lower-cased, in
//! `domain/data/common-passwords.txt`.

use crate::fields::Problem;

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

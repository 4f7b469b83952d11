//! Which form field an error belongs to, and what is wrong with its value:
//! what a refused request tells the page, so it can show the message next
//! to the right field without matching on strings.

use serde::{Deserialize, Serialize};

/// A form field a validation error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Email,
    Password,
    CurrentPassword,
    DisplayName,
    Confirm,
    Days,
    Date,
    /// A chat message.
    Message,
    /// A conversation's title.
    Title,
    /// An amount of credits, in the display unit.
    Credits,
}

/// What is wrong with a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooShort,
    TooLong,
    Invalid,
    /// A password found in the list of commonly used passwords.
    Common,
    /// A confirmation that does not match.
    Mismatch,
}

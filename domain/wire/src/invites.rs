//! Invites as the pages see them.

use crate::fields::Problem;
use serde::{Deserialize, Serialize};

/// Longest access or validity an admin can give in one go, in days.
pub const MAX_DAYS: i64 = 3650;

/// Parses a whole number of days, 1 to [`MAX_DAYS`].
pub fn parse_days(input: &str) -> Result<i64, Problem> {
    let input = input.trim();
    if input.is_empty() {
        return Err(Problem::Required);
    }
    match input.parse::<i64>() {
        Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
        _ => Err(Problem::Invalid),
    }
}

/// Where an invite stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteStatus {
    Pending,
    Redeemed,
    Expired,
    Revoked,
}

/// An invite as the admin page lists it. Times are Unix seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub id: String,
    pub email: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub access_until: i64,
    pub status: InviteStatus,
    /// Credits granted on redemption (smallest unit).
    pub credits: i64,
}

/// The admin page's invites: the newest, and the defaults an empty
/// field stands for (`INVITE_ACCESS_FOR`, `INVITE_VALID_FOR`), in hours.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteList {
    pub invites: Vec<InviteView>,
    pub access_for_hours: i64,
    pub valid_for_hours: i64,
    /// How credits are shown and typed.
    pub units: crate::credits::Units,
}

/// What sending an invite did: the invite, and whether the address
/// already had an open one that was sent again (its earlier links keep
/// working).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteSent {
    pub invite: InviteView,
    pub resent: bool,
}

/// What the sign-up page shows about the invite in its link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOffer {
    pub email: String,
    pub access_until: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_and_bounded() {
        assert_eq!(parse_days(" 30 "), Ok(30));
        assert!(parse_days("0").is_err());
        assert!(parse_days("-3").is_err());
        assert!(parse_days("1.5").is_err());
        assert!(parse_days("99999").is_err());
        assert_eq!(parse_days(""), Err(Problem::Required));
    }
}

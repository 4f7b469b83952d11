//! Access: whether a user may use the product, until when, and why (the
//! "payment user"). Computed on the server for every request from the
//! user's grants ([`rule`]); the browser reads the answer.

pub mod rule;

use serde::{Deserialize, Serialize};

/// How long the browser trusts an [`AccessState`] before asking again.
pub const REFRESH_AFTER_SECS: i64 = 300;

/// Why a user has access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccessReason {
    /// An invite the user redeemed.
    Invite,
    /// A payment (subscription or pass).
    Payment,
    /// Granted by an admin.
    AdminGrant,
    /// The user is an admin.
    Admin,
}

impl AccessReason {
    /// The value stored in `access_grants.source`.
    pub const fn source(self) -> &'static str {
        match self {
            AccessReason::Invite => "invite",
            AccessReason::Payment => "payment",
            AccessReason::AdminGrant | AccessReason::Admin => "admin",
        }
    }

    /// Reads `access_grants.source`.
    pub fn from_source(source: &str) -> Option<Self> {
        match source {
            "invite" => Some(AccessReason::Invite),
            "payment" => Some(AccessReason::Payment),
            "admin" => Some(AccessReason::AdminGrant),
            _ => None,
        }
    }
}

/// A user's access at one moment. Times are Unix seconds (UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessState {
    pub granted: bool,
    /// When access ends; `None` while granted means it does not end.
    pub until: Option<i64>,
    pub reason: Option<AccessReason>,
    /// When the last access this user had ended (for "your access ended on …").
    pub ended_at: Option<i64>,
    /// When the server computed this.
    pub checked_at: i64,
}

impl AccessState {
    /// No access, never had any.
    pub const fn none(now: i64) -> Self {
        AccessState {
            granted: false,
            until: None,
            reason: None,
            ended_at: None,
            checked_at: now,
        }
    }

    /// When this answer should be fetched again: after a few minutes, or
    /// when the access runs out, whichever comes first.
    pub fn stale_at(&self) -> i64 {
        let refresh = self.checked_at + REFRESH_AFTER_SECS;
        match self.until {
            Some(until) if self.granted => refresh.min(until),
            _ => refresh,
        }
    }
}

/// `YYYY-MM-DD` (UTC) for a Unix time: the same text on the server and in
/// the browser, without a date library in the WASM.
pub fn format_date(unix_secs: i64) -> String {
    // Howard Hinnant's civil-from-days.
    let z = unix_secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_in_utc() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        assert_eq!(format_date(1_795_651_199), "2026-11-25");
        assert_eq!(format_date(-86_400), "1969-12-31");
    }

    #[test]
    fn a_state_goes_stale_when_access_ends_or_after_the_refresh_interval() {
        let mut s = AccessState::none(1_000);
        assert_eq!(s.stale_at(), 1_000 + REFRESH_AFTER_SECS);
        s.granted = true;
        s.until = Some(1_010);
        assert_eq!(s.stale_at(), 1_010);
        s.until = None;
        assert_eq!(s.stale_at(), 1_000 + REFRESH_AFTER_SECS);
    }

    #[test]
    fn sources_round_trip() {
        for r in [AccessReason::Invite, AccessReason::Payment, AccessReason::AdminGrant] {
            assert_eq!(AccessReason::from_source(r.source()), Some(r));
        }
        assert_eq!(AccessReason::from_source("other"), None);
    }
}

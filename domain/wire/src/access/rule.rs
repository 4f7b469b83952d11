//! The access rule, as a pure function of a user's grants and the time, so
//! it can be tested exhaustively and applied the same way everywhere.

use super::{AccessReason, AccessState};

/// What the rule needs to know about one grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub reason: AccessReason,
    pub starts_at: i64,
    /// `None`: no end.
    pub ends_at: Option<i64>,
    pub revoked: bool,
}

impl Grant {
    fn active(&self, now: i64) -> bool {
        !self.revoked && self.starts_at <= now && self.ends_at.is_none_or(|end| end > now)
    }
}

/// A user has access when they are an admin, or when one of their grants is
/// active (not revoked, started, not ended). `until` is the latest end of
/// the active grants (`None` if one has no end); `reason` is that grant's.
pub fn evaluate(is_admin: bool, grants: &[Grant], now: i64) -> AccessState {
    let ended_at = grants
        .iter()
        .filter(|g| !g.revoked)
        .filter_map(|g| g.ends_at)
        .filter(|end| *end <= now)
        .max();
    if is_admin {
        return AccessState {
            granted: true,
            until: None,
            reason: Some(AccessReason::Admin),
            ended_at,
            checked_at: now,
        };
    }
    // The grant that lasts longest wins; among equals, the order of
    // `AccessReason` (payment before admin grant before invite) decides.
    let best = grants.iter().filter(|g| g.active(now)).max_by_key(|g| {
        (
            g.ends_at.map_or(i64::MAX, |e| e),
            match g.reason {
                AccessReason::Payment => 3,
                AccessReason::AdminGrant | AccessReason::Admin => 2,
                AccessReason::Invite => 1,
            },
        )
    });
    match best {
        Some(g) => AccessState {
            granted: true,
            until: g.ends_at,
            reason: Some(g.reason),
            ended_at,
            checked_at: now,
        },
        None => AccessState {
            ended_at,
            ..AccessState::none(now)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grant(reason: AccessReason, starts_at: i64, ends_at: Option<i64>) -> Grant {
        Grant {
            reason,
            starts_at,
            ends_at,
            revoked: false,
        }
    }

    #[test]
    fn no_grants_means_no_access() {
        let s = evaluate(false, &[], 100);
        assert!(!s.granted);
        assert_eq!((s.until, s.reason, s.ended_at), (None, None, None));
    }

    #[test]
    fn an_invite_gives_access_until_its_end_and_not_after() {
        let g = [grant(AccessReason::Invite, 0, Some(200))];
        let during = evaluate(false, &g, 100);
        assert!(during.granted);
        assert_eq!(during.until, Some(200));
        assert_eq!(during.reason, Some(AccessReason::Invite));
        let at_end = evaluate(false, &g, 200);
        assert!(!at_end.granted, "the end is exclusive");
        assert_eq!(at_end.ended_at, Some(200));
    }

    #[test]
    fn revoked_and_future_grants_do_not_count() {
        let mut revoked = grant(AccessReason::AdminGrant, 0, None);
        revoked.revoked = true;
        let future = grant(AccessReason::Payment, 500, Some(900));
        assert!(!evaluate(false, &[revoked, future], 100).granted);
        assert!(evaluate(false, &[revoked, future], 600).granted);
    }

    #[test]
    fn the_longest_active_grant_decides_until_and_reason() {
        let g = [
            grant(AccessReason::Invite, 0, Some(300)),
            grant(AccessReason::Payment, 0, Some(250)),
            grant(AccessReason::AdminGrant, 0, None),
        ];
        let s = evaluate(false, &g, 100);
        assert_eq!((s.until, s.reason), (None, Some(AccessReason::AdminGrant)));
        let s = evaluate(false, &g[..2], 100);
        assert_eq!((s.until, s.reason), (Some(300), Some(AccessReason::Invite)));
    }

    #[test]
    fn admins_always_have_access() {
        let s = evaluate(true, &[], 100);
        assert!(s.granted);
        assert_eq!(s.reason, Some(AccessReason::Admin));
    }

    fn any_grant() -> impl Strategy<Value = Grant> {
        (0..4u8, 0i64..1_000, proptest::option::of(0i64..1_000), any::<bool>()).prop_map(|(r, s, e, revoked)| Grant {
            reason: [
                AccessReason::Invite,
                AccessReason::Payment,
                AccessReason::AdminGrant,
                AccessReason::Invite,
            ][usize::from(r)],
            starts_at: s,
            ends_at: e,
            revoked,
        })
    }

    proptest! {
        #[test]
        fn access_is_granted_exactly_when_some_grant_is_active(
            grants in proptest::collection::vec(any_grant(), 0..6),
            now in 0i64..1_000,
        ) {
            let s = evaluate(false, &grants, now);
            let active: Vec<_> = grants.iter().filter(|g| g.active(now)).collect();
            prop_assert_eq!(s.granted, !active.is_empty());
            if s.granted {
                // `until` is never earlier than any active grant's end, and is in the future.
                prop_assert!(s.until.is_none_or(|u| u > now));
                for g in &active {
                    match (s.until, g.ends_at) {
                        (Some(u), Some(e)) => prop_assert!(u >= e),
                        (Some(_), None) => prop_assert!(false, "an endless grant is active"),
                        _ => {}
                    }
                }
            } else {
                prop_assert_eq!(s.until, None);
            }
            // The order of grants does not matter.
            let mut reversed = grants.clone();
            reversed.reverse();
            prop_assert_eq!(evaluate(false, &reversed, now), s);
        }
    }
}

//! The access gate, configured in one place: which paths need what, and
//! where a user goes instead. The server applies it to every request (pages
//! and server functions) before anything runs; the browser applies the same
//! table on client-side navigation. A feature adds its rules with one line
//! in the registry ([`crate::features::GATES`]).

use crate::auth::Viewer;
use crate::paths as routes;
pub use crate::requirement::{Match, Requirement, Rule};

/// Why a request may not go where it asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    SignIn,
    VerifyEmail,
    NoAccess,
    NotAdmin,
    AlreadySignedIn,
}

/// The pages every build has.
const PAGES: &[Rule] = &[
    Rule(Match::Exact(routes::SIGN_IN_PATH), Requirement::Guest),
    Rule(Match::Exact(routes::SIGN_UP_PATH), Requirement::Guest),
    Rule(Match::Exact(routes::ACCOUNT_PATH), Requirement::SignedIn),
    Rule(Match::Exact(routes::HOLDING_PATH), Requirement::Access),
    Rule(Match::Exact(routes::ADMIN_PATH), Requirement::Admin),
    Rule(Match::Exact(routes::WALLET_PATH), Requirement::SignedIn),
];

/// Server functions by area, and the routes that check their own state.
const AREAS: &[Rule] = &[
    Rule(Match::Prefix("/api/auth/"), Requirement::Public),
    Rule(Match::Prefix("/api/session/"), Requirement::Public),
    Rule(Match::Prefix("/api/prefs/"), Requirement::Public),
    Rule(Match::Prefix("/api/account/"), Requirement::SignedIn),
    Rule(Match::Prefix("/api/app/"), Requirement::Access),
    Rule(Match::Prefix("/api/admin/"), Requirement::Admin),
    // OAuth redirects and callbacks check their own flow state.
    Rule(Match::Prefix("/auth/"), Requirement::Public),
    Rule(Match::Prefix("/admin/"), Requirement::Admin),
];

/// The table, in the order it is read (the first matching rule decides):
/// the pages, each feature's own rules (the registry), then the areas.
fn table() -> impl Iterator<Item = &'static Rule> {
    PAGES
        .iter()
        .chain(crate::features::GATES.iter().flat_map(|rules| rules.iter()))
        .chain(AREAS)
}

/// The requirement of a path. `None` for an API path nobody declared: the
/// server answers 404 rather than guess (a test checks that every server
/// function is declared here).
pub fn requirement(path: &str) -> Option<Requirement> {
    if let Some(rule) = table().find(|r| r.matches(path)) {
        return Some(rule.1);
    }
    if path.starts_with("/api/") {
        None
    } else {
        // Public pages, static files and the 404 page.
        Some(Requirement::Public)
    }
}

/// Whether `viewer` may reach something that needs `req`.
pub fn check(viewer: Option<&Viewer>, req: Requirement) -> Result<(), Denial> {
    let signed_in = || viewer.ok_or(Denial::SignIn);
    let verified = || {
        let v = signed_in()?;
        if v.email_verified {
            Ok(v)
        } else {
            Err(Denial::VerifyEmail)
        }
    };
    match req {
        Requirement::Public => Ok(()),
        Requirement::Guest => match viewer {
            Some(_) => Err(Denial::AlreadySignedIn),
            None => Ok(()),
        },
        Requirement::SignedIn => signed_in().map(drop),
        Requirement::Verified => verified().map(drop),
        Requirement::Access => {
            if verified()?.access.granted {
                Ok(())
            } else {
                Err(Denial::NoAccess)
            }
        }
        Requirement::Admin => {
            if verified()?.is_admin {
                Ok(())
            } else {
                Err(Denial::NotAdmin)
            }
        }
    }
}

/// Where a user belongs after signing in, registering or verifying:
/// the main route with access, else the payment page (or the invite-only
/// notice without payments), else the verification notice.
pub fn landing(viewer: Option<&Viewer>) -> String {
    match viewer {
        None => routes::SIGN_IN_PATH.to_owned(),
        Some(v) if !v.email_verified => routes::VERIFY_EMAIL_PATH.to_owned(),
        Some(v) if v.access.granted => crate::features::main_path().to_owned(),
        Some(_) => crate::features::no_access_path().to_owned(),
    }
}

/// Where to send a request that `denial` stopped on its way to `requested`.
pub fn redirect_for(viewer: Option<&Viewer>, denial: Denial, requested: &str) -> String {
    match denial {
        Denial::SignIn => format!("{}?next={}", routes::SIGN_IN_PATH, encode_query(requested)),
        Denial::VerifyEmail => routes::VERIFY_EMAIL_PATH.to_owned(),
        Denial::NoAccess => crate::features::no_access_path().to_owned(),
        Denial::NotAdmin | Denial::AlreadySignedIn => landing(viewer),
    }
}

/// Where to go after signing in: `next` when it is a local path this user
/// may open, otherwise their landing page. Never another site.
pub fn destination(viewer: Option<&Viewer>, next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .filter(|n| {
            let path = n.split(['?', '#']).next().unwrap_or_default();
            requirement(path).is_some_and(|req| req != Requirement::Guest && check(viewer, req).is_ok())
        })
        .map(str::to_owned)
        .unwrap_or_else(|| landing(viewer))
}

/// A path on this site: starts with one `/`, no scheme-relative `//` or
/// `/\`, no control characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control())
        && path.len() <= 2048
}

/// Percent-encodes a query-string value (RFC 3986 unreserved and `/` kept).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessReason, AccessState};

    fn viewer(verified: bool, granted: bool, admin: bool) -> Viewer {
        Viewer {
            id: "u1".into(),
            email: "ada@example.com".into(),
            display_name: "Ada".into(),
            email_verified: verified,
            is_admin: admin,
            has_password: true,
            access: AccessState {
                granted,
                reason: granted.then_some(AccessReason::Invite),
                ..AccessState::none(0)
            },
        }
    }

    #[test]
    fn the_table_covers_pages_and_apis() {
        use Requirement::*;
        assert_eq!(requirement("/"), Some(Public));
        assert_eq!(requirement(routes::SIGN_IN_PATH), Some(Guest));
        assert_eq!(requirement(routes::ACCOUNT_PATH), Some(SignedIn));
        assert_eq!(requirement(crate::features::main_path()), Some(Access));
        assert_eq!(requirement(routes::ADMIN_PATH), Some(Admin));
        assert_eq!(requirement("/api/app/home"), Some(Access));
        assert_eq!(requirement("/api/account/password"), Some(SignedIn));
        assert_eq!(requirement("/api/admin/invites"), Some(Admin));
        assert_eq!(requirement("/api/nobody-declared-this"), None);
        assert_eq!(requirement("/pkg/mast.wasm"), Some(Public));
    }

    #[test]
    fn each_kind_of_user_is_sent_to_the_right_place() {
        let main = crate::features::main_path();
        assert_eq!(check(None, Requirement::Access), Err(Denial::SignIn));
        assert_eq!(
            redirect_for(None, Denial::SignIn, "/chat?x=1"),
            "/signin?next=/chat%3Fx%3D1"
        );
        let unverified = viewer(false, true, false);
        assert_eq!(check(Some(&unverified), Requirement::Access), Err(Denial::VerifyEmail));
        let unpaid = viewer(true, false, false);
        assert_eq!(check(Some(&unpaid), Requirement::Access), Err(Denial::NoAccess));
        assert_eq!(landing(Some(&unpaid)), crate::features::no_access_path());
        let member = viewer(true, true, false);
        assert_eq!(check(Some(&member), Requirement::Access), Ok(()));
        assert_eq!(landing(Some(&member)), main);
        assert_eq!(check(Some(&member), Requirement::Admin), Err(Denial::NotAdmin));
        assert_eq!(check(Some(&member), Requirement::Guest), Err(Denial::AlreadySignedIn));
        assert_eq!(check(Some(&viewer(true, true, true)), Requirement::Admin), Ok(()));
        assert_eq!(
            check(Some(&viewer(false, true, true)), Requirement::Admin),
            Err(Denial::VerifyEmail),
            "an admin flag on an unproven address opens nothing"
        );
    }

    #[test]
    fn next_is_followed_only_to_local_paths_the_user_may_open() {
        let member = viewer(true, true, false);
        assert_eq!(destination(Some(&member), Some("/account")), "/account");
        assert_eq!(
            destination(Some(&member), Some("//evil.example")),
            crate::features::main_path()
        );
        assert_eq!(
            destination(Some(&member), Some("https://evil.example")),
            crate::features::main_path()
        );
        assert_eq!(
            destination(Some(&member), Some("/\\evil.example")),
            crate::features::main_path()
        );
        assert_eq!(destination(Some(&member), Some("/admin")), crate::features::main_path());
        assert_eq!(
            destination(Some(&member), Some("/signin")),
            crate::features::main_path()
        );
        let unpaid = viewer(true, false, false);
        assert_eq!(
            destination(Some(&unpaid), Some(crate::features::main_path())),
            crate::features::no_access_path()
        );
    }
}

//! Who is acting. Every operation that changes something takes an
//! [`Actor`], so what it does can be attributed (the audit log is one line
//! per operation) and checked against who may do it, whatever the entry
//! point: a page's server function, an HTTP handler, the CLI, a job.

use crate::error::{DomainError, Result};
use entity::users;
use std::net::IpAddr;
use std::sync::Arc;
use wire::access::AccessState;
use wire::auth::Viewer;

/// Where a request came from (for limits and the sessions list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: String,
}

impl Client {
    /// A client at an unknown address (calls made without a request).
    pub fn unknown() -> Self {
        Client {
            ip: IpAddr::from([0, 0, 0, 0]),
            user_agent: String::new(),
        }
    }
}

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    User,
    /// An admin whose address is proven.
    Admin,
}

/// Who is acting.
#[derive(Clone, Debug)]
pub enum Actor {
    /// Someone not signed in (registering, signing in, following a link).
    Visitor(Client),
    /// A signed-in user, in one of their sessions.
    User(Arc<CurrentSession>, Client),
    /// The operator at the command line.
    Operator,
    /// A background job.
    Job(&'static str),
    /// Stripe, through a webhook whose signature was checked.
    Stripe,
}

impl Actor {
    /// The signed-in session, if the actor is a user.
    pub fn session(&self) -> Option<&Arc<CurrentSession>> {
        match self {
            Actor::User(session, _) => Some(session),
            _ => None,
        }
    }

    /// The signed-in user, or `NotSignedIn`.
    pub fn user(&self) -> Result<&Arc<CurrentSession>> {
        self.session().ok_or(DomainError::NotSignedIn)
    }

    /// A signed-in user whose address is proven, or `NotSignedIn` /
    /// `EmailNotVerified`.
    pub fn verified(&self) -> Result<&Arc<CurrentSession>> {
        let current = self.user()?;
        if current.user.email_verified_at.is_some() {
            Ok(current)
        } else {
            Err(DomainError::EmailNotVerified)
        }
    }

    /// A user who may use the product (verified, with access): the gate's
    /// rule, checked again for callers that come without a request.
    pub fn member(&self) -> Result<&Arc<CurrentSession>> {
        let current = self.user()?;
        match wire::gate::check(Some(&current.viewer()), wire::gate::Requirement::Access) {
            Ok(()) => Ok(current),
            Err(wire::gate::Denial::VerifyEmail) => Err(DomainError::EmailNotVerified),
            Err(_) => Err(DomainError::AccessRequired),
        }
    }

    /// Where the request came from, when there is one.
    pub fn client(&self) -> Client {
        match self {
            Actor::Visitor(c) | Actor::User(_, c) => c.clone(),
            _ => Client::unknown(),
        }
    }

    /// The user's role, when a user acts.
    pub fn role(&self) -> Option<Role> {
        self.session().map(|s| s.role())
    }

    /// An admin user, or the operator; else `Forbidden` (or `NotSignedIn`).
    pub fn require_admin(&self) -> Result<Option<uuid::Uuid>> {
        match self {
            Actor::Operator => Ok(None),
            Actor::User(s, _) if s.role() == Role::Admin => Ok(Some(s.user.id)),
            Actor::User(s, _) if s.user.is_admin => Err(DomainError::EmailNotVerified),
            Actor::User(..) => Err(DomainError::Forbidden),
            Actor::Visitor(_) => Err(DomainError::NotSignedIn),
            Actor::Job(_) | Actor::Stripe => Err(DomainError::Forbidden),
        }
    }

    /// For logs: who acted, without personal data.
    pub fn label(&self) -> String {
        match self {
            Actor::Visitor(_) => "visitor".into(),
            Actor::User(s, _) => format!("user:{}", s.user.id),
            Actor::Operator => "operator".into(),
            Actor::Job(name) => format!("job:{name}"),
            Actor::Stripe => "stripe".into(),
        }
    }
}

/// A signed-in session, resolved from its token: the user and their access, computed now.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    /// The session's id (hash of the cookie token).
    pub id: String,
    pub user: users::Model,
    pub access: AccessState,
    pub remember: bool,
    pub auth_method: String,
}

impl CurrentSession {
    /// The user's role: admin only with a proven address.
    pub fn role(&self) -> Role {
        if self.user.is_admin && self.user.email_verified_at.is_some() {
            Role::Admin
        } else {
            Role::User
        }
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            id: self.user.id.to_string(),
            email: self.user.email.clone(),
            display_name: self.user.display_name.clone(),
            email_verified: self.user.email_verified_at.is_some(),
            is_admin: self.role() == Role::Admin,
            has_password: self.user.password_hash.is_some(),
            access: self.access.clone(),
        }
    }
}

/// The viewer of `user` with `access` (outside a session: a page about
/// to be rendered for them).
pub fn viewer_of(user: &users::Model, access: AccessState) -> Viewer {
    CurrentSession {
        id: String::new(),
        user: user.clone(),
        access,
        remember: false,
        auth_method: String::new(),
    }
    .viewer()
}

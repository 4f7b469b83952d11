//! The registry of product features on the server side: what each
//! compiled-in feature adds to the services (its clients and state) and to
//! the settings, its part of the janitor's round, and the hooks other
//! operations call. A new feature is its own folder plus one line in each
//! list here; nothing else in the domain names it.

use crate::error::Result;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

/// Each feature's settings (the server reads them from the environment,
/// each in its own file under `server/src/config/`; tests build them).
#[derive(Clone, Debug)]
pub struct FeatureSettings {
    #[cfg(feature = "google_auth")]
    pub google: Option<crate::accounts::oauth::google::GoogleSettings>,
    #[cfg(feature = "github_auth")]
    pub github: Option<crate::accounts::oauth::github::GitHubSettings>,
    /// Payments; `None` when `STRIPE_SECRET_KEY` is not set.
    #[cfg(feature = "stripe_payment")]
    pub stripe: Option<crate::payments::stripe::settings::StripeSettings>,
    /// Models and providers; the offline demo model when nothing is set.
    #[cfg(feature = "chat")]
    pub chat: crate::chat::settings::ChatSettings,
}

/// Each feature's running part of the services.
#[derive(Debug)]
pub struct Features {
    #[cfg(feature = "local_auth")]
    pub hasher: crate::accounts::hasher::PasswordHasher,
    #[cfg(feature = "google_auth")]
    pub google: Option<crate::accounts::oauth::google::Google>,
    #[cfg(feature = "github_auth")]
    pub github: Option<crate::accounts::oauth::github::GitHub>,
    #[cfg(feature = "stripe_payment")]
    pub stripe: Option<crate::payments::stripe::client::Stripe>,
    #[cfg(feature = "chat")]
    pub chat: crate::chat::settings::Chat,
}

impl Features {
    /// Starts each feature's part from its settings; `public_url` is where
    /// the site is reached (OAuth redirects), `hashing` the password
    /// hasher's threads and queue.
    #[allow(unused_variables)]
    pub(crate) fn new(features: &FeatureSettings, public_url: &str, hashing: (usize, usize)) -> anyhow::Result<Self> {
        Ok(Features {
            #[cfg(feature = "local_auth")]
            hasher: crate::accounts::hasher::PasswordHasher::new(hashing.0, hashing.1),
            #[cfg(feature = "google_auth")]
            google: features
                .google
                .clone()
                .map(|g| crate::accounts::oauth::google::Google::new(g, public_url))
                .transpose()?,
            #[cfg(feature = "github_auth")]
            github: features
                .github
                .clone()
                .map(|g| crate::accounts::oauth::github::GitHub::new(g, public_url))
                .transpose()?,
            #[cfg(feature = "stripe_payment")]
            stripe: features
                .stripe
                .clone()
                .map(crate::payments::stripe::client::Stripe::new)
                .transpose()?,
            #[cfg(feature = "chat")]
            chat: crate::chat::settings::Chat::new(features.chat.clone()),
        })
    }

    /// The compiled-in features this instance cannot offer because they
    /// are not configured (Google sign-in without its client id, payments
    /// without a Stripe key, the chat without a model), by their Cargo
    /// feature's name. The pages show only what works.
    pub fn unconfigured(&self) -> Vec<&'static str> {
        #[allow(unused_mut)]
        let mut off = Vec::new();
        #[cfg(feature = "google_auth")]
        if self.google.is_none() {
            off.push("google_auth");
        }
        #[cfg(feature = "github_auth")]
        if self.github.is_none() {
            off.push("github_auth");
        }
        #[cfg(feature = "stripe_payment")]
        if self.stripe.is_none() {
            off.push("stripe_payment");
        }
        #[cfg(feature = "chat")]
        if self.chat.settings.default_model().is_none() {
            off.push("chat");
        }
        off
    }

    /// What an admin should set up, by code: each compiled-in feature
    /// that is not configured (its Cargo feature's name), and `chat_demo`
    /// when the chat has only the offline demo model.
    pub fn setup_notes(&self) -> Vec<&'static str> {
        #[allow(unused_mut)]
        let mut notes = self.unconfigured();
        // (No model at all is `chat` among the unconfigured.)
        #[cfg(feature = "chat")]
        if self.chat.settings.default_model().is_some()
            && self
                .chat
                .settings
                .enabled()
                .all(|m| m.id == crate::chat::provider::demo::MODEL_ID)
        {
            notes.push("chat_demo");
        }
        notes
    }

    /// Each feature's part of the janitor's round: what it cleaned up,
    /// named for the log, and how many rows.
    #[allow(unused_variables, unused_mut)]
    pub(crate) async fn sweep(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Vec<(&'static str, u64)>, DbErr> {
        let mut swept = Vec::new();
        #[cfg(feature = "chat")]
        swept.push((
            crate::chat::janitor::INTERRUPTED,
            crate::chat::janitor::close_interrupted(db, &self.chat.settings, now).await?,
        ));
        Ok(swept)
    }

    /// Before an account is deleted, each feature lets go of what the
    /// account holds outside this database (a paid subscription is
    /// cancelled first: no charges for a deleted account).
    #[allow(unused_variables)]
    pub(crate) async fn before_account_deleted(&self, db: &DatabaseConnection, user: uuid::Uuid) -> Result<()> {
        #[cfg(feature = "stripe_payment")]
        crate::payments::stripe::subscription::cancel_chargeable(db, self.stripe.as_ref(), user).await?;
        Ok(())
    }
}

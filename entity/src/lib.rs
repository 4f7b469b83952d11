//! SeaORM entities: the app's tables as Rust types. Hand-written queries live
//! next to the code that uses them, not here.

pub mod access_grants;
pub mod auth_failures;
pub mod chat_conversations;
pub mod chat_messages;
pub mod credit_accounts;
pub mod credit_buckets;
pub mod credit_entries;
pub mod credit_holds;
pub mod credit_prices;
pub mod credit_usage;
pub mod email_tokens;
pub mod mail_outbox;
pub mod oauth_flows;
pub mod sessions;
pub mod stripe_checkout_sessions;
pub mod stripe_customers;
pub mod stripe_events;
pub mod stripe_payments;
pub mod stripe_subscriptions;
pub mod trusted_devices;
pub mod user_identities;
pub mod user_invite_links;
pub mod user_invites;
pub mod users;

pub mod prelude {
    pub use crate::access_grants::Entity as AccessGrants;
    pub use crate::auth_failures::Entity as AuthFailures;
    pub use crate::chat_conversations::Entity as ChatConversations;
    pub use crate::chat_messages::Entity as ChatMessages;
    pub use crate::credit_accounts::Entity as CreditAccounts;
    pub use crate::credit_buckets::Entity as CreditBuckets;
    pub use crate::credit_entries::Entity as CreditEntries;
    pub use crate::credit_holds::Entity as CreditHolds;
    pub use crate::credit_prices::Entity as CreditPrices;
    pub use crate::credit_usage::Entity as CreditUsage;
    pub use crate::email_tokens::Entity as EmailTokens;
    pub use crate::mail_outbox::Entity as MailOutbox;
    pub use crate::oauth_flows::Entity as OauthFlows;
    pub use crate::sessions::Entity as Sessions;
    pub use crate::stripe_checkout_sessions::Entity as StripeCheckoutSessions;
    pub use crate::stripe_customers::Entity as StripeCustomers;
    pub use crate::stripe_events::Entity as StripeEvents;
    pub use crate::stripe_payments::Entity as StripePayments;
    pub use crate::stripe_subscriptions::Entity as StripeSubscriptions;
    pub use crate::trusted_devices::Entity as TrustedDevices;
    pub use crate::user_identities::Entity as UserIdentities;
    pub use crate::user_invite_links::Entity as UserInviteLinks;
    pub use crate::user_invites::Entity as UserInvites;
    pub use crate::users::Entity as Users;
}

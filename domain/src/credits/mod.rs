//! Credits: what each model call may cost and what it did cost, in one
//! ledger (see `docs/credits.md`).
//!
//! - [`prices`]: rate cards per model, effective-dated, seeded from
//!   `CHAT_PRICES`, and the arithmetic from tokens to credits.
//! - [`ledger`]: buckets of credits by source, the append-only entries,
//!   grants, and the two-phase spend: a **hold** before the call (refused
//!   by the database itself when it would overdraw), then one **settle**
//!   (never more than held) that releases the rest.
//! - [`sweep`]: holds left open by a crash or a lost connection, expired
//!   buckets, and the reconciliation of every bucket against its entries.
//!
//! Credits are `i64` in the smallest unit everywhere; floats never touch
//! them. Accounts are users today; rows carry an `account_id` so an
//! organisation's wallet fits later.

pub mod account;
pub mod ledger;
pub mod prices;
pub mod spending;
pub mod sweep;

use std::time::Duration;
pub use wire::credits::Units;

/// Where a bucket's credits came from; decides the order they are spent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The free quota of a cycle ("lead magnet"): only on models that allow it.
    FreeQuota,
    /// A plan's monthly allowance.
    Plan,
    /// A promotion.
    Promotion,
    /// An administrator's grant (the admin page, `server credits grant`).
    Grant,
    /// A purchased top-up.
    Purchase,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::FreeQuota,
        Source::Plan,
        Source::Promotion,
        Source::Grant,
        Source::Purchase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::FreeQuota => "free_quota",
            Source::Plan => "plan",
            Source::Promotion => "promotion",
            Source::Grant => "grant",
            Source::Purchase => "purchase",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Spent in this order (lower first): monthly and free credits go
    /// before what was paid for.
    pub fn priority(self) -> i32 {
        match self {
            Source::FreeQuota => 0,
            Source::Plan => 1,
            Source::Promotion => 2,
            Source::Grant => 3,
            Source::Purchase => 4,
        }
    }
}

/// What a ledger entry does to its bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Credits added.
    Grant,
    /// Set aside for a call in progress.
    Hold,
    /// Of a hold, what the call cost.
    Settle,
    /// Of a hold, what was not spent.
    Release,
    /// Left in a bucket when it expired.
    Expire,
    /// Credits returned for a charge (later: disputes).
    Refund,
    /// An administrator's correction.
    Adjust,
}

impl Kind {
    /// Every kind an entry may have.
    pub const ALL: [Kind; 7] = [
        Kind::Grant,
        Kind::Hold,
        Kind::Settle,
        Kind::Release,
        Kind::Expire,
        Kind::Refund,
        Kind::Adjust,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Grant => "grant",
            Kind::Hold => "hold",
            Kind::Settle => "settle",
            Kind::Release => "release",
            Kind::Expire => "expire",
            Kind::Refund => "refund",
            Kind::Adjust => "adjust",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The free quota: `amount` credits every `every_days` days per account,
/// from the account's creation, spendable only on models whose rate card
/// allows the quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreeQuota {
    pub amount: i64,
    pub every_days: u32,
}

/// The credits settings (`CREDITS_*`, `CHAT_PRICES`).
#[derive(Clone, Debug)]
pub struct CreditSettings {
    /// Hold and charge every reply (`CREDITS_ENFORCE`); off, replies are
    /// still priced and recorded, nothing is held.
    pub enforce: bool,
    pub units: Units,
    /// Credits (smallest unit) per unit of the payment currency (per
    /// dollar, say): what a purchase grants, later.
    pub per_currency_unit: i64,
    /// Below this many affordable output tokens a reply is refused
    /// before the model is asked.
    pub min_output_tokens: u32,
    /// An open hold older than this is resolved by the sweep.
    pub hold_ttl: Duration,
    pub free_quota: Option<FreeQuota>,
    /// Charge the title request after a first exchange (else it is the
    /// operator's cost, recorded).
    pub charge_titles: bool,
    /// The low-balance notice shows at or below this many credits.
    pub low_balance: i64,
    /// The rate cards from `CHAT_PRICES` (validated at boot).
    pub prices: Vec<prices::PriceConfig>,
}

impl Default for CreditSettings {
    fn default() -> Self {
        CreditSettings {
            enforce: true,
            units: Units::default(),
            per_currency_unit: 100,
            min_output_tokens: 64,
            hold_ttl: Duration::from_secs(3600),
            free_quota: None,
            charge_titles: false,
            low_balance: 100,
            prices: Vec::new(),
        }
    }
}

//! Credits as both sides show them: integers in the smallest unit, shown
//! with the configured number of decimals in the viewer's language
//! (`1,234.50` in English, `1 234,50` in Russian and Ukrainian). The one
//! place credits become text: no floats on the way.

use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// How credits are shown: `decimals` places (an amount of `1050` with two
/// decimals is `10.50`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Units {
    pub decimals: u8,
}

impl Default for Units {
    fn default() -> Self {
        Units { decimals: 2 }
    }
}

/// Most decimals a display unit may have (10^18 still fits an `i64`).
pub const MAX_DECIMALS: u8 = 18;

/// The largest amount one grant, invitation or cap may name (smallest
/// unit): far beyond any real balance, and far enough below `i64::MAX`
/// that sums over many of them cannot overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

impl Units {
    /// `amount` (smallest units) as the viewer reads it.
    pub fn format(self, amount: i64, locale: Locale) -> String {
        let (group, point) = match locale.code() {
            "en" => (",", "."),
            // A narrow no-break space groups digits in Russian and Ukrainian.
            _ => ("\u{202f}", ","),
        };
        let negative = amount < 0;
        let digits = amount.unsigned_abs().to_string();
        let decimals = usize::from(self.decimals.min(MAX_DECIMALS));
        let padded = format!("{digits:0>width$}", width = decimals + 1);
        let (whole, fraction) = padded.split_at(padded.len() - decimals);
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(c);
        }
        let sign = if negative { "-" } else { "" };
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{fraction}")
        }
    }
}

impl Units {
    /// An amount typed in the display unit (`12`, `12.5`, `12,50`: a point
    /// or a comma before at most `decimals` digits; spaces ignored) in the
    /// smallest unit. Zero or more; no floats on the way.
    pub fn parse(self, input: &str) -> Result<i64, crate::fields::Problem> {
        use crate::fields::Problem;
        let typed: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.is_empty() {
            return Err(Problem::Required);
        }
        let (whole, fraction) = match typed.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (typed.as_str(), ""),
        };
        let decimals = usize::from(self.decimals.min(MAX_DECIMALS));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > decimals {
            return Err(Problem::Invalid);
        }
        let scaled = format!("{whole}{fraction:0<decimals$}");
        let scaled = scaled.trim_start_matches('0');
        if scaled.is_empty() {
            return Ok(0);
        }
        match scaled.parse::<i64>() {
            Ok(amount) if amount <= MAX_AMOUNT => Ok(amount),
            _ => Err(Problem::Invalid),
        }
    }
}

/// What `(tokens, price per million)` pairs cost, in credits: the sum
/// rounded up to a whole credit, plus `fee`. Integers only; saturates
/// rather than overflows. (The server prices replies with it; the
/// composer estimates with it.)
pub fn cost(parts: &[(i64, i64)], fee: i64) -> i64 {
    const MILLION: i128 = 1_000_000;
    let micro = parts.iter().fold(0_i128, |sum, (tokens, price)| {
        sum.saturating_add(i128::from((*tokens).max(0)) * i128::from((*price).max(0)))
    });
    let credits = micro.saturating_add(MILLION - 1) / MILLION + i128::from(fee.max(0));
    i64::try_from(credits).unwrap_or(i64::MAX)
}

/// Tokens added to each turn of a prompt (roles, separators) in its ceiling.
pub const TOKENS_PER_TURN: usize = 8;

/// The most tokens a prompt of `bytes` bytes of UTF-8 over `turns` turns
/// can take: every byte a token (the providers' tokenizers are byte-level:
/// no token is shorter than a byte), [`TOKENS_PER_TURN`] more per turn,
/// capped by the model's context window. The server holds credits for it;
/// the composer shows it as the worst case.
pub fn input_ceiling(bytes: usize, turns: usize, context_window: u32) -> i64 {
    let tokens = bytes.saturating_add(TOKENS_PER_TURN.saturating_mul(turns));
    i64::try_from(tokens).unwrap_or(i64::MAX).min(i64::from(context_window))
}

/// A model's prices as the composer needs them to estimate a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    /// Per million input tokens.
    pub input: i64,
    /// Per million output tokens.
    pub output: i64,
    pub request_fee: i64,
    /// The longest reply asked for.
    pub max_output_tokens: u32,
    /// Tokens the server adds to every request (the system prompt).
    pub overhead_tokens: u32,
}

impl Pricing {
    /// The most a message can cost (what is held for it): every byte of
    /// `chars` bytes of text (over `turns` turns) a token, and the longest
    /// reply.
    pub fn worst(&self, chars: usize, turns: usize, context_window: u32) -> i64 {
        let input = input_ceiling(chars + self.overhead_tokens as usize, turns, context_window);
        cost(
            &[(input, self.input), (i64::from(self.max_output_tokens), self.output)],
            self.request_fee,
        )
    }

    /// A typical cost: about four bytes a token, and a reply of
    /// `reply_tokens`.
    pub fn typical(&self, chars: usize, turns: usize, reply_tokens: u32) -> i64 {
        let input = (chars + TOKENS_PER_TURN * turns + self.overhead_tokens as usize).div_ceil(4);
        cost(
            &[
                (i64::try_from(input).unwrap_or(i64::MAX), self.input),
                (i64::from(reply_tokens.min(self.max_output_tokens)), self.output),
            ],
            self.request_fee,
        )
    }
}

/// An account's credits as its owner sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// What may be spent now: granted − settled − held − expired, over
    /// unexpired buckets.
    pub available: i64,
    /// Set aside for replies in progress.
    pub held: i64,
    /// Whether replies are charged (`CREDITS_ENFORCE`).
    pub enforced: bool,
    /// At or below this, the low-balance notice shows.
    pub low_at: i64,
    pub units: Units,
}

impl Balance {
    /// Whether the low-balance notice shows.
    pub fn is_low(&self) -> bool {
        self.enforced && self.available <= self.low_at
    }
}

/// What the wallet page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    pub balance: Balance,
    /// The free quota, when there is one: its amount per cycle and when
    /// the next cycle starts (Unix seconds).
    pub quota: Option<(i64, i64)>,
    /// In spending order.
    pub buckets: Vec<BucketView>,
    /// Newest first, one page.
    pub entries: Vec<EntryView>,
    /// Whether older entries follow.
    pub more: bool,
    /// What each conversation cost, the costliest first.
    pub conversations: Vec<ConversationCost>,
    /// This month's spending and the cap on it.
    pub spending: Spending,
}

/// What the account committed this calendar month (UTC: settled, or held
/// for replies in progress), the cap its user set, and when the month ends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spending {
    pub spent: i64,
    pub cap: Option<i64>,
    /// Unix seconds.
    pub resets_at: i64,
}

/// One bucket of credits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketView {
    /// `free_quota`, `plan`, `promotion`, `grant` or `purchase`.
    pub source: String,
    pub granted: i64,
    /// What may still be spent (0 once expired).
    pub left: i64,
    pub held: i64,
    pub expires_at: Option<i64>,
    pub expired: bool,
}

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    /// `grant`, `hold`, `settle`, `release`, `expire`, `refund` or `adjust`.
    pub kind: String,
    pub amount: i64,
    /// The bucket's source.
    pub source: String,
    /// What it was for: a grant's reason, or the model of a reply.
    pub note: Option<String>,
    pub at: i64,
}

/// What one conversation's replies were charged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationCost {
    pub id: String,
    pub title: String,
    pub credits: i64,
}

/// Ledger entries per wallet page.
pub const ENTRIES_PER_PAGE: u64 = 20;

/// The entry kinds the wallet's filter offers.
pub const ENTRY_KINDS: [&str; 7] = ["grant", "hold", "settle", "release", "expire", "refund", "adjust"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_round_up_and_saturate() {
        assert_eq!(cost(&[(1, 1)], 0), 1, "any use costs a credit");
        assert_eq!(cost(&[(0, 5)], 2), 2, "the fee alone");
        assert_eq!(cost(&[(600, 1000), (250, 4000)], 0), 2);
        assert_eq!(cost(&[(i64::MAX, i64::MAX)], i64::MAX), i64::MAX);
        let p = Pricing {
            input: 1_000_000,
            output: 2_000_000,
            request_fee: 0,
            max_output_tokens: 100,
            overhead_tokens: 0,
        };
        assert_eq!(p.worst(12, 1, 1000), 20 + 200);
        assert_eq!(p.worst(5000, 1, 1000), 1000 + 200, "capped at the context window");
        assert_eq!(p.typical(12, 1, 50), 5 + 100);
    }

    #[test]
    fn amounts_typed_in_the_display_unit() {
        use crate::fields::Problem;
        let two = Units { decimals: 2 };
        assert_eq!(two.parse("25"), Ok(2500));
        assert_eq!(two.parse(" 12.5 "), Ok(1250));
        assert_eq!(two.parse("12,50"), Ok(1250));
        assert_eq!(two.parse("1 000"), Ok(100_000));
        assert_eq!(two.parse(".05"), Ok(5));
        assert_eq!(two.parse("0"), Ok(0));
        assert_eq!(two.parse("10000000000000"), Ok(MAX_AMOUNT));
        assert_eq!(two.parse(""), Err(Problem::Required));
        for bad in [
            "1.234",
            "-5",
            "+5",
            "１２",
            "10000000000000.01",
            "1e3",
            "12.5.0",
            "abc",
            ".",
            "1,000.00",
            "99999999999999999999",
        ] {
            assert_eq!(two.parse(bad), Err(Problem::Invalid), "{bad}");
        }
        assert_eq!(Units { decimals: 0 }.parse("7"), Ok(7));
        assert_eq!(Units { decimals: 0 }.parse("7.5"), Err(Problem::Invalid));
        assert_eq!(
            two.parse(&two.format(123_456, Locale::En).replace(',', "")),
            Ok(123_456)
        );
    }

    #[test]
    fn amounts_read_in_each_language_without_floats() {
        let two = Units { decimals: 2 };
        assert_eq!(two.format(123_456_789, Locale::En), "1,234,567.89");
        assert_eq!(two.format(5, Locale::En), "0.05");
        // Every other language groups with a narrow no-break space and
        // writes a decimal comma.
        for other in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            assert_eq!(two.format(123_456_789, other), "1\u{202f}234\u{202f}567,89");
            assert_eq!(two.format(-1050, other), "-10,50");
        }
        assert_eq!(Units { decimals: 0 }.format(1000, Locale::En), "1,000");
        assert_eq!(Units { decimals: 0 }.format(0, Locale::En), "0");
        assert_eq!(
            Units { decimals: 4 }.format(i64::MIN, Locale::En),
            "-922,337,203,685,477.5808"
        );
    }
}

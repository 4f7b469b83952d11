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

impl Units {
    /// `amount` (smallest units) as the viewer reads it.
    pub fn format(self, amount: i64, locale: Locale) -> String {
        let (group, point) = match locale {
            Locale::En => (",", "."),
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

/// An account's credits as its owner sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// What may be spent now: granted − settled − held, over unexpired buckets.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_in_each_language_without_floats() {
        let two = Units { decimals: 2 };
        assert_eq!(two.format(123_456_789, Locale::En), "1,234,567.89");
        assert_eq!(two.format(123_456_789, Locale::Ru), "1\u{202f}234\u{202f}567,89");
        assert_eq!(two.format(5, Locale::En), "0.05");
        assert_eq!(two.format(-1050, Locale::Uk), "-10,50");
        assert_eq!(Units { decimals: 0 }.format(1000, Locale::En), "1,000");
        assert_eq!(Units { decimals: 0 }.format(0, Locale::En), "0");
        assert_eq!(
            Units { decimals: 4 }.format(i64::MIN, Locale::En),
            "-922,337,203,685,477.5808"
        );
    }
}

//! What can be bought: recurring plans and one-time passes, configured in
//! `STRIPE_OFFERS` (no code change to add, reprice or remove one).

use wire::payments::{Offer, OfferKind};

/// An offer with the Stripe price behind it (server only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedOffer {
    pub offer: Offer,
    /// Stripe's price id (`price_…`).
    pub price_id: String,
}

/// Longest pass, in days (ten years).
const MAX_PASS_DAYS: u32 = 3650;

/// Parses `STRIPE_OFFERS`: comma-separated `id:price_id:kind:shown price`,
/// where kind is `month`, `year` or `<N>d` (a pass of N days), e.g.
/// `monthly:price_1Abc:month:9 USD,pass-30:price_1Def:30d:15 USD`.
pub fn parse_offers(value: &str) -> Result<Vec<PricedOffer>, String> {
    let mut offers: Vec<PricedOffer> = Vec::new();
    for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let parts: Vec<&str> = entry.splitn(4, ':').map(str::trim).collect();
        let [id, price_id, kind, price] = parts[..] else {
            return Err(format!("`{entry}`: use id:price_id:kind:shown price"));
        };
        if id.is_empty()
            || id.len() > 32
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!("`{entry}`: the id must be 1-32 of a-z, 0-9 and -"));
        }
        if offers.iter().any(|o| o.offer.id == id) {
            return Err(format!("the offer id `{id}` appears twice"));
        }
        if !price_id.starts_with("price_") || price_id.len() < 7 {
            return Err(format!("`{entry}`: the Stripe price id starts with price_"));
        }
        let kind = match kind {
            "month" => OfferKind::Monthly,
            "year" => OfferKind::Yearly,
            days => {
                let n = days
                    .strip_suffix('d')
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|n| (1..=MAX_PASS_DAYS).contains(n))
                    .ok_or_else(|| {
                        format!("`{entry}`: the kind is month, year or a pass like 30d (1-{MAX_PASS_DAYS})")
                    })?;
                OfferKind::Pass { days: n }
            }
        };
        if price.is_empty() || price.chars().count() > 40 {
            return Err(format!("`{entry}`: the shown price must be 1-40 characters"));
        }
        offers.push(PricedOffer {
            offer: Offer {
                id: id.to_owned(),
                kind,
                price: price.to_owned(),
            },
            price_id: price_id.to_owned(),
        });
    }
    if offers.is_empty() {
        return Err("name at least one offer".into());
    }
    Ok(offers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_parse_with_each_kind() {
        let offers =
            parse_offers("monthly:price_1M:month:9 USD, yearly:price_1Y:year:90 USD,pass-30:price_1P:30d:15 USD")
                .expect("valid");
        let kinds: Vec<_> = offers
            .iter()
            .map(|o| (o.offer.id.as_str(), o.offer.kind, o.price_id.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("monthly", OfferKind::Monthly, "price_1M"),
                ("yearly", OfferKind::Yearly, "price_1Y"),
                ("pass-30", OfferKind::Pass { days: 30 }, "price_1P"),
            ]
        );
        assert_eq!(offers[0].offer.price, "9 USD");
        assert_eq!(offers[2].offer.kind.checkout_mode(), "payment");
    }

    #[test]
    fn bad_offers_say_what_is_wrong() {
        for (value, says) in [
            ("", "at least one"),
            ("monthly:price_1M:month", "id:price_id:kind"),
            ("Monthly:price_1M:month:9 USD", "the id"),
            ("m:prod_1:month:9 USD", "price_"),
            ("m:price_1:week:9 USD", "the kind"),
            ("m:price_1:0d:9 USD", "the kind"),
            ("m:price_1:month:9 USD,m:price_2:year:90 USD", "twice"),
            ("m:price_1:month:", "shown price"),
        ] {
            let err = parse_offers(value).expect_err(value);
            assert!(err.contains(says), "{value}: {err}");
        }
    }
}

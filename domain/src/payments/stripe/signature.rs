//! The `Stripe-Signature` header: `t=<unix secs>,v1=<hex>,v1=<hex>,…`, where
//! each `v1` is HMAC-SHA256 of `"{t}.{raw body}"` under an endpoint secret.
//!
//! Stricter than Stripe's own libraries: a timestamp too far in the future
//! is refused as well as one too old, and several secrets are accepted so
//! one can be rotated without dropping events.
//!
//! The work is bounded whatever arrives (the endpoint is unauthenticated):
//! the header is parsed in one pass over at most [`MAX_HEADER_BYTES`], only
//! 64-hex-digit (32-byte) `v1` values count, more than [`MAX_SIGNATURES`]
//! of them refuse the header, and the body is MACed **once per secret**
//! (never per candidate); each candidate is then compared with that MAC in
//! constant time. So a request costs at most `secrets` HMACs of the body,
//! and the body itself is capped by the route's own limit.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far `t` may be from the server's clock, either way.
pub const TOLERANCE_SECS: i64 = 300;
/// Most `v1` values a header may carry (Stripe sends one per active
/// secret: two while one is rolled).
pub const MAX_SIGNATURES: usize = 8;
/// Longest header read (Stripe's, with two signatures, is ~150 bytes).
pub const MAX_HEADER_BYTES: usize = 1024;
/// An HMAC-SHA256 in hex.
const SIGNATURE_HEX: usize = 64;

/// Why a signature was refused (logged; the caller answers 400 to all).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no well-formed v1 signature")]
    Malformed,
    #[error("the Stripe-Signature header is too long or has more than {MAX_SIGNATURES} v1 values")]
    TooMany,
    #[error("the timestamp is {0} s away from now (tolerance {TOLERANCE_SECS} s)")]
    OutsideTolerance(i64),
    #[error("no v1 signature matches any configured webhook secret")]
    NoMatch,
}

/// A parsed header: the timestamp and the 32-byte candidates.
#[derive(Debug, PartialEq, Eq)]
pub struct Header {
    pub timestamp: i64,
    pub signatures: Vec<[u8; 32]>,
}

/// Parses the header without touching the body.
pub fn parse(header: Option<&str>) -> Result<Header, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    if header.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::TooMany);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    let mut v1_values = 0usize;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => {
                v1_values += 1;
                if v1_values > MAX_SIGNATURES {
                    return Err(SignatureError::TooMany);
                }
                if let Some(bytes) = decode_signature(sig) {
                    signatures.push(bytes);
                }
            }
            // `v0` (test-mode legacy) and unknown schemes are ignored, as Stripe does.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    Ok(Header { timestamp, signatures })
}

/// A `v1` value: exactly 64 hex digits.
fn decode_signature(hex_digits: &str) -> Option<[u8; 32]> {
    if hex_digits.len() != SIGNATURE_HEX {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut out).ok()?;
    Some(out)
}

/// Checks `header` against `body` at `now` (Unix seconds) with any of
/// `secrets`. `macs` counts the HMACs of the body computed (one per secret
/// at most), so callers and tests can see the work a request cost.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[SecretString],
    now: i64,
    macs: &mut u64,
) -> Result<(), SignatureError> {
    let header = parse(header)?;
    let skew = now.saturating_sub(header.timestamp);
    if skew.abs() > TOLERANCE_SECS {
        return Err(SignatureError::OutsideTolerance(skew));
    }
    for secret in secrets {
        *macs += 1;
        let expected = mac(secret, header.timestamp, body).finalize().into_bytes();
        // Every candidate is compared, in constant time, against the one MAC.
        let matched = header
            .signatures
            .iter()
            .fold(subtle::Choice::from(0), |any, sig| any | expected.as_slice().ct_eq(sig));
        if bool::from(matched) {
            return Ok(());
        }
    }
    Err(SignatureError::NoMatch)
}

/// The header Stripe would send for `body` at `t` (tests and the fake Stripe).
pub fn sign(body: &[u8], secret: &SecretString, t: i64) -> String {
    format!("t={t},v1={}", hex::encode(mac(secret, t, body).finalize().into_bytes()))
}

fn mac(secret: &SecretString, t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_795_000_000;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    fn check(header: Option<&str>, body: &[u8], secrets: &[SecretString]) -> Result<(), SignatureError> {
        verify(header, body, secrets, NOW, &mut 0)
    }

    #[test]
    fn a_signature_from_stripes_documented_scheme_is_accepted() {
        let header = "t=1795000000,v1=8e5e4cd3b2e0cdd1ae4e4e0c0bd4d68d3bd1b8f3e2bb3cfd7d41f2ad1c93c64f";
        let body = br#"{"id":"evt_1"}"#;
        let ours = sign(body, &secret("whsec_test"), NOW);
        let expected = expected_openssl();
        assert_eq!(ours, format!("t={NOW},v1={expected}"));
        // A made-up signature is not.
        assert_eq!(
            check(Some(header), body, &[secret("whsec_test")]),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(check(Some(&ours), body, &[secret("whsec_test")]), Ok(()));
    }

    /// Computed independently: `printf '%s' '1795000000.{"id":"evt_1"}' |
    /// openssl dgst -sha256 -hmac whsec_test`.
    fn expected_openssl() -> &'static str {
        "9768205fbb644a6a645cdd13f225c6791ed91580e4d16c14b9a8e73cd4ba4393"
    }

    #[test]
    fn a_flipped_byte_fails() {
        let body = br#"{"id":"evt_1","type":"invoice.paid"}"#.to_vec();
        let header = sign(&body, &secret("s1"), NOW);
        let mut flipped = body.clone();
        flipped[5] ^= 1;
        assert_eq!(
            check(Some(&header), &flipped, &[secret("s1")]),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn the_tolerance_holds_in_both_directions() {
        let body = b"{}";
        for (t, ok) in [
            (NOW - 300, true),
            (NOW + 300, true),
            (NOW - 301, false),
            (NOW + 301, false),
        ] {
            let header = sign(body, &secret("s"), t);
            assert_eq!(
                check(Some(&header), body, &[secret("s")]).is_ok(),
                ok,
                "t = now {:+}",
                t - NOW
            );
        }
    }

    #[test]
    fn any_of_several_v1_values_and_any_of_several_secrets_may_match() {
        let body = b"{\"a\":1}";
        let good = sign(body, &secret("new"), NOW);
        let v1 = good.split_once(",v1=").map(|(_, s)| s.to_owned()).unwrap_or_default();
        let header = format!("t={NOW},v1={},v1={v1},v0=abc", "00".repeat(32));
        let mut macs = 0;
        assert_eq!(
            verify(Some(&header), body, &[secret("old"), secret("new")], NOW, &mut macs),
            Ok(())
        );
        assert_eq!(macs, 2, "one MAC per secret, not per candidate");
        assert_eq!(
            check(Some(&header), body, &[secret("old")]),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn missing_or_malformed_headers_fail() {
        let s = [secret("s")];
        assert_eq!(check(None, b"{}", &s), Err(SignatureError::Missing));
        assert_eq!(check(Some("v1=00"), b"{}", &s), Err(SignatureError::Malformed));
        assert_eq!(
            check(Some(&format!("t={NOW}")), b"{}", &s),
            Err(SignatureError::Malformed)
        );
        assert_eq!(check(Some("t=abc,v1=00"), b"{}", &s), Err(SignatureError::Malformed));
        // Empty and short values are not signatures.
        assert_eq!(
            check(Some(&format!("t={NOW},v1=,v1=,v1=ab")), b"{}", &s),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn thousands_of_v1_values_are_refused_before_any_mac() {
        let body = vec![b'x'; 1 << 20];
        let header = format!("t={NOW}{}", ",v1=".repeat(5_000));
        let mut macs = 0;
        assert_eq!(
            verify(Some(&header), &body, &[secret("s")], NOW, &mut macs),
            Err(SignatureError::TooMany)
        );
        let header = format!(
            "t={NOW}{}",
            format!(",v1={}", "ab".repeat(32)).repeat(MAX_SIGNATURES + 1)
        );
        assert_eq!(
            verify(Some(&header), &body, &[secret("s")], NOW, &mut macs),
            Err(SignatureError::TooMany)
        );
        assert_eq!(macs, 0);
    }

    proptest! {
        /// Whatever the header: no panic, never accepted (no secret signed
        /// it), and never more MACs than secrets.
        #[test]
        fn arbitrary_headers_never_panic_never_pass_and_cost_at_most_one_mac_per_secret(
            header in proptest::option::of(".{0,2000}"),
            v1s in proptest::collection::vec("[0-9a-f]{0,70}", 0..20),
            t_offset in -1000i64..1000,
            body in proptest::collection::vec(any::<u8>(), 0..256),
            secrets in 1usize..4,
        ) {
            let secrets: Vec<SecretString> = (0..secrets).map(|i| secret(&format!("whsec_{i}"))).collect();
            let built = header.map(|h| {
                let mut h = format!("t={},{h}", NOW + t_offset);
                for v in &v1s {
                    h.push_str(",v1=");
                    h.push_str(v);
                }
                h
            });
            let mut macs = 0;
            let result = verify(built.as_deref(), &body, &secrets, NOW, &mut macs);
            prop_assert!(result.is_err());
            prop_assert!(macs <= secrets.len() as u64, "{macs} MACs for {} secrets", secrets.len());
        }

        /// A parse of any string never panics and never yields more than the cap.
        #[test]
        fn parsing_any_string_is_bounded(header in ".{0,4000}") {
            if let Ok(parsed) = parse(Some(&header)) {
                prop_assert!(parsed.signatures.len() <= MAX_SIGNATURES);
            }
        }
    }
}

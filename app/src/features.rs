//! Which product features this build contains, for logs and diagnostics.

/// The product features compiled into this build, in a stable order.
pub const ENABLED: &[&str] = &[
    #[cfg(feature = "local_auth")]
    "local_auth",
    #[cfg(feature = "google_auth")]
    "google_auth",
    #[cfg(feature = "github_auth")]
    "github_auth",
    #[cfg(feature = "db_sqlite")]
    "db_sqlite",
    #[cfg(feature = "db_pg")]
    "db_pg",
    #[cfg(feature = "stripe_payment")]
    "stripe_payment",
    #[cfg(feature = "chat")]
    "chat",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabled_lists_each_feature_once() {
        let mut sorted = ENABLED.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ENABLED.len());
        assert!(!ENABLED.is_empty());
    }
}

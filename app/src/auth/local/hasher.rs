//! Password hashing with argon2id at OWASP's parameters (m=19456 KiB, t=2,
//! p=1). Hashing is CPU-bound (tens of milliseconds), so it runs on tokio's
//! blocking pool behind a small semaphore: a burst of sign-ins queues here
//! instead of starving the threads that serve other requests.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP Password Storage Cheat Sheet, argon2id option 2.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// What went wrong while hashing or checking (never "wrong password": that is `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error("stored password hash is malformed")]
    Malformed,
    #[error("the hashing task failed")]
    Task(#[from] tokio::task::JoinError),
    #[error("the password hasher is shut down")]
    Closed,
}

/// Hashes and verifies passwords, at most `concurrency` at a time.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when an account has no
    /// password, so "no such account" takes as long as "wrong password".
    dummy: Arc<tokio::sync::OnceCell<String>>,
}

impl PasswordHasher {
    /// `concurrency` bounds simultaneous hashes (each takes ~19 MiB of RAM);
    /// the number of CPU cores is a good value.
    pub fn new(concurrency: usize) -> Self {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh random salt.
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run_blocking(move || {
            argon2()?
                .hash_password(password.expose_secret().as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| HashError::Argon2(e.to_string()))
        })
        .await
    }

    /// Whether `password` matches `phc`, using the parameters stored in `phc`.
    pub async fn verify(&self, password: SecretString, phc: String) -> Result<bool, HashError> {
        self.run_blocking(move || {
            let parsed = PasswordHash::new(&phc).map_err(|_| HashError::Malformed)?;
            Ok(argon2()?
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok())
        })
        .await
    }

    /// Verifies against `phc`, or, when there is none, against a dummy hash
    /// (same cost) and answers `false`.
    pub async fn verify_or_dummy(&self, password: SecretString, phc: Option<String>) -> Result<bool, HashError> {
        match phc {
            Some(phc) => self.verify(password, phc).await,
            None => {
                let dummy = self
                    .dummy
                    .get_or_try_init(|| self.hash(SecretString::from(crate::auth::session::new_token())))
                    .await?
                    .clone();
                self.verify(password, dummy).await.map(|_| false)
            }
        }
    }

    /// Runs `work` on the blocking pool while holding one permit.
    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|_| HashError::Closed)?;
        tokio::task::spawn_blocking(work).await?
    }
}

fn argon2() -> Result<Argon2<'static>, HashError> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn hashes_with_owasp_argon2id_parameters_and_a_fresh_salt() {
        let hasher = PasswordHasher::new(2);
        let a = hasher.hash(secret("correct horse battery staple")).await.unwrap();
        let b = hasher.hash(secret("correct horse battery staple")).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
    }

    #[tokio::test]
    async fn verifies_the_right_password_only_and_never_truncates() {
        let hasher = PasswordHasher::new(1);
        let long = "a long passphrase ".repeat(40);
        let phc = hasher.hash(secret(&long)).await.unwrap();
        assert!(hasher.verify(secret(&long), phc.clone()).await.unwrap());
        // Differs only in the last character, far past any 72-byte bcrypt-style cut-off.
        let mut almost = long.clone();
        almost.pop();
        assert!(!hasher.verify(secret(&almost), phc.clone()).await.unwrap());
        assert!(matches!(
            hasher.verify(secret(&long), "not a hash".into()).await,
            Err(HashError::Malformed)
        ));
    }

    #[tokio::test]
    async fn a_missing_hash_costs_a_real_verification_and_fails() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify_or_dummy(secret("anything at all"), None).await.unwrap());
        let dummy = hasher.dummy.get().expect("the dummy hash was made");
        assert!(dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{dummy}");
    }

    #[tokio::test]
    async fn a_burst_is_served_at_most_concurrency_at_a_time() {
        let hasher = PasswordHasher::new(2);
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let h = hasher.clone();
                tokio::spawn(async move { h.hash(secret(&format!("password number {i}"))).await })
            })
            .collect();
        // While the burst runs, never more than two permits are out.
        let watcher = {
            let permits = hasher.permits.clone();
            tokio::spawn(async move {
                let mut least = 2;
                for _ in 0..200 {
                    least = least.min(permits.available_permits());
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                least
            })
        };
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(watcher.await.unwrap(), 0, "the burst used both permits");
        assert_eq!(hasher.permits.available_permits(), 2, "and gave them back");
    }
}

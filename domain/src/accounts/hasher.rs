//! Password hashing with argon2id at OWASP's parameters (m=19456 KiB, t=2,
//! p=1).
//!
//! Hashing is CPU-bound (tens of milliseconds) and needs 19 MiB of working
//! memory, so it runs on a few dedicated threads (`concurrency`, one per
//! core by default), each reusing one preallocated memory block. A burst of
//! sign-ins queues for those threads instead of starving the ones that serve
//! other requests, and memory stays at `concurrency × 19 MiB` however many
//! sign-ins arrive (letting every thread of a blocking pool allocate its own
//! block left the allocator holding hundreds of MiB).
//!
//! The queue is bounded (`queue` jobs waiting at most): a flood of
//! password checks is refused at once with [`HashError::Busy`] (the caller
//! answers 503 with `Retry-After`) instead of piling up work, and a job
//! whose requester has gone (the client disconnected, the request was
//! dropped) is skipped when its turn comes rather than computed for nobody.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

/// OWASP Password Storage Cheat Sheet, argon2id option 2.
const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;
const SALT_BYTES: usize = 16;
const OUTPUT_BYTES: usize = 32;

/// What went wrong while hashing or checking (never "wrong password": that is `Ok(false)`).
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error("stored password hash is malformed")]
    Malformed,
    #[error("the password hasher is shut down")]
    Closed,
    /// Every thread is busy and the queue is full: try again shortly.
    #[error("the password hasher is busy")]
    Busy,
}

impl From<HashError> for crate::DomainError {
    fn from(e: HashError) -> Self {
        match e {
            // A second is about how long a queue of hashes takes to drain.
            HashError::Busy => crate::DomainError::Busy { retry_after_secs: 1 },
            other => crate::DomainError::internal(other),
        }
    }
}

/// A queued computation, run with a thread's memory block.
type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// Counters for tests and benchmarks.
#[derive(Debug, Default)]
struct Counters {
    /// Jobs being worked on right now (at most `concurrency`).
    active: AtomicUsize,
    /// Hashes and verifications computed.
    computed: AtomicU64,
    /// Jobs skipped because nobody waited for them any more.
    skipped: AtomicU64,
}

/// Hashes and verifies passwords on `concurrency` dedicated threads.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    jobs: SyncSender<Job>,
    counters: Arc<Counters>,
    /// A hash of a random password, verified against when an account has no
    /// password, so "no such account" takes as long as "wrong password".
    dummy: Arc<tokio::sync::OnceCell<String>>,
}

impl PasswordHasher {
    /// `concurrency` threads, each with its own 19 MiB block (allocated on
    /// first use; the number of CPU cores is a good value), and at most
    /// `queue` jobs waiting for them.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        let counters = Arc::new(Counters::default());
        for i in 0..concurrency.max(1) {
            let waiting = Arc::clone(&waiting);
            let counters = Arc::clone(&counters);
            let spawned = std::thread::Builder::new()
                .name(format!("{}-argon2-{i}", wire::brand::SLUG))
                .spawn(move || work(&waiting, &counters));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        PasswordHasher {
            jobs,
            counters,
            dummy: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// Hashes or verifications running right now (at most `concurrency`).
    pub fn busy(&self) -> usize {
        self.counters.active.load(Ordering::SeqCst)
    }

    /// Hashes and verifications computed so far.
    pub fn computed(&self) -> u64 {
        self.counters.computed.load(Ordering::SeqCst)
    }

    /// Jobs skipped because their requester had gone.
    pub fn skipped(&self) -> u64 {
        self.counters.skipped.load(Ordering::SeqCst)
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh random salt.
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run(move |memory| hash_with(password.expose_secret().as_bytes(), memory))
            .await
    }

    /// Whether `password` matches `phc`, using the parameters stored in `phc`.
    pub async fn verify(&self, password: SecretString, phc: String) -> Result<bool, HashError> {
        self.run(move |memory| verify_with(password.expose_secret().as_bytes(), &phc, memory))
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
                    .get_or_try_init(|| self.hash(SecretString::from(crate::secret::new_token())))
                    .await?
                    .clone();
                self.verify(password, dummy).await.map(|_| false)
            }
        }
    }

    /// Queues `work` for the next free thread and waits for its answer;
    /// [`HashError::Busy`] at once when the queue is full. Dropping the
    /// returned future before its turn means the work is never done.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let (tx, rx) = oneshot::channel();
        let counters = Arc::clone(&self.counters);
        let job: Job = Box::new(move |memory| {
            // Nobody is waiting: do nothing.
            if tx.is_closed() {
                counters.skipped.fetch_add(1, Ordering::SeqCst);
                return;
            }
            let result = work(memory);
            counters.computed.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(result);
        });
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => HashError::Busy,
            TrySendError::Disconnected(_) => HashError::Closed,
        })?;
        rx.await.map_err(|_| HashError::Closed)?
    }
}

/// A hashing thread: takes jobs until the hasher is dropped.
fn work(queue: &Mutex<Receiver<Job>>, counters: &Counters) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        if memory.is_empty() {
            memory = vec![Block::default(); params().map_or(0, |p| p.block_count())];
        }
        counters.active.fetch_add(1, Ordering::SeqCst);
        job(&mut memory);
        counters.active.fetch_sub(1, Ordering::SeqCst);
    }
}

fn params() -> Result<Params, HashError> {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, Some(OUTPUT_BYTES)).map_err(|e| HashError::Argon2(e.to_string()))
}

fn hash_with(password: &[u8], memory: &mut [Block]) -> Result<String, HashError> {
    let params = params()?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt = [0u8; SALT_BYTES];
    rand::rng().fill_bytes(&mut salt);
    let salt = Salt::new(&salt).map_err(|e| HashError::Argon2(e.to_string()))?;
    let mut out = [0u8; OUTPUT_BYTES];
    argon2
        .hash_password_into_with_memory(password, &salt, &mut out, &mut memory[..params.block_count()])
        .map_err(|e| HashError::Argon2(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| HashError::Argon2(e.to_string()))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| HashError::Argon2(e.to_string()))?),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &[u8], phc: &str, memory: &mut [Block]) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(phc).map_err(|_| HashError::Malformed)?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(|_| HashError::Malformed)?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|_| HashError::Malformed)?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|_| HashError::Malformed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(HashError::Malformed);
    };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let needed = params.block_count();
    // Hashes made with other (older, larger) parameters still verify.
    let mut own;
    let blocks = if needed <= memory.len() {
        &mut memory[..needed]
    } else {
        own = vec![Block::default(); needed];
        &mut own[..]
    };
    argon2
        .hash_password_into_with_memory(password, &salt, &mut out, blocks)
        .map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(bool::from(out.as_slice().ct_eq(expected.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier as _;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[tokio::test]
    async fn hashes_with_owasp_argon2id_parameters_and_a_fresh_salt() {
        let hasher = PasswordHasher::new(2, 64);
        let a = hasher.hash(secret("correct horse battery staple")).await.unwrap();
        let b = hasher.hash(secret("correct horse battery staple")).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
    }

    #[tokio::test]
    async fn the_hashes_are_standard_phc_strings_both_ways() {
        let hasher = PasswordHasher::new(1, 64);
        // Ours verify with the reference implementation…
        let ours = hasher.hash(secret("a shared passphrase")).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"a shared passphrase", &parsed)
                .is_ok()
        );
        // …and the reference implementation's (other parameters) verify with ours.
        let other = Params::new(8192, 3, 1, None).unwrap();
        let theirs = argon2::password_hash::PasswordHasher::hash_password(
            &Argon2::new(Algorithm::Argon2id, Version::V0x13, other),
            b"older parameters",
        )
        .unwrap()
        .to_string();
        assert!(hasher.verify(secret("older parameters"), theirs.clone()).await.unwrap());
        assert!(!hasher.verify(secret("older parameter"), theirs).await.unwrap());
    }

    #[tokio::test]
    async fn verifies_the_right_password_only_and_never_truncates() {
        let hasher = PasswordHasher::new(1, 64);
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
        let hasher = PasswordHasher::new(1, 64);
        assert!(!hasher.verify_or_dummy(secret("anything at all"), None).await.unwrap());
        let dummy = hasher.dummy.get().expect("the dummy hash was made");
        assert!(dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{dummy}");
    }

    #[tokio::test]
    async fn a_burst_is_served_at_most_concurrency_at_a_time() {
        let hasher = PasswordHasher::new(2, 64);
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let h = hasher.clone();
                tokio::spawn(async move { h.hash(secret(&format!("password number {i}"))).await })
            })
            .collect();
        // While the burst runs, never more than two hashes at once.
        let watcher = {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                let mut most = 0;
                for _ in 0..300 {
                    most = most.max(hasher.busy());
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                most
            })
        };
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(watcher.await.unwrap(), 2, "the burst used both threads and no more");
        assert_eq!(hasher.busy(), 0);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_instead_of_piling_up() {
        let hasher = PasswordHasher::new(1, 2);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let h = hasher.clone();
                tokio::spawn(async move { h.hash(secret(&format!("password number {i}"))).await })
            })
            .collect();
        let mut busy = 0;
        let mut done = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => done += 1,
                Err(HashError::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        // One running and two waiting at most, whatever the interleaving.
        assert!(busy >= 5, "{busy} refused, {done} done");
        assert!(done >= 1);
    }

    #[tokio::test]
    async fn a_job_whose_requester_left_is_skipped() {
        let hasher = PasswordHasher::new(1, 16);
        // Occupy the thread, then queue jobs whose requesters give up at once.
        let first = {
            let h = hasher.clone();
            tokio::spawn(async move { h.hash(secret("the one that runs")).await })
        };
        while hasher.busy() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        for i in 0..5 {
            // Queued on its first poll, dropped a moment later.
            let gone = tokio::time::timeout(
                std::time::Duration::from_millis(1),
                hasher.hash(secret(&format!("abandoned {i}"))),
            )
            .await;
            assert!(gone.is_err(), "still queued behind the first");
        }
        first.await.unwrap().unwrap();
        // A last job runs after the abandoned ones: by then they were all skipped.
        hasher.hash(secret("after")).await.unwrap();
        assert_eq!(hasher.computed(), 2);
        assert_eq!(hasher.skipped(), 5);
    }
}

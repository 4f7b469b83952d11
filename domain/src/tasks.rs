//! Background tasks that must keep running (the mailer, the janitor, later
//! jobs), supervised: a task that panics is logged and started again after
//! a short backoff, and while it is down `/readyz` says so. A panic never
//! silently ends a piece of the product (mail stopping for good, say).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// First wait before restarting a task that panicked; it doubles with
/// each panic in a row, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A task that ran this long before panicking starts again from the first backoff.
const STABLE_AFTER: Duration = Duration::from_secs(60);

/// How a supervised task is doing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskState {
    Running,
    /// It panicked and waits to be restarted.
    Down {
        panics: u32,
    },
    /// It returned (the server is stopping).
    Stopped,
}

/// The supervised tasks of this process. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Tasks(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    states: Mutex<BTreeMap<&'static str, TaskState>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    stop: watch::Sender<bool>,
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks(Arc::new(Inner {
            states: Mutex::default(),
            handles: Mutex::default(),
            stop: watch::channel(false).0,
        }))
    }
}

impl Tasks {
    /// Completes when the tasks are asked to stop ([`Tasks::shutdown`]).
    pub fn stopping(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut rx = self.0.stop.subscribe();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }

    /// Runs `start()` as `name` until it returns, starting it again each
    /// time it panics. The task should end when [`Tasks::stopping`] does.
    pub fn supervise<F, Fut>(&self, name: &'static str, mut start: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let tasks = self.clone();
        let handle = tokio::spawn(async move {
            let mut panics = 0u32;
            loop {
                tasks.set(name, TaskState::Running);
                let started = Instant::now();
                match tokio::spawn(start()).await {
                    Ok(()) => break,
                    Err(e) if e.is_panic() => {
                        if started.elapsed() >= STABLE_AFTER {
                            panics = 0;
                        }
                        panics += 1;
                        tracing::error!(task = name, panics, panic = %panic_text(e.into_panic()), "a background task panicked; restarting it");
                        tasks.set(name, TaskState::Down { panics });
                        let backoff = FIRST_BACKOFF.saturating_mul(1 << (panics - 1).min(6)).min(MAX_BACKOFF);
                        tokio::select! {
                            () = tokio::time::sleep(backoff) => {}
                            () = tasks.stopping() => break,
                        }
                    }
                    Err(_) => break,
                }
            }
            tasks.set(name, TaskState::Stopped);
        });
        self.0.handles.lock().unwrap_or_else(|p| p.into_inner()).push(handle);
    }

    fn set(&self, name: &'static str, state: TaskState) {
        self.0
            .states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name, state);
    }

    /// Every task and how it is doing.
    pub fn states(&self) -> BTreeMap<&'static str, TaskState> {
        self.0.states.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The tasks that are down right now (for `/readyz`).
    pub fn down(&self) -> Vec<&'static str> {
        self.states()
            .into_iter()
            .filter(|(_, s)| matches!(s, TaskState::Down { .. }))
            .map(|(name, _)| name)
            .collect()
    }

    /// Asks every task to stop and waits for them.
    pub async fn shutdown(&self) {
        let _ = self.0.stop.send(true);
        let handles = std::mem::take(&mut *self.0.handles.lock().unwrap_or_else(|p| p.into_inner()));
        for handle in handles {
            let _ = handle.await;
        }
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_reported_down_and_restarted() {
        let tasks = Tasks::default();
        let runs = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&runs);
        let stopping = tasks.clone();
        tasks.supervise("flaky", move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let stop = stopping.stopping();
            async move {
                if n < 2 {
                    panic!("boom {n}");
                }
                stop.await;
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(tasks.down(), vec!["flaky"]);
        // Backoff 1 s, then 2 s.
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        assert!(tasks.down().is_empty());
        assert_eq!(tasks.states()["flaky"], TaskState::Running);
        tasks.shutdown().await;
        assert_eq!(tasks.states()["flaky"], TaskState::Stopped);
    }
}

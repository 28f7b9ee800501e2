//! The tunables of an apply run: parallelism, waits and attempts of retries, and how long one
//! operation on each kind may take (which also bounds the retries of ARM's transient conflicts:
//! 409 "another operation in progress" is waited out until the kind's deadline).

use std::time::Duration;

use crate::kind::Kind;

/// Tunables of a run.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// At most this many steps in flight.
    pub parallelism: usize,
    /// First wait between polls while a cluster settles or after a retryable error; doubles.
    pub initial_wait: Duration,
    /// Longest wait between polls.
    pub max_wait: Duration,
    /// Attempts for `PrincipalNotFound` (Entra replication) before the step fails.
    pub principal_attempts: u32,
    /// Multiplies every per-kind deadline (the sandbox runs faster than Azure).
    pub deadline_scale: f64,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            parallelism: 10,
            initial_wait: Duration::from_millis(200),
            max_wait: Duration::from_secs(10),
            principal_attempts: 8,
            deadline_scale: 1.0,
        }
    }
}

impl ExecutorOptions {
    /// How long one operation on `kind` may take (including its long-running operation), and
    /// how long its transient conflicts are retried before the step fails.
    pub fn deadline(&self, kind: Kind) -> Duration {
        let minutes = kind.descriptor().timing.deadline_minutes;
        Duration::from_secs(minutes * 60).mul_f64(self.deadline_scale.max(0.000_001))
    }
}

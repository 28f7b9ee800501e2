//! The one bounded retry of the executor: an action is tried, and while it asks to be tried
//! again it is, after a doubling wait (capped), until a deadline passes or a number of attempts
//! is spent; then its last failure is the answer. Every wait is reported (why, and for how long),
//! so a waiting step is never silent. Used for settling (polling a provisioning state until it
//! is terminal) and for ARM's transient conflicts (both bounded by the kind's deadline) and
//! replication delays (attempts). Time is tokio's clock, so tests can pause it.

use std::time::Duration;

use tokio::time::Instant;

use crate::apply::operations::ArmFailure;

/// When retrying stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    /// At most this many tries in all.
    Attempts(u32),
    /// No new try once this long has passed since the first.
    Deadline(Duration),
}

/// How an action is retried: its bound and the doubling wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    pub bound: Bound,
    /// The wait after the first try; doubles after each further one.
    pub initial_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
}

/// What one try of an action came to.
#[derive(Debug)]
pub(crate) enum Try<T> {
    Done(T),
    /// Worth another try: `reason` says why it waits (shown with the wait's length when
    /// `show_wait`), `failure` is the answer if the bound is spent.
    Again {
        reason: String,
        show_wait: bool,
        failure: ArmFailure,
    },
}

impl<T> Try<T> {
    /// Try again, telling what is awaited ("waiting for aks to finish Updating").
    pub(crate) fn waiting_for(reason: String, failure: ArmFailure) -> Try<T> {
        Try::Again {
            reason,
            show_wait: false,
            failure,
        }
    }

    /// Try again after `failure`, telling why and when ("OperationNotAllowed, retrying in 0.4s").
    pub(crate) fn retry_after(reason: String, failure: ArmFailure) -> Try<T> {
        Try::Again {
            reason,
            show_wait: true,
            failure,
        }
    }
}

impl RetryPolicy {
    /// The wait after try number `attempt` (0-based): doubling, capped.
    pub(crate) fn wait(&self, attempt: u32) -> Duration {
        self.initial_wait
            .saturating_mul(2u32.saturating_pow(attempt.min(16)))
            .min(self.max_wait)
    }

    fn spent(&self, tries: u32, started: Instant) -> bool {
        match self.bound {
            Bound::Attempts(attempts) => tries >= attempts,
            Bound::Deadline(deadline) => started.elapsed() >= deadline,
        }
    }

    /// Runs `action` (given the 0-based try number) until it is done, fails for good, or the
    /// bound is spent; `waiting` hears each wait's reason.
    pub(crate) async fn run<T, F>(
        &self,
        waiting: &(dyn Fn(String) + Send + Sync),
        mut action: impl FnMut(u32) -> F,
    ) -> Result<T, ArmFailure>
    where
        F: std::future::Future<Output = Result<Try<T>, ArmFailure>>,
    {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            match action(attempt).await? {
                Try::Done(value) => return Ok(value),
                Try::Again {
                    reason,
                    show_wait,
                    failure,
                } => {
                    if self.spent(attempt + 1, started) {
                        return Err(failure);
                    }
                    let wait = self.wait(attempt);
                    waiting(if show_wait {
                        format!("{reason}, retrying in {:.1}s", wait.as_secs_f64())
                    } else {
                        reason
                    });
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn policy(bound: Bound) -> RetryPolicy {
        RetryPolicy {
            bound,
            initial_wait: Duration::from_millis(1),
            max_wait: Duration::from_millis(4),
        }
    }

    #[test]
    fn waits_double_and_are_capped() {
        let policy = policy(Bound::Attempts(3));
        let waits: Vec<u128> = (0..5).map(|n| policy.wait(n).as_millis()).collect();
        assert_eq!(waits, [1, 2, 4, 4, 4]);
    }

    #[tokio::test]
    async fn an_attempt_bound_ends_with_the_last_failure() {
        let reasons = Mutex::new(Vec::new());
        let waiting = |reason: String| reasons.lock().unwrap().push(reason);
        let result: Result<(), ArmFailure> = policy(Bound::Attempts(3))
            .run(&waiting, |attempt| async move {
                Ok(Try::retry_after(
                    "Busy".to_owned(),
                    ArmFailure::local("Busy", format!("try {attempt}")),
                ))
            })
            .await;
        assert_eq!(result.unwrap_err().message, "try 2");
        assert_eq!(
            *reasons.lock().unwrap(),
            ["Busy, retrying in 0.0s", "Busy, retrying in 0.0s"]
        );
    }

    #[tokio::test]
    async fn success_after_retries_and_failures_pass_through() {
        let waiting = |_: String| {};
        let done = policy(Bound::Deadline(Duration::from_secs(60)))
            .run(&waiting, |attempt| async move {
                Ok(if attempt < 2 {
                    Try::waiting_for("settling".to_owned(), ArmFailure::local("X", "x"))
                } else {
                    Try::Done(attempt)
                })
            })
            .await;
        assert_eq!(done.unwrap(), 2);
        let failed: Result<(), ArmFailure> = policy(Bound::Attempts(5))
            .run(&waiting, |_| async {
                Err(ArmFailure::local("Fatal", "no"))
            })
            .await;
        assert_eq!(failed.unwrap_err().code, "Fatal");
    }

    /// A deadline bound is time, not a count: with waits of 1, 2, 4, then 8 s against a 60 s
    /// deadline, tries start at 0, 1, 3, 7, 15, 23, ..., 55 and 63 s: eleven, the last one
    /// started before the deadline was seen to pass (tokio's paused clock: no wall time).
    #[tokio::test(start_paused = true)]
    async fn a_deadline_keeps_trying_until_it_passes_whatever_the_count() {
        let policy = RetryPolicy {
            bound: Bound::Deadline(Duration::from_secs(60)),
            initial_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(8),
        };
        let started = Instant::now();
        let tries = Mutex::new(Vec::new());
        let waiting = |_: String| {};
        let result: Result<(), ArmFailure> = policy
            .run(&waiting, |_| async {
                tries.lock().unwrap().push(started.elapsed().as_secs());
                Ok(Try::retry_after(
                    "AnotherOperationInProgress".to_owned(),
                    ArmFailure::new(Some(409), "AnotherOperationInProgress", "busy"),
                ))
            })
            .await;
        assert_eq!(result.unwrap_err().code, "AnotherOperationInProgress");
        assert_eq!(
            *tries.lock().unwrap(),
            [0, 1, 3, 7, 15, 23, 31, 39, 47, 55, 63]
        );
    }

    #[tokio::test]
    async fn a_spent_deadline_stops_after_the_try() {
        let tries = Mutex::new(0);
        let waiting = |_: String| {};
        let result: Result<(), ArmFailure> = policy(Bound::Deadline(Duration::ZERO))
            .run(&waiting, |_| async {
                *tries.lock().unwrap() += 1;
                Ok(Try::waiting_for(
                    "x".to_owned(),
                    ArmFailure::local("Late", "l"),
                ))
            })
            .await;
        assert_eq!(result.unwrap_err().code, "Late");
        assert_eq!(*tries.lock().unwrap(), 1);
    }
}

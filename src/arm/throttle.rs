//! ARM's throttling budget, kept on the client side: one token bucket per subscription and
//! category (reads, writes, deletes) with ARM's documented burst and refill (FACTS.md §1.4:
//! reads 250 / 25 s⁻¹, writes and deletes 200 / 10 s⁻¹), corrected by every answer's
//! `x-ms-ratelimit-remaining-subscription-*` header and by `Retry-After` when a 429 comes anyway.
//! Every request takes a token before it is sent; when the bucket is empty it waits, first in
//! first out, until the refill provides one. A small reserve is left for other tools sharing the
//! subscription. Shared by every task of a run (one per client).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azure_core::http::{Method, Url};
use tokio::sync::Notify;

/// ARM's throttling categories (per-subscription token buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BudgetCategory {
    Read,
    Write,
    Delete,
}

impl BudgetCategory {
    pub(crate) fn of(method: Method) -> BudgetCategory {
        match method {
            Method::Get | Method::Head => BudgetCategory::Read,
            Method::Delete => BudgetCategory::Delete,
            _ => BudgetCategory::Write,
        }
    }

    /// `read`, `write` or `delete`, as in "ARM's write budget".
    pub fn noun(self) -> &'static str {
        match self {
            BudgetCategory::Read => "read",
            BudgetCategory::Write => "write",
            BudgetCategory::Delete => "delete",
        }
    }

    /// The answer header carrying ARM's remaining budget of this category.
    pub(crate) fn remaining_header(self) -> &'static str {
        match self {
            BudgetCategory::Read => "x-ms-ratelimit-remaining-subscription-reads",
            BudgetCategory::Write => "x-ms-ratelimit-remaining-subscription-writes",
            BudgetCategory::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }

    /// ARM's documented (burst, refill per second).
    fn documented(self) -> (f64, f64) {
        match self {
            BudgetCategory::Read => (250.0, 25.0),
            BudgetCategory::Write | BudgetCategory::Delete => (200.0, 10.0),
        }
    }
}

/// A request held for the budget: reported so a long wait is not silence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetWait {
    pub category: BudgetCategory,
    /// The expected wait (queue ahead included).
    pub wait: Duration,
}

impl BudgetWait {
    /// `throttled: waiting for ARM's write budget (~2.5 s)`.
    pub fn describe(&self) -> String {
        format!(
            "throttled: waiting for ARM's {} budget (~{:.1} s)",
            self.category.noun(),
            self.wait.as_secs_f64()
        )
    }
}

/// Share of the bucket left for other tools of the subscription (they would get 429s otherwise).
const RESERVE_SHARE: f64 = 0.05;
/// Before ARM's first answer tells the real budget (another tool may have spent it), at most
/// this many requests of a bucket fly: one write or delete (an apply loses one round trip), a
/// few reads (a plan's first lists go together).
const PROBE_READS: u32 = 16;
const PROBE_WRITES: u32 = 1;
/// Waits shorter than this are not reported.
const REPORT_AFTER: Duration = Duration::from_millis(200);

#[derive(Debug)]
struct BucketState {
    /// Estimated tokens ARM has left for this bucket, requests in flight already taken.
    tokens: f64,
    updated: Instant,
    capacity: f64,
    refill: f64,
    /// Requests that took a token and have no answer yet.
    in_flight: u32,
    /// Requests queued for a token.
    queued: u32,
    /// Whether ARM has told us the remaining budget yet.
    observed: bool,
    /// Requests in flight before it has.
    probe: u32,
}

impl BucketState {
    fn new(category: BudgetCategory, now: Instant) -> BucketState {
        let (capacity, refill) = category.documented();
        BucketState {
            tokens: capacity,
            updated: now,
            capacity,
            refill,
            in_flight: 0,
            queued: 0,
            observed: false,
            probe: match category {
                BudgetCategory::Read => PROBE_READS,
                BudgetCategory::Write | BudgetCategory::Delete => PROBE_WRITES,
            },
        }
    }

    fn refill_to(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.refill).min(self.capacity);
        self.updated = now;
    }

    /// Tokens a request needs to see before it goes: one, plus the reserve.
    fn floor(&self) -> f64 {
        1.0 + self.capacity * RESERVE_SHARE
    }

    /// Takes a token for a request at `now` if the bucket (above the reserve) has one; else how
    /// long the head of the queue should hold.
    fn try_take(&mut self, now: Instant) -> Hold {
        self.refill_to(now);
        if !self.observed && self.in_flight >= self.probe {
            Hold::UntilAnswer
        } else if self.tokens >= self.floor() {
            self.tokens -= 1.0;
            self.in_flight += 1;
            Hold::Go
        } else {
            Hold::For(self.wait_for(self.floor() - self.tokens))
        }
    }

    /// ARM's answer to one of our requests: the remaining budget it reports (less our requests
    /// still in flight, which it may not have counted yet), or after a 429 nothing until the
    /// retry-after has passed.
    fn observe(&mut self, answer: BudgetAnswer, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.refill_to(now);
        if let Some(remaining) = answer.remaining {
            let remaining = remaining as f64;
            self.capacity = self.capacity.max(remaining + 1.0);
            self.tokens = remaining - f64::from(self.in_flight);
            self.observed = true;
        }
        if let Some(retry_after) = answer.refused_for {
            // The head of the queue then waits exactly `retry_after`.
            let after = self.floor() - retry_after.as_secs_f64() * self.refill;
            self.tokens = self.tokens.min(after);
            self.observed = true;
        }
    }

    /// Requests that may be in flight at once now: those flying plus the free tokens.
    fn room(&self) -> usize {
        let free = (self.tokens - self.floor() + 1.0).floor().max(0.0);
        (free as usize + self.in_flight as usize).max(1)
    }

    fn wait_for(&self, tokens_needed: f64) -> Duration {
        Duration::from_secs_f64((tokens_needed / self.refill).clamp(0.0, 3600.0))
    }
}

/// One bucket: its estimate, a first-in-first-out turnstile and a signal for answers.
#[derive(Debug)]
struct Bucket {
    state: Mutex<BucketState>,
    turnstile: tokio::sync::Mutex<()>,
    answered: Notify,
}

/// Every bucket of one client.
#[derive(Debug, Default)]
pub(crate) struct Budgets {
    buckets: Mutex<HashMap<(String, BudgetCategory), Arc<Bucket>>>,
}

/// The subscription a request counts against (lower case), `""` for tenant-level paths.
pub(crate) fn subscription_of(url: &Url) -> String {
    let mut segments = url.path().split('/').filter(|segment| !segment.is_empty());
    match (segments.next(), segments.next()) {
        (Some(first), Some(id)) if first.eq_ignore_ascii_case("subscriptions") => {
            id.to_ascii_lowercase()
        }
        _ => String::new(),
    }
}

impl Budgets {
    fn bucket(&self, subscription: &str, category: BudgetCategory) -> Option<Arc<Bucket>> {
        let mut buckets = self.buckets.lock().ok()?;
        let bucket = buckets
            .entry((subscription.to_owned(), category))
            .or_insert_with(|| {
                Arc::new(Bucket {
                    state: Mutex::new(BucketState::new(category, Instant::now())),
                    turnstile: tokio::sync::Mutex::new(()),
                    answered: Notify::new(),
                })
            });
        Some(Arc::clone(bucket))
    }

    /// How many reads may be in flight now without ARM refusing one: those in flight plus the
    /// tokens left above the reserve, in the tightest read bucket (the documented burst before
    /// any is known). Sizes the fan-out of collection reads.
    pub(crate) fn read_room(&self) -> usize {
        let now = Instant::now();
        let fallback = || {
            let mut state = BucketState::new(BudgetCategory::Read, now);
            state.refill_to(now);
            state.room()
        };
        let Ok(buckets) = self.buckets.lock() else {
            return fallback();
        };
        buckets
            .iter()
            .filter(|((_, category), _)| *category == BudgetCategory::Read)
            .filter_map(|(_, bucket)| {
                let mut state = bucket.state.lock().ok()?;
                state.refill_to(now);
                Some(state.room())
            })
            .min()
            .unwrap_or_else(fallback)
    }

    /// Waits (first in, first out) until the bucket of `url`'s subscription and `category` has a
    /// token for this request, and takes it. `on_hold` hears about a wait worth reporting. The
    /// caller bounds the wait (a timeout around this future).
    pub(crate) async fn take(
        &self,
        url: &Url,
        category: BudgetCategory,
        on_hold: Option<&(dyn Fn(BudgetWait) + Send + Sync)>,
    ) -> Ticket {
        let Some(bucket) = self.bucket(&subscription_of(url), category) else {
            return Ticket { bucket: None };
        };
        let queue_wait = |bucket: &Bucket| {
            bucket.state.lock().ok().map(|mut state| {
                state.refill_to(Instant::now());
                let needed = f64::from(state.queued) + state.floor() - 1.0 - state.tokens;
                state.wait_for(needed)
            })
        };
        if let Ok(mut state) = bucket.state.lock() {
            state.queued += 1;
        }
        let mut reported = false;
        let mut report = |wait: Duration| {
            if !reported && wait >= REPORT_AFTER {
                reported = true;
                if let Some(on_hold) = on_hold {
                    on_hold(BudgetWait { category, wait });
                }
            }
        };
        if let Some(wait) = queue_wait(&bucket) {
            report(wait);
        }
        let ticket = Ticket {
            bucket: Some(Arc::clone(&bucket)),
        };
        // Dequeued and counted back even if this future is dropped (deadline, Ctrl-C).
        let mut queued = Queued {
            bucket: &bucket,
            counted: true,
        };
        // Queued behind others (maybe behind a probe): a wait that lasts is reported while it
        // lasts, with what is known then.
        let turn = bucket.turnstile.lock();
        tokio::pin!(turn);
        let _turn = tokio::select! {
            guard = &mut turn => guard,
            () = tokio::time::sleep(REPORT_AFTER) => {
                let wait = queue_wait(&bucket).unwrap_or_default().max(REPORT_AFTER);
                report(wait);
                turn.await
            }
        };
        loop {
            let answered = bucket.answered.notified();
            let decision = match bucket.state.lock() {
                Ok(mut state) => {
                    let decision = state.try_take(Instant::now());
                    if decision == Hold::Go {
                        state.queued = state.queued.saturating_sub(1);
                        queued.counted = false;
                    }
                    decision
                }
                Err(_) => Hold::Go,
            };
            match decision {
                Hold::Go => return ticket,
                Hold::UntilAnswer => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), answered).await;
                }
                Hold::For(wait) => {
                    report(wait);
                    tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hold {
    Go,
    UntilAnswer,
    For(Duration),
}

/// Takes a queued request off the count when its wait ends without a token.
struct Queued<'a> {
    bucket: &'a Bucket,
    counted: bool,
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        if self.counted {
            if let Ok(mut state) = self.bucket.state.lock() {
                state.queued = state.queued.saturating_sub(1);
            }
        }
    }
}

/// What ARM said about the budget in one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BudgetAnswer {
    /// `x-ms-ratelimit-remaining-subscription-*`, when sent.
    pub remaining: Option<u64>,
    /// A 429's retry-after: ARM refused this request for lack of budget.
    pub refused_for: Option<Duration>,
}

/// A token taken for one request; give ARM's answer back with [`Ticket::answered`]. Dropping
/// it unanswered (no HTTP answer) just ends the request's flight.
#[derive(Debug)]
pub(crate) struct Ticket {
    bucket: Option<Arc<Bucket>>,
}

impl Ticket {
    /// Corrects the bucket with ARM's own view (see `BucketState::observe`).
    pub(crate) fn answered(mut self, answer: BudgetAnswer) {
        let Some(bucket) = self.bucket.take() else {
            return;
        };
        if let Ok(mut state) = bucket.state.lock() {
            state.observe(answer, Instant::now());
        }
        bucket.answered.notify_waiters();
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(bucket) = self.bucket.take() {
            if let Ok(mut state) = bucket.state.lock() {
                state.in_flight = state.in_flight.saturating_sub(1);
            }
            bucket.answered.notify_waiters();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn url(path: &str) -> Url {
        Url::parse(&format!("http://127.0.0.1:9{path}?api-version=1")).unwrap()
    }

    const NOTHING: BudgetAnswer = BudgetAnswer {
        remaining: None,
        refused_for: None,
    };

    fn millis(hold: Hold) -> u128 {
        match hold {
            Hold::For(wait) => wait.as_millis(),
            other => panic!("expected a hold, got {other:?}"),
        }
    }

    #[test]
    fn requests_count_against_their_subscription() {
        assert_eq!(
            subscription_of(&url("/subscriptions/ABC/resourceGroups/x")),
            "abc"
        );
        assert_eq!(subscription_of(&url("/providers/Microsoft.Foo")), "");
        assert_eq!(subscription_of(&url("/subscriptions")), "");
        assert_eq!(BudgetCategory::of(Method::Get), BudgetCategory::Read);
        assert_eq!(BudgetCategory::of(Method::Patch), BudgetCategory::Write);
        assert_eq!(BudgetCategory::of(Method::Delete), BudgetCategory::Delete);
    }

    #[test]
    fn the_burst_goes_at_once_then_requests_are_paced_at_the_refill_rate() {
        let start = Instant::now();
        let mut bucket = BucketState::new(BudgetCategory::Write, start);
        bucket.observed = true;
        // 200 writes, 5 % (10) left for other tools: 190 go at once.
        for _ in 0..190 {
            assert_eq!(bucket.try_take(start), Hold::Go);
            bucket.observe(NOTHING, start);
        }
        // The next waits for one token at 10 per second.
        assert_eq!(millis(bucket.try_take(start)), 100);
        let later = start + Duration::from_millis(100);
        assert_eq!(bucket.try_take(later), Hold::Go);
        assert_eq!(millis(bucket.try_take(later)), 100);
    }

    #[test]
    fn the_remaining_header_corrects_the_estimate() {
        let start = Instant::now();
        let mut bucket = BucketState::new(BudgetCategory::Write, start);
        // A first answer came; two of ours fly.
        bucket.observed = true;
        assert_eq!(bucket.try_take(start), Hold::Go);
        assert_eq!(bucket.try_take(start), Hold::Go);
        // Another tool spent most of the budget: ARM says 20 are left, one of ours in flight.
        bucket.observe(
            BudgetAnswer {
                remaining: Some(20),
                refused_for: None,
            },
            start,
        );
        assert_eq!(bucket.tokens, 19.0);
        for _ in 0..9 {
            assert_eq!(bucket.try_take(start), Hold::Go);
        }
        // The reserve (10) is left to the other tool.
        assert_eq!(millis(bucket.try_take(start)), 100);
    }

    #[test]
    fn a_429_holds_the_bucket_for_its_retry_after() {
        let start = Instant::now();
        let mut bucket = BucketState::new(BudgetCategory::Read, start);
        assert_eq!(bucket.try_take(start), Hold::Go);
        bucket.observe(
            BudgetAnswer {
                remaining: None,
                refused_for: Some(Duration::from_millis(1500)),
            },
            start,
        );
        assert_eq!(millis(bucket.try_take(start)), 1500);
        assert_eq!(
            bucket.try_take(start + Duration::from_millis(1500)),
            Hold::Go
        );
    }

    #[test]
    fn before_the_first_answer_only_a_probe_flies() {
        let start = Instant::now();
        let mut bucket = BucketState::new(BudgetCategory::Read, start);
        for _ in 0..PROBE_READS {
            assert_eq!(bucket.try_take(start), Hold::Go);
        }
        assert_eq!(bucket.try_take(start), Hold::UntilAnswer);
        bucket.observe(
            BudgetAnswer {
                remaining: Some(200),
                refused_for: None,
            },
            start,
        );
        assert_eq!(bucket.try_take(start), Hold::Go);
        // A single write probes.
        let mut writes = BucketState::new(BudgetCategory::Write, start);
        assert_eq!(writes.try_take(start), Hold::Go);
        assert_eq!(writes.try_take(start), Hold::UntilAnswer);
    }

    #[test]
    fn read_room_is_the_flight_plus_the_free_tokens() {
        let budgets = Budgets::default();
        // Nothing known: ARM's documented read burst less the reserve.
        assert_eq!(budgets.read_room(), 237);
        let bucket = budgets.bucket("s", BudgetCategory::Read).unwrap();
        let mut state = bucket.state.lock().unwrap();
        state.observe(
            BudgetAnswer {
                remaining: Some(40),
                refused_for: None,
            },
            Instant::now(),
        );
        drop(state);
        assert!((27..=28).contains(&budgets.read_room()));
    }

    #[tokio::test]
    async fn waits_are_reported_and_tickets_end_their_flight() {
        let budgets = Budgets::default();
        let target = url("/subscriptions/s/x");
        let bucket = budgets.bucket("s", BudgetCategory::Write).unwrap();
        // Almost spent: the next request waits for the refill, and says so.
        bucket.state.lock().unwrap().tokens = 10.9;
        let holds: Arc<Mutex<Vec<BudgetWait>>> = Arc::default();
        let sink = Arc::clone(&holds);
        let on_hold = move |wait: BudgetWait| sink.lock().unwrap().push(wait);
        bucket.state.lock().unwrap().queued = 3;
        let ticket = budgets
            .take(&target, BudgetCategory::Write, Some(&on_hold))
            .await;
        assert_eq!(bucket.state.lock().unwrap().in_flight, 1);
        assert_eq!(bucket.state.lock().unwrap().queued, 3);
        drop(ticket);
        assert_eq!(bucket.state.lock().unwrap().in_flight, 0);
        let holds = holds.lock().unwrap();
        assert_eq!(holds.len(), 1, "{holds:?}");
        assert_eq!(holds[0].category, BudgetCategory::Write);
        assert!(holds[0]
            .describe()
            .starts_with("throttled: waiting for ARM's write budget"));
    }
}

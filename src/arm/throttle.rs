//! Shared pacing after throttling: when ARM answers 429 with a retry-after, every request of the
//! same category (reads, writes, deletes: ARM's token buckets) in this process holds until then,
//! and the requests that were waiting are released one retry-after interval apart instead of all
//! at once — so a throttled run spends ARM's refilled tokens instead of collecting a 429 per
//! waiting request. Pacing ends by itself once the queue of reservations has drained.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use azure_core::http::Method;

/// ARM's throttling categories (per-subscription token buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Read,
    Write,
    Delete,
}

impl Category {
    pub(crate) fn of(method: Method) -> Category {
        match method {
            Method::Get | Method::Head => Category::Read,
            Method::Delete => Category::Delete,
            _ => Category::Write,
        }
    }

    fn index(self) -> usize {
        match self {
            Category::Read => 0,
            Category::Write => 1,
            Category::Delete => 2,
        }
    }
}

/// The longest spacing between paced requests: a long Retry-After is one hold, not a crawl.
const MAX_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Default, Clone, Copy)]
struct Lane {
    /// The earliest time the next request of this category may be sent; `None` when not pacing.
    next_slot: Option<Instant>,
    interval: Duration,
}

/// Per-category pacing shared by every request of one client.
#[derive(Debug, Default)]
pub(crate) struct ThrottleGate {
    lanes: Mutex<[Lane; 3]>,
}

impl ThrottleGate {
    /// How long a request of `category` must wait before it is sent (reserving its slot).
    pub(crate) fn reserve(&self, category: Category, now: Instant) -> Duration {
        let Ok(mut lanes) = self.lanes.lock() else {
            return Duration::ZERO;
        };
        let lane = &mut lanes[category.index()];
        let Some(next) = lane.next_slot else {
            return Duration::ZERO;
        };
        let slot = next.max(now);
        lane.next_slot = Some(slot + lane.interval);
        slot - now
    }

    /// ARM throttled a request of `category` and asked to come back after `retry_after`.
    pub(crate) fn throttled(&self, category: Category, retry_after: Duration, now: Instant) {
        let Ok(mut lanes) = self.lanes.lock() else {
            return;
        };
        let lane = &mut lanes[category.index()];
        lane.interval = retry_after.min(MAX_INTERVAL).max(Duration::from_millis(1));
        let resume = now + retry_after;
        lane.next_slot = Some(lane.next_slot.map_or(resume, |next| next.max(resume)));
    }

    /// A request of `category` got through: stop pacing once no reservation is outstanding.
    pub(crate) fn passed(&self, category: Category, now: Instant) {
        let Ok(mut lanes) = self.lanes.lock() else {
            return;
        };
        let lane = &mut lanes[category.index()];
        if lane.next_slot.is_some_and(|next| next <= now) {
            lane.next_slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_wait_until_throttled() {
        let gate = ThrottleGate::default();
        let now = Instant::now();
        assert_eq!(gate.reserve(Category::Read, now), Duration::ZERO);
        assert_eq!(gate.reserve(Category::Write, now), Duration::ZERO);
    }

    #[test]
    fn a_429_holds_its_category_then_releases_waiters_one_interval_apart() {
        let gate = ThrottleGate::default();
        let now = Instant::now();
        gate.throttled(Category::Write, Duration::from_millis(100), now);
        assert_eq!(
            gate.reserve(Category::Write, now),
            Duration::from_millis(100)
        );
        assert_eq!(
            gate.reserve(Category::Write, now),
            Duration::from_millis(200)
        );
        assert_eq!(
            gate.reserve(Category::Write, now),
            Duration::from_millis(300)
        );
        // Other categories have their own buckets.
        assert_eq!(gate.reserve(Category::Read, now), Duration::ZERO);
        assert_eq!(gate.reserve(Category::Delete, now), Duration::ZERO);
    }

    #[test]
    fn pacing_ends_once_the_reservations_have_drained() {
        let gate = ThrottleGate::default();
        let now = Instant::now();
        gate.throttled(Category::Read, Duration::from_millis(50), now);
        let wait = gate.reserve(Category::Read, now);
        gate.passed(Category::Read, now + Duration::from_millis(10));
        assert!(
            gate.reserve(Category::Read, now + wait) > Duration::ZERO,
            "still pacing"
        );
        let later = now + Duration::from_secs(1);
        gate.passed(Category::Read, later);
        assert_eq!(gate.reserve(Category::Read, later), Duration::ZERO);
    }

    #[test]
    fn a_long_retry_after_is_one_hold_not_a_crawl() {
        let gate = ThrottleGate::default();
        let now = Instant::now();
        gate.throttled(Category::Read, Duration::from_secs(30), now);
        assert_eq!(gate.reserve(Category::Read, now), Duration::from_secs(30));
        assert_eq!(gate.reserve(Category::Read, now), Duration::from_secs(31));
    }
}

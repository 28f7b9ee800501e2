//! ARM's per-subscription token buckets (reads 250 burst / 25 per second, writes and deletes
//! 200 / 10): remaining counts for the `x-ms-ratelimit-remaining-*` headers and 429s.

use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Reads,
    Writes,
    Deletes,
}

impl Category {
    pub fn of(method: &str) -> Category {
        match method {
            "GET" | "HEAD" => Category::Reads,
            "DELETE" => Category::Deletes,
            _ => Category::Writes,
        }
    }

    pub fn header(self) -> &'static str {
        match self {
            Category::Reads => "x-ms-ratelimit-remaining-subscription-reads",
            Category::Writes => "x-ms-ratelimit-remaining-subscription-writes",
            Category::Deletes => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }

    /// (burst capacity, refill per second)
    fn limits(self) -> (f64, f64) {
        match self {
            Category::Reads => (250.0, 25.0),
            Category::Writes | Category::Deletes => (200.0, 10.0),
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// All buckets, keyed by lower-case subscription and category.
#[derive(Debug, Default)]
pub struct Throttle {
    buckets: HashMap<(String, Category), Bucket>,
}

impl Throttle {
    /// Takes one token. `Ok(remaining)` or `Err(seconds until a token is available)`.
    /// Without `enforce`, nothing is consumed and a full bucket is reported.
    pub fn take(
        &mut self,
        subscription: &str,
        category: Category,
        now: Instant,
        enforce: bool,
    ) -> Result<u64, f64> {
        let (capacity, refill) = category.limits();
        if !enforce {
            return Ok(capacity as u64 - 1);
        }
        let bucket = self
            .buckets
            .entry((subscription.to_lowercase(), category))
            .or_insert(Bucket {
                tokens: capacity,
                updated: now,
            });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * refill).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(bucket.tokens.floor() as u64)
        } else {
            Err((1.0 - bucket.tokens) / refill)
        }
    }

    pub fn clear(&mut self) {
        self.buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empties_and_refills() {
        let mut throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..200 {
            assert!(throttle.take("s", Category::Writes, start, true).is_ok());
        }
        let wait = throttle.take("s", Category::Writes, start, true);
        assert!(matches!(wait, Err(seconds) if seconds > 0.0 && seconds <= 0.1));
        let later = start + std::time::Duration::from_millis(150);
        assert!(throttle.take("s", Category::Writes, later, true).is_ok());
    }
}

//! Which failed attempts are retried (by HTTP status, ARM error code and method), how long to
//! wait (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After`, else exponential backoff with
//! jitter), and the timing knobs (`Tuning`) for real ARM versus a loopback mock.

use std::time::Duration;

use azure_core::http::headers::{HeaderName, Headers};
use azure_core::http::Method;

use crate::arm::error::ErrorDetail;

/// Timing of retries and polls. Real ARM and a loopback mock get different defaults; the
/// environment can override some (`AKSCTL_HTTP_TIMEOUT_MS`, `AKSCTL_RETRY_BASE_MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tuning {
    /// Timeout of one HTTP attempt (connect, send, whole body).
    pub attempt_timeout: Duration,
    /// First backoff delay when the server gives no retry-after.
    pub retry_base: Duration,
    /// Largest backoff delay.
    pub retry_cap: Duration,
    /// At most this many attempts per request, whatever the deadline.
    pub max_attempts: u32,
    /// LRO poll interval when the server gives none.
    pub default_poll: Duration,
    /// How long an operation must have run before its status is cross-checked against the
    /// resource's own provisioningState.
    pub cross_check_after: Duration,
}

/// Poll intervals are kept within these bounds whatever the server says.
pub(crate) const MIN_POLL: Duration = Duration::from_millis(10);
pub(crate) const MAX_POLL: Duration = Duration::from_secs(60);

impl Tuning {
    /// Real ARM.
    pub(crate) fn remote() -> Tuning {
        Tuning {
            attempt_timeout: Duration::from_secs(60),
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_secs(30),
            max_attempts: 12,
            default_poll: Duration::from_secs(15),
            cross_check_after: Duration::from_secs(300),
        }
    }

    /// A mock on a loopback address: same logic, shorter waits.
    pub(crate) fn loopback() -> Tuning {
        Tuning {
            attempt_timeout: Duration::from_secs(30),
            retry_base: Duration::from_millis(50),
            retry_cap: Duration::from_secs(2),
            max_attempts: 12,
            default_poll: Duration::from_millis(200),
            cross_check_after: Duration::from_secs(10),
        }
    }

    /// Applies `AKSCTL_HTTP_TIMEOUT_MS` and `AKSCTL_RETRY_BASE_MS` when set to a number.
    pub(crate) fn with_overrides(mut self, env: &dyn Fn(&str) -> Option<String>) -> Tuning {
        let millis = |name: &str| {
            env(name)
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        if let Some(timeout) = millis("AKSCTL_HTTP_TIMEOUT_MS").filter(|d| !d.is_zero()) {
            self.attempt_timeout = timeout;
        }
        if let Some(base) = millis("AKSCTL_RETRY_BASE_MS") {
            self.retry_base = base;
            self.retry_cap = self.retry_cap.max(base);
        }
        self
    }

    /// Backoff before attempt `attempt + 1` (attempt counts from 1): base·2^(attempt-1), capped,
    /// with jitter in [50 %, 100 %].
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let full = self
            .retry_base
            .saturating_mul(1u32 << exponent)
            .min(self.retry_cap);
        full.mul_f64(0.5 + 0.5 * jitter())
    }
}

/// A random fraction in [0, 1).
fn jitter() -> f64 {
    let random = uuid::Uuid::new_v4().as_u128();
    (random % 10_000) as f64 / 10_000.0
}

/// Why an attempt's outcome should be retried (for logs), or `None` when it is final.
pub(crate) fn retry_reason_for_status(
    method: Method,
    status: u16,
    body: &[u8],
) -> Option<&'static str> {
    match status {
        408 => Some("request timeout"),
        429 => Some("throttled"),
        503 => Some("service unavailable"),
        500 | 502 | 504 if is_idempotent(method) => Some("server error"),
        409 if is_write(method) => {
            let code = ErrorDetail::from_body(body).code?;
            RETRYABLE_CONFLICT_CODES
                .iter()
                .any(|retryable| retryable.eq_ignore_ascii_case(&code))
                .then_some("another operation is in progress")
        }
        _ => None,
    }
}

/// 409 codes that mean "try again later", not "this can never work".
const RETRYABLE_CONFLICT_CODES: &[&str] = &[
    "OperationNotAllowed",
    "AnotherOperationInProgress",
    "RetryableErrorDueToAnotherOperation",
    "OperationPreempted",
];

/// How a request without an HTTP answer failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportFailure {
    /// The connection could not be made: the request was never sent.
    Connect,
    /// Sent, then the connection dropped or timed out: the server may have acted on it.
    AfterSend,
}

/// Whether a transport failure is retried for `method`.
pub(crate) fn retry_transport(method: Method, failure: TransportFailure) -> bool {
    match failure {
        TransportFailure::Connect => true,
        TransportFailure::AfterSend => is_idempotent(method),
    }
}

/// GET, HEAD, PUT, DELETE (and PATCH, which ARM resources treat as a merge of the same body) can
/// be repeated safely; POST actions cannot.
fn is_idempotent(method: Method) -> bool {
    !matches!(method, Method::Post)
}

fn is_write(method: Method) -> bool {
    matches!(
        method,
        Method::Put | Method::Patch | Method::Delete | Method::Post
    )
}

const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
const X_MS_RETRY_AFTER_MS: HeaderName = HeaderName::from_static("x-ms-retry-after-ms");
const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");

/// The server's requested wait: `retry-after-ms`, then `x-ms-retry-after-ms`, then `Retry-After`
/// in whole seconds (ARM does not send HTTP dates; one is ignored).
pub(crate) fn retry_after(headers: &Headers) -> Option<Duration> {
    let millis = |name: &HeaderName| {
        headers
            .get_optional_str(name)
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|value| value.is_finite() && *value >= 0.0)
            .map(|value| Duration::from_secs_f64(value.min(86_400_000.0) / 1000.0))
    };
    millis(&RETRY_AFTER_MS)
        .or_else(|| millis(&X_MS_RETRY_AFTER_MS))
        .or_else(|| {
            headers
                .get_optional_str(&RETRY_AFTER)
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(|seconds| Duration::from_secs(seconds.min(86_400)))
        })
}

/// A poll interval: the server's wish, else `default`, bounded to [10 ms, 60 s].
pub(crate) fn poll_interval(headers: &Headers, default: Duration) -> Duration {
    retry_after(headers)
        .unwrap_or(default)
        .clamp(MIN_POLL, MAX_POLL)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> Headers {
        let mut headers = Headers::new();
        for (name, value) in pairs {
            headers.insert(HeaderName::from_static(name), value.to_string());
        }
        headers
    }

    #[test]
    fn retry_after_prefers_millisecond_headers() {
        let all = headers(&[
            ("retry-after-ms", "250"),
            ("x-ms-retry-after-ms", "500"),
            ("retry-after", "7"),
        ]);
        assert_eq!(retry_after(&all), Some(Duration::from_millis(250)));
        let ms = headers(&[("x-ms-retry-after-ms", "500"), ("retry-after", "7")]);
        assert_eq!(retry_after(&ms), Some(Duration::from_millis(500)));
        let seconds = headers(&[("retry-after", "7")]);
        assert_eq!(retry_after(&seconds), Some(Duration::from_secs(7)));
        let date = headers(&[("retry-after", "Fri, 01 Jan 2021 00:00:00 GMT")]);
        assert_eq!(retry_after(&date), None);
        assert_eq!(retry_after(&Headers::new()), None);
    }

    proptest::proptest! {
        #[test]
        fn any_retry_after_value_parses_without_panicking(value in ".{0,24}", which in 0usize..3) {
            let name = ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"][which];
            let mut headers = Headers::new();
            headers.insert(HeaderName::from_static(name), value);
            let interval = poll_interval(&headers, Duration::from_secs(1));
            proptest::prop_assert!((MIN_POLL..=MAX_POLL).contains(&interval));
        }
    }

    #[test]
    fn poll_interval_is_bounded() {
        let huge = headers(&[("retry-after", "3600")]);
        assert_eq!(poll_interval(&huge, Duration::from_secs(1)), MAX_POLL);
        let tiny = headers(&[("retry-after-ms", "0")]);
        assert_eq!(poll_interval(&tiny, Duration::from_secs(1)), MIN_POLL);
        assert_eq!(
            poll_interval(&Headers::new(), Duration::from_secs(2)),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn statuses_and_codes_are_classified() {
        assert!(retry_reason_for_status(Method::Get, 429, b"").is_some());
        assert!(retry_reason_for_status(Method::Post, 429, b"").is_some());
        assert!(retry_reason_for_status(Method::Put, 503, b"").is_some());
        assert!(retry_reason_for_status(Method::Get, 500, b"").is_some());
        assert!(retry_reason_for_status(Method::Post, 500, b"").is_none());
        for final_status in [400, 401, 403, 404, 412] {
            assert!(
                retry_reason_for_status(Method::Get, final_status, b"").is_none(),
                "{final_status}"
            );
        }
        let busy = br#"{"error":{"code":"OperationNotAllowed","message":"busy"}}"#;
        assert!(retry_reason_for_status(Method::Put, 409, busy).is_some());
        let busy = br#"{"error":{"code":"AnotherOperationInProgress","message":"busy"}}"#;
        assert!(retry_reason_for_status(Method::Delete, 409, busy).is_some());
        let exists = br#"{"error":{"code":"RoleAssignmentExists","message":"dup"}}"#;
        assert!(retry_reason_for_status(Method::Put, 409, exists).is_none());
        let principal = br#"{"error":{"code":"PrincipalNotFound","message":"later"}}"#;
        assert!(retry_reason_for_status(Method::Put, 400, principal).is_none());
    }

    #[test]
    fn transport_failures_are_retried_only_when_safe() {
        assert!(retry_transport(Method::Post, TransportFailure::Connect));
        assert!(retry_transport(Method::Put, TransportFailure::AfterSend));
        assert!(retry_transport(Method::Get, TransportFailure::AfterSend));
        assert!(!retry_transport(Method::Post, TransportFailure::AfterSend));
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let tuning = Tuning::remote();
        for attempt in 1..20 {
            let delay = tuning.backoff(attempt);
            let full = tuning
                .retry_base
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(tuning.retry_cap);
            assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
        }
    }

    #[test]
    fn environment_overrides_timings() {
        let env = |name: &str| match name {
            "AKSCTL_HTTP_TIMEOUT_MS" => Some("150".to_string()),
            "AKSCTL_RETRY_BASE_MS" => Some("5".to_string()),
            _ => None,
        };
        let tuning = Tuning::remote().with_overrides(&env);
        assert_eq!(tuning.attempt_timeout, Duration::from_millis(150));
        assert_eq!(tuning.retry_base, Duration::from_millis(5));
    }
}

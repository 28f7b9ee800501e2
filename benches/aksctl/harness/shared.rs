//! Throttled runs: the fleet's plan and apply against a mock enforcing ARM's token buckets, once
//! with the subscription to itself and once shared with a second, independent client (another
//! tool writing at a steady rate), and the bucket bound each apply is held to: the writes ARM
//! accepted beyond its burst at its refill rate.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::mock::{breakdown, Mock, RequestStats};
use super::scenario::{Bench, RunOutcome};
use super::HarnessError;

/// ARM's subscription write bucket (FACTS.md §1.4), as mock-arm enforces it.
pub const WRITE_BURST: f64 = 200.0;
pub const WRITE_REFILL_PER_SECOND: f64 = 10.0;

/// The other tool's resource group: its requests are told apart from aksctl's by this name.
pub const OTHER_TOOL_GROUP: &str = "rg-bench-other-tool";

/// What the second client did during a shared apply.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OtherTool {
    /// Writes per second it attempts.
    pub rate_per_second: f64,
    /// Writes ARM accepted / refused (429).
    pub accepted: usize,
    pub throttled: usize,
}

/// One throttled apply and its bound.
#[derive(Debug, Clone)]
pub struct ThrottledApply {
    /// aksctl's own requests.
    pub run: RunOutcome,
    /// (writes ARM accepted from every client - burst) / refill.
    pub bucket_bound: Duration,
    /// The second client, in the shared run.
    pub other: Option<OtherTool>,
}

impl ThrottledApply {
    /// Share of aksctl's requests ARM answered 429.
    pub fn throttled_share(&self) -> f64 {
        self.run.requests.throttled as f64 / (self.run.requests.total.max(1)) as f64
    }

    /// Wall time over the bucket bound.
    pub fn bound_ratio(&self) -> f64 {
        self.run.wall.as_secs_f64() / self.bucket_bound.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// The fleet against a mock enforcing ARM's per-subscription throttling.
#[derive(Debug, Clone)]
pub struct ThrottleResult {
    pub label: String,
    pub plan: RunOutcome,
    pub apply: ThrottledApply,
    /// The same apply with a second client writing to the subscription throughout.
    pub shared: Option<ThrottledApply>,
    /// The same apply's wall time without throttling (from the estate's own run).
    pub unthrottled_apply_wall: Duration,
}

/// Writes ARM accepted (not 429) in `log`: the tokens they took from the write bucket.
pub fn accepted_writes(log: &[Value]) -> usize {
    log.iter()
        .filter(|request| {
            !matches!(
                request["method"].as_str(),
                Some("GET") | Some("HEAD") | Some("DELETE")
            ) && request["status"].as_u64() != Some(429)
        })
        .count()
}

/// How long ARM's write bucket takes to accept `writes`: those beyond the burst at the refill.
pub fn bucket_bound(writes: usize) -> Duration {
    Duration::from_secs_f64(((writes as f64 - WRITE_BURST) / WRITE_REFILL_PER_SECOND).max(0.0))
}

/// Whether a logged request is the second client's.
pub fn is_other_tool(request: &Value) -> bool {
    request["path"]
        .as_str()
        .is_some_and(|path| path.to_ascii_lowercase().contains(OTHER_TOOL_GROUP))
}

/// Writes `OTHER_TOOL_GROUP` at a steady rate on its own thread until stopped, ignoring its 429s
/// (as an unrelated tool would), so aksctl shares the write bucket with it.
struct OtherToolThread {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl OtherToolThread {
    fn start(url: &str, subscription: &str, rate_per_second: f64) -> Result<Self, HarnessError> {
        let stop = Arc::new(AtomicBool::new(false));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| HarnessError::Setup(format!("tokio runtime: {error}")))?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| HarnessError::Setup(format!("http client: {error}")))?;
        let target = format!(
            "{url}/subscriptions/{subscription}/resourcegroups/{OTHER_TOOL_GROUP}?api-version=2025-04-01"
        );
        let interval = Duration::from_secs_f64(1.0 / rate_per_second.max(0.001));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let mut ticker = tokio::time::interval(interval);
                let mut round = 0u64;
                while !stopped.load(Ordering::Relaxed) {
                    ticker.tick().await;
                    round += 1;
                    let body = json!({"location": "eastus", "tags": {"round": round.to_string()}});
                    let _ = client
                        .put(&target)
                        .bearer_auth(super::baseline::TOKEN)
                        .json(&body)
                        .send()
                        .await;
                }
            });
        });
        Ok(OtherToolThread {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for OtherToolThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Bench<'_> {
    /// A plan and an apply of `path` from empty against a throttling mock, then the same apply
    /// sharing the subscription with another tool; failures are recorded, not raised: a 429
    /// surfacing as an error is a finding.
    pub(super) fn measure_throttled(
        &self,
        label: &str,
        path: &Path,
        unthrottled_apply_wall: Duration,
    ) -> Result<ThrottleResult, HarnessError> {
        self.note(label, "throttled plan and apply");
        let mock = Mock::start(0, self.options.time_scale, true)?;
        let file = path.to_string_lossy().into_owned();
        let plan_file = self
            .work
            .join(format!("plan-{label}-throttled.json"))
            .to_string_lossy()
            .into_owned();
        let (_, plan) = self.measure(&mock, &["plan", "-f", &file, "--out", &plan_file])?;
        if plan.error.is_some() {
            let not_run = ThrottledApply {
                run: RunOutcome {
                    error: Some("not run: the throttled plan failed".to_owned()),
                    ..RunOutcome::default()
                },
                bucket_bound: Duration::ZERO,
                other: None,
            };
            return Ok(ThrottleResult {
                label: label.to_owned(),
                plan,
                apply: not_run,
                shared: None,
                unthrottled_apply_wall,
            });
        }
        let apply = self.throttled_apply(&mock, &plan_file, None)?;
        let shared = match self.options.other_tool_writes_per_second {
            Some(rate) => {
                self.note(label, "throttled apply sharing the subscription");
                mock.reset(&self.http)?;
                Some(self.throttled_apply(&mock, &plan_file, Some(rate))?)
            }
            None => None,
        };
        Ok(ThrottleResult {
            label: label.to_owned(),
            plan,
            apply,
            shared,
            unthrottled_apply_wall,
        })
    }

    /// The apply of `plan_file` against the throttling `mock` (empty), with another tool writing
    /// `other_rate` times a second when given.
    fn throttled_apply(
        &self,
        mock: &Mock,
        plan_file: &str,
        other_rate: Option<f64>,
    ) -> Result<ThrottledApply, HarnessError> {
        let parallelism = self.options.parallelism.unwrap_or(10).to_string();
        let arguments = self.apply_arguments(plan_file, &parallelism);
        mock.clear_requests(&self.http)?;
        let other = other_rate
            .map(|rate| OtherToolThread::start(mock.url(), &self.options.subscription, rate))
            .transpose()?;
        let measured = super::process::run_measured(&self.invocation(mock, &arguments), &self.work);
        drop(other);
        let measured = measured?;
        let log = mock.arm_requests(&self.http)?;
        let (others, ours): (Vec<Value>, Vec<Value>) = log.into_iter().partition(is_other_tool);
        let other = other_rate.map(|rate| OtherTool {
            rate_per_second: rate,
            accepted: accepted_writes(&others),
            throttled: others
                .iter()
                .filter(|request| request["status"].as_u64() == Some(429))
                .count(),
        });
        let run = RunOutcome {
            by_target: breakdown(&ours),
            exit_code: measured.exit_code,
            wall: measured.wall,
            cpu: measured.cpu,
            peak_rss_kib: measured.peak_rss_kib,
            requests: RequestStats::of(&ours),
            error: (measured.exit_code != Some(0)).then(|| measured.describe()),
        };
        Ok(ThrottledApply {
            bucket_bound: bucket_bound(accepted_writes(&ours) + accepted_writes(&others)),
            run,
            other,
        })
    }
}

//! The mock-arm instances a benchmark runs against (in-process, loopback) and their `/_mock/*`
//! control API: reset, request log, world state, the modelled durations table.

use std::collections::HashMap;
use std::time::Duration;

use mock_arm::{Config, MockArm};
use serde_json::Value;

use super::HarnessError;

/// The HTTP side of the harness: one runtime and one connection pool for control calls and the
/// naive baseline.
pub struct Http {
    pub runtime: tokio::runtime::Runtime,
    pub client: reqwest::Client,
}

impl Http {
    pub fn new() -> Result<Http, HarnessError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| HarnessError::Setup(format!("tokio runtime: {error}")))?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|error| HarnessError::Setup(format!("http client: {error}")))?;
        Ok(Http { runtime, client })
    }
}

/// One running mock-arm and how it was configured.
pub struct Mock {
    server: MockArm,
    pub latency_ms: u64,
    /// The subscription the shipped estates' networks are seeded into.
    subscription: String,
}

impl Mock {
    pub fn start(
        latency_ms: u64,
        time_scale: f64,
        throttle: bool,
        subscription: &str,
    ) -> Result<Mock, HarnessError> {
        let server = MockArm::start(Config {
            latency: Duration::from_millis(latency_ms),
            time_scale,
            throttle,
            ..Config::default()
        })
        .map_err(|error| HarnessError::Setup(format!("mock-arm: {error}")))?;
        Ok(Mock {
            server,
            latency_ms,
            subscription: subscription.to_owned(),
        })
    }

    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The mock's tenant (for the client-secret credential's token request).
    pub fn tenant(&self) -> String {
        Config::default().tenant_id
    }

    fn control(
        &self,
        http: &Http,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, HarnessError> {
        let url = format!("{}{path}", self.url());
        http.runtime.block_on(async {
            let mut request = http.client.request(method.clone(), &url);
            if let Some(body) = body {
                request = request.json(body);
            }
            let failed =
                |message: String| HarnessError::Mock(format!("{method} {path}: {message}"));
            let response = request
                .send()
                .await
                .map_err(|error| failed(error.to_string()))?;
            let status = response.status();
            let text = response
                .text()
                .await
                .map_err(|error| failed(error.to_string()))?;
            if !status.is_success() {
                return Err(failed(format!("{status}: {text}")));
            }
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_str(&text).map_err(|error| failed(error.to_string()))
        })
    }

    /// `POST /_mock/reset`: empty world, log, faults and throttle buckets; then the networks
    /// the shipped estates name (`aksctl::sandbox_networks`), as the landing zone holds them.
    pub fn reset(&self, http: &Http) -> Result<(), HarnessError> {
        self.control(http, reqwest::Method::POST, "/_mock/reset", None)?;
        self.put_state(http, &serde_json::json!({"resources": []}))
    }

    /// `DELETE /_mock/requests`.
    pub fn clear_requests(&self, http: &Http) -> Result<(), HarnessError> {
        self.control(http, reqwest::Method::DELETE, "/_mock/requests", None)
            .map(drop)
    }

    /// The ARM requests logged since the last clear (control and token calls excluded).
    pub fn arm_requests(&self, http: &Http) -> Result<Vec<Value>, HarnessError> {
        match self.control(http, reqwest::Method::GET, "/_mock/requests", None)? {
            Value::Array(items) => Ok(items
                .into_iter()
                .filter(|request| {
                    request["path"].as_str().is_some_and(|path| {
                        path.starts_with("/subscriptions/") || path.starts_with("/providers/")
                    })
                })
                .collect()),
            other => Err(HarnessError::Mock(format!(
                "unexpected request log: {}",
                truncate(&other.to_string(), 200)
            ))),
        }
    }

    /// `GET /_mock/operations`: the durations table, scaled.
    pub fn operations(&self, http: &Http) -> Result<Value, HarnessError> {
        self.control(http, reqwest::Method::GET, "/_mock/operations", None)
    }

    /// `GET /_mock/state`.
    pub fn state(&self, http: &Http) -> Result<Value, HarnessError> {
        self.control(http, reqwest::Method::GET, "/_mock/state", None)
    }

    /// `PUT /_mock/state`: replaces the world (the shipped networks kept).
    pub fn put_state(&self, http: &Http, state: &Value) -> Result<(), HarnessError> {
        let state =
            aksctl::sandbox_networks::with_shipped_networks(state.clone(), &self.subscription);
        self.control(http, reqwest::Method::PUT, "/_mock/state", Some(&state))
            .map(drop)
    }
}

pub(crate) fn truncate(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}

/// What a request log says about a run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RequestStats {
    pub total: usize,
    pub reads: usize,
    pub writes: usize,
    /// Answers `429 Too Many Requests` (absorbed when the run still succeeded).
    pub throttled: usize,
    /// Summed client back-off after each 429: from the end of the throttled answer to the next
    /// request for the same method and URL.
    pub backoff_ms: f64,
}

impl RequestStats {
    pub fn of(requests: &[Value]) -> RequestStats {
        let mut stats = RequestStats {
            total: requests.len(),
            ..RequestStats::default()
        };
        let key = |request: &Value| {
            format!(
                "{} {}?{}",
                request["method"].as_str().unwrap_or_default(),
                request["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
                request["query"].as_str().unwrap_or_default()
            )
        };
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, request) in requests.iter().enumerate() {
            match request["method"].as_str() {
                Some("GET") | Some("HEAD") => stats.reads += 1,
                _ => stats.writes += 1,
            }
            by_key.entry(key(request)).or_default().push(position);
        }
        for (position, request) in requests.iter().enumerate() {
            if request["status"].as_u64() != Some(429) {
                continue;
            }
            stats.throttled += 1;
            let answered = request["time"].as_f64().unwrap_or(0.0)
                + request["durationMs"].as_f64().unwrap_or(0.0);
            let retried = by_key
                .get(&key(request))
                .and_then(|positions| positions.iter().find(|&&later| later > position))
                .and_then(|&later| requests[later]["time"].as_f64());
            if let Some(retried) = retried {
                stats.backoff_ms += (retried - answered).max(0.0);
            }
        }
        stats
    }
}

/// What one request targets: `LRO poll`, `<METHOD> list <type>` for a collection, or
/// `<METHOD> <type>` for one resource, the type being the last ARM type segment of the path
/// (`federatedidentitycredentials`, `agentpools`, `roleassignments`...).
pub fn request_target(request: &Value) -> String {
    let method = request["method"].as_str().unwrap_or_default();
    let path = request["path"].as_str().unwrap_or_default();
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(str::to_ascii_lowercase)
        .collect();
    if segments
        .iter()
        .any(|segment| segment == "operations" || segment == "operationresults")
    {
        return "LRO poll".to_owned();
    }
    // Type/name pairs follow `providers/<namespace>` (the last one) or, without a provider,
    // `subscriptions/<id>` (`resourcegroups/<name>`).
    let pairs_start = match segments.iter().rposition(|segment| segment == "providers") {
        Some(at) => at + 2,
        None => 2,
    };
    let rest = segments.get(pairs_start..).unwrap_or_default();
    match rest.len() {
        0 => format!("{method} {}", segments.first().map_or("", String::as_str)),
        odd if odd % 2 == 1 => format!("{method} list {}", rest[odd - 1]),
        even => format!("{method} {}", rest[even - 2]),
    }
}

/// Requests counted by target, most frequent first.
pub fn breakdown(requests: &[Value]) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for request in requests {
        *counts.entry(request_target(request)).or_default() += 1;
    }
    let mut sorted: Vec<(String, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sorted
}

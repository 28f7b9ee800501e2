//! Fault injection rules (`POST /_mock/faults`): answer with an error, drop the connection,
//! delay, or make the next long-running operation end Failed/Canceled.

use std::time::Duration;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::backend::context::ForcedOutcome;
use crate::backend::error::ArmError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum FaultAction {
    #[default]
    Respond,
    Drop,
    Delay,
    FailLro,
}

/// A rule as posted.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    pub method: Option<String>,
    /// Regular expression matched against the request path (no query string).
    pub path: Option<String>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: Option<String>,
    /// Seconds for Retry-After on `respond`.
    pub retry_after: Option<f64>,
    /// How many matching requests the rule fires for (default 1; 0 = every one).
    pub times: Option<u64>,
    /// Matching requests to let through before firing.
    pub after: Option<u64>,
    #[serde(default)]
    pub action: FaultAction,
    pub delay_ms: Option<u64>,
    /// For `failLro`: `Failed` (default) or `Canceled`.
    pub lro_status: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
    pub seen: u64,
    pub fired: u64,
    #[serde(skip)]
    regex: Option<Regex>,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .spec
            .method
            .as_deref()
            .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method));
        let path_ok = self.regex.as_ref().is_none_or(|regex| regex.is_match(path));
        method_ok && path_ok
    }

    fn exhausted(&self) -> bool {
        let times = self.spec.times.unwrap_or(1);
        times != 0 && self.fired >= times
    }

    fn error(&self, default_status: u16, default_code: &str, default_message: &str) -> ArmError {
        let mut error = ArmError::new(
            self.spec.status.unwrap_or(default_status),
            self.spec
                .code
                .clone()
                .unwrap_or_else(|| default_code.to_string()),
            self.spec
                .message
                .clone()
                .unwrap_or_else(|| default_message.to_string()),
        );
        error.retry_after = self.spec.retry_after;
        error
    }
}

/// What the pipeline should do with a request.
#[derive(Debug, Default)]
pub struct Decision {
    pub respond: Option<ArmError>,
    pub drop: bool,
    pub delay: Option<Duration>,
    /// A `failLro` rule eligible for this request: (rule id, outcome).
    pub fail_lro: Option<(u64, ForcedOutcome)>,
}

#[derive(Debug, Default)]
pub struct FaultTable {
    pub rules: Vec<FaultRule>,
    next_id: u64,
}

impl FaultTable {
    pub fn add(&mut self, spec: FaultSpec) -> Result<u64, String> {
        let regex = match &spec.path {
            Some(pattern) => {
                Some(Regex::new(pattern).map_err(|error| format!("invalid path regex: {error}"))?)
            }
            None => None,
        };
        self.next_id += 1;
        self.rules.push(FaultRule {
            id: self.next_id,
            spec,
            seen: 0,
            fired: 0,
            regex,
        });
        Ok(self.next_id)
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Applies `respond`, `drop` and `delay` rules (consuming them) and finds a `failLro` candidate.
    pub fn decide(&mut self, method: &str, path: &str) -> Decision {
        let mut decision = Decision::default();
        for rule in self.rules.iter_mut() {
            if rule.exhausted() || !rule.matches(method, path) {
                continue;
            }
            if rule.spec.action == FaultAction::FailLro {
                if decision.fail_lro.is_none() && rule.seen >= rule.spec.after.unwrap_or(0) {
                    let canceled = rule
                        .spec
                        .lro_status
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("canceled"));
                    let error = rule.error(
                        500,
                        if canceled {
                            "Canceled"
                        } else {
                            "InternalOperationError"
                        },
                        "The operation failed (injected by mock-arm).",
                    );
                    decision.fail_lro = Some((rule.id, ForcedOutcome { canceled, error }));
                }
                continue;
            }
            rule.seen += 1;
            if rule.seen <= rule.spec.after.unwrap_or(0) {
                continue;
            }
            rule.fired += 1;
            match rule.spec.action {
                FaultAction::Respond => {
                    decision.respond =
                        Some(rule.error(500, "InternalServerError", "Injected fault (mock-arm)."));
                    return decision;
                }
                FaultAction::Drop => {
                    decision.drop = true;
                    return decision;
                }
                FaultAction::Delay => {
                    let delay = Duration::from_millis(rule.spec.delay_ms.unwrap_or(0));
                    decision.delay = Some(decision.delay.map_or(delay, |d| d.max(delay)));
                }
                FaultAction::FailLro => {}
            }
        }
        decision
    }

    /// After the backend ran: counts `failLro` rules against requests that started an operation.
    pub fn settle_fail_lro(
        &mut self,
        method: &str,
        path: &str,
        candidate: Option<u64>,
        operation_started: bool,
        used: bool,
    ) {
        if !operation_started {
            return;
        }
        for rule in self.rules.iter_mut() {
            if rule.spec.action != FaultAction::FailLro
                || rule.exhausted()
                || !rule.matches(method, path)
            {
                continue;
            }
            if Some(rule.id) == candidate && used {
                rule.seen += 1;
                rule.fired += 1;
            } else if rule.seen < rule.spec.after.unwrap_or(0) {
                rule.seen += 1;
            }
        }
    }
}

//! Long-running operations (FACTS.md §1.2): follow `Azure-AsyncOperation` (status body), else
//! `Location` (202 until the final answer), else the resource's own `provisioningState`; cross-
//! check a long-InProgress status against the resource; report progress; per-call deadline.

use std::time::{Duration, Instant};

use azure_core::http::{Method, Url};
use serde_json::Value;

use crate::arm::error::{ArmError, ErrorDetail};
use crate::arm::http::Exchange;
use crate::arm::request::{json_object, unexpected_status, Call};
use crate::arm::retry::poll_interval;
use crate::arm::throttle::BudgetWait;
use crate::arm::transport::Transport;

/// Deadline of a long-running operation when the caller sets none.
pub const DEFAULT_LRO_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// Options of a write (PUT, PATCH, DELETE, POST).
#[derive(Clone, Copy, Default)]
pub struct WriteOptions<'a> {
    /// Sent as `If-Match` (an eTag), so a concurrent change fails with 412.
    pub if_match: Option<&'a str>,
    /// Deadline of the long-running operation (`None`: 30 minutes).
    pub deadline: Option<Duration>,
    /// Called on each poll.
    pub progress: Option<&'a (dyn Fn(LroProgress) + Send + Sync)>,
    /// Called when a request of the write (or a poll) waits for ARM's throttling budget.
    pub throttled: Option<&'a (dyn Fn(BudgetWait) + Send + Sync)>,
}

impl std::fmt::Debug for WriteOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteOptions")
            .field("if_match", &self.if_match)
            .field("deadline", &self.deadline)
            .field("progress", &self.progress.is_some())
            .field("throttled", &self.throttled.is_some())
            .finish()
    }
}

/// What one poll of a running operation said.
#[derive(Debug, Clone, PartialEq)]
pub struct LroProgress {
    /// ARM's status or provisioningState (`InProgress`, `Creating`, `Succeeded`, ...).
    pub status: String,
    /// ARM's `percentComplete`, when given (AKS gives it).
    pub percent_complete: Option<f64>,
    /// The URL being polled.
    pub operation_url: Option<String>,
}

/// The write being followed.
pub(crate) struct Operation<'a> {
    pub method: Method,
    /// Resource id or action path, for messages.
    pub resource: &'a str,
    /// The request URL (with api-version): GET it to read the resource.
    pub resource_url: Url,
}

/// `Succeeded`, `Failed`, `Canceled`, or still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Succeeded,
    Failed,
    Canceled,
    Running,
}

fn state_of(status: &str) -> State {
    if status.eq_ignore_ascii_case("Succeeded") {
        State::Succeeded
    } else if status.eq_ignore_ascii_case("Failed") {
        State::Failed
    } else if status.eq_ignore_ascii_case("Canceled") || status.eq_ignore_ascii_case("Cancelled") {
        State::Canceled
    } else {
        State::Running
    }
}

/// `properties.provisioningState`; a resource without one counts as `Succeeded`.
fn provisioning_state(body: &Value) -> String {
    body.get("properties")
        .and_then(|properties| properties.get("provisioningState"))
        .and_then(Value::as_str)
        .unwrap_or("Succeeded")
        .to_string()
}

/// Follows the operation `initial` started to its end. PUT/PATCH yield the final resource body,
/// POST the final body if any, DELETE `None`.
pub(crate) async fn complete(
    transport: &Transport,
    operation: &Operation<'_>,
    initial: Exchange,
    options: &WriteOptions<'_>,
) -> Result<Option<Value>, ArmError> {
    let tracker = Tracker {
        transport,
        operation,
        options,
        started: Instant::now(),
        deadline: options.deadline.unwrap_or(DEFAULT_LRO_DEADLINE),
    };
    tracker.run(initial).await
}

struct Tracker<'a> {
    transport: &'a Transport,
    operation: &'a Operation<'a>,
    options: &'a WriteOptions<'a>,
    started: Instant,
    deadline: Duration,
}

/// Where a poll loop stands, for the deadline message.
struct Polling {
    url: Url,
    last_status: String,
}

impl Tracker<'_> {
    async fn run(&self, initial: Exchange) -> Result<Option<Value>, ArmError> {
        let method = self.operation.method;
        let first_wait = poll_interval(&initial.headers, self.transport.tuning().default_poll);
        let location = initial.header("location").map(str::to_string);
        if let Some(raw) = initial.header("azure-asyncoperation") {
            let url = self.followable(raw)?;
            if let Some(resource) = self.poll_status(url, first_wait).await? {
                return Ok(Some(resource));
            }
            return self.after_status_succeeded(location.as_deref()).await;
        }
        if let Some(raw) = location.as_deref() {
            if initial.status == 201 || initial.status == 202 {
                let url = self.followable(raw)?;
                let last = self.poll_location(url, first_wait).await?;
                return self.after_location(last).await;
            }
        }
        if initial.status == 202 {
            return Err(self.malformed(
                &initial,
                "an Azure-AsyncOperation or Location header with 202 Accepted",
                "neither header",
            ));
        }
        match method {
            Method::Post => self.optional_body(&initial),
            Method::Delete => {
                let still_deleting = self
                    .optional_body(&initial)?
                    .is_some_and(|body| state_of(&provisioning_state(&body)) == State::Running);
                if still_deleting {
                    self.poll_resource(first_wait, true).await?;
                }
                Ok(None)
            }
            _ => {
                let Some(body) = self.optional_body(&initial)? else {
                    return self.poll_resource(Duration::ZERO, false).await;
                };
                self.settle(body, first_wait).await.map(Some)
            }
        }
    }

    /// A resource body from a PUT/PATCH: done, failed, or still provisioning (then poll it).
    async fn settle(&self, body: Value, wait: Duration) -> Result<Value, ArmError> {
        let status = provisioning_state(&body);
        match state_of(&status) {
            State::Succeeded => Ok(body),
            State::Failed | State::Canceled => Err(self.failed_resource(&status, &body, None)),
            State::Running => match self.poll_resource(wait, false).await? {
                Some(body) => Ok(body),
                None => Err(self.gone()),
            },
        }
    }

    /// Polls an Azure-AsyncOperation URL until a terminal status. `Some(body)` when the
    /// cross-check trusted the resource's own state instead.
    async fn poll_status(&self, url: Url, first_wait: Duration) -> Result<Option<Value>, ArmError> {
        let mut polling = Polling {
            url,
            last_status: "Accepted".into(),
        };
        let mut wait = first_wait;
        let mut polls = 0u32;
        let mut terminal_sightings = 0u32;
        loop {
            self.sleep_within_deadline(wait, &polling).await?;
            let exchange = self.get(&polling.url).await?;
            let body = self.ok_json(&exchange, "an operation status body {\"status\": ...}")?;
            let Some(status) = body.get("status").and_then(Value::as_str) else {
                return Err(self.malformed(
                    &exchange,
                    "an operation status body with a string `status`",
                    "no `status`",
                ));
            };
            polling.last_status = status.to_string();
            self.report(
                status,
                body.get("percentComplete").and_then(Value::as_f64),
                &polling.url,
            );
            match state_of(status) {
                State::Succeeded => return Ok(None),
                State::Failed | State::Canceled => {
                    let detail = body
                        .get("error")
                        .and_then(ErrorDetail::from_error_object)
                        .unwrap_or(ErrorDetail {
                            code: None,
                            message: "the operation ended without an error description".into(),
                        });
                    return Err(ArmError::OperationFailed {
                        method: self.operation.method.as_str().into(),
                        resource: self.operation.resource.into(),
                        status: status.to_string(),
                        code: detail.code,
                        message: detail.message,
                        request_id: exchange.request_id.clone(),
                        operation_url: Some(polling.url.to_string()),
                    });
                }
                State::Running => {}
            }
            polls += 1;
            if self.should_cross_check(polls) {
                match self.resource_if_terminal().await? {
                    Some(resource) => {
                        terminal_sightings += 1;
                        if terminal_sightings >= 2 {
                            tracing::debug!(
                                resource = self.operation.resource,
                                operation = %polling.url,
                                "operation status still running but the resource is terminal; trusting the resource"
                            );
                            return self.trust_resource(resource, &polling);
                        }
                    }
                    None => terminal_sightings = 0,
                }
            }
            wait = poll_interval(&exchange.headers, self.transport.tuning().default_poll);
        }
    }

    /// Cross-check every fourth poll once the operation has run `cross_check_after`.
    fn should_cross_check(&self, polls: u32) -> bool {
        self.operation.method != Method::Post
            && polls.is_multiple_of(4)
            && self.started.elapsed() >= self.transport.tuning().cross_check_after
    }

    /// The resource's state when terminal: `Some(Some(body))` for a terminal resource,
    /// `Some(None)` for a deleted one (DELETE only), `None` when it is still running.
    async fn resource_if_terminal(&self) -> Result<Option<Option<Value>>, ArmError> {
        let exchange = self.get(&self.operation.resource_url).await?;
        if exchange.status == 404 {
            return Ok((self.operation.method == Method::Delete).then_some(None));
        }
        if exchange.status != 200 || self.operation.method == Method::Delete {
            return Ok(None);
        }
        let Ok(body) = json_object(Method::Get, self.operation.resource, &exchange, "") else {
            return Ok(None);
        };
        // Only an explicit provisioningState is evidence; its absence says nothing here.
        let explicit = body
            .get("properties")
            .and_then(|properties| properties.get("provisioningState"))
            .and_then(Value::as_str)
            .map(state_of);
        Ok(matches!(explicit, Some(state) if state != State::Running).then_some(Some(body)))
    }

    fn trust_resource(
        &self,
        resource: Option<Value>,
        polling: &Polling,
    ) -> Result<Option<Value>, ArmError> {
        let Some(body) = resource else {
            return Ok(None);
        };
        let status = provisioning_state(&body);
        match state_of(&status) {
            State::Succeeded => Ok(Some(body)),
            _ => Err(self.failed_resource(&status, &body, Some(polling.url.to_string()))),
        }
    }

    /// After a Succeeded status: PUT/PATCH read the resource, POST reads Location if any.
    async fn after_status_succeeded(
        &self,
        location: Option<&str>,
    ) -> Result<Option<Value>, ArmError> {
        match self.operation.method {
            Method::Delete => Ok(None),
            Method::Post => match location {
                Some(raw) => {
                    let url = self.followable(raw)?;
                    let last = self.poll_location(url, Duration::ZERO).await?;
                    self.optional_body(&last)
                }
                None => Ok(None),
            },
            _ => self.read_resource().await.map(Some),
        }
    }

    /// Polls a Location URL while it answers 202; returns the final answer.
    async fn poll_location(&self, url: Url, first_wait: Duration) -> Result<Exchange, ArmError> {
        let mut polling = Polling {
            url,
            last_status: "Accepted".into(),
        };
        let mut wait = first_wait;
        loop {
            self.sleep_within_deadline(wait, &polling).await?;
            let exchange = self.get(&polling.url).await?;
            match exchange.status {
                202 => {
                    if let Some(next) = exchange.header("location") {
                        polling.url = self.followable(next)?;
                    }
                    polling.last_status = "InProgress".into();
                    self.report("InProgress", None, &polling.url);
                }
                200 | 201 | 204 => {
                    self.report("Succeeded", None, &polling.url);
                    return Ok(exchange);
                }
                404 if self.operation.method == Method::Delete => return Ok(exchange),
                _ => {
                    let detail = ErrorDetail::from_body(&exchange.body);
                    return Err(ArmError::OperationFailed {
                        method: self.operation.method.as_str().into(),
                        resource: self.operation.resource.into(),
                        status: format!("Failed (HTTP {})", exchange.status),
                        code: detail.code,
                        message: detail.message,
                        request_id: exchange.request_id.clone(),
                        operation_url: Some(polling.url.to_string()),
                    });
                }
            }
            wait = poll_interval(&exchange.headers, self.transport.tuning().default_poll);
        }
    }

    /// The final Location answer: PUT/PATCH its resource body (or a fresh GET), POST its body.
    async fn after_location(&self, last: Exchange) -> Result<Option<Value>, ArmError> {
        match self.operation.method {
            Method::Delete => Ok(None),
            Method::Post => self.optional_body(&last),
            _ => match self.optional_body(&last)? {
                Some(body) if body.get("properties").is_some() || body.get("id").is_some() => {
                    self.settle(body, Duration::ZERO).await.map(Some)
                }
                _ => self.read_resource().await.map(Some),
            },
        }
    }

    /// Polls the resource until its provisioningState is terminal (or, `until_gone`, until it
    /// is deleted). `None` only when `until_gone`.
    async fn poll_resource(
        &self,
        first_wait: Duration,
        until_gone: bool,
    ) -> Result<Option<Value>, ArmError> {
        let mut polling = Polling {
            url: self.operation.resource_url.clone(),
            last_status: "Accepted".into(),
        };
        let mut wait = first_wait;
        loop {
            self.sleep_within_deadline(wait, &polling).await?;
            let exchange = self.get(&polling.url).await?;
            if exchange.status == 404 && until_gone {
                self.report("Deleted", None, &polling.url);
                return Ok(None);
            }
            let body = self.ok_json(&exchange, "a JSON resource body")?;
            let status = provisioning_state(&body);
            self.report(&status, None, &polling.url);
            polling.last_status = status.clone();
            if !until_gone {
                match state_of(&status) {
                    State::Succeeded => return Ok(Some(body)),
                    State::Failed | State::Canceled => {
                        return Err(self.failed_resource(&status, &body, None))
                    }
                    State::Running => {}
                }
            }
            wait = poll_interval(&exchange.headers, self.transport.tuning().default_poll);
        }
    }

    /// GET the resource once after its operation succeeded.
    async fn read_resource(&self) -> Result<Value, ArmError> {
        let exchange = self.get(&self.operation.resource_url).await?;
        let body = self.ok_json(&exchange, "a JSON resource body")?;
        let status = provisioning_state(&body);
        match state_of(&status) {
            State::Failed | State::Canceled => Err(self.failed_resource(&status, &body, None)),
            _ => Ok(body),
        }
    }

    /// The JSON object (`expected` describes it) a 200 GET returned; any other status is
    /// unexpected.
    fn ok_json(&self, exchange: &Exchange, expected: &str) -> Result<Value, ArmError> {
        if exchange.status != 200 {
            return Err(unexpected_status(
                Method::Get,
                self.operation.resource,
                exchange,
            ));
        }
        json_object(Method::Get, self.operation.resource, exchange, expected)
    }

    async fn get(&self, url: &Url) -> Result<Exchange, ArmError> {
        let call = Call {
            on_hold: self.options.throttled,
            ..Call::new(Method::Get, self.operation.resource, url.clone())
        };
        self.transport.send(&call).await
    }

    /// Sleeps `wait`, or fails with `DeadlineExceeded` when the deadline has passed.
    async fn sleep_within_deadline(
        &self,
        wait: Duration,
        polling: &Polling,
    ) -> Result<(), ArmError> {
        let remaining = self.deadline.saturating_sub(self.started.elapsed());
        if remaining.is_zero() {
            return Err(ArmError::DeadlineExceeded {
                method: self.operation.method.as_str().into(),
                resource: self.operation.resource.into(),
                deadline: self.deadline,
                last_status: polling.last_status.clone(),
                operation_url: Some(polling.url.to_string()),
            });
        }
        tokio::time::sleep(wait.min(remaining)).await;
        Ok(())
    }

    fn report(&self, status: &str, percent_complete: Option<f64>, url: &Url) {
        if let Some(progress) = self.options.progress {
            progress(LroProgress {
                status: status.to_string(),
                percent_complete,
                operation_url: Some(url.to_string()),
            });
        }
    }

    fn followable(&self, raw: &str) -> Result<Url, ArmError> {
        self.transport
            .endpoint()
            .followable(raw, self.operation.method, self.operation.resource)
    }

    /// An optional JSON body: empty means `None`; anything else must be a JSON object.
    fn optional_body(&self, exchange: &Exchange) -> Result<Option<Value>, ArmError> {
        if exchange.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        json_object(
            self.operation.method,
            self.operation.resource,
            exchange,
            "a JSON object body",
        )
        .map(Some)
    }

    fn malformed(&self, exchange: &Exchange, expected: &str, detail: &str) -> ArmError {
        ArmError::Malformed {
            method: self.operation.method.as_str().into(),
            resource: self.operation.resource.into(),
            status: Some(exchange.status),
            expected: expected.into(),
            detail: detail.into(),
            request_id: exchange.request_id.clone(),
        }
    }

    fn failed_resource(
        &self,
        status: &str,
        body: &Value,
        operation_url: Option<String>,
    ) -> ArmError {
        let detail = body
            .get("properties")
            .and_then(|properties| {
                properties
                    .get("error")
                    .or_else(|| properties.get("provisioningError"))
            })
            .and_then(ErrorDetail::from_error_object);
        ArmError::OperationFailed {
            method: self.operation.method.as_str().into(),
            resource: self.operation.resource.into(),
            status: status.to_string(),
            code: detail.as_ref().and_then(|detail| detail.code.clone()),
            message: detail
                .map(|detail| detail.message)
                .unwrap_or_else(|| format!("the resource's provisioningState is {status}")),
            request_id: None,
            operation_url,
        }
    }

    fn gone(&self) -> ArmError {
        ArmError::Malformed {
            method: self.operation.method.as_str().into(),
            resource: self.operation.resource.into(),
            status: Some(404),
            expected: "the resource to exist after its operation".into(),
            detail: "404".into(),
            request_id: None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn states_are_case_blind_and_unknown_means_running() {
        assert_eq!(state_of("succeeded"), State::Succeeded);
        assert_eq!(state_of("Failed"), State::Failed);
        assert_eq!(state_of("Canceled"), State::Canceled);
        assert_eq!(state_of("Creating"), State::Running);
        assert_eq!(state_of("ResolvingDNS"), State::Running);
    }

    #[test]
    fn missing_provisioning_state_counts_as_succeeded() {
        assert_eq!(
            provisioning_state(&serde_json::json!({"name": "x"})),
            "Succeeded"
        );
        assert_eq!(
            provisioning_state(
                &serde_json::json!({"properties": {"provisioningState": "Updating"}})
            ),
            "Updating"
        );
    }
}

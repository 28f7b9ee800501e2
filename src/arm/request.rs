//! One logical ARM request: URL building, the retry loop around single attempts (by status,
//! ARM error code and method, honouring retry-after headers, within the client's deadline), the
//! check that followed URLs stay on the endpoint, and reading answers into values or errors.

use std::time::Instant;

use azure_core::http::{Method, Url};
use azure_core::Bytes;
use serde_json::Value;

use crate::arm::client::ArmClient;
use crate::arm::cloud::same_authority;
use crate::arm::error::{describe_body, ArmError, ErrorDetail};
use crate::arm::http::{AttemptError, Exchange, Outgoing};
use crate::arm::retry::{retry_after, retry_reason_for_status, retry_transport};
use crate::arm::throttle::Category;

/// One logical request (possibly several attempts).
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Resource id or path shown in errors.
    pub resource: &'a str,
    pub url: Url,
    pub body: Option<Bytes>,
    pub if_match: Option<&'a str>,
}

impl ArmClient {
    /// `{endpoint}{path}?api-version=..&extra..`.
    pub(crate) fn url(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Url, ArmError> {
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(ArmError::Config {
                message: format!(
                    "invalid ARM path {path:?}: expected an absolute path such as /subscriptions/..."
                ),
            });
        }
        let mut url =
            Url::parse(&format!("{}{path}", self.inner.endpoint_prefix)).map_err(|error| {
                ArmError::Config {
                    message: format!("invalid ARM path {path:?}: {error}"),
                }
            })?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", api_version);
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// A URL ARM handed us (nextLink, Location, Azure-AsyncOperation), checked to stay on the
    /// endpoint so our token goes nowhere else. A path-only value is joined to the endpoint.
    pub(crate) fn followable(
        &self,
        raw: &str,
        method: Method,
        resource: &str,
    ) -> Result<Url, ArmError> {
        let parsed = match Url::parse(raw.trim()) {
            Ok(url) => Ok(url),
            Err(_) if raw.trim().starts_with('/') => {
                Url::parse(&format!("{}{}", self.inner.endpoint_prefix, raw.trim()))
            }
            Err(error) => Err(error),
        };
        let malformed = |detail: String| ArmError::Malformed {
            method: method.as_str().into(),
            resource: resource.into(),
            status: None,
            expected: format!("a URL on {}", self.inner.endpoint_prefix),
            detail,
            request_id: None,
        };
        let url = parsed.map_err(|error| malformed(format!("{raw:?} ({error})")))?;
        if !same_authority(&self.inner.endpoint, &url) {
            return Err(malformed(format!(
                "{} (refusing to send the token to another host)",
                url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }

    /// Sends one logical request, retrying throttling, transient server errors, dropped
    /// connections (idempotent methods) and 409 "another operation in progress" (writes),
    /// within the client's deadline. Non-retryable HTTP errors come back as an `Exchange`.
    pub(crate) async fn send(&self, call: &Call<'_>) -> Result<Exchange, ArmError> {
        let tuning = self.inner.http.tuning;
        let started = Instant::now();
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut attempt = 0u32;
        // Attempts that count against `max_attempts`: a 429 whose answer says when to come back
        // does not (many concurrent requests share one refilling bucket, so a request may be
        // throttled many times in a row); the deadline still bounds it.
        let mut counted = 0u32;
        let category = Category::of(call.method);
        loop {
            attempt += 1;
            let hold = self.inner.throttle.reserve(category, Instant::now());
            if !hold.is_zero() {
                if started.elapsed() + hold > self.inner.deadline {
                    return Err(ArmError::Transport {
                        method: call.method.as_str().into(),
                        resource: call.resource.into(),
                        message: format!(
                            "ARM is throttling this subscription and the next free slot is {} ms away, past the request deadline; retry later or lower --parallelism",
                            hold.as_millis()
                        ),
                    });
                }
                tokio::time::sleep(hold).await;
            }
            let outgoing = Outgoing {
                method: call.method,
                url: &call.url,
                body: call.body.as_ref(),
                client_request_id: &client_request_id,
                if_match: call.if_match,
            };
            let (wait, reason, last) = match self.inner.http.attempt(&outgoing).await {
                Ok(exchange) => {
                    match retry_reason_for_status(call.method, exchange.status, &exchange.body) {
                        None => {
                            self.inner.throttle.passed(category, Instant::now());
                            return Ok(exchange);
                        }
                        Some(reason) => (
                            retry_after(&exchange.headers)
                                .unwrap_or_else(|| tuning.backoff(attempt)),
                            reason,
                            Ok(exchange),
                        ),
                    }
                }
                Err(AttemptError::Fatal(error)) => return Err(error),
                Err(AttemptError::Transport { failure, message }) => {
                    let error = ArmError::Transport {
                        method: call.method.as_str().into(),
                        resource: call.resource.into(),
                        message: format!("{message} (attempt {attempt})"),
                    };
                    if !retry_transport(call.method, failure) {
                        return Err(error);
                    }
                    (tuning.backoff(attempt), "no answer", Err(error))
                }
            };
            let throttled_with_retry_after = matches!(&last, Ok(exchange)
                if exchange.status == 429 && retry_after(&exchange.headers).is_some());
            if throttled_with_retry_after {
                // Everyone in this category waits with us: the wait below is our reserved slot.
                self.inner
                    .throttle
                    .throttled(category, wait, Instant::now());
            } else {
                counted += 1;
            }
            if counted >= tuning.max_attempts || started.elapsed() + wait > self.inner.deadline {
                return last;
            }
            tracing::debug!(
                method = call.method.as_str(),
                resource = call.resource,
                attempt,
                wait_ms = wait.as_millis() as u64,
                reason,
                "retrying ARM request"
            );
            if !throttled_with_retry_after {
                tokio::time::sleep(wait).await;
            }
        }
    }
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, resource: &'a str, url: Url) -> Call<'a> {
        Call {
            method,
            resource,
            url,
            body: None,
            if_match: None,
        }
    }
}

/// A 404 that means "does not exist" (an ARM not-found code, or no body), not a wrong URL.
pub(crate) fn is_absent(exchange: &Exchange) -> bool {
    if exchange.body.iter().all(u8::is_ascii_whitespace) {
        return true;
    }
    let detail = ErrorDetail::from_body(&exchange.body);
    match detail.code {
        Some(code) => code.to_ascii_lowercase().ends_with("notfound"),
        None => serde_json::from_slice::<Value>(&exchange.body).is_ok(),
    }
}

/// The error for an answer whose status the caller cannot use.
pub(crate) fn unexpected_status(method: Method, resource: &str, exchange: &Exchange) -> ArmError {
    if exchange.is_success() {
        return ArmError::Malformed {
            method: method.as_str().into(),
            resource: resource.into(),
            status: Some(exchange.status),
            expected: "HTTP 200 with a body".into(),
            detail: describe_body(&exchange.body),
            request_id: exchange.request_id.clone(),
        };
    }
    let detail = ErrorDetail::from_body(&exchange.body);
    ArmError::Response {
        method: method.as_str().into(),
        resource: resource.into(),
        status: exchange.status,
        code: detail.code,
        message: detail.message,
        request_id: exchange.request_id.clone(),
    }
}

/// The body as a JSON object, or a `Malformed` error saying what was expected.
pub(crate) fn json_object(
    method: Method,
    resource: &str,
    exchange: &Exchange,
    expected: &str,
) -> Result<Value, ArmError> {
    match serde_json::from_slice::<Value>(&exchange.body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(ArmError::Malformed {
            method: method.as_str().into(),
            resource: resource.into(),
            status: Some(exchange.status),
            expected: expected.into(),
            detail: describe_body(&exchange.body),
            request_id: exchange.request_id.clone(),
        }),
    }
}

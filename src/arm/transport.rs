//! The transport: sends one logical ARM request and knows nothing of resources. It owns the HTTP
//! pipeline (`http.rs`: connection pool, bearer tokens, bounded concurrency), ARM's throttling
//! budget (`throttle.rs`) and the retry loop around single attempts (by status, ARM error code
//! and method, honouring retry-after headers, within the request deadline). The ARM API
//! (`client.rs`, `lro.rs`) builds calls (`request.rs`) and reads the answers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::http::{Method, Url};

use crate::arm::credential::TokenProvider;
use crate::arm::error::ArmError;
use crate::arm::http::{AttemptError, Exchange, HttpLayer, Outgoing};
use crate::arm::request::{Call, Endpoint};
use crate::arm::retry::{retry_after, retry_reason_for_status, retry_transport, Tuning};
use crate::arm::throttle::{BudgetAnswer, BudgetCategory, Budgets};

/// One pipeline, one credential, one budget: shared by every request of a client.
pub(crate) struct Transport {
    http: HttpLayer,
    endpoint: Endpoint,
    deadline: Duration,
    tokens: Arc<TokenProvider>,
    budgets: Budgets,
}

impl Transport {
    pub(crate) fn new(
        endpoint: Url,
        http: reqwest::Client,
        tokens: Arc<TokenProvider>,
        max_concurrency: usize,
        deadline: Duration,
        tuning: Tuning,
    ) -> Transport {
        Transport {
            http: HttpLayer::new(http, tokens.clone(), max_concurrency, tuning),
            endpoint: Endpoint::new(endpoint),
            deadline,
            tokens,
            budgets: Budgets::default(),
        }
    }

    /// ARM requests sent so far, retries and polls included.
    pub(crate) fn request_count(&self) -> u64 {
        self.http.sent()
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(crate) fn tuning(&self) -> Tuning {
        self.http.tuning
    }

    /// Describes the credential (never a secret).
    pub(crate) fn credential(&self) -> String {
        self.tokens.describe()
    }

    /// How many reads may be in flight now within ARM's read budget (see `Budgets::read_room`).
    pub(crate) fn read_room(&self) -> usize {
        self.budgets.read_room()
    }

    /// Sends one logical request, retrying throttling, transient server errors, dropped
    /// connections (idempotent methods) and 409 "another operation in progress" (writes),
    /// within the client's deadline. Every attempt first takes a token of ARM's budget. Non-
    /// retryable HTTP errors come back as an `Exchange`.
    pub(crate) async fn send(&self, call: &Call<'_>) -> Result<Exchange, ArmError> {
        let tuning = self.http.tuning;
        let started = Instant::now();
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut attempt = 0u32;
        // Attempts that count against `max_attempts`: a 429 whose answer says when to come back
        // does not (many requests share one refilling bucket); the deadline still bounds it.
        let mut counted = 0u32;
        let category = BudgetCategory::of(call.method);
        loop {
            attempt += 1;
            let remaining = self.deadline.saturating_sub(started.elapsed());
            let taken = tokio::time::timeout(
                remaining,
                self.budgets.take(&call.url, category, call.on_hold),
            )
            .await;
            let Ok(ticket) = taken else {
                return Err(ArmError::Transport {
                    method: call.method.as_str().into(),
                    resource: call.resource.into(),
                    message: format!(
                        "ARM's {} budget for this subscription had no room within the request deadline ({} s); retry later or lower --parallelism",
                        category.noun(),
                        self.deadline.as_secs()
                    ),
                });
            };
            let outgoing = Outgoing {
                method: call.method,
                url: &call.url,
                body: call.body.as_ref(),
                client_request_id: &client_request_id,
                if_match: call.if_match,
            };
            let (wait, reason, last) = match self.http.attempt(&outgoing).await {
                Ok(exchange) => {
                    let refused_for = (exchange.status == 429)
                        .then(|| retry_after(&exchange.headers))
                        .flatten();
                    ticket.answered(BudgetAnswer {
                        remaining: exchange
                            .header(category.remaining_header())
                            .and_then(|value| value.parse::<u64>().ok()),
                        refused_for,
                    });
                    match retry_reason_for_status(call.method, exchange.status, &exchange.body) {
                        None => return Ok(exchange),
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
                    drop(ticket);
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
            // A 429 with a retry-after held the whole bucket (every request of this
            // subscription and category waits with us): the budget is the wait, and the
            // attempt does not count. A 429 saying "retry after 0" holds nothing back: it
            // counts, or an answer repeating it would be retried in a tight loop until the
            // deadline.
            let throttled = matches!(&last, Ok(exchange)
                if exchange.status == 429
                    && retry_after(&exchange.headers).is_some_and(|after| !after.is_zero()));
            if !throttled {
                counted += 1;
            }
            if counted >= tuning.max_attempts || started.elapsed() + wait > self.deadline {
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
            if !throttled {
                tokio::time::sleep(wait).await;
            }
        }
    }

    /// GET `url` once (with retries), for polls and pages.
    pub(crate) async fn get(&self, resource: &str, url: &Url) -> Result<Exchange, ArmError> {
        self.send(&Call::new(Method::Get, resource, url.clone()))
            .await
    }
}

//! The one HTTP pipeline every ARM request goes through: `azure_core`'s pipeline (retries off; the
//! ARM-aware retry loop is in `client.rs`) over one shared reqwest client, our bearer policy that
//! refuses plain http to non-loopback hosts, bounded concurrency, per-attempt timeout, request
//! counting and redacted `-v` logging.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::error::ErrorKind;
use azure_core::http::headers::{
    HeaderName, Headers, ACCEPT, AUTHORIZATION, CLIENT_REQUEST_ID, CONTENT_TYPE,
};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, PipelineSendOptions, Request, RetryOptions,
    Transport, Url,
};
use azure_core::Bytes;

use crate::arm::cloud::may_carry_token;
use crate::arm::credential::TokenProvider;
use crate::arm::error::{redact, ArmError};
use crate::arm::retry::{TransportFailure, Tuning};

const X_MS_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");

/// One HTTP answer, body fully read.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub status: u16,
    pub headers: Headers,
    pub body: Bytes,
    pub request_id: Option<String>,
}

impl Exchange {
    pub(crate) fn header(&self, name: &'static str) -> Option<&str> {
        self.headers
            .get_optional_str(&HeaderName::from_static(name))
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }

    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why one attempt got no HTTP answer.
#[derive(Debug)]
pub(crate) enum AttemptError {
    /// Connection refused or dropped, or timeout; may be retried.
    Transport {
        failure: TransportFailure,
        message: String,
    },
    /// Never retried: credential failure, insecure URL.
    Fatal(ArmError),
}

/// What one attempt sends.
pub(crate) struct Outgoing<'a> {
    pub method: Method,
    pub url: &'a Url,
    pub body: Option<&'a Bytes>,
    pub client_request_id: &'a str,
    pub if_match: Option<&'a str>,
}

/// The pipeline plus what is shared by all requests of one client.
pub(crate) struct HttpLayer {
    pipeline: Pipeline,
    tokens: Arc<TokenProvider>,
    limiter: tokio::sync::Semaphore,
    sent: AtomicU64,
    pub(crate) tuning: Tuning,
}

impl HttpLayer {
    /// Builds the pipeline once: `http` is the shared connection pool, `tokens` feeds the bearer
    /// policy, at most `max_concurrency` attempts are in flight.
    pub(crate) fn new(
        http: reqwest::Client,
        tokens: Arc<TokenProvider>,
        max_concurrency: usize,
        tuning: Tuning,
    ) -> HttpLayer {
        let options = ClientOptions {
            retry: RetryOptions::none(),
            transport: Some(Transport::new(Arc::new(http))),
            ..Default::default()
        };
        let bearer: Arc<dyn Policy> = Arc::new(BearerPolicy {
            tokens: tokens.clone(),
        });
        let pipeline = Pipeline::new(
            Some("aksctl"),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            vec![bearer],
            None,
        );
        HttpLayer {
            pipeline,
            tokens,
            limiter: tokio::sync::Semaphore::new(max_concurrency.max(1)),
            sent: AtomicU64::new(0),
            tuning,
        }
    }

    /// Requests sent so far (each attempt and poll counts).
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends one attempt and reads the whole answer, within the attempt timeout.
    pub(crate) async fn attempt(&self, outgoing: &Outgoing<'_>) -> Result<Exchange, AttemptError> {
        if !may_carry_token(outgoing.url) {
            return Err(AttemptError::Fatal(ArmError::InsecureEndpoint {
                url: outgoing.url.to_string(),
            }));
        }
        let mut request = Request::new(outgoing.url.clone(), outgoing.method);
        request.insert_header(ACCEPT, "application/json");
        request.insert_header(CLIENT_REQUEST_ID, outgoing.client_request_id.to_string());
        if let Some(body) = outgoing.body {
            request.insert_header(CONTENT_TYPE, "application/json");
            request.set_body(body.clone());
        }
        if let Some(etag) = outgoing.if_match {
            request.insert_header(HeaderName::from_static("if-match"), etag.to_string());
        }

        // Acquire (or refresh) the token before the attempt's timeout starts; the bearer
        // policy then finds it cached.
        self.tokens.token().await.map_err(AttemptError::Fatal)?;
        let _permit = match self.limiter.acquire().await {
            Ok(permit) => permit,
            Err(_) => {
                return Err(AttemptError::Fatal(ArmError::Config {
                    message: "the ARM client was shut down".into(),
                }))
            }
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let context = Context::new();
        let sent = tokio::time::timeout(
            self.tuning.attempt_timeout,
            self.pipeline.send(
                &context,
                &mut request,
                Some(PipelineSendOptions {
                    skip_checks: true,
                    ..Default::default()
                }),
            ),
        )
        .await;
        let elapsed = started.elapsed();
        let response = match sent {
            Err(_) => {
                let message = format!(
                    "timed out after {} ms",
                    self.tuning.attempt_timeout.as_millis()
                );
                log_failure(outgoing, elapsed, &message);
                return Err(AttemptError::Transport {
                    failure: TransportFailure::AfterSend,
                    message,
                });
            }
            Ok(Err(error)) => {
                let attempt_error = classify_pipeline_error(error);
                if let AttemptError::Transport { message, .. } = &attempt_error {
                    log_failure(outgoing, elapsed, message);
                }
                return Err(attempt_error);
            }
            Ok(Ok(response)) => response,
        };
        let (status, headers, body) = response.deconstruct();
        let body: Bytes = Bytes::copy_from_slice(body.as_ref());
        let request_id = headers
            .get_optional_str(&X_MS_REQUEST_ID)
            .map(str::to_string);
        tracing::debug!(
            method = outgoing.method.as_str(),
            url = %outgoing.url,
            status = u16::from(status),
            duration_ms = elapsed.as_millis() as u64,
            request_id = request_id.as_deref().unwrap_or("-"),
            client_request_id = outgoing.client_request_id,
            "ARM request"
        );
        if tracing::enabled!(tracing::Level::TRACE) {
            if let Some(body) = outgoing.body {
                tracing::trace!(body = %loggable_body(body), "ARM request body");
            }
            tracing::trace!(body = %loggable_body(&body), "ARM response body");
        }
        Ok(Exchange {
            status: status.into(),
            headers,
            body,
            request_id,
        })
    }
}

fn log_failure(outgoing: &Outgoing<'_>, elapsed: Duration, message: &str) {
    tracing::debug!(
        method = outgoing.method.as_str(),
        url = %outgoing.url,
        duration_ms = elapsed.as_millis() as u64,
        client_request_id = outgoing.client_request_id,
        error = %message,
        "ARM request failed"
    );
}

/// A body for `-vv` logs: at most 4 KiB, tokens and secrets redacted.
fn loggable_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let cut: String = text.chars().take(4096).collect();
    redact(&cut)
}

fn classify_pipeline_error(error: azure_core::Error) -> AttemptError {
    let kind = error.kind().clone();
    let error = match error.into_downcast::<ArmError>() {
        Ok(arm_error) => return AttemptError::Fatal(arm_error),
        Err(error) => error,
    };
    let failure = if kind == ErrorKind::Connection {
        TransportFailure::Connect
    } else {
        TransportFailure::AfterSend
    };
    AttemptError::Transport {
        failure,
        message: error_chain(&error),
    }
}

/// An error and its sources, joined, redacted.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    redact(&parts.join(": "))
}

/// Adds `Authorization: Bearer` to each attempt, and refuses any URL a token may not travel to
/// (plain http to a non-loopback host) before asking the credential for a token.
#[derive(Debug)]
struct BearerPolicy {
    tokens: Arc<TokenProvider>,
}

#[async_trait::async_trait]
impl Policy for BearerPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        if !may_carry_token(request.url()) {
            return Err(azure_core::Error::new(
                ErrorKind::Other,
                ArmError::InsecureEndpoint {
                    url: request.url().to_string(),
                },
            ));
        }
        let token = self
            .tokens
            .token()
            .await
            .map_err(|error| azure_core::Error::new(ErrorKind::Credential, error))?;
        request.insert_header(AUTHORIZATION, format!("Bearer {}", token.secret()));
        match next.split_first() {
            Some((first, rest)) => first.send(ctx, request, rest).await,
            None => Err(azure_core::Error::with_message(
                ErrorKind::Other,
                "pipeline has no transport",
            )),
        }
    }
}

/// The shared reqwest client: no redirects (a redirect could carry the token elsewhere),
/// connect timeout, pooled connections.
pub(crate) fn build_http_client() -> Result<reqwest::Client, ArmError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|error| ArmError::Config {
            message: format!("could not build the HTTP client: {}", error_chain(&error)),
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn layer() -> HttpLayer {
        HttpLayer::new(
            build_http_client().unwrap(),
            Arc::new(TokenProvider::fixed("TOKEN-CANARY")),
            2,
            Tuning::loopback(),
        )
    }

    #[tokio::test]
    async fn no_token_goes_over_plain_http_to_a_remote_host() {
        let layer = layer();
        for url in [
            "http://203.0.113.9/subscriptions",
            "http://169.254.169.254/metadata",
        ] {
            let url = Url::parse(url).unwrap();
            let outgoing = Outgoing {
                method: Method::Get,
                url: &url,
                body: None,
                client_request_id: "id",
                if_match: None,
            };
            match layer.attempt(&outgoing).await {
                Err(AttemptError::Fatal(error @ ArmError::InsecureEndpoint { .. })) => {
                    assert!(!format!("{error} {error:?}").contains("TOKEN-CANARY"));
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
        assert_eq!(layer.sent(), 0, "nothing was sent");
    }

    #[tokio::test]
    async fn the_bearer_policy_itself_refuses_plain_http_to_a_remote_host() {
        let layer = layer();
        let mut request = Request::new(Url::parse("http://203.0.113.9/x").unwrap(), Method::Get);
        let error = layer
            .pipeline
            .send(&Context::new(), &mut request, None)
            .await
            .unwrap_err();
        assert!(matches!(
            classify_pipeline_error(error),
            AttemptError::Fatal(ArmError::InsecureEndpoint { .. })
        ));
        assert!(request.headers().get_optional_str(&AUTHORIZATION).is_none());
    }

    #[test]
    fn logged_bodies_are_redacted_and_bounded() {
        let body = format!(
            "{{\"access_token\":\"secret-value\",\"pad\":\"{}\"}}",
            "x".repeat(10_000)
        );
        let logged = loggable_body(body.as_bytes());
        assert!(!logged.contains("secret-value"));
        assert!(logged.len() <= 4200);
    }
}

//! The ARM request pipeline: latency, authentication, throttling, faults, the backend, held
//! answers, the request log and the common response headers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response};
use serde_json::Value;
use time::OffsetDateTime;

use super::response::{self, CommonHeaders};
use super::throttle::Category;
use super::{lock, App, ConnectionKill, LoggedRequest};
use crate::backend::context::{Method, Outcome, Request as ArmRequest};
use crate::backend::dispatch;
use crate::backend::error::ArmError;
use crate::backend::path::percent_decode;

const MAX_BODY: usize = 32 * 1024 * 1024;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn authenticate(headers: &HeaderMap) -> Result<(), ArmError> {
    let Some(value) = header(headers, "authorization") else {
        return Err(ArmError::new(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let token = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
        .map(|_| value[7..].trim());
    match token {
        Some(token) if !token.is_empty() => Ok(()),
        _ => Err(ArmError::new(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )),
    }
}

fn subscription_of(path: &str) -> String {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    match (segments.next(), segments.next()) {
        (Some(first), Some(id)) if first.eq_ignore_ascii_case("subscriptions") => id.to_lowercase(),
        _ => "tenant".to_string(),
    }
}

fn parse_query(raw: &str) -> BTreeMap<String, String> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&name.replace('+', " ")),
                percent_decode(&value.replace('+', " ")),
            )
        })
        .collect()
}

pub async fn handle(State(app): State<Arc<App>>, request: Request) -> Response<Body> {
    let arrival = Instant::now();
    let (parts, body) = request.into_parts();
    let kill = parts.extensions.get::<ConnectionKill>().cloned();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or_default().to_string();
    let method_text = parts.method.as_str().to_string();
    let parsed_body: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let head = method_text == "HEAD";
    let category = Category::of(&method_text);
    let mut remaining = 0;

    if !app.config.latency.is_zero() {
        tokio::time::sleep(app.config.latency).await;
    }

    let mut held = None;
    let outcome: Outcome = 'pipeline: {
        if let Err(error) = authenticate(&parts.headers) {
            break 'pipeline Err(error);
        }
        let subscription = subscription_of(&path);
        match lock(&app.throttle).take(&subscription, category, Instant::now(), app.config.throttle)
        {
            Ok(left) => remaining = left,
            Err(wait) => {
                let mut error = ArmError::new(
                    429,
                    "SubscriptionRequestsThrottled",
                    format!("Number of '{}' requests for subscription '{subscription}' actor '{}' exceeded. Please try again after '{}' seconds after the request.",
                        match category { Category::Reads => "read", Category::Writes => "write", Category::Deletes => "delete" },
                        crate::backend::common::CALLER, wait.ceil().max(1.0)),
                );
                error.retry_after = Some(wait);
                break 'pipeline Err(error);
            }
        }
        let decision = lock(&app.faults).decide(&method_text, &path);
        if decision.drop {
            record(
                &app,
                &method_text,
                &path,
                &raw_query,
                0,
                parsed_body.clone(),
                arrival,
            );
            if let Some(kill) = kill {
                kill.0.notify_one();
            }
            return std::future::pending::<Response<Body>>().await;
        }
        if let Some(error) = decision.respond {
            break 'pipeline Err(error);
        }
        if let Some(delay) = decision.delay {
            tokio::time::sleep(delay).await;
        }
        if !bytes.is_empty() && parsed_body.is_none() {
            break 'pipeline Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: the body is not valid JSON.",
            ));
        }
        let Some(method) = Method::parse(&method_text) else {
            break 'pipeline Err(ArmError::new(
                405,
                "MethodNotAllowed",
                format!("The method '{method_text}' is not supported."),
            ));
        };
        let host = header(&parts.headers, "host")
            .unwrap_or("127.0.0.1")
            .to_string();
        let candidate = decision.fail_lro.as_ref().map(|(id, _)| *id);
        let mut arm_request = ArmRequest {
            method,
            path: path.clone(),
            query: parse_query(&raw_query),
            raw_query: raw_query.clone(),
            body: parsed_body.clone(),
            if_match: header(&parts.headers, "if-match").map(str::to_string),
            if_none_match: header(&parts.headers, "if-none-match").map(str::to_string),
            base_url: format!("{}://{host}", app.scheme),
            now: Instant::now(),
            wall: OffsetDateTime::now_utc(),
            forced_outcome: decision.fail_lro.map(|(_, outcome)| outcome),
            forced_outcome_used: false,
            operation_started: false,
        };
        let outcome = {
            let mut world = lock(&app.world);
            let outcome = dispatch::handle(&mut world, &mut arm_request);
            app.save_if_dirty(&mut world);
            outcome
        };
        lock(&app.faults).settle_fail_lro(
            &method_text,
            &path,
            candidate,
            arm_request.operation_started,
            arm_request.forced_outcome_used,
        );
        if let Ok(reply) = &outcome {
            held = reply.hold;
        }
        outcome
    };
    if let Some(hold) = held {
        tokio::time::sleep(hold).await;
    }

    let status = match &outcome {
        Ok(reply) => reply.status,
        Err(error) => error.status,
    };
    let mut http_response = match &outcome {
        Ok(reply) => response::from_reply(reply, head),
        Err(error) => response::from_error(error, head),
    };
    if status == 401 {
        let tenant = &app.config.tenant_id;
        let value = format!("Bearer authorization_uri=\"https://login.microsoftonline.com/{tenant}\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"");
        if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
            http_response
                .headers_mut()
                .insert("www-authenticate", value);
        }
    }
    response::add_common(
        &mut http_response,
        &CommonHeaders {
            client_request_id: header(&parts.headers, "x-ms-client-request-id"),
            correlation_id: header(&parts.headers, "x-ms-correlation-request-id"),
            ratelimit_header: category.header(),
            ratelimit_remaining: remaining,
        },
    );
    record(
        &app,
        &method_text,
        &path,
        &raw_query,
        status,
        parsed_body,
        arrival,
    );
    http_response
}

fn record(
    app: &App,
    method: &str,
    path: &str,
    query: &str,
    status: u16,
    body: Option<Value>,
    arrival: Instant,
) {
    let entry = LoggedRequest {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        status,
        body: body.unwrap_or(Value::Null),
        time: millis(arrival.saturating_duration_since(app.started)),
        duration_ms: millis(arrival.elapsed()),
    };
    lock(&app.log).push(entry);
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

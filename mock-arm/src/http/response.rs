//! The one adapter from backend answers (`Reply`, `ArmError`) to HTTP responses, plus the
//! headers every ARM response carries.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use serde_json::Value;

use crate::backend::context::Reply;
use crate::backend::error::ArmError;

/// Per-request values for the common ARM headers.
pub struct CommonHeaders<'a> {
    pub client_request_id: Option<&'a str>,
    pub correlation_id: Option<&'a str>,
    pub ratelimit_header: &'static str,
    pub ratelimit_remaining: u64,
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(value)) {
        headers.append(name, value);
    }
}

/// A JSON response (or an empty one) with extra headers.
pub fn build(
    status: u16,
    body: Option<&Value>,
    extra: &[(String, String)],
    head: bool,
) -> Response<Body> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = match body {
        Some(value) if !head => serde_json::to_vec(value).unwrap_or_default(),
        _ => Vec::new(),
    };
    let has_body = body.is_some() && !head;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if has_body {
        insert(headers, "content-type", "application/json; charset=utf-8");
    }
    for (name, value) in extra {
        insert(headers, name, value);
    }
    response
}

pub fn from_reply(reply: &Reply, head: bool) -> Response<Body> {
    build(reply.status, reply.body.as_ref(), &reply.headers, head)
}

pub fn from_error(error: &ArmError, head: bool) -> Response<Body> {
    let mut extra = vec![("x-ms-failure-cause".to_string(), "gateway".to_string())];
    if let Some(seconds) = error.retry_after {
        extra.push((
            "Retry-After".to_string(),
            (seconds.ceil().max(1.0) as u64).to_string(),
        ));
        extra.push((
            "retry-after-ms".to_string(),
            ((seconds * 1000.0).ceil().max(1.0) as u64).to_string(),
        ));
    }
    build(error.status, Some(&error.body()), &extra, head)
}

/// Adds x-ms-request-id, correlation, routing, client request id and rate-limit headers.
pub fn add_common(response: &mut Response<Body>, common: &CommonHeaders<'_>) {
    let headers = response.headers_mut();
    let request_id = uuid::Uuid::new_v4().to_string();
    insert(headers, "x-ms-request-id", &request_id);
    let correlation = common
        .correlation_id
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    insert(headers, "x-ms-correlation-request-id", &correlation);
    insert(
        headers,
        "x-ms-routing-request-id",
        &format!(
            "LOCAL:{}:{request_id}",
            crate::backend::json::timestamp(time::OffsetDateTime::now_utc())
                .replace([':', '-', '.'], "")
        ),
    );
    if let Some(client) = common.client_request_id {
        insert(headers, "x-ms-client-request-id", client);
    }
    insert(
        headers,
        common.ratelimit_header,
        &common.ratelimit_remaining.to_string(),
    );
    insert(headers, "cache-control", "no-cache");
}

//! Record mode: a reverse proxy to an upstream ARM that appends every ARM interaction, sanitized,
//! to a cassette file (rewritten atomically after each one).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use axum::Router;
use serde_json::{json, Value};

use super::{kept_headers, sanitize, Cassette, Interaction};
use crate::http::lock;

const MAX_BODY: usize = 32 * 1024 * 1024;
/// Hop-by-hop and length headers the proxy does not forward.
const SKIPPED: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
];

pub struct Recorder {
    upstream: String,
    cassette_path: PathBuf,
    cassette: Mutex<Cassette>,
    client: reqwest::Client,
}

impl Recorder {
    pub fn new(upstream: &str, cassette_path: PathBuf) -> Recorder {
        Recorder {
            upstream: upstream.trim_end_matches('/').to_string(),
            cassette_path,
            cassette: Mutex::new(Cassette {
                version: 1,
                interactions: Vec::new(),
            }),
            client: reqwest::Client::new(),
        }
    }
}

pub fn router(recorder: Arc<Recorder>) -> Router {
    Router::new().fallback(handle).with_state(recorder)
}

fn error(status: StatusCode, code: &str, message: String) -> Response<Body> {
    let mut response = Response::new(Body::from(
        json!({ "error": { "code": code, "message": message, "details": [] } }).to_string(),
    ));
    *response.status_mut() = status;
    response
}

async fn handle(State(recorder): State<Arc<Recorder>>, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            "The request body could not be read.".into(),
        );
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or_default().to_string();
    let local_base = parts
        .headers
        .get("host")
        .and_then(|host| host.to_str().ok())
        .map(|host| format!("http://{host}"))
        .unwrap_or_default();
    let url = if query.is_empty() {
        format!("{}{path}", recorder.upstream)
    } else {
        format!("{}{path}?{query}", recorder.upstream)
    };
    let Ok(method) = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()) else {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Unsupported method.".into(),
        );
    };
    let mut upstream_request = recorder.client.request(method, &url).body(bytes.to_vec());
    for (name, value) in parts.headers.iter() {
        if !SKIPPED.contains(&name.as_str()) {
            upstream_request = upstream_request.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream_response = match upstream_request.send().await {
        Ok(response) => response,
        Err(failure) => {
            return error(
                StatusCode::BAD_GATEWAY,
                "UpstreamUnreachable",
                format!("The upstream ARM could not be reached: {failure}"),
            )
        }
    };
    let status = upstream_response.status().as_u16();
    let headers: Vec<(String, String)> = upstream_response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.as_str().to_string(),
                value
                    .to_str()
                    .ok()?
                    .replace(&recorder.upstream, &local_base),
            ))
        })
        .collect();
    let response_bytes = upstream_response.bytes().await.unwrap_or_default();
    let response_text =
        String::from_utf8_lossy(&response_bytes).replace(&recorder.upstream, &local_base);

    if !path.starts_with("/_mock") && !path.contains("/oauth2/") {
        let parse = |text: &[u8]| -> Value {
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(text).unwrap_or(Value::Null)
            }
        };
        let mut interaction = Interaction {
            method: parts.method.as_str().to_string(),
            path: path.clone(),
            query,
            request_body: parse(&bytes),
            status,
            response_headers: kept_headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
            response_body: parse(response_text.as_bytes()),
        };
        sanitize(
            &mut interaction,
            &[
                &recorder.upstream,
                &local_base,
                "https://management.azure.com",
            ],
        );
        let mut cassette = lock(&recorder.cassette);
        cassette.interactions.push(interaction);
        let _ = cassette.save(&recorder.cassette_path);
    }

    let mut response = Response::new(Body::from(response_text));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in headers {
        if SKIPPED.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

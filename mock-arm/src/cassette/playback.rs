//! Playback mode: serves a cassette strictly. A request must match a recorded one (method, path,
//! query and body, after the same sanitizing); each recorded mutation answers once, a read may be
//! repeated (polling). Anything else is an error naming the closest recorded request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use axum::Router;
use serde_json::{json, Value};

use super::{sanitize, Cassette, Interaction, BASE_PLACEHOLDER};
use crate::backend::path::percent_decode;
use crate::http::lock;

const MAX_BODY: usize = 32 * 1024 * 1024;

pub struct Player {
    cassette: Cassette,
    used: Mutex<Vec<bool>>,
}

impl Player {
    pub fn new(cassette: Cassette) -> Player {
        let used = vec![false; cassette.interactions.len()];
        Player {
            cassette,
            used: Mutex::new(used),
        }
    }
}

pub fn router(player: Arc<Player>) -> Router {
    Router::new().fallback(handle).with_state(player)
}

fn query_map(raw: &str) -> BTreeMap<String, String> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(name).to_ascii_lowercase(),
                percent_decode(value),
            )
        })
        .collect()
}

/// How well a recorded interaction matches: (method, path, query, body).
fn compare(recorded: &Interaction, wanted: &Interaction) -> (bool, bool, bool, bool) {
    (
        recorded.method.eq_ignore_ascii_case(&wanted.method),
        recorded.path.eq_ignore_ascii_case(&wanted.path),
        query_map(&recorded.query) == query_map(&wanted.query),
        recorded.request_body == wanted.request_body,
    )
}

fn describe(interaction: &Interaction) -> String {
    if interaction.query.is_empty() {
        format!("{} {}", interaction.method, interaction.path)
    } else {
        format!(
            "{} {}?{}",
            interaction.method, interaction.path, interaction.query
        )
    }
}

fn closest(cassette: &Cassette, wanted: &Interaction) -> String {
    let shared_segments = |a: &str, b: &str| {
        a.to_ascii_lowercase()
            .split('/')
            .zip(b.to_ascii_lowercase().split('/'))
            .take_while(|(x, y)| x == y)
            .count()
    };
    let best = cassette.interactions.iter().max_by_key(|recorded| {
        let (method, path, query, body) = compare(recorded, wanted);
        (method as usize) * 10_000
            + shared_segments(&recorded.path, &wanted.path) * 100
            + (path as usize) * 50
            + (query as usize) * 10
            + body as usize
    });
    match best {
        None => "the cassette is empty".to_string(),
        Some(recorded) => {
            let (method, path, query, body) = compare(recorded, wanted);
            let differences: Vec<&str> = [
                (method, "method"),
                (path, "path"),
                (query, "query"),
                (body, "body"),
            ]
            .iter()
            .filter(|(same, _)| !same)
            .map(|(_, name)| *name)
            .collect();
            let note = if differences.is_empty() {
                "already used".to_string()
            } else {
                format!("differs in {}", differences.join(", "))
            };
            format!(
                "the closest recorded request is {} ({note})",
                describe(recorded)
            )
        }
    }
}

async fn handle(State(player): State<Arc<Player>>, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let local_base = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(|h| format!("http://{h}"))
        .unwrap_or_default();
    let mut wanted = Interaction {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        request_body: if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        },
        status: 0,
        response_headers: BTreeMap::new(),
        response_body: Value::Null,
    };
    sanitize(&mut wanted, &[&local_base]);
    let chosen = {
        let mut used = lock(&player.used);
        let matching: Vec<usize> = player
            .cassette
            .interactions
            .iter()
            .enumerate()
            .filter(|(_, recorded)| compare(recorded, &wanted) == (true, true, true, true))
            .map(|(index, _)| index)
            .collect();
        let unused = matching
            .iter()
            .copied()
            .find(|index| !used.get(*index).copied().unwrap_or(true));
        match unused {
            Some(index) => {
                if let Some(flag) = used.get_mut(index) {
                    *flag = true;
                }
                Some(index)
            }
            None if wanted.method.eq_ignore_ascii_case("GET") => matching.last().copied(),
            None => None,
        }
    };
    let Some(recorded) = chosen.and_then(|index| player.cassette.interactions.get(index)) else {
        let message = format!(
            "No recorded interaction matches {}: {}.",
            describe(&wanted),
            closest(&player.cassette, &wanted)
        );
        let mut response = Response::new(Body::from(json!({ "error": { "code": "NoRecordedInteraction", "message": message, "details": [] } }).to_string()));
        *response.status_mut() = StatusCode::NOT_IMPLEMENTED;
        return response;
    };
    let body_text = if recorded.response_body.is_null() {
        String::new()
    } else {
        recorded
            .response_body
            .to_string()
            .replace(BASE_PLACEHOLDER, &local_base)
    };
    let mut response = Response::new(Body::from(body_text.clone()));
    *response.status_mut() =
        StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if !body_text.is_empty() {
        response.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    for (name, value) in &recorded.response_headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(&value.replace(BASE_PLACEHOLDER, &local_base)),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    if let Ok(request_id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-ms-request-id", request_id);
    }
    response
}

//! The `/_mock/*` control API: request log, world state, fault rules, reset and the operation
//! durations table. Control requests are not logged and need no token.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::faults::FaultSpec;
use super::{lock, App};
use crate::backend::durations::{scaled, FIC_WRITE_FLOOR, POLL_INTERVAL_SECONDS};
use crate::backend::durations::{DRAIN_SECONDS_PER_NODE, FORCED_DRAIN_SECONDS_PER_NODE};
use crate::backend::error::ArmError;
use crate::backend::{identity, lro, server_side, snapshot, world::World};

fn bad_request(code: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": { "code": code, "message": message, "details": [] } })),
    )
        .into_response()
}

pub async fn requests(State(app): State<Arc<App>>) -> Response {
    Json(lock(&app.log).clone()).into_response()
}

pub async fn clear_requests(State(app): State<Arc<App>>) -> StatusCode {
    lock(&app.log).clear();
    StatusCode::NO_CONTENT
}

pub async fn state(State(app): State<Arc<App>>) -> Response {
    let mut world = lock(&app.world);
    lro::advance(&mut world, Instant::now(), OffsetDateTime::now_utc());
    let document = snapshot::export(&world);
    app.save_if_dirty(&mut world);
    Json(document).into_response()
}

pub async fn replace_state(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let document: Value = match serde_json::from_slice(&body) {
        Ok(document) => document,
        Err(error) => {
            return bad_request(
                "InvalidState",
                format!("The state document is not valid JSON: {error}"),
            )
        }
    };
    let mut world = lock(&app.world);
    if let Err(error) = snapshot::import(&mut world, &document, false) {
        return bad_request(&error.code, error.message);
    }
    world.dirty = true;
    app.save_if_dirty(&mut world);
    Json(snapshot::export(&world)).into_response()
}

pub async fn faults(State(app): State<Arc<App>>) -> Response {
    Json(json!(lock(&app.faults).rules)).into_response()
}

pub async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(spec) => spec,
        Err(error) => {
            return bad_request(
                "InvalidFault",
                format!("The fault rule is invalid: {error}"),
            )
        }
    };
    match lock(&app.faults).add(spec) {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(message) => bad_request("InvalidFault", message),
    }
}

pub async fn clear_faults(State(app): State<Arc<App>>) -> StatusCode {
    lock(&app.faults).clear();
    StatusCode::NO_CONTENT
}

pub async fn reset(State(app): State<Arc<App>>) -> StatusCode {
    {
        let mut world = lock(&app.world);
        world.clear();
        app.save_if_dirty(&mut world);
    }
    lock(&app.log).clear();
    lock(&app.faults).clear();
    lock(&app.throttle).clear();
    StatusCode::NO_CONTENT
}

pub async fn operations(State(app): State<Arc<App>>) -> Response {
    let mut world = lock(&app.world);
    let now = Instant::now();
    lro::advance(&mut world, now, OffsetDateTime::now_utc());
    let scale = world.settings.time_scale;
    let durations: Vec<Value> = world
        .settings
        .durations
        .entries
        .iter()
        .map(|entry| {
            let mut value = json!(entry);
            value["scaledMs"] = json!(scaled(entry.seconds, scale).as_secs_f64() * 1000.0);
            value
        })
        .collect();
    let mut running: Vec<Value> = world
        .operations
        .all
        .values()
        .map(|operation| {
            json!({
                "id": operation.id,
                "resourceKey": operation.resource_key,
                "resourceType": operation.kind.info().arm_type,
                "action": operation.action.name(),
                "status": operation.status.name(),
                "startMs": operation.started.saturating_duration_since(app.started).as_secs_f64() * 1000.0,
                "durationMs": operation.duration.as_secs_f64() * 1000.0,
            })
        })
        .collect();
    running.sort_by(|a, b| {
        a["startMs"]
            .as_f64()
            .partial_cmp(&b["startMs"].as_f64())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Json(json!({
        "timeScale": scale,
        "pollIntervalMs": scaled(POLL_INTERVAL_SECONDS, scale).as_secs_f64() * 1000.0,
        "federatedCredentialWriteMs": identity::credential_write_window(scale).max(FIC_WRITE_FLOOR).as_secs_f64() * 1000.0,
        "drainSecondsPerNode": DRAIN_SECONDS_PER_NODE,
        "drainSecondsPerNodeIgnoringBudgets": FORCED_DRAIN_SECONDS_PER_NODE,
        "principalNotFoundWindowMs": world.settings.principal_not_found_window.mul_f64(scale).as_secs_f64() * 1000.0,
        "durations": durations,
        "operations": running,
    }))
    .into_response()
}

/// Runs a server-side change on the world with a JSON body; 400 with ARM's error shape on bad
/// input (404 for an unknown resource).
fn server_change(
    app: &App,
    body: &Bytes,
    status: StatusCode,
    change: fn(&mut World, &Value) -> Result<Value, ArmError>,
) -> Response {
    let document: Value = match serde_json::from_slice(body) {
        Ok(document) => document,
        Err(error) => {
            return bad_request(
                "InvalidControlRequest",
                format!("The body is not valid JSON: {error}"),
            )
        }
    };
    let mut world = lock(&app.world);
    lro::advance(&mut world, Instant::now(), OffsetDateTime::now_utc());
    let outcome = change(&mut world, &document);
    app.save_if_dirty(&mut world);
    match outcome {
        Ok(value) => (status, Json(value)).into_response(),
        Err(error) => (
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(error.body()),
        )
            .into_response(),
    }
}

pub async fn taken_names(State(app): State<Arc<App>>) -> Response {
    Json(json!(server_side::taken_names(&lock(&app.world)))).into_response()
}

pub async fn add_taken_name(State(app): State<Arc<App>>, body: Bytes) -> Response {
    server_change(
        &app,
        &body,
        StatusCode::CREATED,
        server_side::add_taken_name,
    )
}

pub async fn clear_taken_names(State(app): State<Arc<App>>) -> StatusCode {
    let mut world = lock(&app.world);
    world.taken_names.clear();
    world.dirty = true;
    app.save_if_dirty(&mut world);
    StatusCode::NO_CONTENT
}

pub async fn autoscale(State(app): State<Arc<App>>, body: Bytes) -> Response {
    server_change(&app, &body, StatusCode::OK, server_side::autoscale)
}

pub async fn auto_upgrade(State(app): State<Arc<App>>, body: Bytes) -> Response {
    server_change(&app, &body, StatusCode::OK, server_side::auto_upgrade)
}

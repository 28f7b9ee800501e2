//! Long-running operations: started by providers, completed lazily from the clock (no background
//! tasks), polled through Azure-AsyncOperation status documents or Location result URLs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::context::{ForcedOutcome, Outcome, Reply, Request};
use super::durations::POLL_INTERVAL_SECONDS;
use super::error::ArmError;
use super::types::Kind;
use super::world::World;
use super::{json, provider, removal, render};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Purge,
    /// A storage account's sku migration (`startAccountMigration`).
    Migrate,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Purge => "purge",
            Action::Migrate => "migrate",
        }
    }
}

/// Which polling headers the first response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polling {
    AsyncOperation,
    Location,
    Both,
}

#[derive(Debug, Clone)]
pub enum Status {
    InProgress,
    Succeeded,
    Failed(ArmError),
    Canceled(ArmError),
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::InProgress => "InProgress",
            Status::Succeeded => "Succeeded",
            Status::Failed(_) => "Failed",
            Status::Canceled(_) => "Canceled",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub subscription: String,
    pub namespace: &'static str,
    pub location: String,
    pub api_version: String,
    /// Lower-case id of the resource (or `subscription/name` for a deleted-vault purge).
    pub resource_key: String,
    pub kind: Kind,
    pub action: Action,
    pub started: Instant,
    pub started_wall: OffsetDateTime,
    pub duration: Duration,
    pub forced: Option<ForcedOutcome>,
    pub status: Status,
    pub ended_wall: Option<OffsetDateTime>,
}

#[derive(Debug, Default)]
pub struct Operations {
    pub all: HashMap<String, Operation>,
    /// Ids of operations not yet completed.
    pub active: Vec<String>,
}

/// What a provider asks for when it starts an operation.
pub struct Start<'a> {
    pub resource_key: &'a str,
    pub kind: Kind,
    pub subscription: &'a str,
    pub location: &'a str,
    pub action: Action,
    pub polling: Polling,
    /// Modelled seconds on top of the durations table (e.g. draining a pool's nodes).
    pub extra_seconds: f64,
}

/// Starts an operation; returns the polling headers for the first response.
pub fn start(world: &mut World, request: &mut Request, start: Start<'_>) -> Vec<(String, String)> {
    let type_name = if start.action == Action::Purge {
        "Microsoft.KeyVault/deletedVaults"
    } else {
        start.kind.arm_type()
    };
    let duration = super::durations::scaled(
        world
            .settings
            .durations
            .seconds(type_name, start.action.name())
            + start.extra_seconds,
        world.settings.time_scale,
    );
    request.operation_started = true;
    let forced = request.forced_outcome.take();
    if forced.is_some() {
        request.forced_outcome_used = true;
    }
    let operation = Operation {
        id: json::guid(),
        subscription: start.subscription.to_string(),
        namespace: start.kind.info().namespace,
        location: json::normalize_location(start.location),
        api_version: request.api_version().to_string(),
        resource_key: start.resource_key.to_string(),
        kind: start.kind,
        action: start.action,
        started: request.now,
        started_wall: request.wall,
        duration,
        forced,
        status: Status::InProgress,
        ended_wall: None,
    };
    let mut headers = Vec::new();
    let status_url = operation_url(&request.base_url, &operation, false);
    let result_url = operation_url(&request.base_url, &operation, true);
    match start.polling {
        Polling::AsyncOperation => headers.push(("Azure-AsyncOperation".to_string(), status_url)),
        Polling::Location => headers.push(("Location".to_string(), result_url)),
        Polling::Both => {
            headers.push(("Azure-AsyncOperation".to_string(), status_url));
            headers.push(("Location".to_string(), result_url));
        }
    }
    headers.extend(retry_headers(world.settings.time_scale, duration));
    world.operations.active.push(operation.id.clone());
    world.operations.all.insert(operation.id.clone(), operation);
    world.dirty = true;
    headers
}

fn operation_url(base_url: &str, operation: &Operation, result: bool) -> String {
    format!(
        "{base_url}/subscriptions/{}/providers/{}/locations/{}/{}/{}?api-version={}",
        operation.subscription,
        operation.namespace,
        operation.location,
        if result {
            "operationresults"
        } else {
            "operations"
        },
        operation.id,
        operation.api_version
    )
}

/// `Retry-After` (whole seconds, at least 1) and `retry-after-ms` (the scaled poll interval).
pub fn retry_headers(time_scale: f64, remaining: Duration) -> Vec<(String, String)> {
    let interval = super::durations::scaled(POLL_INTERVAL_SECONDS, time_scale)
        .min(remaining)
        .max(Duration::from_millis(1));
    let seconds = interval.as_secs_f64().ceil().max(1.0) as u64;
    vec![
        ("Retry-After".to_string(), seconds.to_string()),
        (
            "retry-after-ms".to_string(),
            interval.as_millis().max(1).to_string(),
        ),
    ]
}

/// Completes every operation whose time has come.
pub fn advance(world: &mut World, now: Instant, wall: OffsetDateTime) {
    if world.operations.active.is_empty() {
        return;
    }
    let due: Vec<String> = world
        .operations
        .active
        .iter()
        .filter(|id| {
            world
                .operations
                .all
                .get(*id)
                .is_none_or(|op| op.started + op.duration <= now)
        })
        .cloned()
        .collect();
    if due.is_empty() {
        return;
    }
    world.operations.active.retain(|id| !due.contains(id));
    for id in due {
        complete(world, &id, wall);
    }
}

fn complete(world: &mut World, id: &str, wall: OffsetDateTime) {
    let Some(operation) = world.operations.all.get(id).cloned() else {
        return;
    };
    let status = match &operation.forced {
        Some(forced) if forced.canceled => Status::Canceled(forced.error.clone()),
        Some(forced) => Status::Failed(forced.error.clone()),
        None => Status::Succeeded,
    };
    let key = operation.resource_key.as_str();
    match (&status, operation.action) {
        (Status::Succeeded, Action::Create | Action::Update) => set_state(world, key, "Succeeded"),
        (Status::Succeeded, Action::Delete) => removal::delete_resource(world, key, wall),
        (Status::Succeeded, Action::Purge) => {
            world.deleted_vaults.remove(key);
        }
        (Status::Failed(_), Action::Purge | Action::Migrate)
        | (Status::Canceled(_), Action::Purge | Action::Migrate) => {}
        (Status::Succeeded, Action::Migrate) => {}
        (Status::Failed(_), _) => set_state(world, key, "Failed"),
        (Status::Canceled(_), _) => set_state(world, key, "Canceled"),
        (Status::InProgress, _) => {}
    }
    let succeeded = matches!(status, Status::Succeeded);
    provider::of(operation.kind).on_operation_done(world, key, operation.action, succeeded);
    if let Some(stored) = world.operations.all.get_mut(id) {
        stored.status = status;
        stored.ended_wall = Some(wall);
    }
    world.dirty = true;
}

/// Sets `properties.provisioningState` on a resource and on the resources its type says follow
/// its state (a cluster's pools).
pub fn set_state(world: &mut World, key: &str, state: &str) {
    let followers = world
        .get(key)
        .map(|resource| provider::of(resource.kind).state_followers(world, resource))
        .unwrap_or_default();
    for follower in std::iter::once(key.to_string()).chain(followers) {
        if let Some(resource) = world.get_mut(&follower) {
            json::set(
                json::child(&mut resource.body, "properties"),
                "provisioningState",
                json!(state),
            );
        }
    }
}

/// The running operation on `key` or anything under it. An extension resource's operation (a
/// flux configuration under a cluster) is another resource provider's: it does not hold its
/// parent busy.
pub fn running_on<'a>(world: &'a World, key: &str) -> Option<&'a Operation> {
    let prefix = format!("{key}/");
    world
        .operations
        .active
        .iter()
        .filter_map(|id| world.operations.all.get(id))
        .find(|op| {
            op.resource_key == key
                || (op.resource_key.starts_with(&prefix) && !op.kind.is_extension())
        })
}

/// GET on an `operations/{id}` (status document) or `operationresults/{id}` (Location) URL.
pub fn poll(
    world: &World,
    request: &Request,
    subscription: &str,
    id: &str,
    result: bool,
) -> Outcome {
    let operation = world
        .operations
        .all
        .get(id)
        .filter(|op| op.subscription.eq_ignore_ascii_case(subscription))
        .ok_or_else(|| {
            ArmError::new(
                404,
                "OperationNotFound",
                format!("The operation '{id}' could not be found."),
            )
        })?;
    if result {
        return location_result(world, request, operation);
    }
    Ok(Reply::ok(status_document(operation, request.now)))
}

/// The Azure-AsyncOperation status body.
pub fn status_document(operation: &Operation, now: Instant) -> Value {
    let percent = match operation.status {
        Status::InProgress if operation.duration.is_zero() => 99.0,
        Status::InProgress => {
            let elapsed = now
                .saturating_duration_since(operation.started)
                .as_secs_f64();
            (elapsed / operation.duration.as_secs_f64() * 100.0)
                .clamp(0.0, 99.0)
                .floor()
        }
        _ => 100.0,
    };
    let mut document = json!({
        "id": format!(
            "/subscriptions/{}/providers/{}/locations/{}/operations/{}",
            operation.subscription, operation.namespace, operation.location, operation.id
        ),
        "name": operation.id,
        "status": operation.status.name(),
        "startTime": json::timestamp(operation.started_wall),
        "percentComplete": percent,
    });
    if let Some(ended) = operation.ended_wall {
        document["endTime"] = json!(json::timestamp(ended));
    }
    if let Status::Failed(error) | Status::Canceled(error) = &operation.status {
        document["error"] = error.body()["error"].clone();
    }
    document
}

fn location_result(world: &World, request: &Request, operation: &Operation) -> Outcome {
    match &operation.status {
        Status::InProgress => {
            let remaining =
                (operation.started + operation.duration).saturating_duration_since(request.now);
            let mut reply = Reply::new(202, None).with_header(
                "Location",
                operation_url(&request.base_url, operation, true),
            );
            reply
                .headers
                .extend(retry_headers(world.settings.time_scale, remaining));
            Ok(reply)
        }
        Status::Failed(error) | Status::Canceled(error) => Err(error.clone()),
        Status::Succeeded => match operation.action {
            Action::Create | Action::Update => {
                let body =
                    render::render_key(world, &operation.resource_key, request.api_version())
                        .unwrap_or(Value::Null);
                Ok(Reply::ok(body))
            }
            Action::Delete | Action::Purge | Action::Migrate => Ok(Reply::new(200, None)),
        },
    }
}

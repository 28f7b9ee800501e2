//! Writes every type shares: one operation at a time per resource, starting long-running
//! operations with their polling headers, and synchronous / asynchronous deletes.

use serde_json::{json, Value};

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::lro::{self, Action, Polling, Start};
use super::parents::ensure_parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};

/// A synchronous DELETE: 200 when it existed, 204 when it did not.
pub fn delete_sync(world: &mut World, request: &Request, path: &ResourcePath) -> Outcome {
    if path.kind != Kind::ResourceGroup {
        match ensure_parents(world, path, true) {
            Ok(_) => {}
            Err(error) if error.code == "ParentResourceNotFound" => return Ok(Reply::no_content()),
            Err(error) => return Err(error),
        }
    }
    let key = path.key();
    if !world.contains(&key) {
        return Ok(Reply::no_content());
    }
    super::removal::delete_resource(world, &key, request.wall);
    Ok(Reply::new(200, None))
}

/// 409 OperationNotAllowed when an operation is running on `key` or anything under it.
pub fn ensure_idle(world: &World, key: &str, name: &str) -> Result<(), ArmError> {
    if let Some(operation) = lro::running_on(world, key) {
        return Err(ArmError::conflict(
            "OperationNotAllowed",
            format!(
                "Operation is not allowed because there's an in progress {} {} operation on '{}'. Please wait for it to finish before starting a new operation.",
                operation.action.name(),
                operation.kind.leaf_segment(),
                name
            ),
        ));
    }
    Ok(())
}

/// The resource an asynchronous DELETE targets, or `None` when it or one of its parents is
/// absent (ARM answers 204 then); other parent failures stay errors.
pub fn delete_target(world: &World, path: &ResourcePath) -> Result<Option<Resource>, ArmError> {
    match ensure_parents(world, path, true) {
        Ok(_) => Ok(world.get(&path.key()).cloned()),
        Err(error) if error.status == 404 => Ok(None),
        Err(error) => Err(error),
    }
}

/// An asynchronous DELETE without preconditions: 204 when the resource or a parent is absent,
/// 409 while an operation runs on it, else 202 with the delete operation's polling headers.
pub fn delete_async(
    world: &mut World,
    request: &mut Request,
    path: &ResourcePath,
    polling: Polling,
) -> Outcome {
    let Some(current) = delete_target(world, path)? else {
        return Ok(Reply::no_content());
    };
    let location = current.location().unwrap_or_default().to_string();
    ensure_idle(world, &path.key(), path.name())?;
    start_delete(world, request, path, &location, polling)
}

/// Starts a long-running `action` on the resource at `path` and answers `reply` carrying the
/// operation's polling headers.
pub fn start_operation(
    world: &mut World,
    request: &mut Request,
    path: &ResourcePath,
    location: &str,
    action: Action,
    polling: Polling,
    mut reply: Reply,
) -> Outcome {
    let key = path.key();
    reply.headers = lro::start(
        world,
        request,
        Start {
            resource_key: &key,
            kind: path.kind,
            subscription: &path.subscription,
            location,
            action,
            polling,
        },
    );
    Ok(reply)
}

/// Stores `body` under `parent_key` as Creating (new) or Updating (replacing an existing
/// resource) and starts the PUT's operation; answers 201 or 200 with `shown(&body)`.
pub fn store_and_start_put(
    world: &mut World,
    request: &mut Request,
    path: &ResourcePath,
    parent_key: String,
    mut body: Value,
    replacing: bool,
    shown: fn(&Value) -> Value,
) -> Outcome {
    let (status, action, state) = if replacing {
        (200, Action::Update, "Updating")
    } else {
        (201, Action::Create, "Creating")
    };
    body["properties"]["provisioningState"] = json!(state);
    let location = json::str_at(&body, "/location")
        .unwrap_or_default()
        .to_string();
    world.insert(Resource {
        id: path.id(),
        kind: path.kind,
        parent_key,
        body: body.clone(),
    });
    start_operation(
        world,
        request,
        path,
        &location,
        action,
        Polling::AsyncOperation,
        Reply::new(status, Some(shown(&body))),
    )
}

/// Marks the resource at `path` Deleting, starts its delete operation and answers 202 with the
/// polling headers.
pub fn start_delete(
    world: &mut World,
    request: &mut Request,
    path: &ResourcePath,
    location: &str,
    polling: Polling,
) -> Outcome {
    lro::set_state(world, &path.key(), "Deleting");
    start_operation(
        world,
        request,
        path,
        location,
        Action::Delete,
        polling,
        Reply::new(202, None),
    )
}

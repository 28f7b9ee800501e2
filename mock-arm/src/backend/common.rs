//! Rules every provider shares: envelopes (id, name, type, location, tags, systemData), parent
//! and resource-group checks, naming checks, preconditions, and paged lists.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{Action, Polling, Start};
use super::path::{ListScope, ResourcePath};
use super::render;
use super::types::Kind;
use super::world::{Resource, World};
use super::{json, lro};

/// Who mock-arm says created and modified resources.
pub const CALLER: &str = "mock-arm-client";

/// A compiled pattern; `None` only if the constant pattern is invalid (then nothing matches).
pub fn pattern(source: &str) -> Option<Regex> {
    Regex::new(source).ok()
}

pub fn matches(regex: &LazyLock<Option<Regex>>, text: &str) -> bool {
    regex
        .as_ref()
        .is_some_and(|compiled| compiled.is_match(text))
}

/// The resource group of `path` must exist and not be being deleted.
pub fn ensure_group(world: &World, path: &ResourcePath, for_write: bool) -> Result<(), ArmError> {
    let group = path.group_path();
    let resource = world
        .get(&group.key())
        .ok_or_else(|| ArmError::resource_group_not_found(&path.resource_group))?;
    if for_write && resource.provisioning_state() == Some("Deleting") {
        return Err(ArmError::conflict(
            "ResourceGroupBeingDeleted",
            format!(
                "The resource group '{}' is in deprovisioning state and cannot perform this operation.",
                path.resource_group
            ),
        ));
    }
    Ok(())
}

/// Checks the resource group and every parent of `path`; returns the direct parent's key.
pub fn ensure_parents(
    world: &World,
    path: &ResourcePath,
    for_write: bool,
) -> Result<String, ArmError> {
    ensure_group(world, path, for_write)?;
    let mut ancestors = Vec::new();
    let mut current = path.parent();
    while let Some(parent) = current {
        if parent.kind == Kind::ResourceGroup {
            break;
        }
        current = parent.parent();
        ancestors.push(parent);
    }
    for ancestor in ancestors.iter().rev() {
        if !world.contains(&ancestor.key()) {
            return Err(ArmError::parent_not_found(
                ancestor.kind.arm_type(),
                ancestor.name(),
            ));
        }
    }
    Ok(path.parent().map(|parent| parent.key()).unwrap_or_default())
}

/// The stored resource at `path`, or ARM's 404 for the first missing level.
pub fn existing<'a>(world: &'a World, path: &ResourcePath) -> Result<&'a Resource, ArmError> {
    if path.kind != Kind::ResourceGroup {
        ensure_parents(world, path, false)?;
    }
    world.get(&path.key()).ok_or_else(|| {
        if path.kind == Kind::ResourceGroup {
            ArmError::resource_group_not_found(&path.resource_group)
        } else {
            ArmError::resource_not_found(
                path.kind.arm_type(),
                path.name(),
                Some(&path.resource_group),
            )
        }
    })
}

/// GET of a stored item.
pub fn get(world: &World, request: &Request, path: &ResourcePath) -> Outcome {
    let resource = existing(world, path)?;
    let body =
        render::render_key(world, &resource.key(), request.api_version()).unwrap_or(Value::Null);
    Ok(Reply::ok(body))
}

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

/// The request body as an object, or 400 InvalidRequestContent.
pub fn body_object(request: &Request) -> Result<Value, ArmError> {
    match &request.body {
        Some(Value::Object(_)) => Ok(request.body.clone().unwrap_or(Value::Null)),
        Some(_) => Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: expected a JSON object.",
        )),
        None => Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: the body is empty.",
        )),
    }
}

/// `location` from a tracked resource's PUT body, normalized; 400 LocationRequired if absent.
pub fn required_location(body: &Value) -> Result<String, ArmError> {
    match json::str_at(body, "/location") {
        Some(location) if !location.trim().is_empty() => Ok(json::normalize_location(location)),
        _ => Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

/// A PUT may not move an existing resource.
pub fn ensure_same_location(
    existing: Option<&Resource>,
    location: &str,
    path: &ResourcePath,
) -> Result<(), ArmError> {
    let Some(current) = existing.and_then(Resource::location) else {
        return Ok(());
    };
    if json::normalize_location(current) == location {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceLocation",
        format!(
            "The resource '{}' already exists in location '{current}' in resource group '{}'. A resource with the same name cannot be created in location '{location}'. Please select a new resource name.",
            path.name(),
            path.resource_group
        ),
    ))
}

/// ARM's tag rules: at most 50, names ≤ 512 chars without reserved prefixes, values ≤ 256.
pub fn validate_tags(body: &Value) -> Result<(), ArmError> {
    let Some(tags) = json::at(body, "/tags") else {
        return Ok(());
    };
    let Some(tags) = tags.as_object() else {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The 'tags' property must be an object.",
        ));
    };
    if tags.len() > 50 {
        return Err(ArmError::bad_request(
            "InvalidTagCount",
            format!(
                "The resource has {} tags; at most 50 are allowed.",
                tags.len()
            ),
        ));
    }
    for (name, value) in tags {
        let lower = name.to_lowercase();
        if name.is_empty()
            || name.len() > 512
            || ["microsoft", "azure", "windows"]
                .iter()
                .any(|p| lower.starts_with(p))
        {
            return Err(ArmError::bad_request(
                "InvalidTagNameCharacters",
                format!("The tag name '{name}' is invalid: names are 1-512 characters and may not start with 'microsoft', 'azure' or 'windows'."),
            ));
        }
        if value.as_str().is_some_and(|text| text.len() > 256) {
            return Err(ArmError::bad_request(
                "InvalidTagValueLength",
                format!("The value of tag '{name}' exceeds 256 characters."),
            ));
        }
    }
    Ok(())
}

/// `systemData` for a write: keeps the creation half of `existing`.
pub fn system_data(existing: Option<&Value>, request: &Request) -> Value {
    let now = json::timestamp(request.wall);
    let created = existing.and_then(|body| body.get("systemData"));
    json!({
        "createdBy": created.and_then(|data| data.get("createdBy")).cloned().unwrap_or(json!(CALLER)),
        "createdByType": created.and_then(|data| data.get("createdByType")).cloned().unwrap_or(json!("Application")),
        "createdAt": created.and_then(|data| data.get("createdAt")).cloned().unwrap_or(json!(now)),
        "lastModifiedBy": CALLER,
        "lastModifiedByType": "Application",
        "lastModifiedAt": now,
    })
}

/// Builds the common envelope of a tracked resource: id, name, type, location, tags, systemData.
/// `fields` are the type-specific top-level fields (properties, sku, identity, ...).
pub fn tracked_envelope(
    id: &str,
    path: &ResourcePath,
    location: &str,
    request_body: &Value,
    existing: Option<&Value>,
    request: &Request,
) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert("name".into(), json!(path.name()));
    body.insert("type".into(), json!(path.kind.arm_type()));
    body.insert("location".into(), json!(location));
    let tags = json::at(request_body, "/tags")
        .cloned()
        .unwrap_or_else(|| json!({}));
    body.insert("tags".into(), tags);
    let system = if request.seeding {
        request_body
            .get("systemData")
            .cloned()
            .unwrap_or_else(|| system_data(existing, request))
    } else {
        system_data(existing, request)
    };
    body.insert("systemData".into(), system);
    Value::Object(body)
}

/// Honors `If-Match` / `If-None-Match` against the current eTag (None = resource absent).
pub fn check_preconditions(
    request: &Request,
    current_etag: Option<&str>,
    exists: bool,
) -> Result<(), ArmError> {
    if let Some(if_match) = &request.if_match {
        let wanted = if_match.trim();
        let ok = if wanted == "*" {
            exists
        } else {
            exists
                && current_etag
                    .is_some_and(|etag| json::etag_value(etag) == json::etag_value(wanted))
        };
        if !ok {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                format!(
                    "The If-Match precondition '{wanted}' does not match the current eTag '{}'.",
                    current_etag.unwrap_or("<none>")
                ),
            ));
        }
    }
    if let Some(if_none_match) = &request.if_none_match {
        if exists
            && (if_none_match.trim() == "*"
                || current_etag
                    .is_some_and(|etag| json::etag_value(etag) == json::etag_value(if_none_match)))
        {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                "The If-None-Match precondition failed: the resource already exists.",
            ));
        }
    }
    Ok(())
}

/// Keys of resources in a list scope.
pub fn list(world: &World, request: &Request, kind: Kind, scope: &ListScope) -> Outcome {
    let keys: Vec<String> = match scope {
        ListScope::Subscription(subscription) => {
            let prefix = format!("/subscriptions/{}/", subscription.to_lowercase());
            world
                .of_kind(kind)
                .map(Resource::key)
                .filter(|key| key.starts_with(&prefix))
                .collect()
        }
        ListScope::ResourceGroup(subscription, group) => {
            let group_path = ResourcePath::resource_group(subscription, group);
            if !world.contains(&group_path.key()) {
                return Err(ArmError::resource_group_not_found(group));
            }
            world
                .children(&group_path.key(), kind)
                .into_iter()
                .map(Resource::key)
                .collect()
        }
        ListScope::Parent(parent) => {
            ensure_group(world, parent, false)?;
            if !world.contains(&parent.key()) {
                return Err(ArmError::parent_not_found(
                    parent.kind.arm_type(),
                    parent.name(),
                ));
            }
            world
                .children(&parent.key(), kind)
                .into_iter()
                .map(Resource::key)
                .collect()
        }
    };
    let items: Vec<Value> = keys
        .iter()
        .filter_map(|key| render::render_key(world, key, request.api_version()))
        .collect();
    Ok(page(request, items, world.settings.page_size))
}

/// One page of `items` with an absolute `nextLink` carrying `$skiptoken` when more remain.
pub fn page(request: &Request, items: Vec<Value>, page_size: usize) -> Reply {
    let skip: usize = request
        .query_param("$skiptoken")
        .and_then(|token| token.parse().ok())
        .unwrap_or(0);
    let mut size = page_size.max(1);
    if let Some(top) = request
        .query_param("$top")
        .and_then(|top| top.parse::<usize>().ok())
    {
        size = size.min(top.max(1));
    }
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(size).collect();
    let mut body = json!({ "value": value });
    if skip + size < total {
        let kept: Vec<&str> = request
            .raw_query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                !name.eq_ignore_ascii_case("$skiptoken")
                    && !name.eq_ignore_ascii_case("%24skiptoken")
            })
            .collect();
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        body["nextLink"] = json!(format!(
            "{}{}?{query}$skiptoken={}",
            request.base_url,
            request.path,
            skip + size
        ));
    }
    Reply::ok(body)
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

/// Fresh eTag (GUID).
pub fn new_etag() -> String {
    json::guid()
}

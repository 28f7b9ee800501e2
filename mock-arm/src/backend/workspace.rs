//! Microsoft.OperationalInsights/workspaces (Log Analytics): PUT as a Location-polled LRO
//! (FACTS-2 §1, §10), synchronous PATCH, DELETE as a Location LRO that soft-deletes (the name is
//! held 14 days; a PUT with the same subscription, group, name and location recovers it;
//! `force=true` deletes for good), defaults and read-only fields of the official examples.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::durations::{entry, OperationDuration};
use super::error::ArmError;
use super::json;
use super::lro::{Action, Polling};
use super::parents;
use super::path::ResourcePath;
use super::provider::{self, Provider};
use super::soft_deleted;
use super::types::{Kind, TypeInfo};
use super::world::{Resource, SoftDeleted, World};
use super::writes;

/// The type's entry in `types::TYPES`.
pub const TYPE: TypeInfo = TypeInfo {
    kind: Kind::Workspace,
    namespace: "Microsoft.OperationalInsights",
    segments: &["workspaces"],
    arm_type: "Microsoft.OperationalInsights/workspaces",
    api_versions: &["2026-03-01"],
    seed_rank: 2,
    provider: &Workspaces,
};

/// Modelled durations: every write is a Location-polled operation.
const DURATIONS: &[OperationDuration] = &[
    entry(TYPE.arm_type, "create", 15.0, "location"),
    entry(TYPE.arm_type, "update", 10.0, "location"),
    entry(TYPE.arm_type, "delete", 10.0, "location"),
];

/// The soft-deleted list (`.../deletedWorkspaces`) and the key of a record's body in it.
const DELETED_COLLECTION: &str = "deletedWorkspaces";
const DELETED_BODY_KEY: &str = "workspace";

static WORKSPACE_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[A-Za-z0-9][A-Za-z0-9-]+[A-Za-z0-9]$"));

/// `WorkspaceSkuNameEnum` of the spec.
const SKUS: &[&str] = &[
    "Free",
    "Standard",
    "Premium",
    "PerNode",
    "PerGB2018",
    "Standalone",
    "CapacityReservation",
    "LACluster",
];
/// `PublicNetworkAccessType` of the spec.
const NETWORK_ACCESS: &[&str] = &["Enabled", "Disabled", "SecuredByPerimeter"];
/// How long a deleted workspace holds its name (FACTS-2 §1, REST Workspaces - Delete).
pub const SOFT_DELETE_DAYS: i64 = 14;
/// Retention bounds assumed for every plan but Free (docs/mock-arm.md: assumption).
const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 30..=730;
/// Free workspaces keep data 7 days (assumption, docs/mock-arm.md).
const FREE_RETENTION_DAYS: i64 = 7;

/// Log Analytics answers ids in lower case (both official examples do).
pub fn workspace_id(path: &ResourcePath) -> String {
    path.id_with_group_segment("resourcegroups").to_lowercase()
}

fn validate_name(name: &str) -> Result<(), ArmError> {
    if (4..=63).contains(&name.len()) && common::matches(&WORKSPACE_NAME, name) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidWorkspaceName",
        format!("The workspace name '{name}' is invalid: it must be 4-63 characters of letters, digits and hyphens, starting and ending with a letter or digit."),
    )
    .with_target("workspaceName"))
}

fn invalid_value(field: &str, value: &Value, allowed: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidParameter",
        format!("The value {value} is not valid for '{field}'. {allowed}"),
    )
    .with_target(field)
}

fn one_of(
    properties: &Value,
    pointer: &str,
    field: &str,
    allowed: &[&str],
) -> Result<(), ArmError> {
    match json::at(properties, pointer) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(text)) if allowed.contains(&text.as_str()) => Ok(()),
        Some(other) => Err(invalid_value(
            field,
            other,
            &format!("Allowed values: {}.", allowed.join(", ")),
        )),
    }
}

/// Checks the writable properties the spec types (sku, retention, caps, network access).
fn validate_properties(properties: &Value) -> Result<(), ArmError> {
    if !properties.is_object() {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The 'properties' of a workspace must be an object.",
        ));
    }
    if let Some(sku) = json::at(properties, "/sku") {
        if json::at(sku, "/name").is_none() {
            return Err(ArmError::required("properties.sku.name"));
        }
    }
    one_of(properties, "/sku/name", "properties.sku.name", SKUS)?;
    for field in [
        "publicNetworkAccessForIngestion",
        "publicNetworkAccessForQuery",
    ] {
        one_of(
            properties,
            &format!("/{field}"),
            &format!("properties.{field}"),
            NETWORK_ACCESS,
        )?;
    }
    let sku = json::str_at(properties, "/sku/name").unwrap_or("PerGB2018");
    if let Some(retention) = json::at(properties, "/retentionInDays").filter(|v| !v.is_null()) {
        let days = retention.as_i64().ok_or_else(|| {
            invalid_value(
                "properties.retentionInDays",
                retention,
                "An integer is expected.",
            )
        })?;
        let fine = if sku == "Free" {
            days == FREE_RETENTION_DAYS
        } else {
            RETENTION_DAYS.contains(&days)
        };
        if !fine {
            return Err(invalid_value(
                "properties.retentionInDays",
                retention,
                &format!(
                    "Retention for the '{sku}' plan must be {}.",
                    if sku == "Free" {
                        format!("{FREE_RETENTION_DAYS} days")
                    } else {
                        format!(
                            "between {} and {} days",
                            RETENTION_DAYS.start(),
                            RETENTION_DAYS.end()
                        )
                    }
                ),
            ));
        }
    }
    if let Some(quota) = json::at(properties, "/workspaceCapping/dailyQuotaGb") {
        let fine = quota.as_f64().is_some_and(|gb| gb == -1.0 || gb > 0.0);
        if !fine {
            return Err(invalid_value(
                "properties.workspaceCapping.dailyQuotaGb",
                quota,
                "Use a positive number of GB, or -1 for no cap.",
            ));
        }
    }
    Ok(())
}

/// Midnight UTC after `wall`: when the daily cap resets.
fn next_reset(wall: OffsetDateTime) -> String {
    let midnight = wall
        .replace_time(time::Time::MIDNIGHT)
        .saturating_add(time::Duration::days(1));
    json::timestamp(midnight)
}

/// The body GET returns after a PUT of `input` (`previous`: the stored or recovered body).
fn build(
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    previous: Option<&Value>,
    location: &str,
) -> Result<Value, ArmError> {
    let mut properties = input
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    validate_properties(&properties)?;
    let mut body = common::tracked_envelope(
        &workspace_id(path),
        path,
        location,
        input,
        previous,
        request,
    );
    if let Some(identity) = json::at(input, "/identity") {
        body["identity"] = identity.clone();
    }
    let now = json!(json::timestamp(request.wall));
    let kept = |pointer: &str| previous.and_then(|b| json::at(b, pointer)).cloned();
    // Read-only fields: the client's values are ignored (they come from the stored resource).
    for field in [
        "customerId",
        "provisioningState",
        "createdDate",
        "modifiedDate",
        "privateLinkScopedResources",
    ] {
        json::remove(&mut properties, field);
    }
    properties["customerId"] =
        kept("/properties/customerId").unwrap_or_else(|| json!(json::guid()));
    properties["createdDate"] = kept("/properties/createdDate").unwrap_or_else(|| now.clone());
    properties["modifiedDate"] = now.clone();
    let sku_name = json::str_at(&properties, "/sku/name")
        .or_else(|| previous.and_then(|b| json::str_at(b, "/properties/sku/name")))
        .unwrap_or("PerGB2018")
        .to_string();
    let previous_sku = previous.and_then(|b| json::str_at(b, "/properties/sku/name"));
    let sku_updated = match (previous_sku, kept("/properties/sku/lastSkuUpdate")) {
        (Some(old), Some(stamp)) if old == sku_name => stamp,
        _ => now.clone(),
    };
    let mut sku = properties.get("sku").cloned().unwrap_or_else(|| json!({}));
    sku["name"] = json!(sku_name);
    sku["lastSkuUpdate"] = sku_updated;
    properties["sku"] = sku;
    let retention = if sku_name == "Free" {
        FREE_RETENTION_DAYS
    } else {
        *RETENTION_DAYS.start()
    };
    json::default(&mut properties, "retentionInDays", json!(retention));
    if properties["retentionInDays"].is_null() {
        properties["retentionInDays"] = json!(retention);
    }
    let capping = json::child(&mut properties, "workspaceCapping");
    json::default(capping, "dailyQuotaGb", json!(-1.0));
    capping["quotaNextResetTime"] = json!(next_reset(request.wall));
    capping["dataIngestionStatus"] = json!("RespectQuota");
    json::default(
        &mut properties,
        "publicNetworkAccessForIngestion",
        json!("Enabled"),
    );
    json::default(
        &mut properties,
        "publicNetworkAccessForQuery",
        json!("Enabled"),
    );
    let features = json::child(&mut properties, "features");
    json::default(
        features,
        "enableLogAccessUsingOnlyResourcePermissions",
        json!(true),
    );
    body["properties"] = properties;
    Ok(body)
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    validate_name(path.name())?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let location = common::required_location(&input)?;
    common::validate_tags(&input)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    common::ensure_same_location(existing.as_ref(), &location, path)?;
    if existing.is_some() {
        writes::ensure_idle(world, &key, path.name())?;
    }
    let recovered = match (&existing, soft_deleted::held(world, &key, request.wall)) {
        (None, Some(record)) if record.location != location => {
            return Err(ArmError::conflict(
                "Conflict",
                format!(
                    "A workspace named '{}' was deleted from resource group '{}' on {} and holds its name until {}: recreate it in its original location '{}' to recover it, or delete it with force=true first.",
                    path.name(),
                    path.resource_group,
                    json::timestamp(record.deletion_date),
                    json::timestamp(record.purge_date),
                    record.location
                ),
            ))
        }
        (None, Some(record)) => Some(record.body.clone()),
        _ => None,
    };
    let previous = existing.as_ref().map(|r| &r.body).or(recovered.as_ref());
    let body = build(request, path, &input, previous, &location)?;
    if recovered.is_some() {
        world.soft_deleted.remove(&key);
    }
    let replacing = existing.is_some();
    store_and_start(world, request, path, parent_key, body, replacing)
}

/// Stores the body (Creating/Updating) and answers 202 + Location (FACTS-2 §10).
fn store_and_start(
    world: &mut World,
    request: &mut Request,
    path: &ResourcePath,
    parent_key: String,
    mut body: Value,
    replacing: bool,
) -> Outcome {
    let (action, state) = if replacing {
        (Action::Update, "Updating")
    } else {
        (Action::Create, "Creating")
    };
    body["properties"]["provisioningState"] = json!(state);
    let location = json::str_at(&body, "/location")
        .unwrap_or_default()
        .to_string();
    world.insert(Resource {
        id: workspace_id(path),
        kind: path.kind,
        parent_key,
        body,
    });
    writes::start_operation(
        world,
        request,
        path,
        &location,
        action,
        Polling::Location,
        Reply::new(202, None),
    )
}

/// `Workspaces_Update`: synchronous merge of `tags` and `properties`.
pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    writes::ensure_idle(world, &current.key(), path.name())?;
    let patch = common::body_object(request)?;
    if let Some(location) = json::str_at(&patch, "/location") {
        if json::normalize_location(location) != current.location().unwrap_or_default() {
            return Err(ArmError::bad_request(
                "InvalidResourceLocation",
                "The location of a workspace cannot be changed.",
            ));
        }
    }
    let mut merged = current.body.clone();
    json::merge(&mut merged, &patch);
    common::validate_tags(&merged)?;
    let location = current.location().unwrap_or_default().to_string();
    let mut body = build(request, path, &merged, Some(&current.body), &location)?;
    body["properties"]["provisioningState"] = json!("Succeeded");
    if let Some(resource) = world.get_mut(&current.key()) {
        resource.body = body.clone();
    }
    Ok(Reply::ok(body))
}

/// DELETE: 204 when absent, else 202 + Location; `force=true` releases the name at once.
pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let force = request
        .query_param("force")
        .is_some_and(|value| value.eq_ignore_ascii_case("true"));
    let Some(current) = writes::delete_target(world, path)? else {
        if force {
            world.soft_deleted.remove(&path.key());
        }
        return Ok(Reply::no_content());
    };
    writes::ensure_idle(world, &path.key(), path.name())?;
    if force {
        world.forced_deletes.insert(path.key());
    }
    let location = current.location().unwrap_or_default().to_string();
    writes::start_delete(world, request, path, &location, Polling::Location)
}

/// A workspace from `/_mock/state`: its recorded `customerId` and dates are kept.
fn seed(
    world: &mut World,
    request: &Request,
    path: &ResourcePath,
    given: &Value,
) -> Result<(), ArmError> {
    validate_name(path.name())?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let location = common::required_location(given)?;
    common::validate_tags(given)?;
    let mut body = build(request, path, given, None, &location)?;
    provider::overlay(
        &mut body,
        given,
        &[
            "/properties/customerId",
            "/properties/createdDate",
            "/properties/modifiedDate",
        ],
    );
    provider::store_seeded(world, path, workspace_id(path), parent_key, body, given);
    Ok(())
}

/// The provider hooks of Log Analytics workspaces.
pub struct Workspaces;

impl Provider for Workspaces {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        put(world, request, path)
    }
    fn patch(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        patch(world, request, path)
    }
    fn delete(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        delete(world, request, path)
    }
    fn seed(
        &self,
        world: &mut World,
        request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError> {
        seed(world, request, path, body)
    }
    fn on_removed(&self, world: &mut World, removed: &Resource, wall: OffsetDateTime) {
        soft_deleted::record(world, removed, wall, SOFT_DELETE_DAYS);
    }
    /// A failed forced delete leaves the workspace; a later delete decides anew.
    fn on_operation_done(&self, world: &mut World, key: &str, action: Action, succeeded: bool) {
        if action == Action::Delete && !succeeded {
            world.forced_deletes.remove(key);
        }
    }
    fn durations(&self) -> &'static [OperationDuration] {
        DURATIONS
    }
    fn soft_deleted_collection(&self) -> Option<&'static str> {
        Some(DELETED_COLLECTION)
    }
    fn list_soft_deleted(
        &self,
        world: &World,
        request: &Request,
        subscription: &str,
        group: Option<&str>,
    ) -> Outcome {
        soft_deleted::list(world, request, Kind::Workspace, subscription, group)
    }
    fn soft_deleted_state(&self, deleted: &SoftDeleted) -> Value {
        soft_deleted::state(deleted, DELETED_BODY_KEY)
    }
    fn load_soft_deleted(&self, record: &Value) -> Result<(String, SoftDeleted), ArmError> {
        soft_deleted::load(
            record,
            DELETED_BODY_KEY,
            Kind::Workspace,
            SOFT_DELETE_DAYS,
            workspace_id,
        )
    }
}

//! Microsoft.ContainerRegistry/registries: globally unique names, the full defaults block a GET
//! returns, create/update as Azure-AsyncOperation LROs, delete via Location, name checks.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::lro::Polling;
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;

static REGISTRY_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^[a-zA-Z0-9]{5,50}$"));
const SKUS: &[&str] = &["Basic", "Standard", "Premium", "Classic"];

fn name_problem(name: &str) -> Option<String> {
    (!common::matches(&REGISTRY_NAME, name)).then(|| {
        format!("The registry name '{name}' is invalid: it must be 5-50 alphanumeric characters.")
    })
}

fn taken_elsewhere<'a>(world: &'a World, name: &str, key: &str) -> Option<&'a Resource> {
    world.of_kind(Kind::Registry).find(|registry| {
        registry.key() != key
            && json::str_at(&registry.body, "/name")
                .is_some_and(|other| other.eq_ignore_ascii_case(name))
    })
}

fn defaults(properties: &mut Value) {
    let defaults = [
        ("adminUserEnabled", json!(false)),
        (
            "networkRuleSet",
            json!({ "defaultAction": "Allow", "ipRules": [] }),
        ),
        (
            "policies",
            json!({
                "quarantinePolicy": { "status": "disabled" },
                "trustPolicy": { "type": "Notary", "status": "disabled" },
                "retentionPolicy": { "days": 7, "status": "disabled" },
                "exportPolicy": { "status": "enabled" },
                "azureADAuthenticationAsArmPolicy": { "status": "enabled" },
            }),
        ),
        ("encryption", json!({ "status": "disabled" })),
        ("status", Value::Null),
        ("dataEndpointEnabled", json!(false)),
        ("dataEndpointHostNames", json!([])),
        ("privateEndpointConnections", json!([])),
        ("publicNetworkAccess", json!("Enabled")),
        ("networkRuleBypassOptions", json!("AzureServices")),
        ("networkRuleBypassAllowedForTasks", json!(false)),
        ("zoneRedundancy", json!("Disabled")),
        ("anonymousPullEnabled", json!(false)),
        ("roleAssignmentMode", json!("LegacyRegistryPermissions")),
    ];
    for (key, value) in defaults {
        if key == "status" {
            json::object(properties).entry(key).or_insert(value);
        } else {
            json::default(properties, key, value);
        }
    }
}

fn build(
    world: &World,
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    let location = common::required_location(input)?;
    common::ensure_same_location(existing, &location, path)?;
    common::validate_tags(input)?;
    let sku = json::str_at(input, "/sku/name").ok_or_else(|| ArmError::required("sku.name"))?;
    let sku = SKUS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(sku))
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidSkuName",
                format!(
                    "The SKU '{sku}' is invalid. Allowed values: {}.",
                    SKUS.join(", ")
                ),
            )
        })?;
    let existing_body = existing.map(|resource| &resource.body);
    let mut body =
        common::tracked_envelope(&path.id(), path, &location, input, existing_body, request);
    body["sku"] = json!({ "name": sku, "tier": sku });
    if let Some(identity) = json::at(input, "/identity") {
        body["identity"] =
            identity_with_ids(world, identity, existing_body, &world.settings.tenant_id);
    }
    let mut properties = input
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(previous) = existing_body {
        let old = json::str_at(previous, "/properties/zoneRedundancy").unwrap_or("Disabled");
        let new = json::str_at(&properties, "/zoneRedundancy").unwrap_or(old);
        if !old.eq_ignore_ascii_case(new) {
            return Err(ArmError::property_change_not_allowed(
                "properties.zoneRedundancy",
                &json!(old),
                &json!(new),
            ));
        }
    }
    defaults(&mut properties);
    let keep = |pointer: &str| existing_body.and_then(|b| json::at(b, pointer)).cloned();
    let seeded = |pointer: &str| {
        if request.seeding {
            json::at(input, pointer).cloned()
        } else {
            None
        }
    };
    properties["loginServer"] = seeded("/properties/loginServer")
        .unwrap_or_else(|| json!(format!("{}.azurecr.io", path.name().to_lowercase())));
    properties["creationDate"] = seeded("/properties/creationDate")
        .or_else(|| keep("/properties/creationDate"))
        .unwrap_or_else(|| json!(json::timestamp(request.wall)));
    let retention_updated = seeded("/properties/policies/retentionPolicy/lastUpdatedTime")
        .or_else(|| keep("/properties/policies/retentionPolicy/lastUpdatedTime"))
        .unwrap_or_else(|| json!(json::timestamp(request.wall)));
    json::set(
        json::child(json::child(&mut properties, "policies"), "retentionPolicy"),
        "lastUpdatedTime",
        retention_updated,
    );
    json::remove(&mut properties, "provisioningState");
    body["properties"] = properties;
    Ok(body)
}

/// Adds principalId/tenantId (system) and clientId/principalId (user-assigned) to an identity block.
pub fn identity_with_ids(
    world: &World,
    identity: &Value,
    existing: Option<&Value>,
    tenant: &str,
) -> Value {
    let mut identity = identity.clone();
    let kind = json::str_at(&identity, "/type")
        .unwrap_or("None")
        .to_lowercase();
    if kind.contains("systemassigned") {
        let principal = existing
            .and_then(|body| json::str_at(body, "/identity/principalId"))
            .map(str::to_string)
            .unwrap_or_else(json::guid);
        identity["principalId"] = json!(principal);
        identity["tenantId"] = json!(tenant);
    }
    if let Some(Value::Object(assigned)) = identity.get_mut("userAssignedIdentities") {
        for (id, entry) in assigned.iter_mut() {
            let stored = world.get(&id.to_lowercase());
            let client = stored
                .and_then(|r| json::str_at(&r.body, "/properties/clientId"))
                .map(str::to_string);
            let principal = stored
                .and_then(|r| json::str_at(&r.body, "/properties/principalId"))
                .map(str::to_string);
            *entry = json!({
                "clientId": client.unwrap_or_else(json::guid),
                "principalId": principal.unwrap_or_else(json::guid),
            });
        }
    }
    identity
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if let Some(problem) = name_problem(path.name()) {
        return Err(ArmError::bad_request("InvalidRegistryName", problem));
    }
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let key = path.key();
    if let Some(other) = taken_elsewhere(world, path.name(), &key) {
        let _ = other;
        return Err(ArmError::conflict(
            "AlreadyInUse",
            format!("The registry DNS name {}.azurecr.io is already in use. You can check if the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability", path.name().to_lowercase()),
        ));
    }
    let existing = world.get(&key).cloned();
    if existing.is_some() && !request.seeding {
        writes::ensure_idle(world, &key, path.name())?;
    }
    let mut body = build(world, request, path, &input, existing.as_ref())?;
    if request.seeding {
        let state = json::at(&input, "/properties/provisioningState")
            .cloned()
            .unwrap_or(json!("Succeeded"));
        body["properties"]["provisioningState"] = state;
        world.insert(Resource {
            id: path.id(),
            kind: Kind::Registry,
            parent_key,
            body: body.clone(),
        });
        return Ok(Reply::ok(body));
    }
    writes::store_and_start_put(
        world,
        request,
        path,
        parent_key,
        body,
        existing.is_some(),
        Value::clone,
    )
}

pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    writes::ensure_idle(world, &current.key(), path.name())?;
    let patch = common::body_object(request)?;
    let mut merged = current.body.clone();
    json::merge(&mut merged, &patch);
    if let Some(sku) = json::str_at(&patch, "/sku/name") {
        merged["sku"] = json!({ "name": sku });
    }
    request.body = Some(merged);
    put(world, request, path)
}

pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    writes::delete_async(world, request, path, Polling::Location)
}

/// `POST .../Microsoft.ContainerRegistry/checkNameAvailability`.
pub fn check_name(world: &World, request: &Request) -> Outcome {
    let input = common::body_object(request)?;
    let name = json::str_at(&input, "/name").ok_or_else(|| ArmError::required("name"))?;
    if let Some(problem) = name_problem(name) {
        return Ok(Reply::ok(
            json!({ "nameAvailable": false, "reason": "Invalid", "message": problem }),
        ));
    }
    if taken_elsewhere(world, name, "").is_some() {
        return Ok(Reply::ok(json!({
            "nameAvailable": false,
            "reason": "AlreadyExists",
            "message": format!("The registry {name} is already in use."),
        })));
    }
    Ok(Reply::ok(json!({ "nameAvailable": true })))
}

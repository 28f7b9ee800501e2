//! Microsoft.ContainerRegistry/registries/replications: geo-replicas of a Premium registry.
//! Tracked child resources (location + tags); create/update are Azure-AsyncOperation LROs,
//! delete a Location LRO; `zoneRedundancy` is create-only; the home region and a second replica
//! in one region are refused.

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

static REPLICATION_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-zA-Z0-9]{5,50}$"));
const ZONE_REDUNDANCY: &[&str] = &["Enabled", "Disabled"];

fn validate_name(name: &str) -> Result<(), ArmError> {
    if common::matches(&REPLICATION_NAME, name) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidParameter",
        format!(
            "The replication name '{name}' is invalid: it must be 5-50 alphanumeric characters."
        ),
    )
    .with_target("replicationName"))
}

/// The registry a replication belongs to: it must exist and be Premium.
fn premium_registry<'a>(world: &'a World, path: &ResourcePath) -> Result<&'a Resource, ArmError> {
    let registry_key = parents::ensure_parents(world, path, true)?;
    let registry = world.get(&registry_key).ok_or_else(|| {
        ArmError::parent_not_found(
            Kind::Registry.arm_type(),
            path.names.first().map(String::as_str).unwrap_or_default(),
        )
    })?;
    let sku = json::str_at(&registry.body, "/sku/name").unwrap_or("Basic");
    if !sku.eq_ignore_ascii_case("Premium") {
        return Err(ArmError::bad_request(
            "RegistrySkuNotSupported",
            format!("Geo-replication is only supported for registries in the Premium SKU; registry '{}' is {sku}.", path.names.first().map(String::as_str).unwrap_or_default()),
        ));
    }
    Ok(registry)
}

fn zone_redundancy(input: &Value) -> Result<Option<&'static str>, ArmError> {
    let Some(value) = json::str_at(input, "/properties/zoneRedundancy") else {
        return Ok(None);
    };
    ZONE_REDUNDANCY
        .iter()
        .find(|known| known.eq_ignore_ascii_case(value))
        .copied()
        .map(Some)
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidParameter",
                format!("The zoneRedundancy value '{value}' is invalid. Allowed values: Enabled, Disabled."),
            )
            .with_target("properties.zoneRedundancy")
        })
}

fn build(
    world: &World,
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    let registry = premium_registry(world, path)?;
    let location = common::required_location(input)?;
    common::ensure_same_location(existing, &location, path)?;
    common::validate_tags(input)?;
    let home = registry.location().map(json::normalize_location);
    if home.as_deref() == Some(location.as_str()) {
        return Err(ArmError::bad_request(
            "InvalidReplicationLocation",
            format!("The location '{location}' is the registry's home region; a registry is always served from its home region, so it cannot also be a replication location."),
        )
        .with_target("location"));
    }
    let key = path.key();
    let registry_key = registry.key();
    if let Some(other) = world
        .children(&registry_key, Kind::Replication)
        .into_iter()
        .find(|other| {
            other.key() != key
                && other.location().map(json::normalize_location).as_deref()
                    == Some(location.as_str())
        })
    {
        return Err(ArmError::conflict(
            "ReplicationAlreadyExists",
            format!(
                "The registry already has a replication in location '{location}' ('{}').",
                json::str_at(&other.body, "/name").unwrap_or_default()
            ),
        ));
    }
    let previous = existing.map(|resource| &resource.body);
    let requested_zone = zone_redundancy(input)?;
    let old_zone = previous.and_then(|body| json::str_at(body, "/properties/zoneRedundancy"));
    if let (Some(old), Some(new)) = (old_zone, requested_zone) {
        if !old.eq_ignore_ascii_case(new) {
            return Err(ArmError::property_change_not_allowed(
                "properties.zoneRedundancy",
                &json!(old),
                &json!(new),
            ));
        }
    }
    let mut body = common::tracked_envelope(&path.id(), path, &location, input, previous, request);
    let region_endpoint = json::bool_at(input, "/properties/regionEndpointEnabled")
        .or_else(|| {
            previous.and_then(|body| json::bool_at(body, "/properties/regionEndpointEnabled"))
        })
        .unwrap_or(true);
    let zone = requested_zone.or(old_zone).unwrap_or("Disabled");
    body["properties"] = json!({
        "regionEndpointEnabled": region_endpoint,
        "zoneRedundancy": zone,
        "status": {
            "displayStatus": "Syncing",
            "message": "The replication is being provisioned.",
            "timestamp": json::timestamp(request.wall),
        },
    });
    Ok(body)
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    validate_name(path.name())?;
    let input = common::body_object(request)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    if existing.is_some() && !request.seeding {
        writes::ensure_idle(world, &key, path.name())?;
    }
    let mut body = build(world, request, path, &input, existing.as_ref())?;
    let parent_key = path.parent().map(|parent| parent.key()).unwrap_or_default();
    if request.seeding {
        let state = json::at(&input, "/properties/provisioningState")
            .cloned()
            .unwrap_or(json!("Succeeded"));
        body["properties"]["provisioningState"] = state;
        world.insert(Resource {
            id: path.id(),
            kind: Kind::Replication,
            parent_key,
            body: body.clone(),
        });
        return Ok(Reply::ok(render(&body)));
    }
    writes::store_and_start_put(
        world,
        request,
        path,
        parent_key,
        body,
        existing.is_some(),
        render,
    )
}

/// `PATCH` (ReplicationUpdateParameters): only `tags` and `properties.regionEndpointEnabled`.
pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    writes::ensure_idle(world, &current.key(), path.name())?;
    let patch = common::body_object(request)?;
    let mut merged = current.body.clone();
    if let Some(tags) = patch.get("tags") {
        merged["tags"] = tags.clone();
    }
    if let Some(enabled) = json::at(&patch, "/properties/regionEndpointEnabled") {
        merged["properties"]["regionEndpointEnabled"] = enabled.clone();
    }
    request.body = Some(merged);
    put(world, request, path)
}

pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    writes::delete_async(world, request, path, Polling::Location)
}

/// A replication as GET returns it: `status.displayStatus` follows the provisioning state.
pub fn render(body: &Value) -> Value {
    let mut rendered = body.clone();
    let display = match json::str_at(body, "/properties/provisioningState") {
        Some("Succeeded") => "Ready",
        Some("Failed") | Some("Canceled") => "Failed",
        _ => "Syncing",
    };
    let message = match display {
        "Ready" => "The replication is ready.",
        "Failed" => "The replication failed to provision.",
        _ => "The replication is being provisioned.",
    };
    let status = json::child(json::child(&mut rendered, "properties"), "status");
    json::set(status, "displayStatus", json!(display));
    json::set(status, "message", json!(message));
    rendered
}

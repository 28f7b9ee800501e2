//! Microsoft.Network virtual networks and subnets, learnt from `PUT /_mock/state` only (FACTS-2
//! §5, example `SubnetGet.json`): a VNet with its `subnets` inline (as ARM's VNet GET returns
//! them) and/or subnets as their own resources. GET of either, and lists, answer as ARM does: the
//! VNet shows its current subnets inline; each subnet has id, name, type, etag and properties.
//! Writes are not modelled (aksctl reads networks it does not own).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::Request;
use super::error::ArmError;
use super::path::ResourcePath;
use super::provider::Provider;
use super::types::Kind;
use super::world::{Resource, World};
use super::{json, parents};

/// Subnet (and VNet) names: 1-80 of alphanumerics, `_`, `.`, `-`; start alphanumeric, end
/// alphanumeric or `_` (FACTS-2 §5).
static NETWORK_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$"));

fn validate_name(path: &ResourcePath) -> Result<(), ArmError> {
    if common::matches(&NETWORK_NAME, path.name()) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!("Resource name {} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.", path.name()),
    ))
}

fn etag() -> Value {
    json!(format!("W/\"{}\"", json::guid()))
}

/// A subnet's stored body from a seeded one (inline in a VNet or its own resource).
fn subnet_body(path: &ResourcePath, given: &Value) -> Result<Value, ArmError> {
    let mut properties = given
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if json::at(&properties, "/addressPrefix").is_none()
        && json::at(&properties, "/addressPrefixes").is_none()
    {
        return Err(ArmError::required("properties.addressPrefix"));
    }
    json::default(&mut properties, "provisioningState", json!("Succeeded"));
    json::default(
        &mut properties,
        "privateEndpointNetworkPolicies",
        json!("Disabled"),
    );
    json::default(
        &mut properties,
        "privateLinkServiceNetworkPolicies",
        json!("Enabled"),
    );
    Ok(json!({
        "name": path.name(),
        "id": path.id(),
        "etag": given.get("etag").cloned().unwrap_or_else(etag),
        "type": Kind::Subnet.arm_type(),
        "properties": properties,
    }))
}

fn seed_subnet(world: &mut World, path: &ResourcePath, given: &Value) -> Result<(), ArmError> {
    validate_name(path)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let body = subnet_body(path, given)?;
    world.insert(Resource {
        id: path.id(),
        kind: Kind::Subnet,
        parent_key,
        body,
    });
    Ok(())
}

fn seed_network(world: &mut World, path: &ResourcePath, given: &Value) -> Result<(), ArmError> {
    validate_name(path)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let location = common::required_location(given)?;
    common::validate_tags(given)?;
    let mut properties = given
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let subnets = json::remove(&mut properties, "subnets")
        .and_then(|subnets| subnets.as_array().cloned())
        .unwrap_or_default();
    if json::at(&properties, "/addressSpace/addressPrefixes").is_none() {
        return Err(ArmError::required(
            "properties.addressSpace.addressPrefixes",
        ));
    }
    json::default(&mut properties, "provisioningState", json!("Succeeded"));
    json::default(&mut properties, "resourceGuid", json!(json::guid()));
    json::default(&mut properties, "virtualNetworkPeerings", json!([]));
    json::default(&mut properties, "enableDdosProtection", json!(false));
    let body = json!({
        "name": path.name(),
        "id": path.id(),
        "etag": given.get("etag").cloned().unwrap_or_else(etag),
        "type": Kind::VirtualNetwork.arm_type(),
        "location": location,
        "tags": given.get("tags").cloned().unwrap_or_else(|| json!({})),
        "properties": properties,
    });
    world.insert(Resource {
        id: path.id(),
        kind: Kind::VirtualNetwork,
        parent_key,
        body,
    });
    for subnet in &subnets {
        let name = json::str_at(subnet, "/name")
            .ok_or_else(|| ArmError::required("properties.subnets[].name"))?;
        seed_subnet(world, &path.child(Kind::Subnet, name), subnet)?;
    }
    Ok(())
}

/// The provider hooks of virtual networks (seeded only).
pub struct VirtualNetworks;

impl Provider for VirtualNetworks {
    fn seed(
        &self,
        world: &mut World,
        _request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError> {
        seed_network(world, path, body)
    }

    /// Like ARM's VNet GET: the current subnets inline.
    fn render(&self, world: &World, resource: &Resource) -> Value {
        let mut rendered = resource.body.clone();
        let subnets: Vec<Value> = world
            .children(&resource.key(), Kind::Subnet)
            .into_iter()
            .map(|subnet| subnet.body.clone())
            .collect();
        json::set(
            json::child(&mut rendered, "properties"),
            "subnets",
            Value::Array(subnets),
        );
        rendered
    }
}

/// The provider hooks of subnets (seeded only).
pub struct Subnets;

impl Provider for Subnets {
    fn seed(
        &self,
        world: &mut World,
        _request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError> {
        seed_subnet(world, path, body)
    }
}

//! Microsoft.Network/privateEndpoints and their privateDnsZoneGroups (FACTS-2 §3, examples
//! `PrivateEndpointCreate.json`, `PrivateEndpointDnsZoneGroupGet.json`, api-version 2025-09-01).
//! PUT of either is an Azure-AsyncOperation LRO (201 create, 200 update, with the body), DELETE a
//! Location LRO. An endpoint needs an existing subnet (in its own region) and exactly one
//! connection array; a target mock-arm models must exist and take the group id (`registry`,
//! `vault`, `blob`...). Connections are auto-approved; the service creates the network interface
//! and, for a zone group, the A records it reports in `recordSets`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{Action, Polling};
use super::path::ResourcePath;
use super::provider::{self, Provider};
use super::types::Kind;
use super::world::{Resource, World};
use super::{json, parents, writes};

/// Network resource names (FACTS-2 §5; the private endpoint rule is unverified, §3).
static NETWORK_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$"));

fn validate_name(name: &str) -> Result<(), ArmError> {
    if common::matches(&NETWORK_NAME, name) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!("Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'."),
    ))
}

/// The group ids each modelled target type serves (docs: private-endpoint-dns).
fn group_ids_of(kind: Kind) -> Option<&'static [&'static str]> {
    match kind {
        Kind::Registry => Some(&["registry"]),
        Kind::Vault => Some(&["vault"]),
        Kind::StorageAccount => Some(&[
            "blob",
            "blob_secondary",
            "file",
            "queue",
            "table",
            "dfs",
            "web",
        ]),
        _ => None,
    }
}

/// A referenced resource that does not exist (code unverified, FACTS-2 §3).
fn invalid_reference(id: &str, what: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceReference",
        format!("Resource {id} referenced by {what} was not found."),
    )
}

/// The stored resource with id `id`, when the world holds it.
fn stored<'w>(world: &'w World, id: &str) -> Option<&'w Resource> {
    world.get(&id.to_lowercase())
}

/// A private IP in the subnet's range, stable for an endpoint name whatever the order endpoints
/// are created in: the 5th address on (Azure reserves the first four), at an offset hashed from
/// the endpoint's id, moved on past addresses other endpoints of the subnet hold.
fn private_ip(world: &World, subnet: &Resource, endpoint_id: &str) -> String {
    let prefix = json::str_at(&subnet.body, "/properties/addressPrefix")
        .or_else(|| json::str_at(&subnet.body, "/properties/addressPrefixes/0"))
        .unwrap_or("10.0.0.0/24");
    let base: Vec<u32> = prefix
        .split('/')
        .next()
        .unwrap_or_default()
        .split('.')
        .filter_map(|octet| octet.parse().ok())
        .collect();
    let held: Vec<String> = world
        .of_kind(Kind::PrivateEndpoint)
        .filter(|endpoint| !endpoint.id.eq_ignore_ascii_case(endpoint_id))
        .filter(|endpoint| {
            json::str_at(&endpoint.body, "/properties/subnet/id")
                .is_some_and(|id| id.eq_ignore_ascii_case(&subnet.id))
        })
        .filter_map(|endpoint| {
            json::str_at(
                &endpoint.body,
                "/properties/customDnsConfigs/0/ipAddresses/0",
            )
            .map(str::to_owned)
        })
        .collect();
    let start = base
        .iter()
        .fold(0u32, |acc, octet| (acc << 8) | (octet & 0xff));
    let hash = endpoint_id
        .to_ascii_lowercase()
        .bytes()
        .fold(2_166_136_261u32, |hash, byte| {
            (hash ^ u32::from(byte)).wrapping_mul(16_777_619)
        });
    let format = |address: u32| {
        format!(
            "{}.{}.{}.{}",
            address >> 24,
            (address >> 16) & 0xff,
            (address >> 8) & 0xff,
            address & 0xff
        )
    };
    let mut offset = 4 + hash % 200;
    loop {
        let candidate = format(start.wrapping_add(offset));
        if !held.contains(&candidate) || offset > 250 {
            return candidate;
        }
        offset += 1;
    }
}

/// Checks a connection and completes it as ARM returns it (id, auto-approved state).
fn connection(
    world: &World,
    endpoint_id: &str,
    index: usize,
    given: &Value,
    manual: bool,
) -> Result<Value, ArmError> {
    let name = json::str_at(given, "/name")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("connection{index}"));
    let target = json::str_at(given, "/properties/privateLinkServiceId").ok_or_else(|| {
        ArmError::required(
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
        )
    })?;
    let groups: Vec<String> = json::at(given, "/properties/groupIds")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(message) = json::str_at(given, "/properties/requestMessage") {
        if message.chars().count() > 140 {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                "The requestMessage of a private link service connection is at most 140 characters.",
            ));
        }
    }
    if let Some(resource) = stored(world, target) {
        if let Some(known) = group_ids_of(resource.kind) {
            if groups.len() != 1 || !known.iter().any(|k| k.eq_ignore_ascii_case(&groups[0])) {
                return Err(ArmError::bad_request(
                    "PrivateEndpointBadRequest",
                    format!(
                        "Call to {} failed. Error message: The group id {:?} is not supported; supported group ids: {}.",
                        resource.kind.arm_type(),
                        groups,
                        known.join(", ")
                    ),
                ));
            }
        }
    } else if matches!(
        super::path::parse(target),
        Some(super::path::Target::Item(_))
    ) {
        return Err(invalid_reference(
            target,
            &format!("private endpoint {endpoint_id}"),
        ));
    }
    let status = if manual { "Pending" } else { "Approved" };
    let description = if manual { "" } else { "Auto-approved" };
    let mut properties = given
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    json::set(
        &mut properties,
        "privateLinkServiceConnectionState",
        json!({"status": status, "description": description, "actionsRequired": "None"}),
    );
    json::set(&mut properties, "provisioningState", json!("Succeeded"));
    let collection = if manual {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    Ok(json!({
        "name": name,
        "id": format!("{endpoint_id}/{collection}/{name}"),
        "type": format!("Microsoft.Network/privateEndpoints/{collection}"),
        "etag": format!("W/\"{}\"", json::guid()),
        "properties": properties,
    }))
}

fn connections(
    world: &World,
    endpoint_id: &str,
    input: &Value,
    key: &str,
    manual: bool,
) -> Result<Vec<Value>, ArmError> {
    json::at(input, &format!("/properties/{key}"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, given)| connection(world, endpoint_id, index, given, manual))
        .collect()
}

fn build_endpoint(
    world: &World,
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    let location = common::required_location(input)?;
    common::ensure_same_location(existing, &location, path)?;
    common::validate_tags(input)?;
    let subnet_id = json::str_at(input, "/properties/subnet/id")
        .ok_or_else(|| ArmError::required("properties.subnet.id"))?;
    let previous = existing.map(|resource| &resource.body);
    if let Some(old) = previous.and_then(|body| json::str_at(body, "/properties/subnet/id")) {
        if !old.eq_ignore_ascii_case(subnet_id) {
            return Err(ArmError::property_change_not_allowed(
                "properties.subnet.id",
                &json!(old),
                &json!(subnet_id),
            ));
        }
    }
    let subnet = stored(world, subnet_id)
        .filter(|resource| resource.kind == Kind::Subnet)
        .ok_or_else(|| invalid_reference(subnet_id, &format!("private endpoint {}", path.id())))?;
    let network_location = stored(world, &subnet.parent_key)
        .and_then(Resource::location)
        .map(json::normalize_location);
    if network_location
        .as_deref()
        .is_some_and(|network| network != location)
    {
        return Err(ArmError::bad_request(
            "InvalidResourceLocation",
            format!(
                "Private endpoint {} must be in the location of its virtual network ({}), not {location}.",
                path.id(),
                network_location.unwrap_or_default()
            ),
        ));
    }
    let id = path.id();
    let automatic = connections(world, &id, input, "privateLinkServiceConnections", false)?;
    let manual = connections(
        world,
        &id,
        input,
        "manualPrivateLinkServiceConnections",
        true,
    )?;
    if automatic.len() + manual.len() != 1 {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "A private endpoint needs exactly one privateLinkServiceConnections or manualPrivateLinkServiceConnections entry.",
        ));
    }
    let address = previous
        .and_then(|body| json::str_at(body, "/properties/customDnsConfigs/0/ipAddresses/0"))
        .map(str::to_owned)
        .unwrap_or_else(|| private_ip(world, subnet, &id));
    let nic_name = json::str_at(input, "/properties/customNetworkInterfaceName")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}.nic.{}", path.name(), json::guid()));
    let interfaces = previous
        .and_then(|body| json::at(body, "/properties/networkInterfaces").cloned())
        .unwrap_or_else(|| {
            json!([{"id": format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/networkInterfaces/{nic_name}",
                path.subscription, path.resource_group
            )}])
        });
    let target_fqdn = automatic
        .iter()
        .chain(&manual)
        .find_map(|c| json::str_at(c, "/properties/privateLinkServiceId"))
        .map(|target| target.rsplit('/').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let mut body = common::tracked_envelope(&id, path, &location, input, previous, request);
    body["etag"] = json!(format!("W/\"{}\"", json::guid()));
    body["properties"] = json!({
        "subnet": {"id": subnet_id},
        "privateLinkServiceConnections": automatic,
        "manualPrivateLinkServiceConnections": manual,
        "networkInterfaces": interfaces,
        "customDnsConfigs": json::at(input, "/properties/customDnsConfigs")
            .cloned()
            .unwrap_or_else(|| json!([{"fqdn": target_fqdn, "ipAddresses": [address]}])),
        "applicationSecurityGroups": json::at(input, "/properties/applicationSecurityGroups")
            .cloned()
            .unwrap_or_else(|| json!([])),
        "ipConfigurations": json::at(input, "/properties/ipConfigurations")
            .cloned()
            .unwrap_or_else(|| json!([])),
        "ipVersionType": json::str_at(input, "/properties/ipVersionType").unwrap_or("IPv4"),
    });
    if let Some(custom) = json::str_at(input, "/properties/customNetworkInterfaceName") {
        body["properties"]["customNetworkInterfaceName"] = json!(custom);
    }
    Ok(body)
}

fn put_endpoint(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    validate_name(path.name())?;
    let input = common::body_object(request)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let existing = world.get(&path.key()).cloned();
    if existing.is_some() {
        writes::ensure_idle(world, &path.key(), path.name())?;
    }
    let body = build_endpoint(world, request, path, &input, existing.as_ref())?;
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

/// The A records a zone group writes: the target's name in each zone, at the endpoint's IP.
fn record_sets(endpoint: &Value, zone: &str) -> Value {
    let address = json::str_at(endpoint, "/properties/customDnsConfigs/0/ipAddresses/0")
        .unwrap_or("10.0.0.4");
    let target = json::str_at(
        endpoint,
        "/properties/privateLinkServiceConnections/0/properties/privateLinkServiceId",
    )
    .or_else(|| {
        json::str_at(
            endpoint,
            "/properties/manualPrivateLinkServiceConnections/0/properties/privateLinkServiceId",
        )
    })
    .and_then(|id| id.rsplit('/').next())
    .unwrap_or_default()
    .to_lowercase();
    json!([{
        "recordType": "A",
        "recordSetName": target,
        "fqdn": format!("{target}.{zone}"),
        "ttl": 10,
        "ipAddresses": [address],
        "provisioningState": "Succeeded",
    }])
}

fn build_zone_group(world: &World, path: &ResourcePath, input: &Value) -> Result<Value, ArmError> {
    let endpoint_key = parents::ensure_parents(world, path, true)?;
    let endpoint = world
        .get(&endpoint_key)
        .map(|resource| resource.body.clone())
        .unwrap_or(Value::Null);
    let configs = json::at(input, "/properties/privateDnsZoneConfigs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut stored_configs = Vec::new();
    for (index, config) in configs.iter().enumerate() {
        let zone_id = json::str_at(config, "/properties/privateDnsZoneId").ok_or_else(|| {
            ArmError::required("properties.privateDnsZoneConfigs[].properties.privateDnsZoneId")
        })?;
        let zone = stored(world, zone_id)
            .filter(|resource| resource.kind == Kind::PrivateDnsZone)
            .ok_or_else(|| {
                invalid_reference(zone_id, &format!("private DNS zone group {}", path.id()))
            })?;
        let zone_name = json::str_at(&zone.body, "/name")
            .unwrap_or_default()
            .to_owned();
        let name = json::str_at(config, "/name")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("config{index}"));
        stored_configs.push(json!({
            "name": name,
            "properties": {
                "privateDnsZoneId": zone_id,
                "recordSets": record_sets(&endpoint, &zone_name),
            },
        }));
    }
    Ok(json!({
        "name": path.name(),
        "id": path.id(),
        "type": Kind::PrivateDnsZoneGroup.arm_type(),
        "etag": format!("W/\"{}\"", json::guid()),
        "properties": {"privateDnsZoneConfigs": stored_configs},
    }))
}

fn put_zone_group(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    validate_name(path.name())?;
    let input = common::body_object(request)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    writes::ensure_idle(world, &parent_key, path.name())?;
    let existing = world.contains(&path.key());
    let mut body = build_zone_group(world, path, &input)?;
    // A proxy child: its operation runs in the endpoint's region.
    let location = world
        .get(&parent_key)
        .and_then(Resource::location)
        .unwrap_or_default()
        .to_owned();
    let (status, action, state) = if existing {
        (200, Action::Update, "Updating")
    } else {
        (201, Action::Create, "Creating")
    };
    body["properties"]["provisioningState"] = json!(state);
    world.insert(Resource {
        id: path.id(),
        kind: path.kind,
        parent_key,
        body: body.clone(),
    });
    writes::start_operation(
        world,
        request,
        path,
        &location,
        action,
        Polling::AsyncOperation,
        Reply::new(status, Some(body)),
    )
}

/// The provider hooks of private endpoints.
pub struct PrivateEndpoints;

impl Provider for PrivateEndpoints {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        put_endpoint(world, request, path)
    }
    fn delete(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        writes::delete_async(world, request, path, Polling::Location)
    }
    fn seed(
        &self,
        world: &mut World,
        request: &Request,
        path: &ResourcePath,
        given: &Value,
    ) -> Result<(), ArmError> {
        validate_name(path.name())?;
        let parent_key = parents::ensure_parents(world, path, true)?;
        let mut body = build_endpoint(world, request, path, given, None)?;
        provider::overlay(
            &mut body,
            given,
            &[
                "/etag",
                "/properties/networkInterfaces",
                "/properties/customDnsConfigs",
            ],
        );
        provider::store_seeded(world, path, path.id(), parent_key, body, given);
        Ok(())
    }
}

/// The provider hooks of private DNS zone groups.
pub struct PrivateDnsZoneGroups;

impl Provider for PrivateDnsZoneGroups {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        put_zone_group(world, request, path)
    }
    /// 202 + Location in the endpoint's region; 204 when it (or the endpoint) is absent.
    fn delete(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        let Some(current) = writes::delete_target(world, path)? else {
            return Ok(Reply::no_content());
        };
        writes::ensure_idle(world, &path.key(), path.name())?;
        let location = world
            .get(&current.parent_key)
            .and_then(Resource::location)
            .unwrap_or_default()
            .to_owned();
        writes::start_delete(world, request, path, &location, Polling::Location)
    }
    fn seed(
        &self,
        world: &mut World,
        _request: &Request,
        path: &ResourcePath,
        given: &Value,
    ) -> Result<(), ArmError> {
        validate_name(path.name())?;
        let parent_key = parents::ensure_parents(world, path, true)?;
        let mut body = build_zone_group(world, path, given)?;
        provider::overlay(&mut body, given, &["/etag"]);
        provider::store_seeded(world, path, path.id(), parent_key, body, given);
        Ok(())
    }
}

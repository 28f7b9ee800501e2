//! Microsoft.Network/privateDnsZones and their virtualNetworkLinks (FACTS-2 §4, examples
//! `PrivateZoneGet.json`, `VirtualNetworkLinkPut.json`, api-version 2024-06-01). Both are global
//! tracked resources; PUT and PATCH answer 202 + Location and end in a GET of the resource,
//! DELETE 202 + Location; `If-Match` / `If-None-Match` are honoured. A link needs an existing
//! VNet (one link per VNet and zone); a zone with links cannot be deleted. The zone's counters
//! (record sets, links) are computed from the world.

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

/// Link names: 1-80 of alphanumerics, `_`, `.`, `-`; start alphanumeric, end alphanumeric or `_`.
static LINK_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$"));
/// Zone labels: alphanumerics, `_` and `-`.
static ZONE_LABEL: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^[A-Za-z0-9_-]+$"));

const MAX_RECORD_SETS: u64 = 5000;
const MAX_LINKS: u64 = 100;
const MAX_LINKS_WITH_REGISTRATION: u64 = 50;

fn validate_zone_name(name: &str) -> Result<(), ArmError> {
    let labels: Vec<&str> = name.split('.').collect();
    let ok = (1..=63).contains(&name.len())
        && (2..=34).contains(&labels.len())
        && labels
            .iter()
            .all(|label| common::matches(&ZONE_LABEL, label));
    if ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!("The zone name '{name}' is invalid: 1-63 characters, 2-34 labels of letters, digits, '_' and '-'."),
    ))
}

fn validate_link_name(name: &str) -> Result<(), ArmError> {
    if common::matches(&LINK_NAME, name) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!("The virtual network link name '{name}' is invalid: 1-80 characters of letters, digits, '_', '.' and '-', starting with a letter or digit and ending with one or '_'."),
    ))
}

/// Private DNS resources live in `global` only.
fn global_location(input: &Value) -> Result<&'static str, ArmError> {
    let location = common::required_location(input)?;
    if location != "global" {
        return Err(ArmError::bad_request(
            "InvalidResourceLocation",
            format!(
                "The location '{location}' is not valid for private DNS resources: use 'global'."
            ),
        )
        .with_target("location"));
    }
    Ok("global")
}

fn etag_of(body: &Value) -> Option<&str> {
    json::str_at(body, "/etag")
}

/// Envelope, tags and etag of a zone or link write (preconditions checked first).
fn envelope(
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    let location = global_location(input)?;
    common::validate_tags(input)?;
    common::check_preconditions(
        request,
        existing.and_then(|resource| etag_of(&resource.body)),
        existing.is_some(),
    )?;
    let mut body = common::tracked_envelope(
        &path.id(),
        path,
        location,
        input,
        existing.map(|resource| &resource.body),
        request,
    );
    body["etag"] = json!(json::guid());
    Ok(body)
}

fn build_zone(
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    validate_zone_name(path.name())?;
    let mut body = envelope(request, path, input, existing)?;
    let internal = existing
        .and_then(|resource| json::str_at(&resource.body, "/properties/internalId"))
        .map(str::to_owned)
        .unwrap_or_else(json::guid);
    body["properties"] = json!({
        "maxNumberOfRecordSets": MAX_RECORD_SETS,
        "maxNumberOfVirtualNetworkLinks": MAX_LINKS,
        "maxNumberOfVirtualNetworkLinksWithRegistration": MAX_LINKS_WITH_REGISTRATION,
        "internalId": internal,
    });
    Ok(body)
}

fn build_link(
    world: &World,
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Value, ArmError> {
    validate_link_name(path.name())?;
    let mut body = envelope(request, path, input, existing)?;
    let network = json::str_at(input, "/properties/virtualNetwork/id")
        .ok_or_else(|| ArmError::required("properties.virtualNetwork.id"))?;
    if let Some(old) =
        existing.and_then(|resource| json::str_at(&resource.body, "/properties/virtualNetwork/id"))
    {
        if !old.eq_ignore_ascii_case(network) {
            return Err(ArmError::property_change_not_allowed(
                "properties.virtualNetwork.id",
                &json!(old),
                &json!(network),
            ));
        }
    }
    let known = world
        .get(&network.to_lowercase())
        .is_some_and(|resource| resource.kind == Kind::VirtualNetwork);
    if !known {
        return Err(ArmError::bad_request(
            "InvalidResourceReference",
            format!(
                "Resource {network} referenced by virtual network link {} was not found.",
                path.id()
            ),
        ));
    }
    let zone_key = path.parent().map(|parent| parent.key()).unwrap_or_default();
    if let Some(other) = world
        .children(&zone_key, Kind::VirtualNetworkLink)
        .into_iter()
        .find(|other| {
            other.key() != path.key()
                && json::str_at(&other.body, "/properties/virtualNetwork/id")
                    .is_some_and(|id| id.eq_ignore_ascii_case(network))
        })
    {
        return Err(ArmError::conflict(
            "Conflict",
            format!(
                "A virtual network cannot be linked to the same zone twice: link '{}' already links {network}.",
                json::str_at(&other.body, "/name").unwrap_or_default()
            ),
        ));
    }
    let registration = json::bool_at(input, "/properties/registrationEnabled").unwrap_or(false);
    let resolution = json::str_at(input, "/properties/resolutionPolicy").unwrap_or("Default");
    if !["Default", "NxDomainRedirect"].contains(&resolution) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The resolutionPolicy '{resolution}' is invalid. Allowed values: Default, NxDomainRedirect."),
        )
        .with_target("properties.resolutionPolicy"));
    }
    body["properties"] = json!({
        "virtualNetwork": {"id": network},
        "registrationEnabled": registration,
        "resolutionPolicy": resolution,
        "virtualNetworkLinkState": "Completed",
    });
    Ok(body)
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
    world.insert(Resource {
        id: path.id(),
        kind: path.kind,
        parent_key,
        body,
    });
    writes::start_operation(
        world,
        request,
        path,
        "global",
        action,
        Polling::Location,
        Reply::new(202, None),
    )
}

fn write(world: &mut World, request: &mut Request, path: &ResourcePath, patch: bool) -> Outcome {
    let mut input = common::body_object(request)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let existing = world.get(&path.key()).cloned();
    if existing.is_some() {
        writes::ensure_idle(world, &path.key(), path.name())?;
    }
    if patch {
        let current = existing.as_ref().ok_or_else(|| {
            parents::existing(world, path).err().unwrap_or_else(|| {
                ArmError::resource_not_found(
                    path.kind.arm_type(),
                    path.name(),
                    Some(&path.resource_group),
                )
            })
        })?;
        let mut merged = current.body.clone();
        json::merge(&mut merged, &input);
        input = merged;
    }
    let body = match path.kind {
        Kind::PrivateDnsZone => build_zone(request, path, &input, existing.as_ref())?,
        _ => {
            writes::ensure_idle(world, &parent_key, path.name())?;
            build_link(world, request, path, &input, existing.as_ref())?
        }
    };
    store_and_start(world, request, path, parent_key, body, existing.is_some())
}

/// A zone with links cannot be deleted (FACTS-2 §4; the code is unverified).
fn delete_zone(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let links = world.children(&path.key(), Kind::VirtualNetworkLink).len();
    if links > 0 && world.contains(&path.key()) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The private DNS zone '{}' cannot be deleted because it has {links} virtual network link(s). Remove all virtual network links first.", path.name()),
        ));
    }
    writes::delete_async(world, request, path, Polling::Location)
}

/// Record sets of a zone: its SOA, plus the A records the zone groups pointing at it wrote.
fn record_set_count(world: &World, zone_id: &str) -> u64 {
    let written: usize = world
        .of_kind(Kind::PrivateDnsZoneGroup)
        .flat_map(|group| {
            json::at(&group.body, "/properties/privateDnsZoneConfigs")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter(|config| {
            json::str_at(config, "/properties/privateDnsZoneId")
                .is_some_and(|id| id.eq_ignore_ascii_case(zone_id))
        })
        .count();
    1 + written as u64
}

/// The provider hooks of private DNS zones.
pub struct PrivateDnsZones;

impl Provider for PrivateDnsZones {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        write(world, request, path, false)
    }
    fn patch(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        write(world, request, path, true)
    }
    fn delete(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        delete_zone(world, request, path)
    }
    fn seed(
        &self,
        world: &mut World,
        request: &Request,
        path: &ResourcePath,
        given: &Value,
    ) -> Result<(), ArmError> {
        let parent_key = parents::ensure_parents(world, path, true)?;
        let mut body = build_zone(request, path, given, None)?;
        provider::overlay(&mut body, given, &["/etag", "/properties/internalId"]);
        provider::store_seeded(world, path, path.id(), parent_key, body, given);
        Ok(())
    }
    /// The counters follow the world (links, records written by zone groups).
    fn render(&self, world: &World, resource: &Resource) -> Value {
        let mut rendered = resource.body.clone();
        let links = world.children(&resource.key(), Kind::VirtualNetworkLink);
        let registering = links
            .iter()
            .filter(|link| {
                json::bool_at(&link.body, "/properties/registrationEnabled") == Some(true)
            })
            .count();
        let properties = json::child(&mut rendered, "properties");
        json::set(
            properties,
            "numberOfRecordSets",
            json!(record_set_count(world, &resource.id)),
        );
        json::set(
            properties,
            "numberOfVirtualNetworkLinks",
            json!(links.len()),
        );
        json::set(
            properties,
            "numberOfVirtualNetworkLinksWithRegistration",
            json!(registering),
        );
        rendered
    }
}

/// The provider hooks of virtual network links.
pub struct VirtualNetworkLinks;

impl Provider for VirtualNetworkLinks {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        write(world, request, path, false)
    }
    fn patch(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        write(world, request, path, true)
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
        let parent_key = parents::ensure_parents(world, path, true)?;
        let mut body = build_link(world, request, path, given, None)?;
        provider::overlay(&mut body, given, &["/etag"]);
        provider::store_seeded(world, path, path.id(), parent_key, body, given);
        Ok(())
    }
}

//! Microsoft.ContainerService/managedClusters: create/update as one LRO that covers the pools in
//! `agentPoolProfiles`, the node resource group and kubelet identity, eTags with If-Match, one
//! operation at a time per cluster, and delete that takes the node resource group along.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::cluster_defaults as defaults;
use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{self, Action, Polling, Start};
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;
use super::{agent_pool, identity, json, kubernetes, registry, render, resources};

static CLUSTER_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$"));
static DNS_PREFIX: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-a-zA-Z0-9]{0,52}[a-zA-Z0-9]$"));

fn invalid(message: impl Into<String>, target: &str) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

fn validate_create(properties: &Value) -> Result<(), ArmError> {
    match (json::str_at(properties, "/dnsPrefix"), json::str_at(properties, "/fqdnSubdomain")) {
        (None, None) => return Err(invalid("Either dnsPrefix or fqdnSubdomain must be specified.", "properties.dnsPrefix")),
        (Some(prefix), _) if !common::matches(&DNS_PREFIX, prefix) => {
            return Err(ArmError::bad_request("InvalidDNSPrefix", format!("The DNS prefix '{prefix}' is invalid: 1-54 alphanumerics and hyphens, starting and ending with an alphanumeric.")).with_target("properties.dnsPrefix"))
        }
        _ => {}
    }
    let profiles = json::at(properties, "/agentPoolProfiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !profiles
        .iter()
        .any(|profile| json::str_at(profile, "/mode") == Some("System"))
    {
        return Err(invalid(
            "A managed cluster needs at least one agent pool with mode 'System' in agentPoolProfiles.",
            "properties.agentPoolProfiles",
        ));
    }
    Ok(())
}

fn identity_block(
    world: &World,
    input: &Value,
    previous: Option<&Value>,
    tenant: &str,
    seeding: bool,
) -> Result<Value, ArmError> {
    let service_principal = json::str_at(input, "/properties/servicePrincipalProfile/clientId")
        .is_some_and(|client| !client.eq_ignore_ascii_case("msi"));
    let fallback = if service_principal {
        json!({ "type": "None" })
    } else {
        json!({ "type": "SystemAssigned" })
    };
    let requested = json::at(input, "/identity").cloned().unwrap_or_else(|| {
        previous
            .and_then(|p| p.get("identity").cloned())
            .unwrap_or(fallback)
    });
    if let Some(Value::Object(assigned)) = requested.get("userAssignedIdentities") {
        if assigned.len() > 1 {
            return Err(invalid(
                "At most one user-assigned identity can be used by the control plane.",
                "identity.userAssignedIdentities",
            ));
        }
        for id in assigned.keys() {
            if !seeding && world.get(&id.to_lowercase()).is_none() {
                return Err(invalid(
                    format!("The user assigned identity '{id}' was not found."),
                    "identity.userAssignedIdentities",
                ));
            }
        }
    }
    let mut block = registry::identity_with_ids(world, &requested, previous, tenant);
    if seeding {
        for field in ["principalId", "tenantId"] {
            if let Some(value) = json::at(input, &format!("/identity/{field}")) {
                block[field] = value.clone();
            }
        }
    }
    Ok(block)
}

/// Creates the node resource group and the kubelet identity; returns the kubelet identity block.
fn node_resources(
    world: &mut World,
    request: &Request,
    path: &ResourcePath,
    location: &str,
    node_group: &str,
    requested: Option<&Value>,
) -> Result<Value, ArmError> {
    let group = ResourcePath::resource_group(&path.subscription, node_group);
    resources::ensure_exists(world, request, &group, location, Some(&path.id()));
    if let Some(kubelet) = requested.filter(|k| json::at(k, "/resourceId").is_some()) {
        let id = json::str_at(kubelet, "/resourceId").unwrap_or_default();
        let stored = world.get(&id.to_lowercase());
        if stored.is_none() && json::at(kubelet, "/clientId").is_none() {
            return Err(invalid(
                format!("The kubelet identity '{id}' was not found."),
                "properties.identityProfile.kubeletidentity",
            ));
        }
        let client = stored
            .and_then(|r| json::str_at(&r.body, "/properties/clientId"))
            .map(str::to_string);
        let object = stored
            .and_then(|r| json::str_at(&r.body, "/properties/principalId"))
            .map(str::to_string);
        return Ok(json!({
            "resourceId": id,
            "clientId": client.or_else(|| json::str_at(kubelet, "/clientId").map(str::to_string)).unwrap_or_else(json::guid),
            "objectId": object.or_else(|| json::str_at(kubelet, "/objectId").map(str::to_string)).unwrap_or_else(json::guid),
        }));
    }
    let kubelet_path = ResourcePath::top_level(
        Kind::Identity,
        &path.subscription,
        node_group,
        &format!("{}-agentpool", path.name()),
    );
    let key = kubelet_path.key();
    if world.get(&key).is_none() {
        let mut internal = super::context::Request::internal(
            super::context::Method::Put,
            &kubelet_path.id(),
            "2026-05-31",
            Some(json!({ "location": location })),
        );
        internal.seeding = request.seeding;
        internal.now = request.now;
        identity::put_identity(world, &mut internal, &kubelet_path)?;
    }
    let stored = world.get(&key);
    Ok(json!({
        "resourceId": identity::msi_id(&kubelet_path).replace("/resourcegroups/", "/resourceGroups/"),
        "clientId": stored.and_then(|r| json::str_at(&r.body, "/properties/clientId")).unwrap_or_default(),
        "objectId": stored.and_then(|r| json::str_at(&r.body, "/properties/principalId")).unwrap_or_default(),
    }))
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if !common::matches(&CLUSTER_NAME, path.name()) {
        return Err(invalid(format!("The managed cluster name '{}' is invalid: 1-63 characters of letters, digits, '-' and '_', starting and ending with a letter or digit.", path.name()), "name"));
    }
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    let existing_etag = existing
        .as_ref()
        .and_then(|c| json::str_at(&c.body, "/eTag"))
        .map(str::to_string);
    common::check_preconditions(request, existing_etag.as_deref(), existing.is_some())?;
    if existing.is_some() && !request.seeding {
        writes::ensure_idle(world, &key, path.name())?;
    }
    let location = common::required_location(&input)?;
    common::ensure_same_location(existing.as_ref(), &location, path)?;
    common::validate_tags(&input)?;
    let requested = input
        .get("properties")
        .cloned()
        .ok_or_else(|| ArmError::required("properties"))?;
    let previous_body = existing.as_ref().map(|c| &c.body);
    let previous = previous_body.and_then(|b| b.get("properties"));
    match previous {
        Some(previous) => defaults::check_update(previous, &requested)?,
        None if !request.seeding => validate_create(&requested)?,
        None => {}
    }
    if let (Some(previous), Some(wanted)) = (
        previous,
        json::str_at(&requested, "/kubernetesVersion").filter(|v| !v.is_empty()),
    ) {
        kubernetes::check_upgrade(
            json::str_at(previous, "/currentKubernetesVersion")
                .unwrap_or(kubernetes::DEFAULT_VERSION),
            wanted,
        )?;
    }
    let tenant = world.settings.tenant_id.clone();
    let identity = identity_block(world, &input, previous_body, &tenant, request.seeding)?;
    let mut properties = requested.clone();
    let profiles = json::remove(&mut properties, "agentPoolProfiles")
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default();
    defaults::strip_secrets(&mut properties);
    if !request.seeding {
        for read_only in [
            "provisioningState",
            "currentKubernetesVersion",
            "fqdn",
            "privateFQDN",
            "azurePortalFQDN",
            "resourceUID",
            "maxAgentPools",
            "powerState",
        ] {
            json::remove(&mut properties, read_only);
        }
    }
    // Carry over what the request does not mention (ARM PUT on AKS keeps server-side state).
    if let Some(previous) = previous {
        let mut merged = previous.clone();
        json::remove(&mut merged, "agentPoolProfiles");
        json::merge(&mut merged, &properties);
        properties = merged;
        json::remove(&mut properties, "provisioningState");
    }
    let requested_version = json::str_at(&properties, "/kubernetesVersion").map(str::to_string);
    let (version, current) = match kubernetes::resolve(requested_version.as_deref()) {
        Ok(resolved) => resolved,
        // A seeded world keeps whatever version it was recorded with.
        Err(_) if request.seeding => {
            let version =
                requested_version.unwrap_or_else(|| kubernetes::DEFAULT_VERSION.to_string());
            (version.clone(), version)
        }
        Err(error) => return Err(error),
    };
    properties["kubernetesVersion"] = json!(version);
    if !request.seeding || json::at(&properties, "/currentKubernetesVersion").is_none() {
        properties["currentKubernetesVersion"] = json!(current);
    }
    let node_group = json::str_at(&properties, "/nodeResourceGroup")
        .map(str::to_string)
        .unwrap_or_else(|| format!("MC_{}_{}_{}", path.resource_group, path.name(), location));
    properties["nodeResourceGroup"] = json!(node_group);
    let node_group_id = ResourcePath::resource_group(&path.subscription, &node_group).id();
    let managed_identity =
        json::str_at(&identity, "/type").is_some_and(|t| !t.eq_ignore_ascii_case("None"));
    defaults::profile_defaults(&mut properties, managed_identity);
    defaults::network_defaults(&mut properties, &node_group_id, previous);
    defaults::addon_identities(&mut properties, &node_group_id, path.name(), previous);
    if previous.is_none() && (json::at(&properties, "/fqdn").is_none() || !request.seeding) {
        defaults::fqdns(&mut properties, &location);
    }
    json::default(&mut properties, "resourceUID", json!(json::random_hex(24)));
    let oidc_enabled = json::bool_at(&properties, "/oidcIssuerProfile/enabled") == Some(true);
    if oidc_enabled && json::at(&properties, "/oidcIssuerProfile/issuerURL").is_none() {
        properties["oidcIssuerProfile"]["issuerURL"] =
            json!(defaults::issuer_url(&location, &tenant));
    }
    if !oidc_enabled {
        json::remove(
            json::child(&mut properties, "oidcIssuerProfile"),
            "issuerURL",
        );
    }
    let kubelet_request = json::at(&requested, "/identityProfile/kubeletidentity")
        .cloned()
        .or_else(|| {
            previous
                .and_then(|p| json::at(p, "/identityProfile/kubeletidentity"))
                .cloned()
        });
    let preliminary_state = json::at(&requested, "/provisioningState")
        .and_then(Value::as_str)
        .unwrap_or("Succeeded")
        .to_string();
    let pools = prepare_profiles(
        world,
        request,
        path,
        &profiles,
        &properties,
        &preliminary_state,
    )?;
    let kubelet = node_resources(
        world,
        request,
        path,
        &location,
        &node_group,
        kubelet_request.as_ref(),
    )?;
    properties["identityProfile"] = json!({ "kubeletidentity": kubelet });
    let mut body =
        common::tracked_envelope(&path.id(), path, &location, &input, previous_body, request);
    body["sku"] = json::at(&input, "/sku")
        .cloned()
        .or_else(|| previous_body.and_then(|b| b.get("sku").cloned()))
        .unwrap_or_else(|| json!({ "name": "Base", "tier": "Free" }));
    for field in ["kind", "extendedLocation"] {
        if let Some(value) = json::at(&input, &format!("/{field}")) {
            body[field] = value.clone();
        }
    }
    if !json::str_at(&identity, "/type").is_some_and(|kind| kind.eq_ignore_ascii_case("None")) {
        body["identity"] = identity.clone();
    }
    if identity.get("principalId").is_some() && previous.is_none() && !request.seeding {
        if let Some(principal) = json::str_at(&identity, "/principalId") {
            world.register_principal(principal, request.now);
        }
    }
    body["eTag"] = if request.seeding {
        json::at(&input, "/eTag")
            .cloned()
            .unwrap_or_else(|| json!(common::new_etag()))
    } else {
        json!(common::new_etag())
    };
    let (status, action, state) = match (&existing, request.seeding) {
        (_, true) => (
            200,
            Action::Update,
            json::at(&requested, "/provisioningState")
                .and_then(Value::as_str)
                .unwrap_or("Succeeded")
                .to_string(),
        ),
        (Some(_), false) => (200, Action::Update, "Updating".to_string()),
        (None, false) => (201, Action::Create, "Creating".to_string()),
    };
    properties["provisioningState"] = json!(state);
    body["properties"] = properties.clone();
    world.insert(Resource {
        id: path.id(),
        kind: Kind::ManagedCluster,
        parent_key,
        body,
    });
    for (pool_path, pool_properties) in pools {
        let pool = agent_pool::pool_body(&pool_path, pool_properties);
        world.insert(Resource {
            id: pool_path.id(),
            kind: Kind::AgentPool,
            parent_key: key.clone(),
            body: pool,
        });
    }
    let rendered = render::render_key(world, &key, request.api_version()).unwrap_or(Value::Null);
    if request.seeding {
        return Ok(Reply::ok(rendered));
    }
    writes::start_operation(
        world,
        request,
        path,
        &location,
        action,
        Polling::AsyncOperation,
        Reply::new(status, Some(rendered)),
    )
}

/// Normalizes the pools named in `agentPoolProfiles` (matched by name) without storing them.
fn prepare_profiles(
    world: &World,
    request: &Request,
    path: &ResourcePath,
    profiles: &[Value],
    cluster_properties: &Value,
    state: &str,
) -> Result<Vec<(ResourcePath, Value)>, ArmError> {
    let cluster_key = path.key();
    let mut pending: Vec<(ResourcePath, Value)> = Vec::new();
    for profile in profiles {
        let name = json::str_at(profile, "/name").ok_or_else(|| {
            invalid(
                "Every agentPoolProfiles entry needs a name.",
                "properties.agentPoolProfiles.name",
            )
        })?;
        agent_pool::validate_name(name, json::str_at(profile, "/osType").unwrap_or("Linux"))?;
        let pool_path = path.child(Kind::AgentPool, name);
        if pending
            .iter()
            .any(|(other, _)| other.key() == pool_path.key())
        {
            return Err(invalid(
                format!("Agent pool name '{name}' is used more than once."),
                "properties.agentPoolProfiles.name",
            ));
        }
        let previous = world
            .get(&pool_path.key())
            .and_then(|pool| pool.body.get("properties").cloned());
        let mut properties =
            agent_pool::normalize(profile, cluster_properties, previous.as_ref(), request)?;
        let pool_state = match (request.seeding, previous.is_some()) {
            (true, _) => json::str_at(profile, "/provisioningState")
                .unwrap_or(state)
                .to_string(),
            (false, true) => "Updating".to_string(),
            (false, false) => "Creating".to_string(),
        };
        properties["provisioningState"] = json!(pool_state);
        pending.push((pool_path, properties));
    }
    if !request.seeding {
        let pending_keys: Vec<String> = pending.iter().map(|(p, _)| p.key()).collect();
        let untouched_system = world
            .children(&cluster_key, Kind::AgentPool)
            .iter()
            .any(|pool| {
                !pending_keys.contains(&pool.key())
                    && json::str_at(&pool.body, "/properties/mode") == Some("System")
            });
        let pending_system = pending
            .iter()
            .any(|(_, p)| json::str_at(p, "/mode") == Some("System"));
        if !untouched_system && !pending_system {
            return Err(invalid(
                "A managed cluster needs at least one System agent pool.",
                "properties.agentPoolProfiles",
            ));
        }
    }
    Ok(pending)
}

/// PATCH updates tags only (TagsObject).
pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    common::check_preconditions(request, json::str_at(&current.body, "/eTag"), true)?;
    writes::ensure_idle(world, &current.key(), path.name())?;
    let input = common::body_object(request)?;
    common::validate_tags(&input)?;
    let key = current.key();
    let location = current.location().unwrap_or_default().to_string();
    if let Some(resource) = world.get_mut(&key) {
        if let Some(tags) = input.get("tags") {
            resource.body["tags"] = tags.clone();
        }
        resource.body["eTag"] = json!(common::new_etag());
        resource.body["systemData"] = common::system_data(Some(&current.body), request);
    }
    lro::set_state(world, &key, "Updating");
    let headers = lro::start(
        world,
        request,
        Start {
            resource_key: &key,
            kind: Kind::ManagedCluster,
            subscription: &path.subscription,
            location: &location,
            action: Action::Update,
            polling: Polling::AsyncOperation,
        },
    );
    let body = render::render_key(world, &key, request.api_version()).unwrap_or(Value::Null);
    let mut reply = Reply::ok(body);
    reply.headers = headers;
    Ok(reply)
}

pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let Some(current) = writes::delete_target(world, path)? else {
        return Ok(Reply::no_content());
    };
    let key = path.key();
    common::check_preconditions(request, json::str_at(&current.body, "/eTag"), true)?;
    writes::ensure_idle(world, &key, path.name())?;
    let location = current.location().unwrap_or_default().to_string();
    writes::start_delete(world, request, path, &location, Polling::Both)
}

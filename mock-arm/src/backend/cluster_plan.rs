//! Working out a managed cluster write without touching the world (`plan`: the stored body,
//! its pools, defaults, identities) and storing it (`commit`: node resource group, kubelet
//! identity, cluster and pools). Used by both the request path and seeding.

use serde_json::{json, Value};

use super::cluster_defaults as defaults;
use super::common;
use super::context::Request;
use super::error::ArmError;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};
use super::{agent_pool, identity, json, kubernetes, pool_properties, registry, resources};

fn invalid(message: impl Into<String>, target: &str) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

/// A user-assigned control-plane identity must exist (request path only).
pub fn check_identities(world: &World, input: &Value) -> Result<(), ArmError> {
    let Some(Value::Object(assigned)) = json::at(input, "/identity/userAssignedIdentities") else {
        return Ok(());
    };
    if assigned.len() > 1 {
        return Err(invalid(
            "At most one user-assigned identity can be used by the control plane.",
            "identity.userAssignedIdentities",
        ));
    }
    for id in assigned.keys() {
        if world.get(&id.to_lowercase()).is_none() {
            return Err(invalid(
                format!("The user assigned identity '{id}' was not found."),
                "identity.userAssignedIdentities",
            ));
        }
    }
    Ok(())
}

fn identity_block(world: &World, input: &Value, previous: Option<&Value>, tenant: &str) -> Value {
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
    registry::identity_with_ids(world, &requested, previous, tenant)
}

/// Creates the node resource group and the kubelet identity; returns the kubelet identity block
/// and the principal of a kubelet identity created now.
fn node_resources(
    world: &mut World,
    request: &Request,
    path: &ResourcePath,
    location: &str,
    node_group: &str,
    requested: Option<&Value>,
) -> Result<(Value, Option<String>), ArmError> {
    let group = ResourcePath::resource_group(&path.subscription, node_group);
    resources::ensure_exists(world, &group, location, Some(&path.id()));
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
        let block = json!({
            "resourceId": id,
            "clientId": client.or_else(|| json::str_at(kubelet, "/clientId").map(str::to_string)).unwrap_or_else(json::guid),
            "objectId": object.or_else(|| json::str_at(kubelet, "/objectId").map(str::to_string)).unwrap_or_else(json::guid),
        });
        return Ok((block, None));
    }
    let kubelet_path = ResourcePath::top_level(
        Kind::Identity,
        &path.subscription,
        node_group,
        &format!("{}-agentpool", path.name()),
    );
    let created = identity::ensure_identity(world, request, &kubelet_path, location)?;
    let stored = world.get(&kubelet_path.key());
    let object = stored
        .and_then(|r| json::str_at(&r.body, "/properties/principalId"))
        .unwrap_or_default()
        .to_string();
    let block = json!({
        "resourceId": identity::msi_id(&kubelet_path).replace("/resourcegroups/", "/resourceGroups/"),
        "clientId": stored.and_then(|r| json::str_at(&r.body, "/properties/clientId")).unwrap_or_default(),
        "objectId": object,
    });
    Ok((block, created.then_some(object)))
}

/// A cluster write worked out without touching the world: the cluster body (pools not inlined,
/// no provisioning state) and its normalized pools.
pub struct Planned {
    pub body: Value,
    pub pools: Vec<(ResourcePath, Value)>,
    pub location: String,
    pub node_group: String,
    pub kubelet_request: Option<Value>,
}

/// Works out the stored cluster and pools for a PUT of `input` over `existing`.
pub fn plan(
    world: &World,
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
) -> Result<Planned, ArmError> {
    let location = common::required_location(input)?;
    common::ensure_same_location(existing, &location, path)?;
    common::validate_tags(input)?;
    let requested = input
        .get("properties")
        .cloned()
        .ok_or_else(|| ArmError::required("properties"))?;
    let previous_body = existing.map(|c| &c.body);
    let previous = previous_body.and_then(|b| b.get("properties"));
    if let Some(previous) = previous {
        defaults::check_update(previous, &requested)?;
    }
    let tenant = world.settings.tenant_id.clone();
    let identity = identity_block(world, input, previous_body, &tenant);
    let mut properties = requested.clone();
    let profiles = json::remove(&mut properties, "agentPoolProfiles")
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default();
    defaults::strip_secrets(&mut properties);
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
    // Carry over what the request does not mention (ARM PUT on AKS keeps server-side state).
    if let Some(previous) = previous {
        let mut merged = previous.clone();
        json::remove(&mut merged, "agentPoolProfiles");
        json::remove(&mut merged, "provisioningState");
        json::merge(&mut merged, &properties);
        properties = merged;
    }
    // The request path refuses unsupported versions first; a seeded world keeps its own.
    let requested_version = json::str_at(&properties, "/kubernetesVersion").map(str::to_string);
    let (version, current) =
        kubernetes::resolve(requested_version.as_deref()).unwrap_or_else(|_| {
            let version =
                requested_version.unwrap_or_else(|| kubernetes::DEFAULT_VERSION.to_string());
            (version.clone(), version)
        });
    properties["kubernetesVersion"] = json!(version);
    properties["currentKubernetesVersion"] = json!(current);
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
    if previous.is_none() {
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
    let pools = prepare_profiles(world, path, &profiles, &properties)?;
    let mut body =
        common::tracked_envelope(&path.id(), path, &location, input, previous_body, request);
    body["sku"] = json::at(input, "/sku")
        .cloned()
        .or_else(|| previous_body.and_then(|b| b.get("sku").cloned()))
        .unwrap_or_else(|| json!({ "name": "Base", "tier": "Free" }));
    for field in ["kind", "extendedLocation"] {
        if let Some(value) = json::at(input, &format!("/{field}")) {
            body[field] = value.clone();
        }
    }
    if !json::str_at(&identity, "/type").is_some_and(|kind| kind.eq_ignore_ascii_case("None")) {
        body["identity"] = identity;
    }
    body["eTag"] = json!(common::new_etag());
    body["properties"] = properties;
    Ok(Planned {
        body,
        pools,
        location,
        node_group,
        kubelet_request,
    })
}

/// Stores a planned cluster (with `state`) and its pools, creating the node resource group and
/// kubelet identity; returns the principal of a kubelet identity created now.
pub fn commit(
    world: &mut World,
    request: &Request,
    path: &ResourcePath,
    parent_key: String,
    mut planned: Planned,
    state: &str,
) -> Result<Option<String>, ArmError> {
    let (kubelet, created) = node_resources(
        world,
        request,
        path,
        &planned.location,
        &planned.node_group,
        planned.kubelet_request.as_ref(),
    )?;
    planned.body["properties"]["identityProfile"] = json!({ "kubeletidentity": kubelet });
    planned.body["properties"]["provisioningState"] = json!(state);
    let key = path.key();
    world.insert(Resource {
        id: path.id(),
        kind: Kind::ManagedCluster,
        parent_key,
        body: planned.body,
    });
    for (pool_path, pool_properties) in planned.pools {
        let pool = agent_pool::pool_body(&pool_path, pool_properties);
        world.insert(Resource {
            id: pool_path.id(),
            kind: Kind::AgentPool,
            parent_key: key.clone(),
            body: pool,
        });
    }
    Ok(created)
}

/// Normalizes the pools named in `agentPoolProfiles` (matched by name) without storing them.
fn prepare_profiles(
    world: &World,
    path: &ResourcePath,
    profiles: &[Value],
    cluster_properties: &Value,
) -> Result<Vec<(ResourcePath, Value)>, ArmError> {
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
        let properties =
            pool_properties::normalize(profile, cluster_properties, previous.as_ref())?;
        pending.push((pool_path, properties));
    }
    Ok(pending)
}

/// A cluster write must leave at least one System pool (those it sends or those it keeps).
pub fn ensure_system_pool(
    world: &World,
    cluster_key: &str,
    pending: &[(ResourcePath, Value)],
) -> Result<(), ArmError> {
    let pending_keys: Vec<String> = pending.iter().map(|(p, _)| p.key()).collect();
    let untouched_system = world
        .children(cluster_key, Kind::AgentPool)
        .iter()
        .any(|pool| {
            !pending_keys.contains(&pool.key())
                && json::str_at(&pool.body, "/properties/mode") == Some("System")
        });
    let pending_system = pending
        .iter()
        .any(|(_, p)| json::str_at(p, "/mode") == Some("System"));
    if !untouched_system && !pending_system {
        return Err(ArmError::bad_request(
            "MustDefineAtLeastOneSystemPool",
            "Must define at least one system pool.",
        )
        .with_target("properties.agentPoolProfiles"));
    }
    Ok(())
}

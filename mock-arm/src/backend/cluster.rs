//! Microsoft.ContainerService/managedClusters: create/update as one LRO that covers the pools in
//! `agentPoolProfiles`, the node resource group and kubelet identity, eTags with If-Match, one
//! operation at a time per cluster, and delete that takes the node resource group along.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::cluster_defaults as defaults;
use super::cluster_plan::{check_identities, commit, ensure_system_pool, plan};
use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{self, Action, Polling, Start};
use super::parents;
use super::path::ResourcePath;
use super::provider::{self, Provider};
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;
use super::{json, kubernetes, pool_properties, removal, render};

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
        return Err(ArmError::bad_request(
            "MustDefineAtLeastOneSystemPool",
            "Must define at least one system pool.",
        )
        .with_target("properties.agentPoolProfiles"));
    }
    Ok(())
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    validate_name(path)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    let existing_etag = existing
        .as_ref()
        .and_then(|c| json::str_at(&c.body, "/eTag"))
        .map(str::to_string);
    common::check_preconditions(request, existing_etag.as_deref(), existing.is_some())?;
    if existing.is_some() {
        writes::ensure_idle(world, &key, path.name())?;
    }
    let location = common::required_location(&input)?;
    common::ensure_same_location(existing.as_ref(), &location, path)?;
    common::validate_tags(&input)?;
    let requested = input
        .get("properties")
        .cloned()
        .ok_or_else(|| ArmError::required("properties"))?;
    let previous = existing
        .as_ref()
        .and_then(|c| c.body.get("properties"))
        .cloned();
    match &previous {
        Some(previous) => defaults::check_update(previous, &requested)?,
        None => validate_create(&requested)?,
    }
    if let (Some(previous), Some(wanted)) = (
        &previous,
        json::str_at(&requested, "/kubernetesVersion").filter(|v| !v.is_empty()),
    ) {
        kubernetes::check_upgrade(
            json::str_at(previous, "/currentKubernetesVersion")
                .unwrap_or(kubernetes::DEFAULT_VERSION),
            wanted,
        )?;
    }
    if let Some(previous) = &previous {
        check_pool_versions(world, &key, previous, &requested)?;
    }
    check_identities(world, &input)?;
    let wanted_version = json::str_at(&requested, "/kubernetesVersion")
        .filter(|v| !v.is_empty())
        .or_else(|| {
            previous
                .as_ref()
                .and_then(|p| json::str_at(p, "/kubernetesVersion"))
        })
        .map(str::to_string);
    kubernetes::resolve(wanted_version.as_deref())?;
    let mut planned = plan(world, request, path, &input, existing.as_ref())?;
    let profiles = json::at(&requested, "/agentPoolProfiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (pool_path, _) in &planned.pools {
        let sent = profiles
            .iter()
            .find(|profile| json::str_at(profile, "/name") == Some(pool_path.name()))
            .and_then(|profile| json::str_at(profile, "/orchestratorVersion"));
        let stored = world
            .get(&pool_path.key())
            .and_then(|pool| json::str_at(&pool.body, "/properties/orchestratorVersion"));
        if let Some(version) = sent.or(stored).filter(|v| !v.is_empty()) {
            pool_properties::check_version(version, &planned.body["properties"])?;
        }
    }
    ensure_system_pool(world, &key, &planned.pools)?;
    for (pool_path, pool) in planned.pools.iter_mut() {
        let state = if world.contains(&pool_path.key()) {
            "Updating"
        } else {
            "Creating"
        };
        pool["provisioningState"] = json!(state);
    }
    let (status, action, state) = match &existing {
        Some(_) => (200, Action::Update, "Updating"),
        None => (201, Action::Create, "Creating"),
    };
    let principal = json::str_at(&planned.body, "/identity/principalId").map(str::to_string);
    let kubelet_principal = commit(world, request, path, parent_key, planned, state)?;
    if existing.is_none() {
        for principal in principal.iter().chain(kubelet_principal.iter()) {
            world.register_principal(principal, request.now);
        }
    }
    let rendered = render::render_key(world, &key, request.api_version()).unwrap_or(Value::Null);
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

/// AKS's rules for `agentPoolProfiles[].orchestratorVersion` in a cluster PUT (FACTS-AKS-DAY2
/// §4): all specified or all unspecified; specified ones unchanged or equal to the control plane.
/// Unspecified ones keep their version (a control-plane-only upgrade), which a cluster with an
/// auto-upgrade channel refuses.
fn check_pool_versions(
    world: &World,
    cluster_key: &str,
    previous: &Value,
    requested: &Value,
) -> Result<(), ArmError> {
    let profiles = json::at(requested, "/agentPoolProfiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let plane = json::str_at(requested, "/kubernetesVersion")
        .filter(|v| !v.is_empty())
        .or_else(|| json::str_at(previous, "/kubernetesVersion"))
        .unwrap_or(kubernetes::DEFAULT_VERSION)
        .to_string();
    let specified: Vec<&Value> = profiles
        .iter()
        .filter(|p| json::str_at(p, "/orchestratorVersion").is_some_and(|v| !v.is_empty()))
        .collect();
    if !specified.is_empty() && specified.len() != profiles.len() {
        return Err(not_all_specified());
    }
    let stored_version = |name: &str| {
        world
            .children(cluster_key, Kind::AgentPool)
            .into_iter()
            .find(|pool| json::str_at(&pool.body, "/name") == Some(name))
            .and_then(|pool| json::str_at(&pool.body, "/properties/orchestratorVersion"))
            .map(str::to_string)
    };
    for profile in &specified {
        let version = json::str_at(profile, "/orchestratorVersion").unwrap_or_default();
        let name = json::str_at(profile, "/name").unwrap_or_default();
        let unchanged = stored_version(name)
            .is_none_or(|stored| stored == version || kubernetes::same_minor(&stored, version));
        if !unchanged && !kubernetes::same_minor(version, &plane) {
            return Err(not_all_specified());
        }
    }
    let current_plane =
        json::str_at(previous, "/currentKubernetesVersion").unwrap_or(kubernetes::DEFAULT_VERSION);
    let minor_upgrade = !kubernetes::same_minor(current_plane, &plane);
    let channel = json::str_at(previous, "/autoUpgradeProfile/upgradeChannel")
        .filter(|channel| !channel.eq_ignore_ascii_case("none"));
    let pools_follow = !specified.is_empty()
        && specified.iter().all(|p| {
            kubernetes::same_minor(
                json::str_at(p, "/orchestratorVersion").unwrap_or_default(),
                &plane,
            )
        });
    if let (true, Some(channel), false) = (minor_upgrade, channel, pools_follow) {
        return Err(ArmError::bad_request(
            "OperationNotAllowed",
            format!("The cluster has auto-upgrade channel '{channel}': a control-plane-only upgrade to {plane} is not allowed; upgrade the control plane and every agent pool together (set each agentPoolProfiles[].orchestratorVersion to {plane})."),
        ));
    }
    Ok(())
}

fn not_all_specified() -> ArmError {
    ArmError::bad_request(
        "NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged",
        "Using managed cluster api, all Agent pools' OrchestratorVersion must be all specified or all unspecified. If all specified, they must be stay unchanged or the same with control plane. For agent pool specific change, please use per agent pool operations",
    )
    .with_target("properties.agentPoolProfiles")
}

fn validate_name(path: &ResourcePath) -> Result<(), ArmError> {
    if common::matches(&CLUSTER_NAME, path.name()) {
        return Ok(());
    }
    Err(invalid(format!("The managed cluster name '{}' is invalid: 1-63 characters of letters, digits, '-' and '_', starting and ending with a letter or digit.", path.name()), "name"))
}

/// A cluster from `/_mock/state`: recorded read-only fields (versions, FQDNs, identity ids,
/// eTags, states) are kept, missing ones filled as on create.
fn seed(
    world: &mut World,
    request: &Request,
    path: &ResourcePath,
    given: &Value,
) -> Result<(), ArmError> {
    validate_name(path)?;
    let parent_key = parents::ensure_parents(world, path, true)?;
    let existing = world.get(&path.key()).cloned();
    let mut planned = plan(world, request, path, given, existing.as_ref())?;
    provider::overlay(
        &mut planned.body,
        given,
        &[
            "/properties/currentKubernetesVersion",
            "/properties/fqdn",
            "/properties/privateFQDN",
            "/properties/azurePortalFQDN",
            "/properties/resourceUID",
            "/properties/maxAgentPools",
            "/properties/powerState",
            "/identity/principalId",
            "/identity/tenantId",
            "/eTag",
        ],
    );
    if let Some(system) = given.get("systemData") {
        planned.body["systemData"] = system.clone();
    }
    let state = json::str_at(given, "/properties/provisioningState")
        .unwrap_or("Succeeded")
        .to_string();
    let profiles = json::at(given, "/properties/agentPoolProfiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (pool_path, pool) in planned.pools.iter_mut() {
        let recorded = profiles
            .iter()
            .find(|profile| json::str_at(profile, "/name") == Some(pool_path.name()))
            .cloned()
            .unwrap_or(Value::Null);
        pool_properties::keep_recorded(pool, &recorded);
        json::default(pool, "provisioningState", json!(state));
    }
    commit(world, request, path, parent_key, planned, &state)?;
    Ok(())
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
            extra_seconds: 0.0,
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

/// A cluster as GET returns it: its current pools as `agentPoolProfiles`.
fn render_cluster(world: &World, resource: &Resource) -> Value {
    let mut rendered = resource.body.clone();
    let profiles: Vec<Value> = world
        .children(&resource.key(), Kind::AgentPool)
        .into_iter()
        .map(|pool| pool_properties::profile(&pool.body))
        .collect();
    json::set(
        json::child(&mut rendered, "properties"),
        "agentPoolProfiles",
        Value::Array(profiles),
    );
    rendered
}

/// The provider hooks of managed clusters.
pub struct ManagedClusters;

impl Provider for ManagedClusters {
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
    fn render(&self, world: &World, resource: &Resource) -> Value {
        render_cluster(world, resource)
    }
    /// The node resource group goes with its cluster.
    fn on_removed(&self, world: &mut World, removed: &Resource, wall: OffsetDateTime) {
        let Some(group) = json::str_at(&removed.body, "/properties/nodeResourceGroup") else {
            return;
        };
        let subscription = removed.id.split('/').nth(2).unwrap_or_default();
        let group_key =
            format!("/subscriptions/{subscription}/resourcegroups/{group}").to_lowercase();
        removal::delete_resource(world, &group_key, wall);
    }
    /// A cluster operation shows on its pools too.
    fn state_followers(&self, world: &World, resource: &Resource) -> Vec<String> {
        world
            .children(&resource.key(), Kind::AgentPool)
            .iter()
            .map(|pool| pool.key())
            .collect()
    }
    fn etag_header(&self, body: &Value) -> Option<String> {
        json::str_at(body, "/eTag").map(str::to_string)
    }
}

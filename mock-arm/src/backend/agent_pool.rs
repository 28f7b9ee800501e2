//! Microsoft.ContainerService/managedClusters/agentPools: pool defaults AKS echoes (maxPods,
//! osDiskSizeGB, spot taint/label, ...), create-only properties, the last System pool rule, and
//! pool LROs that lock the whole cluster.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::durations::{DRAIN_SECONDS_PER_NODE, FORCED_DRAIN_SECONDS_PER_NODE};
use super::error::ArmError;
use super::json;
use super::lro::{Action, Polling};
use super::parents;
use super::path::ResourcePath;
use super::pool_properties::{check_version, keep_recorded, normalize};
use super::provider::Provider;
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;

static POOL_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^[a-z][a-z0-9]{0,11}$"));
pub fn validate_name(name: &str, os_type: &str) -> Result<(), ArmError> {
    let windows_too_long = os_type.eq_ignore_ascii_case("Windows") && name.len() > 6;
    if common::matches(&POOL_NAME, name) && !windows_too_long {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidParameter",
        format!("The agent pool name '{name}' is invalid: it must start with a lower-case letter, contain only lower-case letters and digits, and be at most 12 characters (6 for Windows)."),
    )
    .with_target("agentPoolProfile.name"))
}

/// The stored body of a pool.
pub fn pool_body(path: &ResourcePath, properties: Value) -> Value {
    json!({
        "id": path.id(),
        "name": path.name(),
        "type": Kind::AgentPool.arm_type(),
        "properties": properties,
    })
}

fn system_pool_count(world: &World, cluster_key: &str, except: &str) -> usize {
    world
        .children(cluster_key, Kind::AgentPool)
        .iter()
        .filter(|pool| {
            pool.key() != except && json::str_at(&pool.body, "/properties/mode") == Some("System")
        })
        .count()
}

fn last_system_pool_error(name: &str) -> ArmError {
    ArmError::bad_request(
        "OperationNotAllowed",
        format!("Agent pool '{name}' is the last System pool of the cluster: a cluster needs at least one System pool, so it cannot be deleted or changed to User mode."),
    )
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let input = common::body_object(request)?;
    let requested = input
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    validate_name(
        path.name(),
        json::str_at(&requested, "/osType").unwrap_or("Linux"),
    )?;
    let cluster_key = parents::ensure_parents(world, path, true)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    let existing_etag = existing
        .as_ref()
        .and_then(|pool| json::str_at(&pool.body, "/properties/eTag"))
        .map(str::to_string);
    common::check_preconditions(request, existing_etag.as_deref(), existing.is_some())?;
    writes::ensure_idle(
        world,
        &cluster_key,
        path.names.first().map(String::as_str).unwrap_or_default(),
    )?;
    let cluster_properties = world
        .get(&cluster_key)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(|| json!({}));
    let previous = existing
        .as_ref()
        .and_then(|pool| pool.body.get("properties"));
    let version = json::str_at(&requested, "/orchestratorVersion")
        .or_else(|| previous.and_then(|p| json::str_at(p, "/orchestratorVersion")))
        .filter(|v| !v.is_empty());
    if let Some(version) = version {
        check_version(version, &cluster_properties)?;
    }
    let mut properties = normalize(&requested, &cluster_properties, previous)?;
    let was_system = previous.and_then(|p| json::str_at(p, "/mode")) == Some("System");
    if was_system
        && json::str_at(&properties, "/mode") != Some("System")
        && system_pool_count(world, &cluster_key, &key) == 0
    {
        return Err(last_system_pool_error(path.name()));
    }
    let location = world
        .get(&cluster_key)
        .and_then(Resource::location)
        .unwrap_or_default()
        .to_string();
    let (status, action, state) = if existing.is_some() {
        (200, Action::Update, "Updating")
    } else {
        (201, Action::Create, "Creating")
    };
    properties["provisioningState"] = json!(state);
    let body = pool_body(path, properties);
    world.insert(Resource {
        id: path.id(),
        kind: Kind::AgentPool,
        parent_key: cluster_key,
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

pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let cluster_key = match parents::ensure_parents(world, path, true) {
        Ok(key) => key,
        Err(error) if error.status == 404 => return Ok(Reply::no_content()),
        Err(error) => return Err(error),
    };
    let key = path.key();
    let Some(existing) = world.get(&key).cloned() else {
        return Ok(Reply::no_content());
    };
    common::check_preconditions(
        request,
        json::str_at(&existing.body, "/properties/eTag"),
        true,
    )?;
    writes::ensure_idle(
        world,
        &cluster_key,
        path.names.first().map(String::as_str).unwrap_or_default(),
    )?;
    if json::str_at(&existing.body, "/properties/mode") == Some("System")
        && system_pool_count(world, &cluster_key, &key) == 0
    {
        return Err(last_system_pool_error(path.name()));
    }
    let location = world
        .get(&cluster_key)
        .and_then(Resource::location)
        .unwrap_or_default()
        .to_string();
    writes::start_delete_taking(
        world,
        request,
        path,
        &location,
        Polling::Both,
        drain_seconds(&existing.body, request),
    )
}

/// Modelled time to cordon and drain the pool's nodes before they are deleted (FACTS-AKS-DAY2
/// §2): per node, shorter with `ignore-pod-disruption-budget=true`.
fn drain_seconds(pool: &Value, request: &Request) -> f64 {
    let nodes = json::at(pool, "/properties/count")
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
        .max(0.0);
    let ignore_budgets = request
        .query_param("ignore-pod-disruption-budget")
        .is_some_and(|value| value.eq_ignore_ascii_case("true"));
    let per_node = if ignore_budgets {
        FORCED_DRAIN_SECONDS_PER_NODE
    } else {
        DRAIN_SECONDS_PER_NODE
    };
    nodes * per_node
}

/// A pool from `/_mock/state` (when not inlined in its cluster): recorded read-only fields kept.
fn seed(
    world: &mut World,
    _request: &Request,
    path: &ResourcePath,
    given: &Value,
) -> Result<(), ArmError> {
    let requested = given
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    validate_name(
        path.name(),
        json::str_at(&requested, "/osType").unwrap_or("Linux"),
    )?;
    let cluster_key = parents::ensure_parents(world, path, true)?;
    let cluster_properties = world
        .get(&cluster_key)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(|| json!({}));
    let previous = world
        .get(&path.key())
        .and_then(|pool| pool.body.get("properties").cloned());
    let mut properties = normalize(&requested, &cluster_properties, previous.as_ref())?;
    keep_recorded(&mut properties, &requested);
    json::default(&mut properties, "provisioningState", json!("Succeeded"));
    world.insert(Resource {
        id: path.id(),
        kind: Kind::AgentPool,
        parent_key: cluster_key,
        body: pool_body(path, properties),
    });
    Ok(())
}

/// The provider hooks of agent pools.
pub struct AgentPools;

impl Provider for AgentPools {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        put(world, request, path)
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
    fn etag_header(&self, body: &Value) -> Option<String> {
        json::str_at(body, "/properties/eTag").map(str::to_string)
    }
}

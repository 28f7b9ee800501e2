//! Changes that happen on ARM's side, outside the client's requests, set through the control API:
//! global names held by other subscriptions or tenants, the cluster autoscaler moving a pool's
//! count, and an auto-upgrade channel moving a cluster's Kubernetes version.

use serde_json::{json, Value};

use super::error::ArmError;
use super::path::{self, Target};
use super::types::Kind;
use super::world::{TakenName, World};
use super::{common, json, kubernetes};

/// The types whose names are global (FACTS-AKS-DAY2 §7).
const GLOBAL_TYPES: &[Kind] = &[Kind::StorageAccount, Kind::Registry, Kind::Vault];

/// Subscription used for a taken name when none is given: one the world cannot hold.
const OUTSIDE_SUBSCRIPTION: &str = "ffffffff-ffff-ffff-ffff-ffffffffffff";
const OUTSIDE_TENANT: &str = "ffffffff-ffff-ffff-ffff-fffffffffff0";

fn invalid(message: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidControlRequest", message)
}

/// Records `{"type", "name", "subscriptionId"?, "tenantId"?}` as a name held outside the world.
pub fn add_taken_name(world: &mut World, entry: &Value) -> Result<Value, ArmError> {
    let wanted = json::str_at(entry, "/type").unwrap_or_default();
    let kind = GLOBAL_TYPES
        .iter()
        .find(|kind| kind.arm_type().eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            invalid(format!(
                "'type' must be one of {} (got '{wanted}').",
                GLOBAL_TYPES
                    .iter()
                    .map(|kind| kind.arm_type())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let name = json::str_at(entry, "/name")
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| invalid("A taken name needs a 'name'."))?;
    let taken = TakenName {
        resource_type: kind.arm_type().to_string(),
        name: name.to_string(),
        subscription_id: json::str_at(entry, "/subscriptionId")
            .unwrap_or(OUTSIDE_SUBSCRIPTION)
            .to_string(),
        tenant_id: json::str_at(entry, "/tenantId")
            .unwrap_or(OUTSIDE_TENANT)
            .to_string(),
    };
    let shown = taken_state(&taken);
    world.taken_names.insert(
        format!("{}/{}", taken.resource_type, taken.name).to_lowercase(),
        taken,
    );
    world.dirty = true;
    Ok(shown)
}

fn taken_state(taken: &TakenName) -> Value {
    json!({
        "type": taken.resource_type,
        "name": taken.name,
        "subscriptionId": taken.subscription_id,
        "tenantId": taken.tenant_id,
    })
}

/// Every name held outside the world (the `takenNames` of `/_mock/state`).
pub fn taken_names(world: &World) -> Vec<Value> {
    world.taken_names.values().map(taken_state).collect()
}

/// The stored resource of `kind` a control request names by `field` (an ARM id).
fn target_key(body: &Value, field: &str, kind: Kind, world: &World) -> Result<String, ArmError> {
    let id = json::str_at(body, &format!("/{field}"))
        .ok_or_else(|| invalid(format!("'{field}' (an ARM id) is required.")))?;
    let key = match path::parse(id) {
        Some(Target::Item(path)) if path.kind == kind => path.key(),
        _ => {
            return Err(invalid(format!(
                "'{id}' is not the id of a {}.",
                kind.arm_type()
            )))
        }
    };
    if !world.contains(&key) {
        return Err(ArmError::resource_not_found(kind.arm_type(), id, None));
    }
    Ok(key)
}

/// The cluster autoscaler sets a pool's node count: `{"pool": <id>, "count": N}`. The pool must
/// autoscale and N stay within its `minCount`-`maxCount`.
pub fn autoscale(world: &mut World, body: &Value) -> Result<Value, ArmError> {
    let key = target_key(body, "pool", Kind::AgentPool, world)?;
    let count = json::at(body, "/count")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("'count' (an integer) is required."))?;
    let pool = world
        .get(&key)
        .map(|pool| pool.body.clone())
        .unwrap_or_default();
    if json::bool_at(&pool, "/properties/enableAutoScaling") != Some(true) {
        return Err(invalid(
            "The pool does not autoscale (enableAutoScaling is not true): only the cluster autoscaler moves counts.",
        ));
    }
    let min = json::at(&pool, "/properties/minCount")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let max = json::at(&pool, "/properties/maxCount")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if !(min..=max).contains(&count) {
        return Err(invalid(format!(
            "The autoscaler keeps the count within minCount {min} and maxCount {max} (got {count})."
        )));
    }
    let Some(stored) = world.get_mut(&key) else {
        return Err(invalid("The pool disappeared."));
    };
    stored.body["properties"]["count"] = json!(count);
    stored.body["properties"]["eTag"] = json!(common::new_etag());
    Ok(stored.body.clone())
}

/// An auto-upgrade channel moves a cluster: `{"cluster": <id>, "kubernetesVersion": "1.34"}`.
/// Like AKS (FACTS-AKS-DAY2 §5), control plane then pools: `kubernetesVersion` and
/// `currentKubernetesVersion` become the full version, each pool's `orchestratorVersion` and
/// `currentOrchestratorVersion` too. The version must be supported and one minor at most ahead.
pub fn auto_upgrade(world: &mut World, body: &Value) -> Result<Value, ArmError> {
    let key = target_key(body, "cluster", Kind::ManagedCluster, world)?;
    let wanted = json::str_at(body, "/kubernetesVersion")
        .ok_or_else(|| invalid("'kubernetesVersion' is required."))?;
    let (_, full) = kubernetes::resolve(Some(wanted))?;
    let current = world
        .get(&key)
        .and_then(|cluster| json::str_at(&cluster.body, "/properties/currentKubernetesVersion"))
        .unwrap_or(kubernetes::DEFAULT_VERSION)
        .to_string();
    kubernetes::check_upgrade(&current, &full)?;
    let pools: Vec<String> = world
        .children(&key, Kind::AgentPool)
        .iter()
        .map(|pool| pool.key())
        .collect();
    for pool in pools {
        if let Some(stored) = world.get_mut(&pool) {
            stored.body["properties"]["orchestratorVersion"] = json!(full);
            stored.body["properties"]["currentOrchestratorVersion"] = json!(full);
            stored.body["properties"]["eTag"] = json!(common::new_etag());
        }
    }
    let Some(cluster) = world.get_mut(&key) else {
        return Err(invalid("The cluster disappeared."));
    };
    cluster.body["properties"]["kubernetesVersion"] = json!(full);
    cluster.body["properties"]["currentKubernetesVersion"] = json!(full);
    cluster.body["eTag"] = json!(common::new_etag());
    Ok(json!({ "cluster": cluster.id, "kubernetesVersion": full }))
}

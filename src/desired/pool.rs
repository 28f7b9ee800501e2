//! Lowering of agent pools: the `properties` of an `agentPools/<name>` PUT, also used (with
//! `name`) for the System pools the cluster body carries in `agentPoolProfiles`.

use serde_json::{json, Map, Value};

use crate::desired::context::insert_some;
use crate::spec::types::NodePool;

/// The prefix of the taints and labels AKS manages itself (e.g. the spot priority ones): never
/// sent, because AKS adds them and rejects or ignores user-set values.
pub const AKS_SYSTEM_PREFIX: &str = "kubernetes.azure.com/";

/// The taint `criticalAddonsOnly: true` adds to a System pool.
pub const CRITICAL_ADDONS_ONLY_TAINT: &str = "CriticalAddonsOnly=true:NoSchedule";

/// The pool's declared settings as agent-pool `properties`.
///
/// Scaling: with `autoscale`, `enableAutoScaling: true` + `minCount`/`maxCount`, and `count` only
/// when the estate also gives one (an initial count); with only `count`, `count` and
/// `enableAutoScaling: false` (a fixed pool is not autoscaled); with neither, nothing.
pub fn pool_properties(pool: &NodePool) -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert(
        "mode".to_string(),
        Value::String(pool.effective_mode().as_str().to_string()),
    );
    properties.insert("vmSize".to_string(), Value::String(pool.vm_size.clone()));
    match pool.autoscale {
        Some(autoscale) => {
            insert_some(&mut properties, "count", pool.count);
            properties.insert("enableAutoScaling".to_string(), Value::Bool(true));
            properties.insert("minCount".to_string(), json!(autoscale.min));
            properties.insert("maxCount".to_string(), json!(autoscale.max));
        }
        None => {
            if let Some(count) = pool.count {
                properties.insert("count".to_string(), json!(count));
                properties.insert("enableAutoScaling".to_string(), Value::Bool(false));
            }
        }
    }
    if !pool.zones.is_empty() {
        let zones: Vec<String> = pool.zones.iter().map(u8::to_string).collect();
        properties.insert("availabilityZones".to_string(), json!(zones));
    }
    insert_some(
        &mut properties,
        "osType",
        pool.os_type.map(|os| os.as_str()),
    );
    insert_some(
        &mut properties,
        "osSKU",
        pool.os_sku.map(|sku| sku.as_str()),
    );
    insert_some(
        &mut properties,
        "osDiskType",
        pool.os_disk_type.map(|disk| disk.as_str()),
    );
    insert_some(&mut properties, "osDiskSizeGB", pool.os_disk_size_gb);
    insert_some(&mut properties, "maxPods", pool.max_pods);
    if let Some(spot) = &pool.spot {
        properties.insert("scaleSetPriority".to_string(), json!("Spot"));
        insert_some(
            &mut properties,
            "scaleSetEvictionPolicy",
            spot.eviction_policy.map(|policy| policy.as_str()),
        );
        insert_some(&mut properties, "spotMaxPrice", spot.max_price);
    }
    let taints = node_taints(pool);
    if !taints.is_empty() {
        properties.insert("nodeTaints".to_string(), json!(taints));
    }
    let labels: Map<String, Value> = pool
        .labels
        .iter()
        .filter(|(key, _)| !key.starts_with(AKS_SYSTEM_PREFIX))
        .map(|(key, value)| (key.clone(), Value::String(value.clone())))
        .collect();
    if !labels.is_empty() {
        properties.insert("nodeLabels".to_string(), Value::Object(labels));
    }
    if let Some(max_surge) = &pool.max_surge {
        properties.insert(
            "upgradeSettings".to_string(),
            json!({"maxSurge": max_surge}),
        );
    }
    insert_some(
        &mut properties,
        "vnetSubnetID",
        pool.subnet.as_ref().map(|subnet| subnet.id.clone()),
    );
    insert_some(
        &mut properties,
        "orchestratorVersion",
        pool.kubernetes_version.clone(),
    );
    crate::desired::cluster_settings::add_pool_settings(pool, &mut properties);
    properties
}

/// The declared taints without AKS's own, plus the critical-add-ons taint when asked for.
fn node_taints(pool: &NodePool) -> Vec<String> {
    let mut taints: Vec<String> = pool
        .taints
        .iter()
        .filter(|taint| !taint.starts_with(AKS_SYSTEM_PREFIX))
        .cloned()
        .collect();
    if pool.critical_addons_only == Some(true)
        && !taints
            .iter()
            .any(|taint| taint == CRITICAL_ADDONS_ONLY_TAINT)
    {
        taints.push(CRITICAL_ADDONS_ONLY_TAINT.to_string());
    }
    taints
}

/// An `agentPoolProfiles[]` entry: the pool properties with its `name` first.
pub fn inline_profile(pool: &NodePool) -> Value {
    let mut profile = Map::new();
    profile.insert("name".to_string(), Value::String(pool.name.clone()));
    profile.extend(pool_properties(pool));
    Value::Object(profile)
}

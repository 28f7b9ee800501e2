//! Lowering of the cluster and pool settings of issue 14: `securityProfile.defender` and
//! `securityProfile.imageCleaner`, `azureMonitorProfile.metrics`, `autoScalerProfile` on the
//! cluster; `upgradeSettings`, `podSubnetID` and `kubeletConfig` on a pool. Only declared fields
//! are written, so ARM's defaults are never fought over.

use serde_json::{json, Map, Value};

use crate::desired::context::{insert_non_empty, insert_some, Lowering};
use crate::desired::lower::LowerError;
use crate::spec::types::{AutoscalerProfile, Cluster, NodePool};

/// Adds the cluster's Defender, image cleaner, managed Prometheus and autoscaler settings to
/// `properties`; a workspace of the estate named by Defender joins `depends_on`.
pub fn add_cluster_settings(
    lowering: &Lowering<'_>,
    cluster: &Cluster,
    address: &str,
    properties: &mut Map<String, Value>,
    depends_on: &mut Vec<String>,
) -> Result<(), LowerError> {
    let mut security = Map::new();
    if let Some(defender) = &cluster.defender {
        let enabled = defender.enabled.unwrap_or(true);
        let workspace_id = match &defender.workspace {
            Some(name) => Some(super::cluster::workspace_reference(
                lowering,
                address,
                "defender.workspace",
                name,
                depends_on,
            )?),
            None => defender.log_analytics_workspace_id.clone(),
        };
        let mut body = Map::new();
        if enabled {
            insert_some(&mut body, "logAnalyticsWorkspaceResourceId", workspace_id);
        }
        body.insert(
            "securityMonitoring".to_string(),
            json!({"enabled": enabled}),
        );
        security.insert("defender".to_string(), Value::Object(body));
    }
    if let Some(cleaner) = &cluster.image_cleaner {
        let mut body = Map::new();
        body.insert(
            "enabled".to_string(),
            Value::Bool(cleaner.enabled.unwrap_or(true)),
        );
        insert_some(&mut body, "intervalHours", cleaner.interval_hours);
        security.insert("imageCleaner".to_string(), Value::Object(body));
    }
    merge_into(properties, "securityProfile", security);
    if let Some(prometheus) = &cluster.managed_prometheus {
        properties.insert(
            "azureMonitorProfile".to_string(),
            json!({"metrics": {"enabled": prometheus.enabled.unwrap_or(true)}}),
        );
    }
    if let Some(profile) = &cluster.autoscaler_profile {
        insert_non_empty(properties, "autoScalerProfile", autoscaler_profile(profile));
    }
    Ok(())
}

/// `autoScalerProfile` as ARM spells it: kebab-case keys, every value a string.
pub fn autoscaler_profile(profile: &AutoscalerProfile) -> Map<String, Value> {
    let mut body = Map::new();
    let mut text = |key: &str, value: Option<String>| insert_some(&mut body, key, value);
    text(
        "balance-similar-node-groups",
        profile.balance_similar_node_groups.map(|on| on.to_string()),
    );
    text(
        "expander",
        profile
            .expander
            .map(|expander| expander.as_str().to_string()),
    );
    text(
        "max-graceful-termination-sec",
        profile
            .max_graceful_termination_seconds
            .map(|seconds| seconds.to_string()),
    );
    text(
        "max-node-provision-time",
        profile.max_node_provision_time.clone(),
    );
    text("scan-interval", profile.scan_interval.clone());
    text(
        "scale-down-delay-after-add",
        profile.scale_down_delay_after_add.clone(),
    );
    text(
        "scale-down-unneeded-time",
        profile.scale_down_unneeded_time.clone(),
    );
    text(
        "scale-down-utilization-threshold",
        profile.scale_down_utilization_threshold.clone(),
    );
    text(
        "skip-nodes-with-local-storage",
        profile
            .skip_nodes_with_local_storage
            .map(|on| on.to_string()),
    );
    text(
        "skip-nodes-with-system-pods",
        profile.skip_nodes_with_system_pods.map(|on| on.to_string()),
    );
    body
}

/// Adds a pool's upgrade settings, pod subnet and kubelet configuration to its properties.
pub fn add_pool_settings(pool: &NodePool, properties: &mut Map<String, Value>) {
    if let Some(upgrade) = &pool.upgrade {
        let mut settings = Map::new();
        insert_some(&mut settings, "maxSurge", upgrade.max_surge.clone());
        insert_some(
            &mut settings,
            "maxUnavailable",
            upgrade.max_unavailable.clone(),
        );
        insert_some(
            &mut settings,
            "drainTimeoutInMinutes",
            upgrade.drain_timeout_minutes,
        );
        insert_some(
            &mut settings,
            "nodeSoakDurationInMinutes",
            upgrade.node_soak_duration_minutes,
        );
        merge_into(properties, "upgradeSettings", settings);
    }
    insert_some(
        properties,
        "podSubnetID",
        pool.pod_subnet.as_ref().map(|subnet| subnet.id.clone()),
    );
    if let Some(kubelet) = &pool.kubelet_config {
        let mut config = Map::new();
        insert_some(
            &mut config,
            "cpuManagerPolicy",
            kubelet.cpu_manager_policy.map(|policy| policy.as_str()),
        );
        insert_some(
            &mut config,
            "imageGcHighThreshold",
            kubelet.image_gc_high_threshold,
        );
        insert_some(
            &mut config,
            "imageGcLowThreshold",
            kubelet.image_gc_low_threshold,
        );
        insert_some(
            &mut config,
            "containerLogMaxSizeMB",
            kubelet.container_log_max_size_mb,
        );
        insert_some(
            &mut config,
            "containerLogMaxFiles",
            kubelet.container_log_max_files,
        );
        insert_some(&mut config, "podMaxPids", kubelet.pod_max_pids);
        insert_non_empty(properties, "kubeletConfig", config);
    }
}

/// Adds `additions` to the object at `key` (keeping its place and its fields), or inserts it
/// there when absent; nothing when `additions` is empty.
fn merge_into(properties: &mut Map<String, Value>, key: &str, additions: Map<String, Value>) {
    match properties.get_mut(key) {
        Some(Value::Object(existing)) => existing.extend(additions),
        _ => insert_non_empty(properties, key, additions),
    }
}

//! Export of the cluster and pool settings of issue 14 (Defender, image cleaner, managed
//! Prometheus, autoscaler profile, pool upgrade settings, pod subnet, kubelet configuration,
//! maintenance blackout dates). A value equal to AKS's default is left out, as elsewhere.

use serde_json::Value;

use crate::export::context::{bool_at, pick, str_at, u32_at, Exporting};
use crate::spec::types::{
    AutoscalerExpander, AutoscalerProfile, BlackoutDates, CpuManagerPolicy, Defender, ImageCleaner,
    KubeletConfig, ManagedPrometheus, PoolUpgrade, Subnet,
};

/// `securityProfile.defender`, the workspace by its logical name when it is exported too.
pub fn defender(exporting: &Exporting<'_>, properties: &Value) -> Option<Defender> {
    let defender = properties.pointer("/securityProfile/defender")?;
    let enabled = bool_at(defender, "/securityMonitoring/enabled")?;
    let workspace_id = str_at(defender, "/logAnalyticsWorkspaceResourceId");
    let workspace = super::cluster::workspace_name(exporting, workspace_id);
    Some(Defender {
        enabled: (!enabled).then_some(false),
        log_analytics_workspace_id: workspace_id
            .filter(|_| workspace.is_none() && enabled)
            .map(str::to_owned),
        workspace: workspace.filter(|_| enabled),
    })
}

/// `securityProfile.imageCleaner`, when enabled or declared off with an interval.
pub fn image_cleaner(properties: &Value) -> Option<ImageCleaner> {
    let cleaner = properties.pointer("/securityProfile/imageCleaner")?;
    let enabled = bool_at(cleaner, "/enabled")?;
    enabled.then(|| ImageCleaner {
        enabled: None,
        interval_hours: u32_at(cleaner, "/intervalHours"),
    })
}

/// `azureMonitorProfile.metrics`, when enabled.
pub fn managed_prometheus(properties: &Value) -> Option<ManagedPrometheus> {
    (bool_at(properties, "/azureMonitorProfile/metrics/enabled") == Some(true))
        .then_some(ManagedPrometheus { enabled: None })
}

/// `autoScalerProfile`: the modelled keys whose value is not AKS's default.
pub fn autoscaler_profile(properties: &Value) -> Option<AutoscalerProfile> {
    let profile = properties.get("autoScalerProfile")?;
    let text = |key: &str, default: &str| {
        profile
            .get(key)
            .and_then(Value::as_str)
            .filter(|value| *value != default)
            .map(str::to_owned)
    };
    let flag = |key: &str, default: &str| text(key, default).and_then(|value| value.parse().ok());
    let exported = AutoscalerProfile {
        balance_similar_node_groups: flag("balance-similar-node-groups", "false"),
        expander: text("expander", "random")
            .and_then(|value| pick(AutoscalerExpander::ALL, AutoscalerExpander::as_str, &value)),
        max_graceful_termination_seconds: text("max-graceful-termination-sec", "600")
            .and_then(|value| value.parse().ok()),
        max_node_provision_time: text("max-node-provision-time", "15m"),
        scan_interval: text("scan-interval", "10s"),
        scale_down_delay_after_add: text("scale-down-delay-after-add", "10m"),
        scale_down_unneeded_time: text("scale-down-unneeded-time", "10m"),
        scale_down_utilization_threshold: text("scale-down-utilization-threshold", "0.5"),
        skip_nodes_with_local_storage: flag("skip-nodes-with-local-storage", "false"),
        skip_nodes_with_system_pods: flag("skip-nodes-with-system-pods", "true"),
    };
    (exported != AutoscalerProfile::default()).then_some(exported)
}

/// A pool's `upgradeSettings` beyond `maxSurge` (exported as the pool's `maxSurge`), if any.
pub fn pool_upgrade(properties: &Value) -> Option<PoolUpgrade> {
    let settings = properties.get("upgradeSettings")?;
    let upgrade = PoolUpgrade {
        max_surge: None,
        max_unavailable: str_at(settings, "/maxUnavailable")
            .filter(|value| *value != "0")
            .map(str::to_owned),
        drain_timeout_minutes: u32_at(settings, "/drainTimeoutInMinutes")
            .filter(|minutes| *minutes != 30),
        node_soak_duration_minutes: u32_at(settings, "/nodeSoakDurationInMinutes")
            .filter(|minutes| *minutes != 0),
    };
    (upgrade != PoolUpgrade::default()).then_some(upgrade)
}

/// A pool's `podSubnetID`.
pub fn pod_subnet(properties: &Value) -> Option<Subnet> {
    str_at(properties, "/podSubnetID").map(|id| Subnet {
        id: id.to_owned(),
        address_prefix: None,
    })
}

/// The modelled part of a pool's `kubeletConfig`.
pub fn kubelet_config(properties: &Value) -> Option<KubeletConfig> {
    let config = properties.get("kubeletConfig")?;
    let kubelet = KubeletConfig {
        cpu_manager_policy: str_at(config, "/cpuManagerPolicy")
            .and_then(|value| pick(CpuManagerPolicy::ALL, CpuManagerPolicy::as_str, value)),
        image_gc_high_threshold: u32_at(config, "/imageGcHighThreshold"),
        image_gc_low_threshold: u32_at(config, "/imageGcLowThreshold"),
        container_log_max_size_mb: u32_at(config, "/containerLogMaxSizeMB"),
        container_log_max_files: u32_at(config, "/containerLogMaxFiles"),
        pod_max_pids: u32_at(config, "/podMaxPids"),
    };
    (kubelet != KubeletConfig::default()).then_some(kubelet)
}

/// A maintenance window's `notAllowedDates`.
pub fn blackout_dates(window: &Value) -> Vec<BlackoutDates> {
    window
        .get("notAllowedDates")
        .and_then(Value::as_array)
        .map(|spans| {
            spans
                .iter()
                .filter_map(|span| {
                    Some(BlackoutDates {
                        start: str_at(span, "/start")?.to_owned(),
                        end: str_at(span, "/end")?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

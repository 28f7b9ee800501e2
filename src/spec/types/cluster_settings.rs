//! Cluster and pool settings of issue 14: Defender for Containers, image cleaner, managed
//! Prometheus, the cluster autoscaler profile, pool upgrade settings, pod subnets, kubelet
//! configuration and maintenance blackout dates.

use serde::{Deserialize, Serialize};

string_enum!(
    /// `autoScalerProfile.expander`.
    AutoscalerExpander {
        LeastWaste => "least-waste",
        MostPods => "most-pods",
        Priority => "priority",
        Random => "random",
    }
);

string_enum!(
    /// `kubeletConfig.cpuManagerPolicy`.
    CpuManagerPolicy { None => "none", Static => "static" }
);

/// Microsoft Defender for Containers (`securityProfile.defender`): runtime threat detection,
/// reporting to a Log Analytics workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Defender {
    /// Defaults to `true` when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Logical name of a workspace in `logAnalyticsWorkspaces`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// Resource id of a workspace outside the estate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_analytics_workspace_id: Option<String>,
}

/// The image cleaner (`securityProfile.imageCleaner`): removes unused vulnerable images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageCleaner {
    /// Defaults to `true` when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Scan interval in hours (24-2160 per the AKS docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_hours: Option<u32>,
}

/// Azure Monitor managed Prometheus (`azureMonitorProfile.metrics`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedPrometheus {
    /// Defaults to `true` when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// The cluster autoscaler's tuning (`autoScalerProfile`; ARM takes every value as a string).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoscalerProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_similar_node_groups: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expander: Option<AutoscalerExpander>,
    /// Seconds a node may take to drain before it is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_graceful_termination_seconds: Option<u32>,
    /// Duration such as `15m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_node_provision_time: Option<String>,
    /// Duration such as `10s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_interval: Option<String>,
    /// Duration such as `10m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_delay_after_add: Option<String>,
    /// Duration such as `10m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_unneeded_time: Option<String>,
    /// A fraction such as `0.5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_utilization_threshold: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_nodes_with_local_storage: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_nodes_with_system_pods: Option<bool>,
}

/// A pool's upgrade settings (`upgradeSettings`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolUpgrade {
    /// Extra nodes during an upgrade: a count (`"3"`) or a percentage (`"33%"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<String>,
    /// Nodes unavailable at once: a count or a percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<String>,
    /// Minutes to wait for a node's pods to be evicted (1-1440).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain_timeout_minutes: Option<u32>,
    /// Minutes to wait after draining a node before the next (0-30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_soak_duration_minutes: Option<u32>,
}

/// The basics of a pool's kubelet configuration (`kubeletConfig`, create-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubeletConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_manager_policy: Option<CpuManagerPolicy>,
    /// Percent of disk use that always triggers image garbage collection (0-100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_gc_high_threshold: Option<u32>,
    /// Percent of disk use image garbage collection never goes below (0-100, under the high one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_gc_low_threshold: Option<u32>,
    /// Size of a container log file before it is rotated, in MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_log_max_size_mb: Option<u32>,
    /// Rotated log files kept per container (at least 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_log_max_files: Option<u32>,
    /// Processes per pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_max_pids: Option<u32>,
}

/// Dates no maintenance may start on (`maintenanceWindow.notAllowedDates[]`), inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlackoutDates {
    /// `YYYY-MM-DD` (quote it).
    pub start: String,
    /// `YYYY-MM-DD` (quote it), not before `start`.
    pub end: String,
}

//! AKS node pools: mode, size, count or autoscale, zones, OS, spot, taints, labels, subnet.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{KubeletConfig, PoolUpgrade};

string_enum!(
    /// Agent pool mode.
    PoolMode { System => "System", User => "User" }
);

string_enum!(
    /// Agent pool OS type.
    OsType { Linux => "Linux", Windows => "Windows" }
);

string_enum!(
    /// Agent pool OS SKU.
    OsSku {
        Ubuntu => "Ubuntu",
        Ubuntu2204 => "Ubuntu2204",
        Ubuntu2404 => "Ubuntu2404",
        AzureLinux => "AzureLinux",
        AzureLinux3 => "AzureLinux3",
        AzureContainerLinux => "AzureContainerLinux",
        CblMariner => "CBLMariner",
        Windows2019 => "Windows2019",
        Windows2022 => "Windows2022",
        Windows2025 => "Windows2025",
    }
);

string_enum!(
    /// Agent pool OS disk type (create-only).
    OsDiskType { Managed => "Managed", Ephemeral => "Ephemeral" }
);

string_enum!(
    /// What happens to evicted spot nodes.
    SpotEvictionPolicy { Delete => "Delete", Deallocate => "Deallocate" }
);

/// `Microsoft.ContainerService/managedClusters/agentPools`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodePool {
    /// Linux: 1-12 lowercase alphanumerics starting with a letter (Windows: at most 6).
    pub name: String,
    /// Defaults to `User`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<PoolMode>,
    pub vm_size: String,
    /// Fixed node count; exclusive with `autoscale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Cluster autoscaler bounds; exclusive with `count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// Availability zones (1, 2, 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<OsType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_sku: Option<OsSku>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_disk_type: Option<OsDiskType>,
    /// 30-2048 GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_disk_size_gb: Option<u32>,
    /// 10-250 pods per node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<u32>,
    /// Spot priority; absent means regular VMs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot: Option<Spot>,
    /// `key=value:Effect` (or `key:Effect`), Effect one of NoSchedule, PreferNoSchedule,
    /// NoExecute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Surge during upgrades: a node count (`"3"`) or a percentage (`"33%"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<String>,
    /// System pools only: adds the `CriticalAddonsOnly=true:NoSchedule` taint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_addons_only: Option<bool>,
    /// The pool's subnet (bring-your-own VNet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Subnet>,
    /// Pool Kubernetes version (`orchestratorVersion`); absent means the control plane's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Upgrade settings; `upgrade.maxSurge` and the older `maxSurge` are exclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<PoolUpgrade>,
    /// The subnet pods take their IPs from (Azure CNI with dynamic IP allocation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_subnet: Option<Subnet>,
    /// Kubelet settings (create-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_config: Option<KubeletConfig>,
}

/// Cluster autoscaler bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
}

/// Spot priority settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spot {
    /// US dollars per hour; absent or -1 means up to the on-demand price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eviction_policy: Option<SpotEvictionPolicy>,
}

/// A pool subnet: its ARM id, and (for offline overlap checks) its address prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subnet {
    /// `/subscriptions/.../virtualNetworks/{vnet}/subnets/{subnet}`.
    pub id: String,
    /// The subnet's CIDR, checked against the pod and service CIDRs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_prefix: Option<String>,
}

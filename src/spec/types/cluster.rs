//! AKS cluster settings: tier, identity, API server, network, Entra, upgrades, maintenance,
//! add-ons.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DiagnosticSetting;
use super::{
    AutoscalerProfile, BlackoutDates, Defender, Flux, ImageCleaner, ManagedPrometheus, NodePool,
    Tags,
};

string_enum!(
    /// AKS control-plane pricing tier.
    ClusterTier { Free => "Free", Standard => "Standard", Premium => "Premium" }
);

string_enum!(
    /// How the control plane authenticates to Azure.
    ClusterIdentityType { SystemAssigned => "SystemAssigned", UserAssigned => "UserAssigned" }
);

string_enum!(
    /// `networkProfile.networkPlugin`.
    NetworkPlugin { Azure => "azure", Kubenet => "kubenet", None => "none" }
);

string_enum!(
    /// `networkProfile.networkPluginMode`.
    NetworkPluginMode { Overlay => "overlay" }
);

string_enum!(
    /// `networkProfile.networkPolicy`.
    NetworkPolicy { None => "none", Calico => "calico", Azure => "azure", Cilium => "cilium" }
);

string_enum!(
    /// `networkProfile.networkDataplane`.
    NetworkDataplane { Azure => "azure", Cilium => "cilium" }
);

string_enum!(
    /// `networkProfile.outboundType`.
    OutboundType {
        LoadBalancer => "loadBalancer",
        UserDefinedRouting => "userDefinedRouting",
        ManagedNatGateway => "managedNATGateway",
        UserAssignedNatGateway => "userAssignedNATGateway",
        None => "none",
    }
);

string_enum!(
    /// `networkProfile.loadBalancerSku`.
    LoadBalancerSku { Standard => "standard", Basic => "basic" }
);

string_enum!(
    /// `autoUpgradeProfile.upgradeChannel`.
    UpgradeChannel {
        Rapid => "rapid",
        Stable => "stable",
        Patch => "patch",
        NodeImage => "node-image",
        None => "none",
    }
);

string_enum!(
    /// `autoUpgradeProfile.nodeOSUpgradeChannel`.
    NodeOsUpgradeChannel {
        None => "None",
        Unmanaged => "Unmanaged",
        NodeImage => "NodeImage",
        SecurityPatch => "SecurityPatch",
    }
);

string_enum!(
    /// Day of a weekly maintenance window.
    Weekday {
        Monday => "Monday",
        Tuesday => "Tuesday",
        Wednesday => "Wednesday",
        Thursday => "Thursday",
        Friday => "Friday",
        Saturday => "Saturday",
        Sunday => "Sunday",
    }
);

/// `Microsoft.ContainerService/managedClusters` (AKS) with its agent pools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cluster {
    /// 1-63 chars: letters, digits, `-` and `_`, alphanumeric at both ends.
    pub name: String,
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    /// `1.33` (latest patch) or `1.33.2`; absent means AKS's default version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Control-plane tier; absent means ARM's default (Free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<ClusterTier>,
    /// Control-plane identity; absent means system-assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ClusterIdentity>,
    /// Bring-your-own kubelet identity: logical name of an entry in `identities`. Absent means AKS
    /// creates one in the node resource group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubelet_identity: Option<String>,
    /// Defaults to the cluster name (ARM requires one; create-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_server: Option<ApiServer>,
    /// OIDC issuer (`oidcIssuerProfile.enabled`); cannot be turned off once on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_issuer: Option<bool>,
    /// Workload identity (`securityProfile.workloadIdentity.enabled`); needs `oidcIssuer: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_identity: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<ClusterNetwork>,
    /// Microsoft Entra integration (`aadProfile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entra: Option<EntraIntegration>,
    /// Local (static) accounts; `false` sets `disableLocalAccounts` and needs `entra`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_accounts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_upgrade: Option<AutoUpgrade>,
    /// Weekly planned maintenance window for auto-upgrades.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_window: Option<MaintenanceWindow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<Addons>,
    /// Logical names of registries the kubelet identity may pull from (an `AcrPull` role
    /// assignment on each, made by aksctl).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acr_pull: Vec<String>,
    pub pools: Vec<NodePool>,
    /// Microsoft Defender for Containers (`securityProfile.defender`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defender: Option<Defender>,
    /// The image cleaner (`securityProfile.imageCleaner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_cleaner: Option<ImageCleaner>,
    /// Azure Monitor managed Prometheus (`azureMonitorProfile.metrics`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_prometheus: Option<ManagedPrometheus>,
    /// The cluster autoscaler's tuning (`autoScalerProfile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaler_profile: Option<AutoscalerProfile>,
    /// Flux GitOps: the `microsoft.flux` extension and its configurations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flux: Option<Flux>,
    /// Diagnostic settings, owned whole when declared (even `[]`); absent: never read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_settings: Option<Vec<DiagnosticSetting>>,
}

/// The control-plane identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterIdentity {
    #[serde(rename = "type")]
    pub identity_type: ClusterIdentityType,
    /// Logical name of an entry in `identities`; required with `type: UserAssigned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned: Option<String>,
}

/// API server access (`apiServerAccessProfile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiServer {
    /// Private cluster (create-only); excludes `authorizedIpRanges`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// `system`, `none`, a private DNS zone resource id, or the name of a zone in
    /// `privateDnsZones` (`privatelink.<region>.azmk8s.io` or a subzone); only for private
    /// clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_dns_zone: Option<String>,
    /// CIDRs allowed to reach a public API server.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorized_ip_ranges: Vec<String>,
}

/// Cluster networking (`networkProfile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterNetwork {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<NetworkPlugin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_mode: Option<NetworkPluginMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<NetworkPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataplane: Option<NetworkDataplane>,
    /// Pod CIDR (kubenet or overlay only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// Service CIDR (create-only); must not overlap pod CIDR or any pool subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_cidr: Option<String>,
    /// Cluster DNS service IP, inside `serviceCidr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_service_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_type: Option<OutboundType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_sku: Option<LoadBalancerSku>,
    /// Grant the control-plane identity `Network Contributor` on the pools' subnets outside the
    /// node resource group (and their route table with `userDefinedRouting`), as AKS needs;
    /// default true. Set false when the grants are managed elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_contributor_grants: Option<bool>,
}

/// Microsoft Entra integration (`aadProfile`, managed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntraIntegration {
    /// Azure RBAC for Kubernetes authorization (`enableAzureRBAC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_rbac: Option<bool>,
    /// Entra group object ids given cluster-admin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admin_group_object_ids: Vec<String>,
    /// Tenant of the groups; defaults (in ARM) to the subscription's tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// `autoUpgradeProfile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutoUpgrade {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<UpgradeChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_os_channel: Option<NodeOsUpgradeChannel>,
}

/// A weekly maintenance window (`maintenanceConfigurations/aksManagedAutoUpgradeSchedule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub day: Weekday,
    /// `HH:MM`, 24-hour.
    pub start_time: String,
    /// 4-24 hours.
    pub duration_hours: u32,
    /// `+HH:MM` / `-HH:MM`; defaults (in ARM) to `+00:00`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
    /// Every N weeks (1-4); defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_weeks: Option<u32>,
    /// Date ranges no maintenance may start in (`notAllowedDates`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blackout_dates: Vec<BlackoutDates>,
}

/// Add-ons. Declaring one enables it unless it says `enabled: false`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Addons {
    /// Container Insights (`omsagent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringAddon>,
    /// Secrets Store CSI driver with the Azure Key Vault provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_vault_secrets_provider: Option<KeyVaultSecretsProviderAddon>,
    /// Azure Policy for AKS (Gatekeeper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_policy: Option<AzurePolicyAddon>,
    /// The AKS-managed Istio service mesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub istio: Option<IstioAddon>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MonitoringAddon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Logical name of a workspace in `logAnalyticsWorkspaces`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// Resource id of a workspace outside the estate; with neither this nor `workspace`, AKS
    /// creates a default workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_analytics_workspace_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyVaultSecretsProviderAddon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Secret rotation (`enableSecretRotation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<bool>,
    /// Rotation poll interval such as `2m` (`rotationPollInterval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_interval: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AzurePolicyAddon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IstioAddon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Mesh revisions such as `asm-1-25` (`serviceMeshProfile.istio.revisions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    /// Deploy the managed internal ingress gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_ingress_gateway: Option<bool>,
    /// Deploy the managed external ingress gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ingress_gateway: Option<bool>,
}

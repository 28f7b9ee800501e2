//! How long each long-running operation takes on public Azure (modelled), before `time_scale`.

use std::time::Duration;

use serde::Serialize;

use super::types::TYPES;

/// One modelled operation duration.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OperationDuration {
    /// ARM resource type, e.g. `Microsoft.ContainerService/managedClusters`.
    pub resource_type: &'static str,
    /// `create`, `update`, `delete` or `purge`.
    pub action: &'static str,
    /// Real-world seconds (multiply by the time scale for the mock's wall-clock time).
    pub seconds: f64,
    /// How ARM reports it: `async` (Azure-AsyncOperation), `location`, `both` or `sync`.
    pub polling: &'static str,
}

/// The table mock-arm uses; `GET /_mock/operations` returns it with the scaled values.
#[derive(Debug, Clone, Serialize)]
pub struct DurationTable {
    pub entries: Vec<OperationDuration>,
}

pub const fn entry(
    resource_type: &'static str,
    action: &'static str,
    seconds: f64,
    polling: &'static str,
) -> OperationDuration {
    OperationDuration {
        resource_type,
        action,
        seconds,
        polling,
    }
}

/// Base interval between polls ARM asks for (Retry-After), before scaling.
pub const POLL_INTERVAL_SECONDS: f64 = 10.0;

/// Modelled seconds to cordon and drain one node when an agent pool is deleted (AKS drains every
/// node, honouring PodDisruptionBudgets; FACTS-AKS-DAY2 §2), on top of the pool delete itself.
pub const DRAIN_SECONDS_PER_NODE: f64 = 30.0;
/// Per node with `ignore-pod-disruption-budget=true` (pods are deleted without waiting).
pub const FORCED_DRAIN_SECONDS_PER_NODE: f64 = 5.0;

/// How long a federated-credential write holds its identity (see docs/mock-arm.md), before
/// scaling; never less than `FIC_WRITE_FLOOR`.
pub const FIC_WRITE_SECONDS: f64 = 2.0;
pub const FIC_WRITE_FLOOR: Duration = Duration::from_millis(20);

impl DurationTable {
    /// Orders of magnitude observed on public Azure (shared/arm/README.md).
    /// The types whose provider states its own durations (`Provider::durations`) come last.
    pub fn modelled() -> DurationTable {
        let mut entries = vec![
            entry("Microsoft.Resources/resourceGroups", "create", 0.0, "sync"),
            entry(
                "Microsoft.Resources/resourceGroups",
                "delete",
                60.0,
                "location",
            ),
            entry(
                "Microsoft.ContainerRegistry/registries",
                "create",
                30.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerRegistry/registries",
                "update",
                10.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerRegistry/registries",
                "delete",
                20.0,
                "location",
            ),
            entry(
                "Microsoft.ContainerRegistry/registries/replications",
                "create",
                180.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerRegistry/registries/replications",
                "update",
                30.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerRegistry/registries/replications",
                "delete",
                120.0,
                "location",
            ),
            entry("Microsoft.KeyVault/vaults", "create", 15.0, "location"),
            entry("Microsoft.KeyVault/vaults", "update", 0.0, "sync"),
            entry("Microsoft.KeyVault/vaults", "delete", 0.0, "sync"),
            entry(
                "Microsoft.KeyVault/deletedVaults",
                "purge",
                15.0,
                "location",
            ),
            entry(
                "Microsoft.Storage/storageAccounts",
                "create",
                25.0,
                "location",
            ),
            entry("Microsoft.Storage/storageAccounts", "update", 0.0, "sync"),
            entry("Microsoft.Storage/storageAccounts", "delete", 0.0, "sync"),
            entry(
                "Microsoft.Storage/storageAccounts/accountMigrations",
                "migrate",
                600.0,
                "location",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters",
                "create",
                360.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters",
                "update",
                240.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters",
                "delete",
                300.0,
                "both",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters/agentPools",
                "create",
                210.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters/agentPools",
                "update",
                180.0,
                "async",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters/agentPools",
                "delete",
                60.0,
                "both",
            ),
            entry(
                "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
                "create",
                0.0,
                "sync",
            ),
            entry(
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                "create",
                0.0,
                "sync",
            ),
            entry(
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                "create",
                FIC_WRITE_SECONDS,
                "sync",
            ),
            entry(
                "Microsoft.Network/privateEndpoints",
                "create",
                60.0,
                "async",
            ),
            entry(
                "Microsoft.Network/privateEndpoints",
                "update",
                30.0,
                "async",
            ),
            entry(
                "Microsoft.Network/privateEndpoints",
                "delete",
                30.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                "create",
                10.0,
                "async",
            ),
            entry(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                "update",
                10.0,
                "async",
            ),
            entry(
                "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                "delete",
                10.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateDnsZones",
                "create",
                30.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateDnsZones",
                "update",
                10.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateDnsZones",
                "delete",
                30.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                "create",
                30.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                "update",
                30.0,
                "location",
            ),
            entry(
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                "delete",
                30.0,
                "location",
            ),
            entry(
                "Microsoft.Authorization/roleAssignments",
                "create",
                0.0,
                "sync",
            ),
            // GitOps (FACTS-2 §6, §7): installing flux takes a minute or two; configs less.
            entry(
                "Microsoft.KubernetesConfiguration/extensions",
                "create",
                90.0,
                "async",
            ),
            entry(
                "Microsoft.KubernetesConfiguration/extensions",
                "update",
                30.0,
                "async",
            ),
            entry(
                "Microsoft.KubernetesConfiguration/extensions",
                "delete",
                60.0,
                "async",
            ),
            entry(
                "Microsoft.KubernetesConfiguration/fluxConfigurations",
                "create",
                30.0,
                "async",
            ),
            entry(
                "Microsoft.KubernetesConfiguration/fluxConfigurations",
                "update",
                20.0,
                "async",
            ),
            entry(
                "Microsoft.KubernetesConfiguration/fluxConfigurations",
                "delete",
                20.0,
                "async",
            ),
        ];
        entries.extend(
            TYPES
                .iter()
                .flat_map(|info| info.provider.durations().iter().cloned()),
        );
        DurationTable { entries }
    }

    /// Real-world seconds for a type and action (0 when synchronous or unknown).
    pub fn seconds(&self, resource_type: &str, action: &str) -> f64 {
        self.entries
            .iter()
            .find(|entry| {
                entry.resource_type.eq_ignore_ascii_case(resource_type) && entry.action == action
            })
            .map(|entry| entry.seconds)
            .unwrap_or(0.0)
    }
}

/// `seconds` multiplied by `time_scale`, as a Duration (negative or NaN scales count as 0).
pub fn scaled(seconds: f64, time_scale: f64) -> Duration {
    let value = seconds * time_scale;
    if value.is_finite() && value > 0.0 {
        Duration::from_secs_f64(value)
    } else {
        Duration::ZERO
    }
}

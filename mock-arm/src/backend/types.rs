//! The resource types mock-arm serves: canonical ARM type names, path segments, the api-versions
//! accepted for each (the pinned GA version first), and the provider implementing each. A new
//! type is its provider file (which may declare its own `TypeInfo`) plus its variant and its
//! entry here.

use super::provider::Provider;
use super::{
    agent_pool, authorization, cluster, diagnostics, gitops, identity, keyvault, maintenance,
    network, private_dns, private_endpoint, registry, replication, resources, storage,
    storage_children, storage_migration, workspace,
};

/// Every resource type mock-arm stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    ResourceGroup,
    Registry,
    Vault,
    StorageAccount,
    BlobService,
    BlobContainer,
    ManagementPolicy,
    Identity,
    FederatedCredential,
    ManagedCluster,
    AgentPool,
    RoleAssignment,
    Replication,
    MaintenanceConfiguration,
    Workspace,
    AccountMigration,
    VirtualNetwork,
    Subnet,
    PrivateEndpoint,
    PrivateDnsZoneGroup,
    PrivateDnsZone,
    VirtualNetworkLink,
    ClusterExtension,
    FluxConfiguration,
    DiagnosticSettingOfCluster,
    DiagnosticSettingOfVault,
    DiagnosticSettingOfRegistry,
    DiagnosticSettingOfStorageAccount,
    DiagnosticSettingOfBlobService,
}

/// Static facts about one kind, and its provider: one entry of [`TYPES`] registers a type (its
/// behaviour, durations and soft-deleted resources come from the provider's hooks).
pub struct TypeInfo {
    pub kind: Kind,
    pub namespace: &'static str,
    /// Type segments after the namespace, e.g. `["managedClusters", "agentPools"]`.
    pub segments: &'static [&'static str],
    pub arm_type: &'static str,
    pub api_versions: &'static [&'static str],
    /// Replay order of a world: parents before children, role assignments last.
    pub seed_rank: u8,
    pub provider: &'static dyn Provider,
}

const MSI_VERSIONS: &[&str] = &["2026-05-31", "2024-11-30", "2023-01-31"];
const STORAGE_VERSIONS: &[&str] = &["2026-09-01"];
const AKS_VERSIONS: &[&str] = &["2026-08-01"];
const NETWORK_VERSIONS: &[&str] = &["2025-09-01"];
const PRIVATE_DNS_VERSIONS: &[&str] = &["2024-06-01"];
/// The named settings exist only in the preview (`FACTS-2.md` §2.1).
const DIAGNOSTIC_SETTINGS_VERSIONS: &[&str] = &["2021-05-01-preview"];
const DIAGNOSTIC_SETTINGS_TYPE: &str = "Microsoft.Insights/diagnosticSettings";

/// The entry of the diagnostic settings on one target type (`segments`: the target's type
/// segments, then `diagnosticSettings`).
const fn diagnostic_settings_on(kind: Kind, segments: &'static [&'static str]) -> TypeInfo {
    TypeInfo {
        kind,
        namespace: "Microsoft.Insights",
        segments,
        arm_type: DIAGNOSTIC_SETTINGS_TYPE,
        api_versions: DIAGNOSTIC_SETTINGS_VERSIONS,
        seed_rank: 6,
        provider: &diagnostics::DiagnosticSettings,
    }
}

pub const TYPES: &[TypeInfo] = &[
    TypeInfo {
        kind: Kind::ResourceGroup,
        namespace: "Microsoft.Resources",
        segments: &["resourceGroups"],
        arm_type: "Microsoft.Resources/resourceGroups",
        api_versions: &["2025-04-01", "2021-04-01"],
        seed_rank: 0,
        provider: &resources::ResourceGroups,
    },
    TypeInfo {
        kind: Kind::Registry,
        namespace: "Microsoft.ContainerRegistry",
        segments: &["registries"],
        arm_type: "Microsoft.ContainerRegistry/registries",
        api_versions: &["2025-11-01"],
        seed_rank: 2,
        provider: &registry::Registries,
    },
    TypeInfo {
        kind: Kind::Vault,
        namespace: "Microsoft.KeyVault",
        segments: &["vaults"],
        arm_type: "Microsoft.KeyVault/vaults",
        api_versions: &["2026-02-01"],
        seed_rank: 2,
        provider: &keyvault::Vaults,
    },
    TypeInfo {
        kind: Kind::StorageAccount,
        namespace: "Microsoft.Storage",
        segments: &["storageAccounts"],
        arm_type: "Microsoft.Storage/storageAccounts",
        api_versions: STORAGE_VERSIONS,
        seed_rank: 2,
        provider: &storage::StorageAccounts,
    },
    TypeInfo {
        kind: Kind::BlobService,
        namespace: "Microsoft.Storage",
        segments: &["storageAccounts", "blobServices"],
        arm_type: "Microsoft.Storage/storageAccounts/blobServices",
        api_versions: STORAGE_VERSIONS,
        seed_rank: 3,
        provider: &storage_children::BlobServices,
    },
    TypeInfo {
        kind: Kind::BlobContainer,
        namespace: "Microsoft.Storage",
        segments: &["storageAccounts", "blobServices", "containers"],
        arm_type: "Microsoft.Storage/storageAccounts/blobServices/containers",
        api_versions: STORAGE_VERSIONS,
        seed_rank: 4,
        provider: &storage_children::BlobContainers,
    },
    TypeInfo {
        kind: Kind::ManagementPolicy,
        namespace: "Microsoft.Storage",
        segments: &["storageAccounts", "managementPolicies"],
        arm_type: "Microsoft.Storage/storageAccounts/managementPolicies",
        api_versions: STORAGE_VERSIONS,
        seed_rank: 3,
        provider: &storage_children::ManagementPolicies,
    },
    TypeInfo {
        kind: Kind::Identity,
        namespace: "Microsoft.ManagedIdentity",
        segments: &["userAssignedIdentities"],
        arm_type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        api_versions: MSI_VERSIONS,
        seed_rank: 1,
        provider: &identity::Identities,
    },
    TypeInfo {
        kind: Kind::FederatedCredential,
        namespace: "Microsoft.ManagedIdentity",
        segments: &["userAssignedIdentities", "federatedIdentityCredentials"],
        arm_type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        api_versions: MSI_VERSIONS,
        seed_rank: 3,
        provider: &identity::FederatedCredentials,
    },
    TypeInfo {
        kind: Kind::ManagedCluster,
        namespace: "Microsoft.ContainerService",
        segments: &["managedClusters"],
        arm_type: "Microsoft.ContainerService/managedClusters",
        api_versions: AKS_VERSIONS,
        seed_rank: 5,
        provider: &cluster::ManagedClusters,
    },
    TypeInfo {
        kind: Kind::AgentPool,
        namespace: "Microsoft.ContainerService",
        segments: &["managedClusters", "agentPools"],
        arm_type: "Microsoft.ContainerService/managedClusters/agentPools",
        api_versions: AKS_VERSIONS,
        seed_rank: 6,
        provider: &agent_pool::AgentPools,
    },
    TypeInfo {
        kind: Kind::RoleAssignment,
        namespace: "Microsoft.Authorization",
        segments: &["roleAssignments"],
        arm_type: "Microsoft.Authorization/roleAssignments",
        api_versions: &["2026-08-01", "2022-04-01"],
        seed_rank: 7,
        provider: &authorization::RoleAssignments,
    },
    TypeInfo {
        kind: Kind::Replication,
        namespace: "Microsoft.ContainerRegistry",
        segments: &["registries", "replications"],
        arm_type: "Microsoft.ContainerRegistry/registries/replications",
        api_versions: &["2025-11-01"],
        seed_rank: 3,
        provider: &replication::Replications,
    },
    TypeInfo {
        kind: Kind::MaintenanceConfiguration,
        namespace: "Microsoft.ContainerService",
        segments: &["managedClusters", "maintenanceConfigurations"],
        arm_type: "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        api_versions: AKS_VERSIONS,
        seed_rank: 6,
        provider: &maintenance::MaintenanceConfigurations,
    },
    workspace::TYPE,
    TypeInfo {
        kind: Kind::AccountMigration,
        namespace: "Microsoft.Storage",
        segments: &["storageAccounts", "accountMigrations"],
        arm_type: "Microsoft.Storage/storageAccounts/accountMigrations",
        api_versions: STORAGE_VERSIONS,
        seed_rank: 3,
        provider: &storage_migration::AccountMigrations,
    },
    TypeInfo {
        kind: Kind::VirtualNetwork,
        namespace: "Microsoft.Network",
        segments: &["virtualNetworks"],
        arm_type: "Microsoft.Network/virtualNetworks",
        api_versions: NETWORK_VERSIONS,
        seed_rank: 1,
        provider: &network::VirtualNetworks,
    },
    TypeInfo {
        kind: Kind::Subnet,
        namespace: "Microsoft.Network",
        segments: &["virtualNetworks", "subnets"],
        arm_type: "Microsoft.Network/virtualNetworks/subnets",
        api_versions: NETWORK_VERSIONS,
        seed_rank: 2,
        provider: &network::Subnets,
    },
    TypeInfo {
        kind: Kind::PrivateEndpoint,
        namespace: "Microsoft.Network",
        segments: &["privateEndpoints"],
        arm_type: "Microsoft.Network/privateEndpoints",
        api_versions: NETWORK_VERSIONS,
        seed_rank: 3,
        provider: &private_endpoint::PrivateEndpoints,
    },
    TypeInfo {
        kind: Kind::PrivateDnsZoneGroup,
        namespace: "Microsoft.Network",
        segments: &["privateEndpoints", "privateDnsZoneGroups"],
        arm_type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        api_versions: NETWORK_VERSIONS,
        seed_rank: 4,
        provider: &private_endpoint::PrivateDnsZoneGroups,
    },
    TypeInfo {
        kind: Kind::PrivateDnsZone,
        namespace: "Microsoft.Network",
        segments: &["privateDnsZones"],
        arm_type: "Microsoft.Network/privateDnsZones",
        api_versions: PRIVATE_DNS_VERSIONS,
        seed_rank: 1,
        provider: &private_dns::PrivateDnsZones,
    },
    TypeInfo {
        kind: Kind::VirtualNetworkLink,
        namespace: "Microsoft.Network",
        segments: &["privateDnsZones", "virtualNetworkLinks"],
        arm_type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        api_versions: PRIVATE_DNS_VERSIONS,
        seed_rank: 2,
        provider: &private_dns::VirtualNetworkLinks,
    },
    // Extension resources of a managed cluster (`{cluster}/providers/{namespace}/{type}/{name}`):
    // the first segment is the parent's type, the namespace the extension's (see `path.rs`).
    TypeInfo {
        kind: Kind::ClusterExtension,
        namespace: "Microsoft.KubernetesConfiguration",
        segments: &["managedClusters", "extensions"],
        arm_type: "Microsoft.KubernetesConfiguration/extensions",
        api_versions: &["2025-03-01"],
        seed_rank: 6,
        provider: &gitops::ClusterExtensions,
    },
    TypeInfo {
        kind: Kind::FluxConfiguration,
        namespace: "Microsoft.KubernetesConfiguration",
        segments: &["managedClusters", "fluxConfigurations"],
        arm_type: "Microsoft.KubernetesConfiguration/fluxConfigurations",
        api_versions: &["2025-04-01"],
        seed_rank: 7,
        provider: &gitops::FluxConfigurations,
    },
    // Diagnostic settings (`{target}/providers/Microsoft.Insights/diagnosticSettings/{name}`):
    // one kind per target type, since a kind has one parent (`diagnostics.rs`).
    diagnostic_settings_on(
        Kind::DiagnosticSettingOfCluster,
        &["managedClusters", "diagnosticSettings"],
    ),
    diagnostic_settings_on(
        Kind::DiagnosticSettingOfVault,
        &["vaults", "diagnosticSettings"],
    ),
    diagnostic_settings_on(
        Kind::DiagnosticSettingOfRegistry,
        &["registries", "diagnosticSettings"],
    ),
    diagnostic_settings_on(
        Kind::DiagnosticSettingOfStorageAccount,
        &["storageAccounts", "diagnosticSettings"],
    ),
    diagnostic_settings_on(
        Kind::DiagnosticSettingOfBlobService,
        &["storageAccounts", "blobServices", "diagnosticSettings"],
    ),
];

/// api-versions for `GET /subscriptions[/{id}]`.
pub const SUBSCRIPTION_VERSIONS: &[&str] =
    &["2022-12-01", "2021-01-01", "2020-01-01", "2025-04-01"];

/// api-versions for role definitions (read-only built-ins).
pub const ROLE_DEFINITION_VERSIONS: &[&str] = &["2022-04-01", "2026-08-01"];

impl Kind {
    pub fn info(self) -> &'static TypeInfo {
        // TYPES holds one entry per Kind (`tests::every_kind_has_exactly_one_entry_in_the_type_table`);
        // the fallback is never reached but avoids a panic path.
        TYPES
            .iter()
            .find(|info| info.kind == self)
            .unwrap_or(&TYPES[0])
    }

    pub fn arm_type(self) -> &'static str {
        self.info().arm_type
    }

    /// Whether this is an extension resource attached to its parent (its namespace is not the
    /// parent's): its id is `{parent id}/providers/{namespace}/{type}/{name}`.
    pub fn is_extension(self) -> bool {
        match self.parent() {
            Some(Kind::ResourceGroup) | None => false,
            Some(parent) => !parent
                .info()
                .namespace
                .eq_ignore_ascii_case(self.info().namespace),
        }
    }

    /// The last type segment, e.g. `agentPools`.
    pub fn leaf_segment(self) -> &'static str {
        self.info().segments.last().copied().unwrap_or_default()
    }

    /// The kind that contains this one in its id (resource group for top-level types).
    pub fn parent(self) -> Option<Kind> {
        match self {
            Kind::ResourceGroup | Kind::RoleAssignment => None,
            Kind::BlobService | Kind::ManagementPolicy | Kind::AccountMigration => {
                Some(Kind::StorageAccount)
            }
            Kind::BlobContainer => Some(Kind::BlobService),
            Kind::FederatedCredential => Some(Kind::Identity),
            Kind::AgentPool | Kind::MaintenanceConfiguration => Some(Kind::ManagedCluster),
            Kind::ClusterExtension | Kind::FluxConfiguration => Some(Kind::ManagedCluster),
            Kind::Replication => Some(Kind::Registry),
            Kind::Subnet => Some(Kind::VirtualNetwork),
            Kind::PrivateDnsZoneGroup => Some(Kind::PrivateEndpoint),
            Kind::VirtualNetworkLink => Some(Kind::PrivateDnsZone),
            Kind::DiagnosticSettingOfCluster => Some(Kind::ManagedCluster),
            Kind::DiagnosticSettingOfVault => Some(Kind::Vault),
            Kind::DiagnosticSettingOfRegistry => Some(Kind::Registry),
            Kind::DiagnosticSettingOfStorageAccount => Some(Kind::StorageAccount),
            Kind::DiagnosticSettingOfBlobService => Some(Kind::BlobService),
            _ => Some(Kind::ResourceGroup),
        }
    }

    /// Finds a kind from a namespace and type segments, case-insensitively.
    pub fn lookup(namespace: &str, segments: &[&str]) -> Option<Kind> {
        TYPES
            .iter()
            .find(|info| {
                info.namespace.eq_ignore_ascii_case(namespace)
                    && info.segments.len() == segments.len()
                    && info
                        .segments
                        .iter()
                        .zip(segments)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
            .map(|info| info.kind)
    }

    /// Kinds that can be listed per subscription / resource group.
    pub fn top_level_in(namespace: &str, segment: &str) -> Option<Kind> {
        Kind::lookup(namespace, &[segment]).filter(|kind| *kind != Kind::ResourceGroup)
    }
}

/// Sorting rank for replaying a world: parents before children, role assignments last.
pub fn seed_rank(kind: Kind) -> u8 {
    kind.info().seed_rank
}

#[cfg(test)]
mod tests {
    use super::TYPES;

    /// The variants of `Kind`, read from this file's source.
    fn variants() -> Vec<String> {
        let source = include_str!("types.rs");
        let body = source
            .split("pub enum Kind {")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
            .unwrap_or_default();
        body.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .map(|line| line.trim_end_matches(',').to_string())
            .collect()
    }

    /// A type missing from the table would silently get the first entry's provider.
    #[test]
    fn every_kind_has_exactly_one_entry_in_the_type_table() {
        let variants = variants();
        assert!(variants.len() > 20, "{variants:?}");
        for variant in &variants {
            let entries = TYPES
                .iter()
                .filter(|info| format!("{:?}", info.kind) == *variant)
                .count();
            assert_eq!(
                entries, 1,
                "`Kind::{variant}` has {entries} entries in TYPES"
            );
        }
        assert_eq!(TYPES.len(), variants.len(), "TYPES has an entry of no kind");
    }
}

//! The resource kinds aksctl manages: ARM type, pinned api-version, parent kind and estate address
//! prefix of each. One table, so every stage (desired, live, diff, apply) agrees on them.

use serde::{Deserialize, Serialize};

/// A kind of Azure resource aksctl manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    ResourceGroup,
    ContainerRegistry,
    KeyVault,
    StorageAccount,
    BlobService,
    BlobContainer,
    StorageManagementPolicy,
    ManagedCluster,
    AgentPool,
    RegistryReplication,
    MaintenanceConfiguration,
    UserAssignedIdentity,
    FederatedIdentityCredential,
    RoleAssignment,
}

impl Kind {
    /// Every kind, parents before children.
    pub const ALL: [Kind; 14] = [
        Kind::ResourceGroup,
        Kind::ContainerRegistry,
        Kind::RegistryReplication,
        Kind::KeyVault,
        Kind::StorageAccount,
        Kind::BlobService,
        Kind::BlobContainer,
        Kind::StorageManagementPolicy,
        Kind::UserAssignedIdentity,
        Kind::FederatedIdentityCredential,
        Kind::ManagedCluster,
        Kind::AgentPool,
        Kind::MaintenanceConfiguration,
        Kind::RoleAssignment,
    ];

    /// The ARM resource type, as ARM spells it in `type`.
    pub fn arm_type(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "Microsoft.Resources/resourceGroups",
            Kind::ContainerRegistry => "Microsoft.ContainerRegistry/registries",
            Kind::KeyVault => "Microsoft.KeyVault/vaults",
            Kind::StorageAccount => "Microsoft.Storage/storageAccounts",
            Kind::BlobService => "Microsoft.Storage/storageAccounts/blobServices",
            Kind::BlobContainer => "Microsoft.Storage/storageAccounts/blobServices/containers",
            Kind::StorageManagementPolicy => "Microsoft.Storage/storageAccounts/managementPolicies",
            Kind::ManagedCluster => "Microsoft.ContainerService/managedClusters",
            Kind::AgentPool => "Microsoft.ContainerService/managedClusters/agentPools",
            Kind::RegistryReplication => "Microsoft.ContainerRegistry/registries/replications",
            Kind::MaintenanceConfiguration => {
                "Microsoft.ContainerService/managedClusters/maintenanceConfigurations"
            }
            Kind::UserAssignedIdentity => "Microsoft.ManagedIdentity/userAssignedIdentities",
            Kind::FederatedIdentityCredential => {
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
            }
            Kind::RoleAssignment => "Microsoft.Authorization/roleAssignments",
        }
    }

    /// The GA api-version aksctl pins for this kind (`../shared/arm/api-versions.json`).
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "2025-04-01",
            Kind::ContainerRegistry | Kind::RegistryReplication => "2025-11-01",
            Kind::KeyVault => "2026-02-01",
            Kind::StorageAccount
            | Kind::BlobService
            | Kind::BlobContainer
            | Kind::StorageManagementPolicy => "2026-09-01",
            Kind::ManagedCluster | Kind::AgentPool | Kind::MaintenanceConfiguration => "2026-08-01",
            Kind::UserAssignedIdentity | Kind::FederatedIdentityCredential => "2026-05-31",
            Kind::RoleAssignment => "2026-08-01",
        }
    }

    /// The kind whose resource contains this one in its ARM id, if any.
    pub fn parent(self) -> Option<Kind> {
        match self {
            Kind::BlobService | Kind::StorageManagementPolicy => Some(Kind::StorageAccount),
            Kind::BlobContainer => Some(Kind::BlobService),
            Kind::AgentPool | Kind::MaintenanceConfiguration => Some(Kind::ManagedCluster),
            Kind::RegistryReplication => Some(Kind::ContainerRegistry),
            Kind::FederatedIdentityCredential => Some(Kind::UserAssignedIdentity),
            _ => None,
        }
    }

    /// The prefix of a plan address (`<prefix>/<name>`) and of a logical reference in the estate.
    pub fn address_prefix(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "resourceGroup",
            Kind::ContainerRegistry => "registry",
            Kind::KeyVault => "keyVault",
            Kind::StorageAccount => "storageAccount",
            Kind::BlobService => "blobService",
            Kind::BlobContainer => "blobContainer",
            Kind::StorageManagementPolicy => "managementPolicy",
            Kind::ManagedCluster => "cluster",
            Kind::AgentPool => "pool",
            Kind::RegistryReplication => "registryReplication",
            Kind::MaintenanceConfiguration => "maintenanceConfiguration",
            Kind::UserAssignedIdentity => "identity",
            Kind::FederatedIdentityCredential => "federatedCredential",
            Kind::RoleAssignment => "roleAssignment",
        }
    }

    /// Whether the resource is tracked (has `location` and `tags`) rather than a proxy resource.
    pub fn is_tracked(self) -> bool {
        matches!(
            self,
            Kind::ResourceGroup
                | Kind::ContainerRegistry
                | Kind::RegistryReplication
                | Kind::KeyVault
                | Kind::StorageAccount
                | Kind::ManagedCluster
                | Kind::UserAssignedIdentity
        )
    }

    /// The kind whose ARM type is `arm_type` (compared case-insensitively), if aksctl manages it.
    pub fn from_arm_type(arm_type: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.arm_type().eq_ignore_ascii_case(arm_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_types_round_trip_case_insensitively() {
        for kind in Kind::ALL {
            assert_eq!(
                Kind::from_arm_type(&kind.arm_type().to_uppercase()),
                Some(kind)
            );
        }
    }

    #[test]
    fn parents_come_before_children_in_all() {
        for (index, kind) in Kind::ALL.iter().enumerate() {
            if let Some(parent) = kind.parent() {
                let parent_index = Kind::ALL.iter().position(|k| *k == parent);
                assert!(parent_index.is_some_and(|p| p < index), "{kind:?}");
            }
        }
    }
}

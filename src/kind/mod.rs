//! The resource kinds aksctl manages and, through `Kind::descriptor`, everything known about each
//! (ARM type, api-version, parent, address prefix, live read, diff rules, write rules, gate,
//! timing). One table, so every stage (desired, live, diff, apply, export) agrees on them.

mod cluster;
pub mod descriptor;
pub mod diagnostics;
pub mod fields;
mod gitops;
mod identity;
pub mod naming;
mod network;
mod platform;
mod storage;
mod workspace;

use serde::{Deserialize, Serialize};

pub use cluster::AKS_SYSTEM_PREFIX;
pub use cluster::POOL_SKEW_MINORS;
pub use descriptor::{Attach, KindDescriptor, Read};

use crate::id::ResourceId;
pub use platform::vault_purge_protected;
pub use storage::{storage_kind_change, storage_sku_change, ACCOUNT_MIGRATION};

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
    LogAnalyticsWorkspace,
    PrivateDnsZone,
    VirtualNetworkLink,
    PrivateEndpoint,
    PrivateDnsZoneGroup,
    ClusterExtension,
    FluxConfiguration,
    DiagnosticSetting,
}

impl Kind {
    /// Every kind, parents before children.
    pub const ALL: [Kind; 22] = [
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
        Kind::LogAnalyticsWorkspace,
        Kind::PrivateDnsZone,
        Kind::VirtualNetworkLink,
        Kind::ManagedCluster,
        Kind::AgentPool,
        Kind::MaintenanceConfiguration,
        Kind::ClusterExtension,
        Kind::FluxConfiguration,
        Kind::RoleAssignment,
        Kind::PrivateEndpoint,
        Kind::PrivateDnsZoneGroup,
        Kind::DiagnosticSetting,
    ];

    /// Everything aksctl knows about this kind. The one exhaustive match over kinds: a new kind
    /// does not compile until it has a descriptor.
    pub fn descriptor(self) -> &'static KindDescriptor {
        match self {
            Kind::ResourceGroup => &platform::RESOURCE_GROUP,
            Kind::ContainerRegistry => &platform::CONTAINER_REGISTRY,
            Kind::RegistryReplication => &platform::REGISTRY_REPLICATION,
            Kind::KeyVault => &platform::KEY_VAULT,
            Kind::StorageAccount => &storage::STORAGE_ACCOUNT,
            Kind::BlobService => &storage::BLOB_SERVICE,
            Kind::BlobContainer => &storage::BLOB_CONTAINER,
            Kind::StorageManagementPolicy => &storage::STORAGE_MANAGEMENT_POLICY,
            Kind::ManagedCluster => &cluster::MANAGED_CLUSTER,
            Kind::AgentPool => &cluster::AGENT_POOL,
            Kind::MaintenanceConfiguration => &cluster::MAINTENANCE_CONFIGURATION,
            Kind::UserAssignedIdentity => &identity::USER_ASSIGNED_IDENTITY,
            Kind::FederatedIdentityCredential => &identity::FEDERATED_IDENTITY_CREDENTIAL,
            Kind::RoleAssignment => &identity::ROLE_ASSIGNMENT,
            Kind::LogAnalyticsWorkspace => &workspace::LOG_ANALYTICS_WORKSPACE,
            Kind::PrivateDnsZone => &network::PRIVATE_DNS_ZONE,
            Kind::VirtualNetworkLink => &network::VIRTUAL_NETWORK_LINK,
            Kind::PrivateEndpoint => &network::PRIVATE_ENDPOINT,
            Kind::PrivateDnsZoneGroup => &network::PRIVATE_DNS_ZONE_GROUP,
            Kind::ClusterExtension => &gitops::CLUSTER_EXTENSION,
            Kind::FluxConfiguration => &gitops::FLUX_CONFIGURATION,
            Kind::DiagnosticSetting => &diagnostics::DIAGNOSTIC_SETTING,
        }
    }

    /// The ARM resource type, as ARM spells it in `type`.
    pub fn arm_type(self) -> &'static str {
        self.descriptor().arm_type
    }

    /// The GA api-version aksctl pins for this kind (`../shared/arm/api-versions.json`).
    pub fn api_version(self) -> &'static str {
        self.descriptor().api_version
    }

    /// The kind whose resource contains this one in its ARM id, if any.
    pub fn parent(self) -> Option<Kind> {
        self.descriptor().parent
    }

    /// The prefix of a plan address (`<prefix>/<name>`) and of a logical reference in the estate.
    pub fn address_prefix(self) -> &'static str {
        self.descriptor().address_prefix
    }

    /// Whether the resource is tracked (has `location` and `tags`) rather than a proxy resource.
    pub fn is_tracked(self) -> bool {
        self.descriptor().tracked
    }

    /// Whether this is the resource-group kind: the container of every other top-level kind,
    /// read per subscription.
    pub fn is_resource_group(self) -> bool {
        self.descriptor().read == Read::SubscriptionGroups
    }

    /// The group id a private endpoint on this kind gets when it declares none (`registry`,
    /// `vault`, `blob`), if a private endpoint may connect to it.
    pub fn default_private_link_group(self) -> Option<&'static str> {
        self.descriptor()
            .private_link
            .map(|link| link.default_group)
    }

    /// Whether this is a cluster: a top-level kind whose writes are AKS operations
    /// (`write.cluster_operation`).
    pub fn is_cluster(self) -> bool {
        self.descriptor().write.cluster_operation && self.parent().is_none()
    }

    /// Whether this is a cluster's node pool: a child of a cluster whose writes are AKS
    /// operations too (a new cluster's body embeds its new pools).
    pub fn is_node_pool(self) -> bool {
        self.descriptor().write.cluster_operation && self.parent().is_some_and(Kind::is_cluster)
    }

    /// Whether a change ARM cannot make in place rotates it (`ChangeClass::Rotate`/`RotateWhen`:
    /// a replacement is created beside it, waited for, and the old one deleted).
    pub fn rotates(self) -> bool {
        self.descriptor().diff.fields.iter().any(|rule| {
            matches!(
                rule.change,
                descriptor::ChangeClass::Rotate | descriptor::ChangeClass::RotateWhen(_)
            )
        })
    }

    /// Whether a live one is owned through its deterministic name (not tags or a parent).
    pub fn owned_through_name(self) -> bool {
        self.descriptor().ownership == descriptor::Ownership::DeterministicName
    }

    /// The top-level kind above this one (itself for a top-level kind).
    pub fn top_level(self) -> Kind {
        let mut kind = self;
        while let Some(parent) = kind.parent() {
            kind = parent;
        }
        kind
    }

    /// Whether this is an extension resource attached to its parent (its ARM namespace is not
    /// the parent's): its id is `{parent id}/providers/{arm type}/{name}`, not
    /// `{parent id}/{last type segment}/{name}`.
    pub fn is_extension_of_parent(self) -> bool {
        self.descriptor().attaches_to != Attach::Parent
            || self.parent().is_some_and(|parent| {
                !self
                    .arm_type()
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}/", parent.arm_type().to_ascii_lowercase()))
            })
    }

    /// The kinds one of this kind may be attached to: its parent, or every kind offering what an
    /// extension resource attached to several kinds needs (`Attach`).
    pub fn attached_kinds(self) -> Vec<Kind> {
        match self.descriptor().attaches_to {
            Attach::Parent => self.parent().into_iter().collect(),
            Attach::KindsWithDiagnostics => Kind::ALL
                .into_iter()
                .filter(|kind| kind.descriptor().diagnostics.is_some())
                .collect(),
        }
    }

    /// Whether one of this kind may attach to resources of several kinds (its target's kind is
    /// then read from its id: `attached_parent`).
    pub fn attaches_to_several(self) -> bool {
        self.descriptor().attaches_to != Attach::Parent
    }

    /// The kind of the resource `id` (one of this kind) is attached to or contained in.
    pub fn attached_parent(self, id: &ResourceId) -> Option<Kind> {
        match self.descriptor().attaches_to {
            Attach::Parent => self.parent(),
            Attach::KindsWithDiagnostics => id
                .parent()
                .and_then(|target| target.kind())
                .filter(|kind| self.attached_kinds().contains(kind)),
        }
    }

    /// The path segment(s) between a parent id and a child's name: `agentPools`, or
    /// `providers/Microsoft.KubernetesConfiguration/fluxConfigurations` for an extension
    /// resource.
    pub fn child_segment(self) -> String {
        if self.is_extension_of_parent() {
            format!("providers/{}", self.arm_type())
        } else {
            self.arm_type()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned()
        }
    }

    /// The kinds listed per resource group, in `ALL` order (parents before the kinds that refer
    /// to them).
    pub fn listed_per_resource_group() -> impl Iterator<Item = Kind> {
        Kind::ALL
            .into_iter()
            .filter(|kind| kind.descriptor().read == Read::ResourceGroup)
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
    fn cluster_predicates_pick_clusters_pools_and_rotated_kinds() {
        let clusters: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.is_cluster()).collect();
        let pools: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.is_node_pool()).collect();
        let rotated: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.rotates()).collect();
        assert_eq!(clusters, vec![Kind::ManagedCluster]);
        assert_eq!(pools, vec![Kind::AgentPool]);
        assert_eq!(rotated, vec![Kind::AgentPool]);
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

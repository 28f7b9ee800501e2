//! Desired state: the estate lowered to one ARM body per resource, with its dependencies and the
//! values only apply can know. Pure: reads no live state (the plan resolves `deferred` against live).
//!
//! Entry point: [`lower`]`(&estate, &LowerContext)` on a loaded (merged, defaulted, validated)
//! estate. Each `DesiredResource::body` holds only what the estate declares or implies, in the
//! PUT shape of the kind's pinned api-version (`Kind::api_version`); the diff engine compares
//! those fields only and the executor deep-merges them into the live body for updates.
//!
//! Plan addresses per kind (the same as `planner::ownership::address_for` gives live resources):
//!
//! | kind | address |
//! |---|---|
//! | resource group | `resourceGroup/<name>` |
//! | container registry | `registry/<name>` |
//! | key vault | `keyVault/<name>` |
//! | storage account | `storageAccount/<account>` |
//! | blob service (`default`) | `blobService/<account>` |
//! | blob container | `blobContainer/<account>/<container>` |
//! | lifecycle policy (`default`) | `managementPolicy/<account>` |
//! | user-assigned identity | `identity/<name>` |
//! | federated credential | `federatedCredential/<identity>/<credential>` |
//! | registry geo-replica | `registryReplication/<registry>/<location>` |
//! | managed cluster | `cluster/<name>` |
//! | agent pool | `pool/<cluster>/<pool>` |
//! | maintenance configuration | `maintenanceConfiguration/<cluster>/<name>` (`aksManagedAutoUpgradeSchedule`, `aksManagedNodeOSUpgradeSchedule`) |
//! | a kind lowered from its field mapping (`Lowering::Fields`: the Log Analytics workspace) | `<address prefix>/<name>` (`logAnalyticsWorkspace/<name>`) |
//! | diagnostic setting | `diagnosticSetting/<target address>/<name>` (`diagnosticSetting/cluster/aks-prod/audit`, `diagnosticSetting/blobService/<account>/logs`) |
//! | role assignment | `roleAssignment/<logical name>` (the estate's `name`, else the spec's derived `{principal}-{role}-on-{scope}`; a cluster's `acrPull` entry gives `<cluster>-kubelet-acrpull-on-<registry>`) |
//!
//! **System pools are inlined into the cluster.** A cluster PUT needs at least one `System` pool
//! in `properties.agentPoolProfiles`, so the cluster body lists every `System` pool of the estate
//! there (same properties as the pool body, plus `name`), and no `User` pool. Every pool, System
//! ones included, is also its own `AgentPool` resource (`pool/<cluster>/<pool>`) for diffing and
//! for updates after creation: the executor creates the System pools with the cluster and then
//! only confirms their pool steps; User pools go through the agent-pool API.
//!
//! Values from other resources are `null` in `body` and listed in `deferred`:
//! - federated credential `issuer` <- `cluster/<c>` `/properties/oidcIssuerProfile/issuerURL`;
//! - role assignment `principalId` <- `identity/<i>` `/properties/principalId` (identities, a
//!   user-assigned control plane, a bring-your-own kubelet identity), `cluster/<c>`
//!   `/properties/identityProfile/kubeletidentity/objectId` (AKS-made kubelet identity) or
//!   `cluster/<c>` `/identity/principalId` (system-assigned control plane);
//! - cluster `identityProfile.kubeletidentity.{clientId,objectId}` <- the kubelet identity's
//!   `/properties/clientId` and `/properties/principalId`.
//!
//! Role assignment names are `id::role_assignment_name(scope, role GUID, principal key)` with a
//! principal key known at plan time, so the name (and the id) never depends on a deferred value:
//! the identity's resource id, `<cluster id>/kubelet`, `<cluster id>/controlPlane`, or the literal
//! object id. A recreated cluster keeps its assignment names; only `principalId` changes.
//!
//! A registry's `geoReplications` lower to one replica per region (`replication.rs`); a
//! cluster's `maintenanceWindow` to its planned-maintenance configurations (`maintenance.rs`).
//! [`unlowered_fields`] reports declared fields with no lowering (none today).

mod cluster;
mod cluster_settings;
mod gitops;
pub use gitops::resolve_protected_settings;
mod context;
mod diagnostics;
mod field_mapped;
mod identity;
mod lower;
mod maintenance;
mod network;
mod order;
mod platform;
mod pool;
mod replication;
mod role;
mod storage;
#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::id::ResourceId;
use crate::kind::Kind;
use crate::plan::Deferred;

pub use lower::{lower, unlowered_fields, LowerContext, LowerError};
pub use maintenance::{
    configuration_names as maintenance_configuration_names, AUTO_UPGRADE_SCHEDULE,
    DEFAULT_UTC_OFFSET, NODE_OS_UPGRADE_SCHEDULE,
};
pub use role::user_description;

/// One resource the estate declares, as ARM expects it in a PUT.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredResource {
    /// Plan address, e.g. `cluster/aks-prod`, `pool/aks-prod/system`.
    pub address: String,
    pub kind: Kind,
    pub id: ResourceId,
    /// Only what the estate declares (plus aksctl's ownership tags on tracked resources), in the
    /// pinned api-version's PUT shape. Values that come from other resources are `null` here and
    /// listed in `deferred`.
    pub body: Value,
    /// Where `body` takes values from other resources (principal ids, issuer URLs, kubelet
    /// identity); resolved against live state at plan time when the source exists unchanged,
    /// otherwise "known after apply" and filled in by the executor.
    pub deferred: Vec<Deferred>,
    /// Addresses that must exist before this one (parents, referenced resources).
    pub depends_on: Vec<String>,
}

/// The whole estate as ARM resources, parents before children.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredState {
    pub estate: String,
    pub subscription: String,
    pub resources: Vec<DesiredResource>,
    /// Child lists a parent declares whole, as `(parent id, child kind)`: a target's
    /// `diagnosticSettings:` key, even `[]`. The plan reads them even when nothing in them is
    /// declared, and deletes what they hold beyond the declared children.
    pub whole_child_lists: Vec<(ResourceId, Kind)>,
}

impl DesiredState {
    pub fn by_address(&self, address: &str) -> Option<&DesiredResource> {
        self.resources
            .iter()
            .find(|resource| resource.address == address)
    }

    pub fn by_id(&self, id: &ResourceId) -> Option<&DesiredResource> {
        self.resources.iter().find(|resource| &resource.id == id)
    }
}

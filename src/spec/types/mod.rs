//! The estate format as plain data: one struct per resource the YAML declares, spelled as the user
//! writes it (camelCase keys). No logic here: defaults live in `defaults.rs`, rules in
//! `validate.rs`, lookups and typed references in `resolve.rs` and `reference.rs`.
//!
//! Optional fields the user did not declare stay `None` (or empty) after defaulting whenever ARM
//! has its own default, so the diff engine ignores them.
//!
//! Split by area: `services` (registry, vault, storage), `cluster` (cluster settings), `pool`
//! (node pools), `access` (identities, federated credentials, role assignments). Everything is
//! re-exported here, so paths are `crate::spec::types::X` (or `crate::spec::X`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The only `apiVersion` this build understands.
pub const API_VERSION: &str = "aksctl.dev/v1alpha1";
/// The only `kind` of document.
pub const KIND: &str = "Estate";

/// Tags as ARM stores them: name -> value.
pub type Tags = BTreeMap<String, String>;

/// Defines a closed set of string values: serde names, `as_str()` (the ARM spelling) and `ALL`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in the estate (and, for ARM-backed enums, as ARM spells it).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod access;
mod checks;
mod cluster;
mod cluster_settings;
mod diagnostics;
mod gitops;
mod network;
mod pool;
mod rollout;
mod services;
mod tracked;
mod workspace;

pub use access::*;
pub use checks::*;
pub use cluster::*;
pub use cluster_settings::*;
pub use diagnostics::*;
pub use gitops::*;
pub use network::*;
pub use pool::*;
pub use rollout::*;
pub use services::*;
pub(crate) use tracked::tracked_in_group;
pub use tracked::{
    DeclaredKind, EstateList, SchemaDefinition, ScopeChildren, TrackedResource, RESOURCE_GROUPS,
};
pub use workspace::*;

tracked::declare_estate! {
    /// A whole estate: every Azure resource one platform team declares, in one subscription.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct Estate {
        /// Must be [`API_VERSION`].
        pub api_version: String,
        /// Must be [`KIND`].
        pub kind: String,
        pub metadata: Metadata,
        /// Subscription id (a GUID), literal or `${ENV_VAR}`.
        pub subscription: String,
        /// Entra tenant id; when absent, the tenant of the credential aksctl runs with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tenant_id: Option<String>,
        /// Default Azure region of every resource (a resource group's own location wins for what
        /// it contains, a resource's own location wins over both).
        pub location: String,
        /// Tags put on every tracked resource (a resource's own tags win on the same key).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        pub tags: Tags,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub resource_groups: Vec<ResourceGroup>,
    }
    // The lists of tracked resources in resource groups, in estate order: `IN_GROUP_LISTS`, the
    // schema's root lists, `tracked_lists` and `tracked_mut` come from these lines.
    in_groups {
        registries: Registry = "registries",
        key_vaults: KeyVault = "keyVaults",
        storage_accounts: StorageAccount = "storageAccounts",
        log_analytics_workspaces: LogAnalyticsWorkspace = "logAnalyticsWorkspaces",
        private_dns_zones: PrivateDnsZone = "privateDnsZones",
        clusters: Cluster = "clusters",
        identities: Identity = "identities",
    }
    then {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub role_assignments: Vec<RoleAssignment>,
        /// `aksctl check` settings (profile, per-cluster profiles, accepted findings).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub checks: Option<Checks>,
        /// The order clusters are applied in, by stage (`docs/day2.md`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rollout: Option<Rollout>,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// The estate name: the value of the `aksctl-estate` ownership tag.
    pub name: String,
}

/// `Microsoft.Resources/resourceGroups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceGroup {
    pub name: String,
    /// Defaults to the estate location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Merged over the estate tags by defaulting.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
}

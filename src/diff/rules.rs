//! Per-kind diff rules tied to the pinned api-versions (`../shared/arm/FACTS.md` §2-§9): which
//! declared fields ARM cannot change in place (replace), which are one-way (cannot be undone),
//! which are never compared, which maps are owned whole, and the defaults ARM assumes when it
//! omits a field.
//!
//! Rule paths are dotted keys with `[]` for an array element: `properties.agentPoolProfiles[].vmSize`.

use serde_json::{json, Value};

use crate::kind::Kind;

/// A field that can only move one way (e.g. purge protection, once on, stays on).
pub struct OneWay {
    pub path: &'static str,
    /// The live value that cannot be left.
    pub locked: bool,
    pub explanation: &'static str,
}

/// Fields never compared, on any kind: read-only identity, write-only and secret fields.
const IGNORED_EVERYWHERE: &[&str] = &[
    "id",
    "name",
    "type",
    "systemData",
    "etag",
    "eTag",
    "properties.provisioningState",
];

/// Keys never compared wherever they appear (secrets ARM never returns; write-only switches).
pub const IGNORED_KEYS: &[&str] = &[
    "secret",
    "adminPassword",
    "serverAppSecret",
    "password",
    "createMode",
];

/// Declared fields whose change needs a new resource, per kind (subtrees included).
pub fn replace_paths(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::ResourceGroup | Kind::UserAssignedIdentity => &["location"],
        Kind::ContainerRegistry => &["location", "properties.zoneRedundancy"],
        Kind::KeyVault => &[
            "location",
            "properties.tenantId",
            "properties.softDeleteRetentionInDays",
        ],
        Kind::StorageAccount => &[
            "location",
            "kind",
            "extendedLocation",
            "properties.isHnsEnabled",
            "properties.isNfsV3Enabled",
            "properties.encryption.services.blob.keyType",
            "properties.encryption.services.file.keyType",
            "properties.encryption.services.table.keyType",
            "properties.encryption.services.queue.keyType",
            "properties.encryption.requireInfrastructureEncryption",
            "properties.immutableStorageWithVersioning.enabled",
        ],
        Kind::BlobContainer => &[
            "properties.immutableStorageWithVersioning.enabled",
            "properties.blobAccessPointConfiguration",
        ],
        // FACTS/spec: a replica's region is its identity and zone redundancy is fixed at
        // creation (ARM answers PropertyChangeNotAllowed).
        Kind::RegistryReplication => &["location", "properties.zoneRedundancy"],
        Kind::BlobService
        | Kind::StorageManagementPolicy
        | Kind::FederatedIdentityCredential
        | Kind::MaintenanceConfiguration => &[],
        Kind::ManagedCluster => &[
            "location",
            "properties.dnsPrefix",
            "properties.fqdnSubdomain",
            "properties.nodeResourceGroup",
            "properties.networkProfile.networkPlugin",
            "properties.networkProfile.serviceCidr",
            "properties.networkProfile.dnsServiceIP",
            "properties.networkProfile.loadBalancerSku",
            "properties.networkProfile.ipFamilies",
            "properties.networkProfile.networkMode",
            "properties.apiServerAccessProfile.enablePrivateCluster",
            "properties.apiServerAccessProfile.privateDNSZone",
            "properties.enableRBAC",
            "properties.linuxProfile.adminUsername",
            "properties.windowsProfile.adminUsername",
            "properties.diskEncryptionSetID",
        ],
        Kind::AgentPool => &[
            "properties.vmSize",
            "properties.availabilityZones",
            "properties.osType",
            "properties.osSKU",
            "properties.osDiskType",
            "properties.osDiskSizeGB",
            "properties.maxPods",
            "properties.vnetSubnetID",
            "properties.podSubnetID",
            "properties.scaleSetPriority",
            "properties.scaleSetEvictionPolicy",
            "properties.enableNodePublicIP",
            "properties.nodePublicIPPrefixID",
            "properties.enableEncryptionAtHost",
            "properties.enableUltraSSD",
            "properties.gpuInstanceProfile",
            "properties.workloadRuntime",
            "properties.kubeletDiskType",
            "properties.kubeletConfig",
            "properties.linuxOSConfig",
            "properties.hostGroupID",
            "properties.capacityReservationGroupID",
            "properties.proximityPlacementGroupID",
            "properties.type",
        ],
        // Every role assignment field is immutable: delete and create again under the same name.
        Kind::RoleAssignment => &["properties"],
    }
}

/// Fields that can only move one way.
pub fn one_way(kind: Kind) -> &'static [OneWay] {
    match kind {
        Kind::KeyVault => &[
            OneWay {
                path: "properties.enablePurgeProtection",
                locked: true,
                explanation: "purge protection cannot be disabled once enabled",
            },
            OneWay {
                path: "properties.enableSoftDelete",
                locked: true,
                explanation: "soft delete cannot be disabled once enabled",
            },
        ],
        Kind::ManagedCluster => &[
            OneWay {
                path: "properties.oidcIssuerProfile.enabled",
                locked: true,
                explanation: "the OIDC issuer cannot be disabled once enabled",
            },
            OneWay {
                path: "properties.aadProfile.managed",
                locked: true,
                explanation: "managed Entra integration cannot be disabled once enabled",
            },
        ],
        _ => &[],
    }
}

/// Whether a difference at `rule_path` is never compared for `kind`.
pub fn is_ignored(kind: Kind, rule_path: &str) -> bool {
    if IGNORED_EVERYWHERE.contains(&rule_path) {
        return true;
    }
    // After creation, pools are managed through the agent-pool API (each pool is its own
    // resource in the plan), so the cluster's embedded pool profiles are create-time only.
    kind == Kind::ManagedCluster && covers("properties.agentPoolProfiles", rule_path)
}

/// Maps the estate owns whole (a live key it does not declare is a difference), with the key
/// prefix AKS adds on its own and that is never ours.
pub fn full_map(kind: Kind, rule_path: &str) -> Option<&'static str> {
    let pool_labels = match kind {
        Kind::AgentPool => rule_path == "properties.nodeLabels",
        _ => false,
    };
    pool_labels.then_some(AKS_SYSTEM_PREFIX)
}

/// The prefix of taints and labels AKS adds itself (spot priority, node image, ...).
pub const AKS_SYSTEM_PREFIX: &str = "kubernetes.azure.com/";

/// For a set-like scalar array, the entries of the live value that are not ours to compare.
pub fn ignored_set_entry(kind: Kind, rule_path: &str, entry: &Value) -> bool {
    let taints = matches!(kind, Kind::AgentPool) && rule_path == "properties.nodeTaints";
    taints
        && entry
            .as_str()
            .is_some_and(|taint| taint.starts_with(AKS_SYSTEM_PREFIX))
}

/// The value ARM assumes when a GET omits the field.
pub fn implied_default(kind: Kind, rule_path: &str) -> Option<Value> {
    match (kind, rule_path) {
        (Kind::AgentPool, "properties.spotMaxPrice") => Some(json!(-1)),
        (Kind::AgentPool, "properties.scaleSetEvictionPolicy") => Some(json!("Delete")),
        (Kind::AgentPool, "properties.scaleSetPriority") => Some(json!("Regular")),
        (Kind::AgentPool, "properties.osType") => Some(json!("Linux")),
        (Kind::BlobContainer, "properties.publicAccess") => Some(json!("None")),
        (Kind::RegistryReplication, "properties.regionEndpointEnabled") => Some(json!(true)),
        (Kind::RegistryReplication, "properties.zoneRedundancy") => Some(json!("Disabled")),
        (Kind::MaintenanceConfiguration, "properties.maintenanceWindow.utcOffset") => {
            Some(json!("+00:00"))
        }
        _ => None,
    }
}

/// Whether a storage `sku.name` change needs a new account: ARM refuses conversions into or out
/// of ZRS and Premium SKUs (LRS/GRS/RAGRS/GZRS/RAGZRS convert in place).
pub fn storage_sku_change_needs_replace(before: &str, after: &str) -> bool {
    let special = |sku: &str| {
        let sku = sku.to_ascii_uppercase();
        sku.ends_with("_ZRS") || sku.starts_with("PREMIUM")
    };
    !before.eq_ignore_ascii_case(after) && (special(before) || special(after))
}

/// Whether `pattern` is `path` or one of its ancestors.
pub fn covers(pattern: &str, path: &str) -> bool {
    path == pattern
        || path
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

//! Shared services: container registries, key vaults, storage accounts (with containers and
//! lifecycle rules).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DiagnosticSetting, PrivateEndpoint, Tags};

string_enum!(
    /// Whether a resource accepts traffic from public networks.
    PublicNetworkAccess { Enabled => "Enabled", Disabled => "Disabled" }
);

string_enum!(
    /// Container registry SKU.
    RegistrySku { Basic => "Basic", Standard => "Standard", Premium => "Premium" }
);

string_enum!(
    /// `Enabled`/`Disabled` switches ARM models as strings (e.g. ACR zone redundancy).
    Switch { Enabled => "Enabled", Disabled => "Disabled" }
);

/// `Microsoft.ContainerRegistry/registries` (ACR).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registry {
    /// 5-50 alphanumerics, globally unique.
    pub name: String,
    /// Logical name of a resource group in `resourceGroups`.
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    pub sku: RegistrySku,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_user_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Create-only in ARM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_redundancy: Option<Switch>,
    /// Extra regions to geo-replicate to (Premium only); the home region is implicit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub geo_replications: Vec<String>,
    /// A private endpoint (group `registry`; Premium only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint: Option<PrivateEndpoint>,
    /// Diagnostic settings, owned whole when declared (even `[]`); absent: never read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_settings: Option<Vec<DiagnosticSetting>>,
}

string_enum!(
    /// Key Vault SKU (ARM spells it lower case).
    KeyVaultSku { Standard => "standard", Premium => "premium" }
);

/// `Microsoft.KeyVault/vaults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyVault {
    /// 3-24 chars, letter first, letters/digits/hyphens, no `--`, globally unique.
    pub name: String,
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    /// Defaults to `standard` (ARM requires a SKU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<KeyVaultSku>,
    /// Tenant of the vault; defaults to the estate's `tenantId`, else the credential's tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Azure RBAC for data-plane access (`enableRbacAuthorization`); defaults to true and is
    /// always sent, because ARM's schema and description disagree on its default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbac_authorization: Option<bool>,
    /// 7-90 days, create-only in ARM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_delete_retention_days: Option<u32>,
    /// Irreversible once true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_protection: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// A private endpoint (group `vault`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint: Option<PrivateEndpoint>,
    /// Diagnostic settings, owned whole when declared (even `[]`); absent: never read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_settings: Option<Vec<DiagnosticSetting>>,
}

string_enum!(
    /// Storage account SKU.
    StorageSku {
        StandardLrs => "Standard_LRS",
        StandardGrs => "Standard_GRS",
        StandardRagrs => "Standard_RAGRS",
        StandardZrs => "Standard_ZRS",
        PremiumLrs => "Premium_LRS",
        PremiumZrs => "Premium_ZRS",
        StandardGzrs => "Standard_GZRS",
        StandardRagzrs => "Standard_RAGZRS",
    }
);

string_enum!(
    /// Storage account kind.
    StorageKind {
        Storage => "Storage",
        StorageV2 => "StorageV2",
        BlobStorage => "BlobStorage",
        FileStorage => "FileStorage",
        BlockBlobStorage => "BlockBlobStorage",
    }
);

string_enum!(
    /// Minimum TLS version a storage account accepts.
    TlsVersion { Tls1_0 => "TLS1_0", Tls1_1 => "TLS1_1", Tls1_2 => "TLS1_2", Tls1_3 => "TLS1_3" }
);

string_enum!(
    /// Anonymous access level of a blob container.
    ContainerPublicAccess { None => "None", Blob => "Blob", Container => "Container" }
);

/// `Microsoft.Storage/storageAccounts`, with its blob service settings, containers and lifecycle
/// (management policy) rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageAccount {
    /// 3-24 lowercase alphanumerics, globally unique.
    pub name: String,
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    pub sku: StorageSku,
    /// Defaults to `StorageV2` (ARM requires a kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<StorageKind>,
    /// Defaults to `TLS1_2` (ARM's implicit minimum is TLS 1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_tls_version: Option<TlsVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_blob_public_access: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_shared_key_access: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Blob versioning (`blobServices/default` `isVersioningEnabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob_versioning: Option<bool>,
    /// Blob soft delete retention, 1-365 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob_soft_delete_days: Option<u32>,
    /// Container soft delete retention, 1-365 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_soft_delete_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<BlobContainer>,
    /// Lifecycle management rules (the account's `managementPolicies/default`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// A private endpoint (group `blob` unless `groupId` says otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint: Option<PrivateEndpoint>,
    /// Diagnostic settings, owned whole when declared (even `[]`); absent: never read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostic_settings: Option<Vec<DiagnosticSetting>>,
}

/// `.../blobServices/default/containers/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BlobContainer {
    /// 3-63 lowercase letters, digits and single hyphens.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access: Option<ContainerPublicAccess>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// One lifecycle rule on block blobs: tier to cool / archive, then delete, N days after the last
/// modification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LifecycleRule {
    pub name: String,
    /// Defaults to true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Blob name prefixes, each starting with a declared container: `backups/` or
    /// `backups/daily-`. Empty means every blob in the account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_to_cool_after_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_to_archive_after_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_after_days: Option<u32>,
}

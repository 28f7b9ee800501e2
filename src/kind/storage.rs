//! Descriptors of the storage kinds: accounts, their blob service, containers and lifecycle
//! management policy (`../shared/arm/FACTS.md` §5).

use crate::kind::descriptor::{
    ChangeClass, ChildRead, DiffRules, FieldRule, Implied, KindDescriptor, Lane, Ownership, Read,
    ReadWhen, Timing, WriteRules, PLAIN_DIFF, PLAIN_WRITE, QUICK,
};
use crate::kind::Kind;

const fn replaced(path: &'static str) -> FieldRule {
    FieldRule {
        path,
        change: ChangeClass::ForcesReplacement,
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

pub const STORAGE_ACCOUNT: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Storage/storageAccounts",
    api_version: "2026-09-01",
    parent: None,
    address_prefix: "storageAccount",
    noun: "storage account",
    scope_prefix: Some("storageAccount"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    singleton_name: None,
    read: Read::ResourceGroup,
    diff: DiffRules {
        fields: &[
            FieldRule {
                path: "sku.name",
                change: ChangeClass::ForcesReplacementWhen(storage_sku_change_needs_replace),
            },
            replaced("location"),
            replaced("kind"),
            replaced("extendedLocation"),
            replaced("properties.isHnsEnabled"),
            replaced("properties.isNfsV3Enabled"),
            replaced("properties.encryption.services.blob.keyType"),
            replaced("properties.encryption.services.file.keyType"),
            replaced("properties.encryption.services.table.keyType"),
            replaced("properties.encryption.services.queue.keyType"),
            replaced("properties.encryption.requireInfrastructureEncryption"),
            replaced("properties.immutableStorageWithVersioning.enabled"),
        ],
        server_owned: &[
            "/sku/tier",
            "/properties/primaryEndpoints",
            "/properties/secondaryEndpoints",
            "/properties/primaryLocation",
            "/properties/secondaryLocation",
            "/properties/statusOfPrimary",
            "/properties/statusOfSecondary",
            "/properties/lastGeoFailoverTime",
            "/properties/creationTime",
            "/properties/keyCreationTime",
            "/properties/privateEndpointConnections",
            "/identity/principalId",
            "/identity/tenantId",
            "/identity/userAssignedIdentities/*/principalId",
            "/identity/userAssignedIdentities/*/clientId",
        ],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    destructive_replace: true,
    timing: Timing {
        create_seconds: 25,
        update_seconds: 25,
        delete_seconds: 25,
        deadline_minutes: 10,
        lane: Lane::Short,
    },
    fields: &[],
};

pub const BLOB_SERVICE: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Storage/storageAccounts/blobServices",
    api_version: "2026-09-01",
    parent: Some(Kind::StorageAccount),
    address_prefix: "blobService",
    noun: "blob service",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    singleton_name: Some("default"),
    read: Read::ChildList(ChildRead {
        when: ReadWhen::Declared,
        parent_condition: None,
    }),
    diff: DiffRules {
        server_owned: &["/sku"],
        ..PLAIN_DIFF
    },
    // `blobServices/default` has no DELETE: it goes with its account.
    write: WriteRules {
        deleted_with_parent: true,
        never_deleted: true,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

pub const BLOB_CONTAINER: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Storage/storageAccounts/blobServices/containers",
    api_version: "2026-09-01",
    parent: Some(Kind::BlobService),
    address_prefix: "blobContainer",
    noun: "container",
    scope_prefix: Some("storageContainer"),
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    singleton_name: None,
    read: Read::ChildList(ChildRead {
        when: ReadWhen::OwnedOrDeclared,
        parent_condition: None,
    }),
    diff: DiffRules {
        fields: &[
            replaced("properties.immutableStorageWithVersioning.enabled"),
            replaced("properties.blobAccessPointConfiguration"),
        ],
        implied_defaults: &[("properties.publicAccess", Implied::Text("None"))],
        server_owned: &[
            "/etag",
            "/properties/version",
            "/properties/deleted",
            "/properties/deletedTime",
            "/properties/remainingRetentionDays",
            "/properties/lastModifiedTime",
            "/properties/leaseStatus",
            "/properties/leaseState",
            "/properties/leaseDuration",
            "/properties/immutabilityPolicy",
            "/properties/legalHold",
            "/properties/hasImmutabilityPolicy",
            "/properties/hasLegalHold",
        ],
        ..PLAIN_DIFF
    },
    write: WriteRules {
        deleted_with_parent: true,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

pub const STORAGE_MANAGEMENT_POLICY: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Storage/storageAccounts/managementPolicies",
    api_version: "2026-09-01",
    parent: Some(Kind::StorageAccount),
    address_prefix: "managementPolicy",
    noun: "management policy",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    singleton_name: Some("default"),
    // ARM has no list of management policies: the single `default` one is read.
    read: Read::ChildSingle(ChildRead {
        when: ReadWhen::Declared,
        parent_condition: None,
    }),
    diff: DiffRules {
        server_owned: &["/properties/lastModifiedTime"],
        ..PLAIN_DIFF
    },
    write: WriteRules {
        deleted_with_parent: true,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

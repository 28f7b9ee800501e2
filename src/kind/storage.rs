//! Descriptors of the storage kinds: accounts, their blob service, containers and lifecycle
//! management policy (`../shared/arm/FACTS.md` §5).

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    ChangeClass, ChildRead, DiffRules, FieldRule, Implied, KindDescriptor, Lane, Ownership,
    PairChange, PrivateLink, Read, ReadWhen, Timing, WriteRules, PLAIN_DIFF, PLAIN_WRITE, QUICK,
};
use crate::kind::fields::Lowering;
use crate::kind::Kind;

const fn replaced(path: &'static str) -> FieldRule {
    FieldRule {
        path,
        change: ChangeClass::ForcesReplacement,
    }
}

/// The ARM action that moves a storage account between an SKU and its zone-redundant twin.
pub const ACCOUNT_MIGRATION: &str = "startAccountMigration";

/// What a storage `sku.name` change is (`../shared/arm/FACTS-AKS-DAY2.md` §8, FACTS.md §5): a
/// geo/read-access change without a zone change is a plain write; an SKU and its zone-redundant
/// twin (`Standard_LRS`<->`Standard_ZRS`, `GRS`<->`GZRS`, `RAGRS`<->`RAGZRS`, `Premium_LRS`<->
/// `Premium_ZRS`) convert through ARM's account migration; everything else ARM refuses (PATCH
/// cannot move into or out of ZRS and Premium; a zone and a geo change together take two steps;
/// Standard<->Premium needs a new account and a copy of the data).
pub fn storage_sku_change(before: &str, after: &str) -> PairChange {
    if before.eq_ignore_ascii_case(after) {
        return PairChange::InPlace;
    }
    let (Some(from), Some(to)) = (Redundancy::of(before), Redundancy::of(after)) else {
        return PairChange::Refused(
            "ARM knows no conversion for this sku; keep the live sku, or create a new account under another name and copy the data",
        );
    };
    if from.premium != to.premium {
        return PairChange::Refused(
            "ARM cannot convert between Standard and Premium storage; keep the live sku, or create a new account under another name and copy the data (AzCopy)",
        );
    }
    match (from.zonal == to.zonal, from.geo == to.geo) {
        (true, _) if !from.premium && !from.zonal_only() && !to.zonal_only() => PairChange::InPlace,
        (true, _) => PairChange::Refused(
            "ARM cannot change the replication of a Standard_ZRS or Premium account in place; keep the live sku",
        ),
        (false, true) => PairChange::Action(ACCOUNT_MIGRATION),
        (false, false) => PairChange::Refused(
            "a zone-redundancy change and a geo-redundancy change take two steps: first migrate to the zone-redundant twin of the live sku (e.g. Standard_LRS -> Standard_ZRS), apply, then change the geo replication",
        ),
    }
}

/// The redundancy an SKU name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Redundancy {
    premium: bool,
    zonal: bool,
    /// Geo-replicated, and whether the secondary is readable (`RA`).
    geo: Option<bool>,
}

impl Redundancy {
    fn of(sku: &str) -> Option<Redundancy> {
        let upper = sku.to_ascii_uppercase();
        let (tier, replication) = upper.split_once('_')?;
        let premium = match tier {
            "STANDARD" => false,
            "PREMIUM" => true,
            _ => return None,
        };
        let (zonal, geo) = match replication {
            "LRS" => (false, None),
            "ZRS" => (true, None),
            "GRS" => (false, Some(false)),
            "RAGRS" => (false, Some(true)),
            "GZRS" => (true, Some(false)),
            "RAGZRS" => (true, Some(true)),
            _ => return None,
        };
        if premium && geo.is_some() {
            return None;
        }
        Some(Redundancy {
            premium,
            zonal,
            geo,
        })
    }

    /// `Standard_ZRS`: PATCH cannot move it to any other sku.
    fn zonal_only(self) -> bool {
        self.zonal && self.geo.is_none()
    }
}

/// What a storage `kind` change is: GPv1 (`Storage`) and `BlobStorage` upgrade to `StorageV2`
/// in place, for good; ARM accepts no other kind in an update.
pub fn storage_kind_change(before: &str, after: &str) -> PairChange {
    let upgrade = after.eq_ignore_ascii_case("StorageV2")
        && (before.eq_ignore_ascii_case("Storage") || before.eq_ignore_ascii_case("BlobStorage"));
    if before.eq_ignore_ascii_case(after) || upgrade {
        PairChange::InPlace
    } else {
        PairChange::Refused(
            "ARM only upgrades Storage and BlobStorage accounts to StorageV2; keep the live kind, or create a new account under another name and copy the data",
        )
    }
}

pub const STORAGE_ACCOUNT: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Storage/storageAccounts",
    api_version: "2026-09-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: Some(&crate::kind::diagnostics::STORAGE_ACCOUNT_CATEGORIES),
    address_prefix: "storageAccount",
    noun: "storage account",
    scope_prefix: Some("storageAccount"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: true,
    private_link: Some(PrivateLink {
        default_group: "blob",
        groups: &[
            ("blob", "privatelink.blob.core.windows.net"),
            ("blob_secondary", "privatelink.blob.core.windows.net"),
            ("file", "privatelink.file.core.windows.net"),
            ("queue", "privatelink.queue.core.windows.net"),
            ("table", "privatelink.table.core.windows.net"),
            ("dfs", "privatelink.dfs.core.windows.net"),
            ("web", "privatelink.web.core.windows.net"),
        ],
    }),
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ResourceGroup,
    diff: DiffRules {
        fields: &[
            FieldRule {
                path: "sku.name",
                change: ChangeClass::ByValuePair {
                    classify: storage_sku_change,
                    estate_field: "sku",
                },
            },
            FieldRule {
                path: "kind",
                change: ChangeClass::ByValuePair {
                    classify: storage_kind_change,
                    estate_field: "kind",
                },
            },
            replaced("location"),
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
    attaches_to: Attach::Parent,
    diagnostics: Some(&crate::kind::diagnostics::BLOB_SERVICE_CATEGORIES),
    address_prefix: "blobService",
    noun: "blob service",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: Some("default"),
    naming: None,
    lowering: Lowering::Custom,
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
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "blobContainer",
    noun: "container",
    scope_prefix: Some("storageContainer"),
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
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
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "managementPolicy",
    noun: "management policy",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: Some("default"),
    naming: None,
    lowering: Lowering::Custom,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_pairs_follow_the_facts() {
        let action = PairChange::Action(ACCOUNT_MIGRATION);
        for (before, after, expected) in [
            ("Standard_LRS", "Standard_ZRS", Some(action)),
            ("Standard_ZRS", "Standard_LRS", Some(action)),
            ("Standard_GRS", "Standard_GZRS", Some(action)),
            ("Standard_RAGRS", "Standard_RAGZRS", Some(action)),
            ("Premium_LRS", "Premium_ZRS", Some(action)),
            ("Standard_LRS", "Standard_GRS", Some(PairChange::InPlace)),
            ("Standard_GRS", "Standard_RAGRS", Some(PairChange::InPlace)),
            (
                "Standard_GZRS",
                "Standard_RAGZRS",
                Some(PairChange::InPlace),
            ),
            ("standard_lrs", "Standard_LRS", Some(PairChange::InPlace)),
            ("Standard_LRS", "Premium_LRS", None),
            ("Standard_LRS", "Standard_GZRS", None),
            ("Standard_ZRS", "Standard_GZRS", None),
            ("Premium_ZRS", "Standard_ZRS", None),
            ("Standard_LRS", "Standard_XYZ", None),
        ] {
            let change = storage_sku_change(before, after);
            match expected {
                Some(expected) => assert_eq!(change, expected, "{before} -> {after}"),
                None => assert!(
                    matches!(change, PairChange::Refused(_)),
                    "{before} -> {after}: {change:?}"
                ),
            }
        }
    }

    #[test]
    fn only_upgrades_to_storage_v2_change_the_kind() {
        assert_eq!(
            storage_kind_change("Storage", "StorageV2"),
            PairChange::InPlace
        );
        assert_eq!(
            storage_kind_change("BlobStorage", "StorageV2"),
            PairChange::InPlace
        );
        assert!(matches!(
            storage_kind_change("StorageV2", "BlockBlobStorage"),
            PairChange::Refused(_)
        ));
        assert!(matches!(
            storage_kind_change("StorageV2", "Storage"),
            PairChange::Refused(_)
        ));
    }
}

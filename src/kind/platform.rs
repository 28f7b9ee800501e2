//! Descriptors of the platform kinds: resource groups, container registries and their
//! geo-replicas, Key Vaults (`../shared/arm/FACTS.md` §2-§4).

use serde_json::Value;

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    ChangeClass, ChildRead, DiffRules, FieldRule, Implied, KindDescriptor, Lane, Ownership,
    ParentCondition, PrivateLink, Read, ReadWhen, Timing, PLAIN_DIFF, PLAIN_WRITE, QUICK,
};
use crate::kind::fields::{FieldMapping, Lowering};
use crate::kind::Kind;

pub const RESOURCE_GROUP: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Resources/resourceGroups",
    api_version: "2025-04-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "resourceGroup",
    noun: "resource group",
    scope_prefix: Some("resourceGroup"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::SubscriptionGroups,
    diff: DiffRules {
        fields: &[FieldRule::forces_replacement("location")],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    destructive_replace: false,
    timing: Timing {
        delete_seconds: 60,
        deadline_minutes: 30,
        ..QUICK
    },
    fields: &[],
};

pub const CONTAINER_REGISTRY: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ContainerRegistry/registries",
    api_version: "2025-11-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: Some(&crate::kind::diagnostics::REGISTRY_CATEGORIES),
    address_prefix: "registry",
    noun: "registry",
    scope_prefix: Some("registry"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: true,
    private_link: Some(PrivateLink {
        default_group: "registry",
        groups: &[("registry", "privatelink.azurecr.io")],
    }),
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ResourceGroup,
    diff: DiffRules {
        fields: &[
            FieldRule::forces_replacement("location"),
            FieldRule::forces_replacement("properties.zoneRedundancy"),
        ],
        server_owned: &[
            "/sku/tier",
            "/properties/loginServer",
            "/properties/creationDate",
            "/properties/status",
            "/properties/dataEndpointHostNames",
            "/properties/privateEndpointConnections",
            "/properties/policies/retentionPolicy/lastUpdatedTime",
            "/properties/encryption/keyVaultProperties/versionedKeyIdentifier",
            "/properties/encryption/keyVaultProperties/keyRotationEnabled",
            "/properties/encryption/keyVaultProperties/lastKeyRotationTimestamp",
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
        create_seconds: 40,
        update_seconds: 40,
        delete_seconds: 40,
        deadline_minutes: 10,
        lane: Lane::Short,
    },
    fields: &[
        FieldMapping {
            estate: "sku",
            arm: "/sku/name",
            arm_default: None,
        },
        FieldMapping {
            estate: "adminUserEnabled",
            arm: "/properties/adminUserEnabled",
            arm_default: Some(Implied::Boolean(false)),
        },
        FieldMapping {
            estate: "publicNetworkAccess",
            arm: "/properties/publicNetworkAccess",
            arm_default: Some(Implied::Text("Enabled")),
        },
        FieldMapping {
            estate: "zoneRedundancy",
            arm: "/properties/zoneRedundancy",
            arm_default: Some(Implied::Text("Disabled")),
        },
    ],
};

pub const REGISTRY_REPLICATION: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ContainerRegistry/registries/replications",
    api_version: "2025-11-01",
    parent: Some(Kind::ContainerRegistry),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "registryReplication",
    noun: "registry replica",
    scope_prefix: None,
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    // Only Premium registries have replicas (ARM refuses the list for the others).
    read: Read::ChildList(ChildRead {
        when: ReadWhen::OwnedOrDeclared,
        parent_condition: Some(ParentCondition::SkuIs("Premium")),
    }),
    diff: DiffRules {
        // FACTS/spec: a replica's region is its identity and zone redundancy is fixed at
        // creation (ARM answers PropertyChangeNotAllowed).
        fields: &[
            FieldRule::forces_replacement("location"),
            FieldRule::forces_replacement("properties.zoneRedundancy"),
        ],
        implied_defaults: &[
            ("properties.regionEndpointEnabled", Implied::Boolean(true)),
            ("properties.zoneRedundancy", Implied::Text("Disabled")),
        ],
        server_owned: &["/properties/status"],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    destructive_replace: false,
    timing: Timing {
        create_seconds: 180,
        update_seconds: 180,
        delete_seconds: 120,
        deadline_minutes: 15,
        lane: Lane::Short,
    },
    fields: &[],
};

/// Whether a live vault body has purge protection on (it can never be turned off).
pub fn vault_purge_protected(live: &Value) -> bool {
    live.pointer("/properties/enablePurgeProtection")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

pub const KEY_VAULT: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.KeyVault/vaults",
    api_version: "2026-02-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: Some(&crate::kind::diagnostics::KEY_VAULT_CATEGORIES),
    address_prefix: "keyVault",
    noun: "key vault",
    scope_prefix: Some("keyVault"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: true,
    global_name: true,
    private_link: Some(PrivateLink {
        default_group: "vault",
        groups: &[("vault", "privatelink.vaultcore.azure.net")],
    }),
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ResourceGroup,
    diff: DiffRules {
        fields: &[
            FieldRule::forces_replacement("location"),
            FieldRule::forces_replacement("properties.tenantId"),
            // FACTS-AKS-DAY2 §6: set at creation only (ARM: "has been set already and it can't
            // be modified"). Without purge protection the vault can be replaced (deleted, purged,
            // created); with it, the deleted vault holds the name until its purge date.
            FieldRule {
                path: "properties.softDeleteRetentionInDays",
                change: ChangeClass::RefusedByArmWhen {
                    refused: vault_purge_protected,
                    estate_field: "softDeleteRetentionDays",
                    explanation: "ARM sets softDeleteRetentionInDays only when a vault is created, and a replacement cannot reach it: purge protection keeps a deleted vault's name reserved",
                    fix: "keep the live value in the estate, or declare a vault under a new name (and move its secrets and role assignments)",
                },
            },
            FieldRule::forces_replacement("properties.softDeleteRetentionInDays"),
            FieldRule {
                path: "properties.enablePurgeProtection",
                change: ChangeClass::RefusedByArm {
                    locked: true,
                    explanation: "purge protection cannot be disabled once enabled",
                },
            },
            FieldRule {
                path: "properties.enableSoftDelete",
                change: ChangeClass::RefusedByArm {
                    locked: true,
                    explanation: "soft delete cannot be disabled once enabled",
                },
            },
        ],
        server_owned: &[
            "/properties/vaultUri",
            "/properties/hsmPoolResourceId",
            "/properties/privateEndpointConnections",
        ],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    destructive_replace: true,
    timing: Timing {
        create_seconds: 15,
        update_seconds: 15,
        delete_seconds: 15,
        deadline_minutes: 10,
        lane: Lane::Short,
    },
    fields: &[],
};

//! Descriptor of the diagnostic setting (`Microsoft.Insights/diagnosticSettings`,
//! `../shared/arm/FACTS-2.md` §2), an extension resource `{target id}/providers/
//! Microsoft.Insights/diagnosticSettings/{name}` on any kind whose descriptor lists diagnostic
//! categories, and those category tables, one per target kind (the target descriptors point at
//! them).
//!
//! api-version 2021-05-01-preview: the only GA version (2016-09-01) serves only the legacy
//! `service` singleton (FACTS-2 §2.1). PUT is synchronous (200 only), DELETE 200/204; the list
//! is per target (`{target id}/providers/Microsoft.Insights/diagnosticSettings`): ARM has no
//! list across a resource group or a subscription.

use crate::kind::descriptor::{
    Attach, ChildRead, DiagnosticCategories, DiffRules, Implied, KindDescriptor, Ownership, Read,
    ReadWhen, WriteRules, PLAIN_DIFF, PLAIN_WRITE, QUICK,
};
use crate::kind::fields::Lowering;

/// The log category groups every target here offers (FACTS-2 §2.2: `allLogs`, `audit`).
const GROUPS: &[&str] = &["allLogs", "audit"];

/// A managed cluster's control plane (FACTS-2 §2.3; resource-specific tables `AKSAudit`,
/// `AKSAuditAdmin`, `AKSControlPlane` recommended by the AKS docs).
pub const CLUSTER_CATEGORIES: DiagnosticCategories = DiagnosticCategories {
    logs: &[
        "kube-audit",
        "kube-audit-admin",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "cluster-autoscaler",
        "guard",
        "cloud-controller-manager",
        "csi-azuredisk-controller",
        "csi-azurefile-controller",
        "csi-snapshot-controller",
    ],
    groups: GROUPS,
    metrics: &["AllMetrics"],
    resource_specific_by_default: true,
};

/// A key vault: `AuditEvent` (FACTS-2 §2.3, marked unverified there) and the Azure Policy
/// evaluation log of the Key Vault docs. FACTS-2 says nothing of its tables: ARM's default.
pub const KEY_VAULT_CATEGORIES: DiagnosticCategories = DiagnosticCategories {
    logs: &["AuditEvent", "AzurePolicyEvaluationDetails"],
    groups: GROUPS,
    metrics: &["AllMetrics"],
    resource_specific_by_default: false,
};

/// A container registry: login and repository events (FACTS-2 §2.3, unverified there).
pub const REGISTRY_CATEGORIES: DiagnosticCategories = DiagnosticCategories {
    logs: &[
        "ContainerRegistryLoginEvents",
        "ContainerRegistryRepositoryEvents",
    ],
    groups: GROUPS,
    metrics: &["AllMetrics"],
    resource_specific_by_default: false,
};

/// A storage account itself: metrics only; its logs are set on its blob service
/// (FACTS-2 §2.3: "storage logs set on …/blobServices/default"). The metric categories are
/// Azure Monitor's storage ones (`Transaction`, `Capacity`): FACTS-2 does not list them.
pub const STORAGE_ACCOUNT_CATEGORIES: DiagnosticCategories = DiagnosticCategories {
    logs: &[],
    groups: &[],
    metrics: &["Transaction", "Capacity"],
    resource_specific_by_default: false,
};

/// A storage account's blob service (`blobServices/default`): read, write and delete logs.
pub const BLOB_SERVICE_CATEGORIES: DiagnosticCategories = DiagnosticCategories {
    logs: &["StorageRead", "StorageWrite", "StorageDelete"],
    groups: GROUPS,
    metrics: &["Transaction", "Capacity"],
    resource_specific_by_default: false,
};

/// What a GET omits when the logs go to `AzureDiagnostics` (the spec: "null is default").
pub const AZURE_DIAGNOSTICS: &str = "AzureDiagnostics";
/// `logAnalyticsDestinationType` for resource-specific tables.
pub const DEDICATED: &str = "Dedicated";

pub const DIAGNOSTIC_SETTING: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Insights/diagnosticSettings",
    api_version: "2021-05-01-preview",
    parent: None,
    attaches_to: Attach::KindsWithDiagnostics,
    diagnostics: None,
    address_prefix: "diagnosticSetting",
    noun: "diagnostic setting",
    scope_prefix: None,
    tracked: false,
    // Owned through its target: a target that declares `diagnosticSettings` owns them whole.
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    // Lowered and exported by `desired::diagnostics` and `export::diagnostics` (a nested list).
    fields: &[],
    // Only on targets that declare `diagnosticSettings` (even `[]`): Azure Policy often makes
    // settings of its own, which a target that does not declare the key leaves alone.
    read: Read::ChildList(ChildRead {
        when: ReadWhen::Declared,
        parent_condition: None,
    }),
    diff: DiffRules {
        // ARM may list every category of the target, the ones a setting does not send as
        // `enabled: false` (not in FACTS-2 or the examples; seen in practice): not a difference.
        disabled_set_entries: &["properties.logs", "properties.metrics"],
        implied_defaults: &[(
            "properties.logAnalyticsDestinationType",
            Implied::Text(AZURE_DIAGNOSTICS),
        )],
        ..PLAIN_DIFF
    },
    // A PUT replaces the whole setting; the estate owns it whole.
    write: WriteRules {
        read_modify_write: false,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
};

#[cfg(test)]
mod tests {
    use crate::id::ResourceId;
    use crate::kind::Kind;
    use crate::live::{child_collections, ChildReading, Collection};

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    #[test]
    fn settings_attach_to_every_kind_listing_diagnostic_categories() {
        let kind = Kind::DiagnosticSetting;
        assert_eq!(
            kind.attached_kinds(),
            vec![
                Kind::ContainerRegistry,
                Kind::KeyVault,
                Kind::StorageAccount,
                Kind::BlobService,
                Kind::ManagedCluster,
            ]
        );
        assert!(kind.attaches_to_several() && kind.is_extension_of_parent());
        assert_eq!(
            kind.child_segment(),
            "providers/Microsoft.Insights/diagnosticSettings"
        );
    }

    #[test]
    fn a_settings_id_names_its_target_by_address() {
        let kind = Kind::DiagnosticSetting;
        let vault = ResourceId::in_resource_group(SUB, "rg", Kind::KeyVault, "kv");
        let on_vault = vault.child(kind, "audit");
        assert_eq!(
            on_vault.as_str(),
            format!("{vault}/providers/Microsoft.Insights/diagnosticSettings/audit")
        );
        assert_eq!(on_vault.kind(), Some(kind));
        assert_eq!(kind.attached_parent(&on_vault), Some(Kind::KeyVault));
        assert_eq!(on_vault.logical_name(kind), "keyVault/kv/audit");
        let blob = ResourceId::in_resource_group(SUB, "rg", Kind::StorageAccount, "st")
            .child(Kind::BlobService, "default");
        let on_blob = blob.child(kind, "writes");
        assert_eq!(kind.attached_parent(&on_blob), Some(Kind::BlobService));
        assert_eq!(on_blob.logical_name(kind), "blobService/st/writes");
    }

    #[test]
    fn categories_compare_as_a_set_ignoring_case_and_disabled_entries() {
        let kind = Kind::DiagnosticSetting;
        let desired = serde_json::json!({"properties": {
            "workspaceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log",
            "logs": [
                {"category": "kube-audit-admin", "enabled": true},
                {"category": "guard", "enabled": true},
            ],
        }});
        let live = serde_json::json!({"properties": {
            "workspaceId": "/subscriptions/s/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/log",
            "logs": [
                {"category": "Guard", "enabled": true},
                {"category": "kube-apiserver", "enabled": false},
                {"category": "kube-audit-admin", "enabled": true},
            ],
        }});
        assert!(crate::diff::compare(kind, &desired, &live)
            .reasons
            .is_empty());
        let mut added = live.clone();
        added["properties"]["logs"][1]["enabled"] = serde_json::json!(true);
        assert_eq!(
            crate::diff::compare(kind, &desired, &added).reasons.len(),
            1
        );
    }

    #[test]
    fn a_target_is_read_only_when_the_estate_declares_its_settings() {
        let account = ResourceId::in_resource_group(SUB, "rg", Kind::StorageAccount, "st");
        let lists = |declared: bool| -> Vec<String> {
            let declares = move |kind: Kind| declared && kind == Kind::DiagnosticSetting;
            child_collections(
                Kind::StorageAccount,
                &account,
                &serde_json::Value::Null,
                ChildReading::Plan {
                    owned: true,
                    declares: &declares,
                },
            )
            .into_iter()
            .filter(|collection| {
                matches!(collection, Collection::List { kind, .. } if *kind == Kind::DiagnosticSetting)
            })
            .map(|collection| collection.path())
            .collect()
        };
        assert!(lists(false).is_empty());
        assert_eq!(
            lists(true),
            vec![
                format!("{account}/providers/Microsoft.Insights/diagnosticSettings"),
                format!("{account}/blobServices/default/providers/Microsoft.Insights/diagnosticSettings"),
            ]
        );
    }
}

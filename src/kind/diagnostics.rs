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
    // Lowered and exported by `desired::diagnostics` and `export::diagnostics` (a nested list).
    fields: &[],
    // Only on targets that declare `diagnosticSettings` (even `[]`): Azure Policy often makes
    // settings of its own, which a target that does not declare the key leaves alone.
    read: Read::ChildList(ChildRead {
        when: ReadWhen::Declared,
        parent_condition: None,
    }),
    diff: DiffRules {
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

//! Descriptors of the GitOps kinds, extension resources of a managed cluster
//! (`{cluster}/providers/Microsoft.KubernetesConfiguration/{type}/{name}`,
//! `../shared/arm/FACTS-2.md` §6, §7): the `microsoft.flux` cluster extension and its flux
//! configurations. Both are read as one list per cluster; both writes are LROs polled through
//! `Azure-AsyncOperation`.

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    ChangeClass, ChildRead, DiffRules, FieldRule, KindDescriptor, Lane, Ownership, Read, ReadWhen,
    Timing, WriteRules, PLAIN_DIFF, PLAIN_WRITE,
};
use crate::kind::fields::Lowering;
use crate::kind::Kind;

const fn replaced(path: &'static str) -> FieldRule {
    FieldRule {
        path,
        change: ChangeClass::ForcesReplacement,
    }
}

pub const CLUSTER_EXTENSION: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.KubernetesConfiguration/extensions",
    api_version: "2025-03-01",
    parent: Some(Kind::ManagedCluster),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "clusterExtension",
    noun: "cluster extension",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    // Lowered and exported by `desired::gitops` and `export::gitops` (a nested estate shape).
    fields: &[],
    // Only under clusters that declare one: a cluster may carry extensions others installed
    // (Dapr, Azure Monitor) that this estate does not describe.
    read: Read::ChildList(ChildRead {
        when: ReadWhen::Declared,
        parent_condition: None,
    }),
    diff: DiffRules {
        // `PatchExtension` carries neither (FACTS-2 §6): fixed at create.
        fields: &[
            replaced("properties.extensionType"),
            replaced("properties.scope"),
        ],
        create_only: &["properties.configurationProtectedSettings"],
        server_owned: &[
            "/properties/currentVersion",
            "/properties/statuses",
            "/properties/errorInfo",
            "/properties/customLocationSettings",
            "/properties/packageUri",
            "/properties/isSystemExtension",
            "/properties/managementDetails",
            "/properties/additionalDetails",
            "/properties/extensionState",
            "/properties/aksAssignedIdentity",
        ],
        ..PLAIN_DIFF
    },
    // Never deleted on aksctl's account: removing `flux` from the estate leaves the extension
    // (its controllers may run configurations made elsewhere); `az k8s-extension delete` does.
    write: WriteRules {
        never_deleted: true,
        ..PLAIN_WRITE
    },
    // Reinstalling the controllers re-reconciles every configuration from Git.
    destructive_replace: true,
    global_name: false,
    private_link: None,
    timing: Timing {
        create_seconds: 90,
        update_seconds: 30,
        delete_seconds: 60,
        deadline_minutes: 20,
        lane: Lane::Short,
    },
};

pub const FLUX_CONFIGURATION: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.KubernetesConfiguration/fluxConfigurations",
    api_version: "2025-04-01",
    parent: Some(Kind::ManagedCluster),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "fluxConfiguration",
    noun: "flux configuration",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    fields: &[],
    read: Read::ChildList(ChildRead {
        when: ReadWhen::OwnedOrDeclared,
        parent_condition: None,
    }),
    diff: DiffRules {
        // The PATCH model has neither (FACTS-2 §7): create-only.
        fields: &[
            replaced("properties.scope"),
            replaced("properties.namespace"),
        ],
        // `x-ms-secret`: sent on create, never returned by a GET, so never compared.
        create_only: &["properties.configurationProtectedSettings"],
        server_owned: &[
            "/properties/statuses",
            "/properties/complianceState",
            "/properties/repositoryPublicKey",
            "/properties/sourceSyncedCommitId",
            "/properties/sourceUpdatedAt",
            "/properties/statusUpdatedAt",
            "/properties/errorMessage",
            "/properties/kustomizations/*/name",
        ],
        ..PLAIN_DIFF
    },
    // A write sends the declared kustomizations whole, so one the estate no longer declares goes
    // with the next update. (The diff compares declared kustomizations field by field: ARM fills
    // in defaults, so a live-only kustomization alone is not seen as a change.)
    write: WriteRules {
        replaced_whole: &["/properties/kustomizations"],
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    global_name: false,
    private_link: None,
    timing: Timing {
        create_seconds: 30,
        update_seconds: 20,
        delete_seconds: 20,
        deadline_minutes: 15,
        lane: Lane::Short,
    },
};

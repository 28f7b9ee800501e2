//! Descriptors of the AKS kinds: managed clusters, agent pools and maintenance configurations
//! (`../shared/arm/FACTS.md` §6).

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    ChangeClass, ChildRead, DiffRules, FieldRule, Implied, KindDescriptor, Lane, Lock,
    OwnedWholeMap, Ownership, Read, ReadWhen, ServerMover, Timing, WriteRules, PLAIN_DIFF,
    PLAIN_WRITE, QUICK,
};
use crate::kind::fields::Lowering;
use crate::kind::Kind;

/// The prefix of taints and labels AKS adds itself (spot priority, node image, ...).
pub const AKS_SYSTEM_PREFIX: &str = "kubernetes.azure.com/";

/// How many minor versions a pool may trail its control plane: 3 (N-3) since Kubernetes 1.28 per
/// the newer AKS documentation; the spec and the older upgrade page say 2 (FACTS-AKS-DAY2 §4).
/// aksctl follows the newer documentation, as mock-arm does (its `POOL_SKEW_MINORS`, which a test
/// keeps equal to this one); used by the estate check and the plan (`planner::skew`,
/// `docs/day2.md`).
pub const POOL_SKEW_MINORS: u64 = 3;

const fn replaced(path: &'static str) -> FieldRule {
    FieldRule {
        path,
        change: ChangeClass::ForcesReplacement,
    }
}

/// A pool field AKS cannot change in place (FACTS-AKS-DAY2 §1): the pool is rotated.
const fn rotated(path: &'static str) -> FieldRule {
    FieldRule {
        path,
        change: ChangeClass::Rotate,
    }
}

/// `osSKU` migrates in place between Linux SKUs (Ubuntu*, AzureLinux*; FACTS-AKS-DAY2 §1,
/// `az aks nodepool update --os-sku`); to or from Windows it needs a new pool.
fn os_sku_needs_rotation(before: &str, after: &str) -> bool {
    let linux = |sku: &str| {
        let sku = sku.to_ascii_lowercase();
        sku.starts_with("ubuntu")
            || sku.starts_with("azurelinux")
            || sku == "cblmariner"
            || sku == "mariner"
    };
    !(linux(before) && linux(after))
}

pub const MANAGED_CLUSTER: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ContainerService/managedClusters",
    api_version: "2026-08-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: Some(&crate::kind::diagnostics::CLUSTER_CATEGORIES),
    address_prefix: "cluster",
    noun: "cluster",
    scope_prefix: Some("cluster"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ResourceGroup,
    diff: DiffRules {
        fields: &[
            replaced("location"),
            replaced("properties.dnsPrefix"),
            replaced("properties.fqdnSubdomain"),
            replaced("properties.nodeResourceGroup"),
            replaced("properties.networkProfile.networkPlugin"),
            replaced("properties.networkProfile.serviceCidr"),
            replaced("properties.networkProfile.dnsServiceIP"),
            replaced("properties.networkProfile.loadBalancerSku"),
            replaced("properties.networkProfile.ipFamilies"),
            replaced("properties.networkProfile.networkMode"),
            replaced("properties.apiServerAccessProfile.enablePrivateCluster"),
            replaced("properties.apiServerAccessProfile.privateDNSZone"),
            replaced("properties.enableRBAC"),
            replaced("properties.linuxProfile.adminUsername"),
            replaced("properties.windowsProfile.adminUsername"),
            replaced("properties.diskEncryptionSetID"),
            FieldRule {
                path: "properties.kubernetesVersion",
                change: ChangeClass::Monotonic,
            },
            FieldRule {
                path: "properties.kubernetesVersion",
                change: ChangeClass::ServerMoved(ServerMover::AutoUpgradeChannel),
            },
            FieldRule {
                path: "properties.oidcIssuerProfile.enabled",
                change: ChangeClass::RefusedByArm {
                    locked: true,
                    explanation: "the OIDC issuer cannot be disabled once enabled",
                },
            },
            FieldRule {
                path: "properties.aadProfile.managed",
                change: ChangeClass::RefusedByArm {
                    locked: true,
                    explanation: "managed Entra integration cannot be disabled once enabled",
                },
            },
        ],
        // After creation, pools are managed through the agent-pool API (each pool is its own
        // resource in the plan), so the cluster's embedded pool profiles are create-time only.
        create_only: &["properties.agentPoolProfiles"],
        server_owned: &[
            "/properties/powerState",
            "/properties/maxAgentPools",
            "/properties/currentKubernetesVersion",
            "/properties/fqdn",
            "/properties/privateFQDN",
            "/properties/azurePortalFQDN",
            "/properties/resourceUID",
            "/properties/status",
            "/properties/oidcIssuerProfile/issuerURL",
            "/properties/addonProfiles/*/identity",
            "/properties/ingressProfile/webAppRouting/identity",
            "/properties/networkProfile/loadBalancerProfile/effectiveOutboundIPs",
            "/properties/networkProfile/natGatewayProfile/effectiveOutboundIPs",
            "/properties/privateLinkResources/*/privateLinkServiceID",
            "/properties/agentPoolProfiles/*/provisioningState",
            "/properties/agentPoolProfiles/*/currentOrchestratorVersion",
            "/properties/agentPoolProfiles/*/nodeImageVersion",
            "/properties/agentPoolProfiles/*/eTag",
            "/properties/agentPoolProfiles/*/status",
            "/properties/agentPoolProfiles/*/virtualMachineNodesStatus",
            "/identity/principalId",
            "/identity/tenantId",
            "/identity/userAssignedIdentities/*/principalId",
            "/identity/userAssignedIdentities/*/clientId",
        ],
        ..PLAIN_DIFF
    },
    write: WriteRules {
        cluster_operation: true,
        lock: Lock::Own,
        ..PLAIN_WRITE
    },
    destructive_replace: true,
    timing: Timing {
        create_seconds: 400,
        update_seconds: 240,
        delete_seconds: 300,
        deadline_minutes: 45,
        lane: Lane::LongRunning,
    },
    fields: &[],
};

pub const AGENT_POOL: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ContainerService/managedClusters/agentPools",
    api_version: "2026-08-01",
    parent: Some(Kind::ManagedCluster),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "pool",
    noun: "node pool",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ChildList(ChildRead {
        when: ReadWhen::Always,
        parent_condition: None,
    }),
    diff: DiffRules {
        fields: &[
            rotated("properties.vmSize"),
            rotated("properties.availabilityZones"),
            rotated("properties.osType"),
            FieldRule {
                path: "properties.orchestratorVersion",
                change: ChangeClass::Monotonic,
            },
            FieldRule {
                path: "properties.count",
                change: ChangeClass::ServerMoved(ServerMover::Autoscaler),
            },
            FieldRule {
                path: "properties.osSKU",
                change: ChangeClass::RotateWhen(os_sku_needs_rotation),
            },
            rotated("properties.osDiskType"),
            rotated("properties.osDiskSizeGB"),
            rotated("properties.maxPods"),
            rotated("properties.vnetSubnetID"),
            rotated("properties.podSubnetID"),
            rotated("properties.scaleSetPriority"),
            rotated("properties.scaleSetEvictionPolicy"),
            rotated("properties.spotMaxPrice"),
            rotated("properties.enableFIPS"),
            rotated("properties.creationData"),
            rotated("properties.enableNodePublicIP"),
            rotated("properties.nodePublicIPPrefixID"),
            rotated("properties.enableEncryptionAtHost"),
            rotated("properties.enableUltraSSD"),
            rotated("properties.gpuInstanceProfile"),
            rotated("properties.workloadRuntime"),
            rotated("properties.kubeletDiskType"),
            rotated("properties.kubeletConfig"),
            rotated("properties.linuxOSConfig"),
            rotated("properties.hostGroupID"),
            rotated("properties.capacityReservationGroupID"),
            rotated("properties.proximityPlacementGroupID"),
            rotated("properties.type"),
        ],
        owned_whole_maps: &[OwnedWholeMap {
            path: "properties.nodeLabels",
            service_prefix: AKS_SYSTEM_PREFIX,
        }],
        service_set_entries: &[OwnedWholeMap {
            path: "properties.nodeTaints",
            service_prefix: AKS_SYSTEM_PREFIX,
        }],
        implied_defaults: &[
            ("properties.spotMaxPrice", Implied::Integer(-1)),
            ("properties.scaleSetEvictionPolicy", Implied::Text("Delete")),
            ("properties.scaleSetPriority", Implied::Text("Regular")),
            ("properties.osType", Implied::Text("Linux")),
        ],
        server_owned: &[
            "/properties/currentOrchestratorVersion",
            "/properties/nodeImageVersion",
            "/properties/status",
            "/properties/virtualMachineNodesStatus",
        ],
        ..PLAIN_DIFF
    },
    // The last System pool cannot be deleted on its own: pools go with their cluster.
    write: WriteRules {
        cluster_operation: true,
        lock: Lock::Parent,
        deleted_with_parent: true,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: Timing {
        create_seconds: 210,
        update_seconds: 210,
        delete_seconds: 180,
        deadline_minutes: 30,
        lane: Lane::LongRunning,
    },
    fields: &[],
};

pub const MAINTENANCE_CONFIGURATION: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
    api_version: "2026-08-01",
    parent: Some(Kind::ManagedCluster),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "maintenanceConfiguration",
    noun: "maintenance configuration",
    scope_prefix: None,
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
        implied_defaults: &[(
            "properties.maintenanceWindow.utcOffset",
            Implied::Text("+00:00"),
        )],
        ..PLAIN_DIFF
    },
    // ARM documents the PUT/DELETE as synchronous (FACTS §6.1) but not as exempt from AKS's
    // one-operation-per-cluster rule: holding the cluster's lock costs nothing and rules out a
    // 409 on real ARM. ARM takes one and only one schedule type, so a declared `weekly`
    // replaces a live `daily`.
    write: WriteRules {
        lock: Lock::Parent,
        replaced_whole: &["/properties/maintenanceWindow/schedule"],
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

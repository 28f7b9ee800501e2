//! The `$defs` of the estate schema: one definition per estate type.

use serde_json::{json, Value};

use crate::spec::merge::REMOVE_KEY;
use crate::spec::types::{
    ClusterIdentityType, ClusterTier, ContainerPublicAccess, KeyVaultSku, LoadBalancerSku,
    NetworkDataplane, NetworkPlugin, NetworkPluginMode, NetworkPolicy, NodeOsUpgradeChannel,
    OsDiskType, OsSku, OsType, OutboundType, PoolMode, PrincipalType, PublicNetworkAccess,
    RegistrySku, SpotEvictionPolicy, StorageKind, StorageSku, Switch, TlsVersion, UpgradeChannel,
    Weekday,
};

use super::builders::{
    add, array, boolean, count, location, named_list, named_object, object, reference, remove_flag,
    resource_group, string, strings,
};

pub(super) fn definitions_list() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Metadata",
            object(
                "",
                &["name"],
                vec![(
                    "name",
                    string("Estate name; the `aksctl-estate` ownership tag value."),
                )],
            ),
        ),
        (
            "Tags",
            json!({"type": "object", "description": "Tag name -> value.", "additionalProperties": {"type": "string"}}),
        ),
        (
            "ResourceGroup",
            named_object(
                "A resource group.",
                &[],
                vec![("location", location()), ("tags", reference("Tags"))],
            ),
        ),
        (
            "Registry",
            named_object(
                "An Azure Container Registry.",
                &["resourceGroup", "sku"],
                vec![
                    ("resourceGroup", resource_group()),
                    ("location", location()),
                    ("tags", reference("Tags")),
                    ("sku", strings(RegistrySku::ALL.iter().map(|v| v.as_str()))),
                    (
                        "adminUserEnabled",
                        boolean("Admin user (keep off; use identities)."),
                    ),
                    (
                        "publicNetworkAccess",
                        strings(PublicNetworkAccess::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "zoneRedundancy",
                        strings(Switch::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "geoReplications",
                        array(string("Region to replicate to (Premium).")),
                    ),
                    ("privateEndpoint", reference("PrivateEndpoint")),
                    ("diagnosticSettings", array(reference("DiagnosticSetting"))),
                ],
            ),
        ),
        (
            "KeyVault",
            named_object(
                "A Key Vault.",
                &["resourceGroup"],
                vec![
                    ("resourceGroup", resource_group()),
                    ("location", location()),
                    ("tags", reference("Tags")),
                    ("sku", strings(KeyVaultSku::ALL.iter().map(|v| v.as_str()))),
                    ("tenantId", string("Tenant of the vault.")),
                    (
                        "rbacAuthorization",
                        boolean("Azure RBAC for data-plane access (default true)."),
                    ),
                    ("softDeleteRetentionDays", count("7-90 days, create-only.")),
                    ("purgeProtection", boolean("Irreversible once on.")),
                    (
                        "publicNetworkAccess",
                        strings(PublicNetworkAccess::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("privateEndpoint", reference("PrivateEndpoint")),
                    ("diagnosticSettings", array(reference("DiagnosticSetting"))),
                ],
            ),
        ),
        (
            "StorageAccount",
            named_object(
                "A storage account with blob settings, containers and lifecycle rules.",
                &["resourceGroup", "sku"],
                vec![
                    ("resourceGroup", resource_group()),
                    ("location", location()),
                    ("tags", reference("Tags")),
                    ("sku", strings(StorageSku::ALL.iter().map(|v| v.as_str()))),
                    ("kind", strings(StorageKind::ALL.iter().map(|v| v.as_str()))),
                    (
                        "minimumTlsVersion",
                        strings(TlsVersion::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("allowBlobPublicAccess", boolean("")),
                    ("allowSharedKeyAccess", boolean("")),
                    (
                        "publicNetworkAccess",
                        strings(PublicNetworkAccess::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("blobVersioning", boolean("Blob versioning.")),
                    ("blobSoftDeleteDays", count("Blob soft delete, 1-365 days.")),
                    (
                        "containerSoftDeleteDays",
                        count("Container soft delete, 1-365 days."),
                    ),
                    ("containers", named_list("BlobContainer")),
                    ("lifecycleRules", named_list("LifecycleRule")),
                    ("privateEndpoint", reference("PrivateEndpoint")),
                    ("diagnosticSettings", array(reference("DiagnosticSetting"))),
                ],
            ),
        ),
        (
            "BlobContainer",
            named_object(
                "A blob container.",
                &[],
                vec![
                    (
                        "publicAccess",
                        strings(ContainerPublicAccess::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("metadata", reference("Tags")),
                ],
            ),
        ),
        (
            "LifecycleRule",
            named_object(
                "Tier block blobs to cool/archive, then delete, N days after last modification.",
                &[],
                vec![
                    ("enabled", boolean("Default true.")),
                    (
                        "prefixes",
                        array(string("`container/` or `container/prefix`.")),
                    ),
                    ("tierToCoolAfterDays", count("")),
                    ("tierToArchiveAfterDays", count("")),
                    ("deleteAfterDays", count("")),
                ],
            ),
        ),
        (
            "Cluster",
            named_object(
                "An AKS cluster with its node pools.",
                &["resourceGroup", "pools"],
                vec![
                    ("resourceGroup", resource_group()),
                    ("location", location()),
                    ("tags", reference("Tags")),
                    (
                        "kubernetesVersion",
                        string("`1.33` or `1.33.2` (quote it)."),
                    ),
                    ("tier", strings(ClusterTier::ALL.iter().map(|v| v.as_str()))),
                    ("identity", reference("ClusterIdentity")),
                    (
                        "kubeletIdentity",
                        string("Logical name of an identity used as kubelet identity."),
                    ),
                    ("dnsPrefix", string("Defaults to the cluster name.")),
                    ("apiServer", reference("ApiServer")),
                    ("oidcIssuer", boolean("OIDC issuer; cannot be turned off.")),
                    (
                        "workloadIdentity",
                        boolean("Workload identity; needs oidcIssuer."),
                    ),
                    ("network", reference("ClusterNetwork")),
                    ("entra", reference("EntraIntegration")),
                    (
                        "localAccounts",
                        boolean("Local accounts; false needs `entra`."),
                    ),
                    ("autoUpgrade", reference("AutoUpgrade")),
                    ("maintenanceWindow", reference("MaintenanceWindow")),
                    ("addons", reference("Addons")),
                    (
                        "acrPull",
                        array(string(
                            "Logical name of a registry the kubelet may pull from.",
                        )),
                    ),
                    ("pools", named_list("NodePool")),
                    ("defender", reference("Defender")),
                    ("imageCleaner", reference("ImageCleaner")),
                    ("managedPrometheus", reference("ManagedPrometheus")),
                    ("autoscalerProfile", reference("AutoscalerProfile")),
                    ("flux", reference("Flux")),
                    ("diagnosticSettings", array(reference("DiagnosticSetting"))),
                ],
            ),
        ),
        (
            "ClusterIdentity",
            object(
                "Control-plane identity.",
                &["type"],
                vec![
                    (
                        "type",
                        strings(ClusterIdentityType::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "userAssigned",
                        string("Logical name of an identity (with type UserAssigned)."),
                    ),
                ],
            ),
        ),
        (
            "ApiServer",
            object(
                "API server access.",
                &[],
                vec![
                    ("private", boolean("Private cluster (create-only).")),
                    (
                        "privateDnsZone",
                        string("`system`, `none`, a private DNS zone id or a zone of `privateDnsZones`."),
                    ),
                    (
                        "authorizedIpRanges",
                        array(string("CIDR allowed to reach a public API server.")),
                    ),
                ],
            ),
        ),
        (
            "ClusterNetwork",
            object(
                "Cluster networking.",
                &[],
                vec![
                    (
                        "plugin",
                        strings(NetworkPlugin::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "pluginMode",
                        strings(NetworkPluginMode::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "policy",
                        strings(NetworkPolicy::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "dataplane",
                        strings(NetworkDataplane::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("podCidr", string("Pod CIDR (kubenet or overlay).")),
                    ("serviceCidr", string("Service CIDR.")),
                    ("dnsServiceIp", string("DNS service IP inside serviceCidr.")),
                    (
                        "outboundType",
                        strings(OutboundType::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "loadBalancerSku",
                        strings(LoadBalancerSku::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "networkContributorGrants",
                        boolean("Grant the control plane Network Contributor on BYO subnets (default true)."),
                    ),
                ],
            ),
        ),
        (
            "EntraIntegration",
            object(
                "Managed Microsoft Entra integration.",
                &[],
                vec![
                    (
                        "azureRbac",
                        boolean("Azure RBAC for Kubernetes authorization."),
                    ),
                    (
                        "adminGroupObjectIds",
                        array(string("Entra group object id (GUID).")),
                    ),
                    ("tenantId", string("")),
                ],
            ),
        ),
        (
            "AutoUpgrade",
            object(
                "Auto-upgrade channels.",
                &[],
                vec![
                    (
                        "channel",
                        strings(UpgradeChannel::ALL.iter().map(|v| v.as_str())),
                    ),
                    (
                        "nodeOsChannel",
                        strings(NodeOsUpgradeChannel::ALL.iter().map(|v| v.as_str())),
                    ),
                ],
            ),
        ),
        (
            "MaintenanceWindow",
            object(
                "Weekly planned maintenance window.",
                &["day", "startTime", "durationHours"],
                vec![
                    ("day", strings(Weekday::ALL.iter().map(|v| v.as_str()))),
                    ("startTime", string("`HH:MM` (quote it).")),
                    ("durationHours", count("4-24.")),
                    ("utcOffset", string("`+HH:MM` or `-HH:MM`.")),
                    ("intervalWeeks", count("1-4.")),
                    ("blackoutDates", array(reference("BlackoutDates"))),
                ],
            ),
        ),
        (
            "Addons",
            object(
                "Add-ons; declaring one enables it unless `enabled: false`.",
                &[],
                vec![
                    (
                        "monitoring",
                        object(
                            "Container Insights.",
                            &[],
                            vec![
                                ("enabled", boolean("")),
                                (
                                    "workspace",
                                    string(
                                        "Logical name of a workspace in `logAnalyticsWorkspaces`.",
                                    ),
                                ),
                                (
                                    "logAnalyticsWorkspaceId",
                                    string("Resource id of a workspace outside the estate."),
                                ),
                            ],
                        ),
                    ),
                    (
                        "keyVaultSecretsProvider",
                        object(
                            "Secrets Store CSI driver, Azure Key Vault provider.",
                            &[],
                            vec![
                                ("enabled", boolean("")),
                                ("rotation", boolean("Secret rotation.")),
                                ("rotationInterval", string("e.g. `2m`.")),
                            ],
                        ),
                    ),
                    (
                        "azurePolicy",
                        object("Azure Policy for AKS.", &[], vec![("enabled", boolean(""))]),
                    ),
                    (
                        "istio",
                        object(
                            "AKS-managed Istio.",
                            &[],
                            vec![
                                ("enabled", boolean("")),
                                ("revisions", array(string("e.g. `asm-1-25`."))),
                                ("internalIngressGateway", boolean("")),
                                ("externalIngressGateway", boolean("")),
                            ],
                        ),
                    ),
                ],
            ),
        ),
        ("NodePool", node_pool()),
        (
            "Identity",
            named_object(
                "A user-assigned managed identity.",
                &["resourceGroup"],
                vec![
                    ("resourceGroup", resource_group()),
                    ("location", location()),
                    ("tags", reference("Tags")),
                    ("federatedCredentials", named_list("FederatedCredential")),
                ],
            ),
        ),
        ("FederatedCredential", federated_credential()),
        ("RoleAssignment", role_assignment()),
        ("Principal", principal()),
    ]
}

fn node_pool() -> Value {
    let mut pool = named_object(
        "An AKS node pool: `count` or `autoscale`.",
        &["vmSize"],
        vec![
            ("mode", strings(PoolMode::ALL.iter().map(|v| v.as_str()))),
            ("vmSize", string("e.g. `Standard_D4s_v5`.")),
            ("count", count("Fixed node count.")),
            (
                "autoscale",
                object(
                    "Autoscaler bounds.",
                    &["min", "max"],
                    vec![("min", count("")), ("max", count(""))],
                ),
            ),
            (
                "zones",
                array(json!({"type": "integer", "minimum": 1, "maximum": 3})),
            ),
            ("osType", strings(OsType::ALL.iter().map(|v| v.as_str()))),
            ("osSku", strings(OsSku::ALL.iter().map(|v| v.as_str()))),
            (
                "osDiskType",
                strings(OsDiskType::ALL.iter().map(|v| v.as_str())),
            ),
            ("osDiskSizeGb", count("30-2048.")),
            ("maxPods", count("10-250.")),
            (
                "spot",
                object(
                    "Spot priority.",
                    &[],
                    vec![
                        (
                            "maxPrice",
                            json!({"type": "number", "description": "USD per hour; -1 = on-demand price."}),
                        ),
                        (
                            "evictionPolicy",
                            strings(SpotEvictionPolicy::ALL.iter().map(|v| v.as_str())),
                        ),
                    ],
                ),
            ),
            ("taints", array(string("`key=value:Effect`."))),
            ("labels", reference("Tags")),
            (
                "maxSurge",
                json!({"type": ["string", "integer"], "description": "Node count or percentage (`33%`)."}),
            ),
            (
                "criticalAddonsOnly",
                boolean("Adds CriticalAddonsOnly=true:NoSchedule."),
            ),
            (
                "subnet",
                object(
                    "Pool subnet.",
                    &["id"],
                    vec![
                        ("id", string("Subnet resource id.")),
                        ("addressPrefix", string("Subnet CIDR, for overlap checks.")),
                    ],
                ),
            ),
            ("kubernetesVersion", string("Pool version (quote it).")),
            ("upgrade", reference("PoolUpgrade")),
            (
                "podSubnet",
                object(
                    "Subnet pods take their IPs from.",
                    &["id"],
                    vec![
                        ("id", string("Subnet resource id.")),
                        ("addressPrefix", string("Subnet CIDR, for overlap checks.")),
                    ],
                ),
            ),
            ("kubeletConfig", reference("KubeletConfig")),
        ],
    );
    add(
        &mut pool,
        "oneOf",
        json!([{"required": ["count"]}, {"required": ["autoscale"]}]),
    );
    pool
}

fn federated_credential() -> Value {
    let mut credential = named_object(
        "A federated identity credential.",
        &[],
        vec![
            (
                "cluster",
                string("Logical name of the cluster whose OIDC issuer is trusted."),
            ),
            (
                "clusters",
                array(string("Clusters; expands to one credential per cluster.")),
            ),
            ("issuer", string("Literal issuer URL.")),
            ("serviceAccount", string("`namespace/name`.")),
            ("subject", string("Literal subject.")),
            (
                "audiences",
                array(string("Default `api://AzureADTokenExchange`.")),
            ),
        ],
    );
    add(
        &mut credential,
        "allOf",
        json!([
            {"oneOf": [{"required": ["cluster"]}, {"required": ["clusters"]}, {"required": ["issuer"]}]},
            {"oneOf": [{"required": ["serviceAccount"]}, {"required": ["subject"]}]}
        ]),
    );
    credential
}

fn role_assignment() -> Value {
    let mut assignment = object(
        "A role assignment.",
        &["principal", "role", "scope"],
        vec![
            ("name", string("Logical name; defaults to `{principal}-{role}-on-{scope}`.")),
            ("principal", reference("Principal")),
            ("role", string("Built-in role name, role definition GUID or id.")),
            (
                "scope",
                string("`subscription`, `resourceGroup/X`, `registry/X`, `keyVault/X`, `storageAccount/X`, `storageContainer/X/Y`, `logAnalyticsWorkspace/X`, `cluster/X`, `identity/X` or `/subscriptions/...`."),
            ),
            ("description", string("")),
        ],
    );
    if let Value::Object(map) = &mut assignment {
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            properties.insert(REMOVE_KEY.into(), remove_flag());
        }
    }
    assignment
}

fn principal() -> Value {
    let mut principal = object(
        "Who gets the role: exactly one of identity, clusterKubelet, clusterIdentity, objectId (+ principalType).",
        &[],
        vec![
            ("identity", string("Logical name of an identity.")),
            ("clusterKubelet", string("Logical name of a cluster (its kubelet identity).")),
            ("clusterIdentity", string("Logical name of a cluster (its control-plane identity).")),
            ("objectId", string("Entra object id (GUID).")),
            ("principalType", strings(PrincipalType::ALL.iter().map(|v| v.as_str()))),
        ],
    );
    add(
        &mut principal,
        "oneOf",
        json!([
            {"required": ["identity"]},
            {"required": ["clusterKubelet"]},
            {"required": ["clusterIdentity"]},
            {"required": ["objectId", "principalType"]}
        ]),
    );
    principal
}

//! Export of managed clusters and their agent pools. AKS fills in many defaults (network
//! ranges, OS disk, max pods, upgrade channels...): a field is exported only where the live value
//! differs from AKS's default, so the estate stays short and a plan never fights AKS over it;
//! what AKS made for itself (node resource group, add-on identities, the AKS-managed kubelet
//! identity) is referred to, never exported.

use serde_json::Value;

use crate::export::context::{
    bool_at, group_of, issuer_key, name_of, pick, str_at, strings_at, tags_of, u32_at,
    ClusterFacts, Exporting,
};
use crate::export::inventory::{id_of, Inventory};
use crate::export::schedules::maintenance_window;
use crate::kind::Kind;
use crate::spec::types::{
    Addons, ApiServer, AutoUpgrade, Autoscale, AzurePolicyAddon, Cluster, ClusterIdentity,
    ClusterIdentityType, ClusterNetwork, ClusterTier, EntraIntegration, IstioAddon,
    KeyVaultSecretsProviderAddon, LoadBalancerSku, MonitoringAddon, NetworkDataplane,
    NetworkPlugin, NetworkPluginMode, NetworkPolicy, NodeOsUpgradeChannel, NodePool, OsDiskType,
    OsSku, OsType, OutboundType, PoolMode, Spot, SpotEvictionPolicy, Subnet, UpgradeChannel,
};

/// Taints and labels AKS manages itself.
const AKS_SYSTEM_PREFIX: &str = "kubernetes.azure.com/";
/// The taint `criticalAddonsOnly: true` stands for.
const CRITICAL_ADDONS_ONLY_TAINT: &str = "CriticalAddonsOnly=true:NoSchedule";
/// Add-ons the estate format models, as ARM names them.
const MODELLED_ADDONS: [&str; 3] = ["omsagent", "azureKeyvaultSecretsProvider", "azurepolicy"];

/// What other resources refer to in each cluster of the groups.
pub fn cluster_facts(exporting: &mut Exporting<'_>) {
    let bodies: Vec<&Value> = exporting.inventory.of_kind(Kind::ManagedCluster).collect();
    for body in bodies {
        let lower = |text: &str| text.to_ascii_lowercase();
        let addon_object_ids = body
            .pointer("/properties/addonProfiles")
            .and_then(Value::as_object)
            .map(|addons| {
                addons
                    .values()
                    .filter_map(|addon| str_at(addon, "/identity/objectId"))
                    .map(lower)
                    .collect()
            })
            .unwrap_or_default();
        exporting.clusters.push(ClusterFacts {
            name: name_of(body),
            issuer: str_at(body, "/properties/oidcIssuerProfile/issuerURL").map(issuer_key),
            kubelet_object_id: str_at(body, "/properties/identityProfile/kubeletidentity/objectId")
                .map(lower),
            system_principal_id: str_at(body, "/identity/principalId").map(lower),
            node_resource_group: str_at(body, "/properties/nodeResourceGroup").map(lower),
            addon_object_ids,
        });
    }
}

pub fn export_clusters(exporting: &mut Exporting<'_>) -> Vec<Cluster> {
    let mut clusters = Vec::new();
    let bodies: Vec<&Value> = exporting.inventory.of_kind(Kind::ManagedCluster).collect();
    for body in bodies {
        if let Some(cluster) = export_cluster(exporting, body) {
            clusters.push(cluster);
        }
    }
    clusters
}

fn export_cluster(exporting: &mut Exporting<'_>, body: &Value) -> Option<Cluster> {
    let name = name_of(body);
    let id = id_of(body)?;
    let group = group_of(body);
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);

    let identity = match str_at(body, "/identity/type") {
        Some(kind) if kind.eq_ignore_ascii_case("UserAssigned") => {
            let key = body
                .pointer("/identity/userAssignedIdentities")
                .and_then(Value::as_object)
                .and_then(|identities| identities.keys().next().cloned())
                .unwrap_or_default();
            match exporting.identities_by_id.get(&key.to_ascii_lowercase()) {
                Some(identity) => Some(ClusterIdentity {
                    identity_type: ClusterIdentityType::UserAssigned,
                    user_assigned: Some(identity.clone()),
                }),
                None => {
                    exporting.skip(
                        Kind::ManagedCluster.arm_type(),
                        id.as_str(),
                        format!(
                            "its control-plane identity `{key}` is not in the exported resource \
                             groups: export its group too (--resource-group)"
                        ),
                    );
                    return None;
                }
            }
        }
        _ => None,
    };
    let kubelet_identity = str_at(&properties, "/identityProfile/kubeletidentity/resourceId")
        .and_then(|resource| {
            let known = exporting
                .identities_by_id
                .get(&resource.to_ascii_lowercase())
                .cloned();
            if known.is_none() && !exporting.in_node_resource_group(resource) {
                exporting.notes.push(format!(
                    "cluster/{name} uses the kubelet identity `{resource}`, which is not in the \
                     exported resource groups: export its group too to declare `kubeletIdentity`"
                ));
            }
            known
        });

    let pools = export_pools(exporting, &id, &properties);
    let auto_upgrade = auto_upgrade(&properties);
    let maintenance_window = maintenance_window(exporting, &id, &name, auto_upgrade.as_ref());
    exporting.add_scope(&id, Kind::ManagedCluster);
    let diagnostic_settings =
        crate::export::diagnostics::settings(exporting, &id, Kind::ManagedCluster);
    Some(Cluster {
        diagnostic_settings,
        location: exporting.own_location(body, &group),
        tags: tags_of(body),
        kubernetes_version: str_at(&properties, "/kubernetesVersion").map(str::to_owned),
        tier: str_at(body, "/sku/tier")
            .and_then(|text| pick(ClusterTier::ALL, ClusterTier::as_str, text))
            .filter(|tier| *tier != ClusterTier::Free),
        identity,
        kubelet_identity,
        dns_prefix: str_at(&properties, "/dnsPrefix")
            .filter(|prefix| *prefix != name)
            .map(str::to_owned),
        api_server: api_server(&properties),
        oidc_issuer: bool_at(&properties, "/oidcIssuerProfile/enabled").filter(|on| *on),
        workload_identity: bool_at(&properties, "/securityProfile/workloadIdentity/enabled")
            .filter(|on| *on),
        network: network(&properties),
        entra: entra(exporting, &properties),
        local_accounts: bool_at(&properties, "/disableLocalAccounts")
            .filter(|disabled| *disabled)
            .map(|_| false),
        auto_upgrade,
        maintenance_window,
        addons: addons(exporting, &name, &properties),
        acr_pull: Vec::new(),
        defender: crate::export::cluster_settings::defender(exporting, &properties),
        image_cleaner: crate::export::cluster_settings::image_cleaner(&properties),
        managed_prometheus: crate::export::cluster_settings::managed_prometheus(&properties),
        autoscaler_profile: crate::export::cluster_settings::autoscaler_profile(&properties),
        flux: crate::export::gitops::flux(exporting, &id),
        pools,
        resource_group: group,
        name,
    })
}

fn api_server(properties: &Value) -> Option<ApiServer> {
    let private = bool_at(properties, "/apiServerAccessProfile/enablePrivateCluster") == Some(true);
    let api_server = ApiServer {
        private: private.then_some(true),
        private_dns_zone: str_at(properties, "/apiServerAccessProfile/privateDNSZone")
            .filter(|_| private)
            .map(str::to_owned),
        authorized_ip_ranges: strings_at(properties, "/apiServerAccessProfile/authorizedIPRanges"),
    };
    (api_server.private.is_some() || !api_server.authorized_ip_ranges.is_empty())
        .then_some(api_server)
}

fn network(properties: &Value) -> Option<ClusterNetwork> {
    let text = |field: &str| str_at(properties, &format!("/networkProfile/{field}"));
    let plugin = text("networkPlugin")
        .and_then(|value| pick(NetworkPlugin::ALL, NetworkPlugin::as_str, value));
    let plugin_mode = text("networkPluginMode")
        .and_then(|value| pick(NetworkPluginMode::ALL, NetworkPluginMode::as_str, value));
    let pod_ranges = plugin == Some(NetworkPlugin::Kubenet) || plugin_mode.is_some();
    // The DNS service IP lies inside the service range: both are kept when either is not AKS's.
    let service_ranges = text("serviceCidr").is_some_and(|cidr| cidr != "10.0.0.0/16")
        || text("dnsServiceIP").is_some_and(|address| address != "10.0.0.10");
    let network = ClusterNetwork {
        plugin,
        plugin_mode,
        policy: text("networkPolicy")
            .and_then(|value| pick(NetworkPolicy::ALL, NetworkPolicy::as_str, value))
            .filter(|policy| *policy != NetworkPolicy::None),
        dataplane: text("networkDataplane")
            .and_then(|value| pick(NetworkDataplane::ALL, NetworkDataplane::as_str, value))
            .filter(|dataplane| *dataplane != NetworkDataplane::Azure),
        pod_cidr: text("podCidr")
            .filter(|cidr| pod_ranges && *cidr != "10.244.0.0/16")
            .map(str::to_owned),
        service_cidr: text("serviceCidr")
            .filter(|_| service_ranges)
            .map(str::to_owned),
        dns_service_ip: text("dnsServiceIP")
            .filter(|_| service_ranges)
            .map(str::to_owned),
        outbound_type: text("outboundType")
            .and_then(|value| pick(OutboundType::ALL, OutboundType::as_str, value))
            .filter(|outbound| *outbound != OutboundType::LoadBalancer),
        load_balancer_sku: text("loadBalancerSku")
            .and_then(|value| pick(LoadBalancerSku::ALL, LoadBalancerSku::as_str, value))
            .filter(|sku| *sku != LoadBalancerSku::Standard),
        network_contributor_grants: None,
    };
    (network.plugin.is_some() || network.outbound_type.is_some()).then_some(network)
}

fn entra(exporting: &Exporting<'_>, properties: &Value) -> Option<EntraIntegration> {
    if bool_at(properties, "/aadProfile/managed") != Some(true) {
        return None;
    }
    Some(EntraIntegration {
        azure_rbac: bool_at(properties, "/aadProfile/enableAzureRBAC").filter(|on| *on),
        admin_group_object_ids: strings_at(properties, "/aadProfile/adminGroupObjectIDs"),
        tenant_id: str_at(properties, "/aadProfile/tenantID")
            .filter(|tenant| exporting.tenant.as_deref() != Some(*tenant))
            .map(str::to_owned),
    })
}

fn auto_upgrade(properties: &Value) -> Option<AutoUpgrade> {
    let upgrade = AutoUpgrade {
        channel: str_at(properties, "/autoUpgradeProfile/upgradeChannel")
            .and_then(|value| pick(UpgradeChannel::ALL, UpgradeChannel::as_str, value))
            .filter(|channel| *channel != UpgradeChannel::None),
        node_os_channel: str_at(properties, "/autoUpgradeProfile/nodeOSUpgradeChannel")
            .and_then(|value| {
                pick(
                    NodeOsUpgradeChannel::ALL,
                    NodeOsUpgradeChannel::as_str,
                    value,
                )
            })
            .filter(|channel| *channel != NodeOsUpgradeChannel::NodeImage),
    };
    (upgrade.channel.is_some() || upgrade.node_os_channel.is_some()).then_some(upgrade)
}

/// Enabled add-ons the estate models; enabled ones it does not model become notes.
fn addons(exporting: &mut Exporting<'_>, cluster: &str, properties: &Value) -> Option<Addons> {
    let profile = |name: &str| {
        properties
            .pointer(&format!("/addonProfiles/{name}"))
            .filter(|addon| bool_at(addon, "/enabled") == Some(true))
    };
    if let Some(all) = properties
        .pointer("/addonProfiles")
        .and_then(Value::as_object)
    {
        for (name, addon) in all {
            if bool_at(addon, "/enabled") == Some(true) && !MODELLED_ADDONS.contains(&name.as_str())
            {
                exporting.notes.push(format!(
                    "cluster/{cluster}: add-on `{name}` is enabled but the estate format does not model it (left as is)"
                ));
            }
        }
    }
    let monitoring = profile("omsagent").map(|addon| {
        let workspace_id = str_at(addon, "/config/logAnalyticsWorkspaceResourceID");
        // A workspace exported with the cluster is referred to by its logical name.
        let workspace = workspace_name(exporting, workspace_id);
        MonitoringAddon {
            enabled: None,
            log_analytics_workspace_id: workspace_id
                .filter(|_| workspace.is_none())
                .map(str::to_owned),
            workspace,
        }
    });
    let key_vault_secrets_provider =
        profile("azureKeyvaultSecretsProvider").map(|addon| KeyVaultSecretsProviderAddon {
            enabled: None,
            rotation: bool_at(addon, "/config/enableSecretRotation").filter(|on| *on),
            rotation_interval: str_at(addon, "/config/rotationPollInterval")
                .filter(|_| bool_at(addon, "/config/enableSecretRotation") == Some(true))
                .map(str::to_owned),
        });
    let azure_policy = profile("azurepolicy").map(|_| AzurePolicyAddon { enabled: None });
    let istio = (str_at(properties, "/serviceMeshProfile/mode")
        .is_some_and(|mode| mode.eq_ignore_ascii_case("Istio")))
    .then(|| {
        let gateway = |mode: &str| {
            properties
                .pointer("/serviceMeshProfile/istio/components/ingressGateways")
                .and_then(Value::as_array)
                .and_then(|gateways| {
                    gateways.iter().find(|gateway| {
                        str_at(gateway, "/mode").is_some_and(|m| m.eq_ignore_ascii_case(mode))
                    })
                })
                .and_then(|gateway| bool_at(gateway, "/enabled"))
        };
        IstioAddon {
            enabled: None,
            revisions: strings_at(properties, "/serviceMeshProfile/istio/revisions"),
            internal_ingress_gateway: gateway("Internal"),
            external_ingress_gateway: gateway("External"),
        }
    });
    let addons = Addons {
        monitoring,
        key_vault_secrets_provider,
        azure_policy,
        istio,
    };
    (addons.monitoring.is_some()
        || addons.key_vault_secrets_provider.is_some()
        || addons.azure_policy.is_some()
        || addons.istio.is_some())
    .then_some(addons)
}

/// The cluster's pools from the agent-pool list (the cluster's inline profiles are a copy).
fn export_pools(
    exporting: &Exporting<'_>,
    cluster_id: &crate::id::ResourceId,
    cluster_properties: &Value,
) -> Vec<NodePool> {
    let cluster_version = str_at(cluster_properties, "/kubernetesVersion").unwrap_or_default();
    let plugin = str_at(cluster_properties, "/networkProfile/networkPlugin").unwrap_or("azure");
    let overlay = str_at(cluster_properties, "/networkProfile/networkPluginMode")
        .is_some_and(|mode| mode.eq_ignore_ascii_case("overlay"));
    let default_max_pods: &[u32] = if plugin.eq_ignore_ascii_case("azure") && !overlay {
        &[30]
    } else {
        &[110, 250]
    };
    let mut pools: Vec<NodePool> = exporting
        .inventory
        .children_of(cluster_id, Kind::AgentPool)
        .map(|body| pool(body, cluster_version, default_max_pods))
        .collect();
    // System pools first, as they are usually written (and as ARM needs them on create).
    pools.sort_by_key(|pool| pool.mode != Some(PoolMode::System));
    pools
}

fn pool(body: &Value, cluster_version: &str, default_max_pods: &[u32]) -> NodePool {
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);
    let text = |field: &str| str_at(&properties, &format!("/{field}"));
    let mode = text("mode")
        .and_then(|value| pick(PoolMode::ALL, PoolMode::as_str, value))
        .unwrap_or(PoolMode::User);
    let autoscaled = bool_at(&properties, "/enableAutoScaling") == Some(true);
    let autoscale = autoscaled
        .then(|| {
            Some(Autoscale {
                min: u32_at(&properties, "/minCount")?,
                max: u32_at(&properties, "/maxCount")?,
            })
        })
        .flatten();
    let mut taints: Vec<String> = strings_at(&properties, "/nodeTaints")
        .into_iter()
        .filter(|taint| !taint.starts_with(AKS_SYSTEM_PREFIX))
        .collect();
    let critical_addons_only = (mode == PoolMode::System
        && taints
            .iter()
            .any(|taint| taint == CRITICAL_ADDONS_ONLY_TAINT))
    .then_some(true);
    if critical_addons_only.is_some() {
        taints.retain(|taint| taint != CRITICAL_ADDONS_ONLY_TAINT);
    }
    let os_type = text("osType").and_then(|value| pick(OsType::ALL, OsType::as_str, value));
    let spot = text("scaleSetPriority")
        .is_some_and(|priority| priority.eq_ignore_ascii_case("Spot"))
        .then(|| Spot {
            max_price: properties
                .get("spotMaxPrice")
                .and_then(Value::as_f64)
                .filter(|price| *price != -1.0),
            eviction_policy: text("scaleSetEvictionPolicy")
                .and_then(|value| pick(SpotEvictionPolicy::ALL, SpotEvictionPolicy::as_str, value))
                .filter(|policy| *policy != SpotEvictionPolicy::Delete),
        });
    let version = text("orchestratorVersion").filter(|version| {
        !(version == &cluster_version
            || version.starts_with(&format!("{cluster_version}."))
            || cluster_version.starts_with(&format!("{version}.")))
    });
    NodePool {
        name: name_of(body),
        mode: (mode == PoolMode::System).then_some(PoolMode::System),
        vm_size: text("vmSize").unwrap_or_default().to_owned(),
        count: if autoscale.is_some() {
            None
        } else {
            u32_at(&properties, "/count")
        },
        autoscale,
        zones: strings_at(&properties, "/availabilityZones")
            .iter()
            .filter_map(|zone| zone.parse().ok())
            .collect(),
        os_type: os_type.filter(|os| *os != OsType::Linux),
        os_sku: text("osSKU")
            .and_then(|value| pick(OsSku::ALL, OsSku::as_str, value))
            .filter(|sku| !(os_type != Some(OsType::Windows) && *sku == OsSku::Ubuntu)),
        os_disk_type: text("osDiskType")
            .and_then(|value| pick(OsDiskType::ALL, OsDiskType::as_str, value))
            .filter(|disk| *disk != OsDiskType::Managed),
        os_disk_size_gb: u32_at(&properties, "/osDiskSizeGB")
            .filter(|size| *size != 128 && *size != 0),
        max_pods: u32_at(&properties, "/maxPods").filter(|pods| !default_max_pods.contains(pods)),
        spot,
        taints,
        labels: properties
            .get("nodeLabels")
            .and_then(Value::as_object)
            .map(|labels| {
                labels
                    .iter()
                    .filter(|(key, _)| !key.starts_with(AKS_SYSTEM_PREFIX))
                    .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
        max_surge: text("upgradeSettings/maxSurge")
            .filter(|surge| *surge != "10%")
            .map(str::to_owned),
        critical_addons_only,
        subnet: text("vnetSubnetID").map(|id| Subnet {
            id: id.to_owned(),
            address_prefix: None,
        }),
        kubernetes_version: version.map(str::to_owned),
        upgrade: crate::export::cluster_settings::pool_upgrade(&properties),
        pod_subnet: crate::export::cluster_settings::pod_subnet(&properties),
        kubelet_config: crate::export::cluster_settings::kubelet_config(&properties),
    }
}

/// The inventory without what lies in a cluster's node resource group (AKS's own resources, read
/// when the user asks for that group): it is referred to, never declared.
pub(super) fn without_node_resource_group_content(inventory: &Inventory) -> Inventory {
    let node_groups = node_resource_groups(inventory);
    let outside = |body: &serde_json::Value| {
        !str_at(body, "/id")
            .map(crate::id::ResourceId::new)
            .and_then(|id| id.resource_group_name().map(str::to_ascii_lowercase))
            .is_some_and(|group| node_groups.contains(&group))
    };
    let mut filtered = inventory.clone();
    filtered.resources.retain(|body| outside(body));
    filtered.children.retain(|body| outside(body));
    filtered
}

/// A requested group that is a cluster's node resource group is AKS's, not the estate's.
pub(super) fn skip_node_resource_groups(
    exporting: &mut Exporting<'_>,
    groups: &mut Vec<crate::spec::types::ResourceGroup>,
) {
    let node_groups = node_resource_groups(exporting.inventory);
    let subscription = exporting.inventory.subscription.clone();
    groups.retain(|group| {
        let node_group = node_groups.contains(&group.name.to_ascii_lowercase());
        if node_group {
            exporting.skip(
                Kind::ResourceGroup.arm_type(),
                &format!(
                    "/subscriptions/{subscription}/resourceGroups/{}",
                    group.name
                ),
                "the node resource group of an exported cluster: AKS manages it and its content",
            );
        }
        !node_group
    });
}

/// The node resource groups of the exported clusters, lower case.
fn node_resource_groups(inventory: &Inventory) -> Vec<String> {
    inventory
        .of_kind(Kind::ManagedCluster)
        .filter_map(|body| str_at(body, "/properties/nodeResourceGroup"))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The logical name of an exported workspace a cluster field refers to by id, if it is exported.
pub(crate) fn workspace_name(exporting: &Exporting<'_>, id: Option<&str>) -> Option<String> {
    id.and_then(|id| exporting.logical_name(id, Kind::LogAnalyticsWorkspace))
        .map(str::to_owned)
}

//! Lowering of managed clusters and their agent pools.
//!
//! The cluster body carries the estate's System pools inline in `agentPoolProfiles` (ARM needs at
//! least one to create a cluster) and never the User pools; every pool is also its own
//! `AgentPool` resource `pool/<cluster>/<pool>` (see the module doc of `desired`).

use serde_json::{json, Map, Value};

use crate::desired::context::{
    address_of, address_of_resource, deferred, insert_non_empty, insert_some, strings, unknown,
    Lowering,
};
use crate::desired::lower::LowerError;
use crate::desired::pool::{inline_profile, pool_properties};
use crate::desired::DesiredResource;
use crate::kind::Kind;
use crate::plan::Deferred;
use crate::spec::types::{
    Addons, ApiServer, Cluster, ClusterIdentityType, ClusterNetwork, PoolMode,
};

/// Every cluster, followed by its pools in declaration order.
pub fn lower_clusters(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for cluster in &lowering.estate.clusters {
        let resource = cluster_resource(lowering, cluster)?;
        let cluster_address = resource.address.clone();
        let cluster_id = resource.id.clone();
        lowering.push(resource);
        for pool in &cluster.pools {
            lowering.push(DesiredResource {
                address: address_of(Kind::AgentPool, &[&cluster.name, &pool.name]),
                kind: Kind::AgentPool,
                id: cluster_id.child(Kind::AgentPool, &pool.name),
                body: json!({"properties": pool_properties(pool)}),
                deferred: Vec::new(),
                depends_on: vec![cluster_address.clone()],
            });
        }
    }
    Ok(())
}

fn cluster_resource(
    lowering: &Lowering<'_>,
    cluster: &Cluster,
) -> Result<DesiredResource, LowerError> {
    let address = address_of_resource(cluster);
    let invalid = |reason: &str| LowerError::Invalid {
        address: address.clone(),
        reason: reason.to_string(),
    };
    let mut depends_on =
        vec![lowering.group_address(&cluster.resource_group, &address, "resourceGroup")?];
    let mut deferred_values: Vec<Deferred> = Vec::new();
    let mut body = lowering.tracked_body(
        cluster.location.as_deref(),
        &cluster.resource_group,
        &cluster.tags,
    );
    if let Some(tier) = cluster.tier {
        // `Base`: the estate declares its own pools, so never an `Automatic` cluster.
        body.insert(
            "sku".to_string(),
            json!({"name": "Base", "tier": tier.as_str()}),
        );
    }

    let identity_type = cluster
        .identity
        .as_ref()
        .map_or(ClusterIdentityType::SystemAssigned, |identity| {
            identity.identity_type
        });
    let identity = match identity_type {
        ClusterIdentityType::SystemAssigned => json!({"type": "SystemAssigned"}),
        ClusterIdentityType::UserAssigned => {
            let name = cluster
                .identity
                .as_ref()
                .and_then(|identity| identity.user_assigned.as_deref())
                .ok_or_else(|| {
                    invalid("`identity.type: UserAssigned` needs `identity.userAssigned`")
                })?;
            let control_plane = lowering.identity(name, &address, "identity.userAssigned")?;
            depends_on.push(address_of_resource(control_plane));
            let mut identities = Map::new();
            identities.insert(lowering.id_of(control_plane).to_string(), json!({}));
            json!({"type": "UserAssigned", "userAssignedIdentities": identities})
        }
    };
    body.insert("identity".to_string(), identity);

    let mut properties = Map::new();
    insert_some(
        &mut properties,
        "kubernetesVersion",
        cluster.kubernetes_version.clone(),
    );
    properties.insert(
        "dnsPrefix".to_string(),
        Value::String(
            cluster
                .dns_prefix
                .clone()
                .unwrap_or_else(|| cluster.name.clone()),
        ),
    );
    let system_pools: Vec<Value> = cluster
        .pools
        .iter()
        .filter(|pool| pool.effective_mode() == PoolMode::System)
        .map(inline_profile)
        .collect();
    if system_pools.is_empty() {
        return Err(invalid("needs at least one pool with `mode: System`"));
    }
    properties.insert("agentPoolProfiles".to_string(), Value::Array(system_pools));

    if let Some(kubelet) = &cluster.kubelet_identity {
        let kubelet = lowering.identity(kubelet, &address, "kubeletIdentity")?;
        let kubelet_address = address_of_resource(kubelet);
        properties.insert(
            "identityProfile".to_string(),
            json!({"kubeletidentity": {
                "resourceId": lowering.id_of(kubelet).to_string(),
                "clientId": null,
                "objectId": null,
            }}),
        );
        deferred_values.push(deferred(
            "/properties/identityProfile/kubeletidentity/clientId",
            &kubelet_address,
            "/properties/clientId",
        ));
        deferred_values.push(deferred(
            "/properties/identityProfile/kubeletidentity/objectId",
            &kubelet_address,
            "/properties/principalId",
        ));
        if !depends_on.contains(&kubelet_address) {
            depends_on.push(kubelet_address);
        }
    }

    if let Some(api_server) = &cluster.api_server {
        insert_non_empty(
            &mut properties,
            "apiServerAccessProfile",
            api_server_profile(api_server),
        );
    }
    if let Some(enabled) = cluster.oidc_issuer {
        properties.insert("oidcIssuerProfile".to_string(), json!({"enabled": enabled}));
    }
    if let Some(enabled) = cluster.workload_identity {
        properties.insert(
            "securityProfile".to_string(),
            json!({"workloadIdentity": {"enabled": enabled}}),
        );
    }
    if let Some(network) = &cluster.network {
        insert_non_empty(&mut properties, "networkProfile", network_profile(network));
    }
    if let Some(entra) = &cluster.entra {
        let mut aad = Map::new();
        aad.insert("managed".to_string(), Value::Bool(true));
        insert_some(&mut aad, "enableAzureRBAC", entra.azure_rbac);
        if !entra.admin_group_object_ids.is_empty() {
            aad.insert(
                "adminGroupObjectIDs".to_string(),
                strings(&entra.admin_group_object_ids),
            );
        }
        insert_some(&mut aad, "tenantID", entra.tenant_id.clone());
        properties.insert("aadProfile".to_string(), Value::Object(aad));
    }
    if let Some(local_accounts) = cluster.local_accounts {
        properties.insert(
            "disableLocalAccounts".to_string(),
            Value::Bool(!local_accounts),
        );
    }
    if let Some(auto_upgrade) = &cluster.auto_upgrade {
        let mut profile = Map::new();
        insert_some(
            &mut profile,
            "upgradeChannel",
            auto_upgrade.channel.map(|c| c.as_str()),
        );
        insert_some(
            &mut profile,
            "nodeOSUpgradeChannel",
            auto_upgrade.node_os_channel.map(|c| c.as_str()),
        );
        insert_non_empty(&mut properties, "autoUpgradeProfile", profile);
    }
    if let Some(addons) = &cluster.addons {
        // A workspace of the estate: its id, and the cluster waits for it.
        let workspace_id = match addons
            .monitoring
            .as_ref()
            .and_then(|m| m.workspace.as_ref())
        {
            Some(name) => Some(workspace_reference(
                lowering,
                &address,
                "addons.monitoring.workspace",
                name,
                &mut depends_on,
            )?),
            None => None,
        };
        insert_non_empty(
            &mut properties,
            "addonProfiles",
            addon_profiles(addons, workspace_id),
        );
        if let Some(mesh) = service_mesh_profile(addons) {
            properties.insert("serviceMeshProfile".to_string(), mesh);
        }
    }
    if let Some((zone_id, zone_address)) =
        super::network::cluster_dns_zone(lowering, cluster, &address)?
    {
        super::network::set_cluster_dns_zone(&mut properties, zone_id);
        depends_on.push(zone_address);
    }
    crate::desired::cluster_settings::add_cluster_settings(
        lowering,
        cluster,
        &address,
        &mut properties,
        &mut depends_on,
    )?;
    body.insert("properties".to_string(), Value::Object(properties));

    Ok(DesiredResource {
        id: lowering.id_of(cluster),
        address,
        kind: Kind::ManagedCluster,
        body: Value::Object(body),
        deferred: deferred_values,
        depends_on,
    })
}

/// `apiServerAccessProfile`: a private cluster (and its DNS zone) or authorized IP ranges.
fn api_server_profile(api_server: &ApiServer) -> Map<String, Value> {
    let mut profile = Map::new();
    insert_some(&mut profile, "enablePrivateCluster", api_server.private);
    insert_some(
        &mut profile,
        "privateDNSZone",
        api_server.private_dns_zone.clone(),
    );
    if !api_server.authorized_ip_ranges.is_empty() {
        profile.insert(
            "authorizedIPRanges".to_string(),
            strings(&api_server.authorized_ip_ranges),
        );
    }
    profile
}

/// `networkProfile`, declared fields only.
fn network_profile(network: &ClusterNetwork) -> Map<String, Value> {
    let mut profile = Map::new();
    insert_some(
        &mut profile,
        "networkPlugin",
        network.plugin.map(|v| v.as_str()),
    );
    insert_some(
        &mut profile,
        "networkPluginMode",
        network.plugin_mode.map(|v| v.as_str()),
    );
    insert_some(
        &mut profile,
        "networkPolicy",
        network.policy.map(|v| v.as_str()),
    );
    insert_some(
        &mut profile,
        "networkDataplane",
        network.dataplane.map(|v| v.as_str()),
    );
    insert_some(&mut profile, "podCidr", network.pod_cidr.clone());
    insert_some(&mut profile, "serviceCidr", network.service_cidr.clone());
    insert_some(&mut profile, "dnsServiceIP", network.dns_service_ip.clone());
    insert_some(
        &mut profile,
        "outboundType",
        network.outbound_type.map(|v| v.as_str()),
    );
    insert_some(
        &mut profile,
        "loadBalancerSku",
        network.load_balancer_sku.map(|v| v.as_str()),
    );
    profile
}

/// `addonProfiles` as ARM names them: `omsagent`, `azureKeyvaultSecretsProvider`,
/// `azurepolicy`. Declaring an add-on enables it unless it says `enabled: false`; config values
/// are strings, as ARM models them.
fn addon_profiles(addons: &Addons, workspace_id: Option<String>) -> Map<String, Value> {
    let mut profiles = Map::new();
    if let Some(monitoring) = &addons.monitoring {
        let mut config = Map::new();
        insert_some(
            &mut config,
            "logAnalyticsWorkspaceResourceID",
            workspace_id.or_else(|| monitoring.log_analytics_workspace_id.clone()),
        );
        profiles.insert(
            "omsagent".to_string(),
            addon(monitoring.enabled.unwrap_or(true), config),
        );
    }
    if let Some(provider) = &addons.key_vault_secrets_provider {
        let mut config = Map::new();
        insert_some(
            &mut config,
            "enableSecretRotation",
            provider.rotation.map(|rotation| rotation.to_string()),
        );
        insert_some(
            &mut config,
            "rotationPollInterval",
            provider.rotation_interval.clone(),
        );
        profiles.insert(
            "azureKeyvaultSecretsProvider".to_string(),
            addon(provider.enabled.unwrap_or(true), config),
        );
    }
    if let Some(policy) = &addons.azure_policy {
        profiles.insert(
            "azurepolicy".to_string(),
            addon(policy.enabled.unwrap_or(true), Map::new()),
        );
    }
    profiles
}

fn addon(enabled: bool, config: Map<String, Value>) -> Value {
    let mut profile = Map::new();
    profile.insert("enabled".to_string(), Value::Bool(enabled));
    insert_non_empty(&mut profile, "config", config);
    Value::Object(profile)
}

/// `serviceMeshProfile` for the Istio add-on: mode, revisions and the declared ingress gateways.
fn service_mesh_profile(addons: &Addons) -> Option<Value> {
    let istio = addons.istio.as_ref()?;
    if istio.enabled == Some(false) {
        return Some(json!({"mode": "Disabled"}));
    }
    let mut istio_profile = Map::new();
    if !istio.revisions.is_empty() {
        istio_profile.insert("revisions".to_string(), strings(&istio.revisions));
    }
    let gateways: Vec<Value> = [
        ("Internal", istio.internal_ingress_gateway),
        ("External", istio.external_ingress_gateway),
    ]
    .into_iter()
    .filter_map(|(mode, enabled)| enabled.map(|enabled| json!({"mode": mode, "enabled": enabled})))
    .collect();
    if !gateways.is_empty() {
        istio_profile.insert(
            "components".to_string(),
            json!({"ingressGateways": gateways}),
        );
    }
    let mut mesh = Map::new();
    mesh.insert("mode".to_string(), json!("Istio"));
    insert_non_empty(&mut mesh, "istio", istio_profile);
    Some(Value::Object(mesh))
}

/// The ARM id of the estate's workspace `name` that a cluster field (`field`) names; the
/// cluster then depends on the workspace (added once).
pub(crate) fn workspace_reference(
    lowering: &Lowering<'_>,
    address: &str,
    field: &str,
    name: &str,
    depends_on: &mut Vec<String>,
) -> Result<String, LowerError> {
    let kind = Kind::LogAnalyticsWorkspace;
    let id = lowering
        .estate
        .resource_id_of(kind, name, &lowering.subscription)
        .map_err(|missing| {
            unknown(
                address,
                field,
                missing.kind.descriptor().noun,
                &missing.name,
            )
        })?;
    let workspace_address = address_of(kind, &[name]);
    if !depends_on.contains(&workspace_address) {
        depends_on.push(workspace_address);
    }
    Ok(id.to_string())
}

//! What AKS fills into a managed cluster's body: network defaults, FQDNs, the OIDC issuer,
//! identities, storage/upgrade profiles, and the create-only / one-way property rules.

use serde_json::{json, Value};

use super::error::ArmError;
use super::json;

/// Secrets AKS accepts but never returns.
pub const SECRET_POINTERS: &[(&str, &str)] = &[
    ("servicePrincipalProfile", "secret"),
    ("windowsProfile", "adminPassword"),
    ("aadProfile", "serverAppSecret"),
];

/// Removes write-only secrets from `properties`.
pub fn strip_secrets(properties: &mut Value) {
    for (parent, field) in SECRET_POINTERS {
        if let Some(object) = properties.get_mut(*parent) {
            json::remove(object, field);
        }
    }
}

/// Fills `networkProfile` defaults; `node_group_id` hosts the managed outbound IPs.
pub fn network_defaults(properties: &mut Value, node_group_id: &str, previous: Option<&Value>) {
    let network = json::child(properties, "networkProfile");
    if json::at(network, "/networkPlugin").is_none() {
        network["networkPlugin"] = json!("azure");
        json::default(network, "networkPluginMode", json!("overlay"));
    }
    let plugin = json::str_at(network, "/networkPlugin")
        .unwrap_or("azure")
        .to_lowercase();
    let overlay = json::str_at(network, "/networkPluginMode")
        .is_some_and(|mode| mode.eq_ignore_ascii_case("overlay"));
    if plugin == "kubenet" || overlay {
        json::default(network, "podCidr", json!("10.244.0.0/16"));
        let pod_cidr = network["podCidr"].clone();
        json::default(network, "podCidrs", json!([pod_cidr]));
    }
    if plugin == "azure" {
        json::default(network, "networkDataplane", json!("azure"));
    }
    json::default(network, "serviceCidr", json!("10.0.0.0/16"));
    let service_cidr = network["serviceCidr"].clone();
    json::default(network, "serviceCidrs", json!([service_cidr]));
    json::default(network, "dnsServiceIP", json!("10.0.0.10"));
    json::default(network, "ipFamilies", json!(["IPv4"]));
    json::default(network, "outboundType", json!("loadBalancer"));
    json::default(network, "loadBalancerSku", json!("standard"));
    let load_balanced = json::str_at(network, "/outboundType") == Some("loadBalancer")
        && json::str_at(network, "/loadBalancerSku")
            .is_some_and(|sku| sku.eq_ignore_ascii_case("standard"));
    if !load_balanced {
        return;
    }
    let previous_ips = previous
        .and_then(|p| {
            json::at(
                p,
                "/networkProfile/loadBalancerProfile/effectiveOutboundIPs",
            )
        })
        .cloned();
    let profile = json::child(network, "loadBalancerProfile");
    let custom = json::at(profile, "/outboundIPs").is_some()
        || json::at(profile, "/outboundIPPrefixes").is_some();
    if !custom {
        json::default(
            json::child(profile, "managedOutboundIPs"),
            "count",
            json!(1),
        );
    }
    json::default(profile, "allocatedOutboundPorts", json!(0));
    json::default(profile, "idleTimeoutInMinutes", json!(30));
    json::default(profile, "backendPoolType", json!("nodeIPConfiguration"));
    let count = json::at(profile, "/managedOutboundIPs/count")
        .and_then(Value::as_u64)
        .unwrap_or(1) as usize;
    let reuse = previous_ips.filter(|ips| ips.as_array().is_some_and(|list| list.len() == count));
    let effective = reuse.unwrap_or_else(|| {
        let ips: Vec<Value> = (0..count)
            .map(|_| json!({ "id": format!("{node_group_id}/providers/Microsoft.Network/publicIPAddresses/{}", json::guid()) }))
            .collect();
        json!(ips)
    });
    if !custom {
        if previous.is_some() {
            profile["effectiveOutboundIPs"] = effective;
        } else {
            json::default(profile, "effectiveOutboundIPs", effective);
        }
    }
}

/// Other defaults AKS echoes on every GET.
pub fn profile_defaults(properties: &mut Value, managed_identity: bool) {
    json::default(properties, "enableRBAC", json!(true));
    json::default(properties, "disableLocalAccounts", json!(false));
    json::default(properties, "supportPlan", json!("KubernetesOfficial"));
    json::default(properties, "maxAgentPools", json!(100));
    json::default(properties, "powerState", json!({ "code": "Running" }));
    json::default(properties, "oidcIssuerProfile", json!({ "enabled": false }));
    json::default(properties, "securityProfile", json!({}));
    json::default(properties, "autoUpgradeProfile", json!({}));
    let upgrade = json::child(properties, "autoUpgradeProfile");
    json::default(upgrade, "nodeOSUpgradeChannel", json!("NodeImage"));
    json::default(upgrade, "upgradeChannel", json!("none"));
    let storage = json::child(properties, "storageProfile");
    for driver in ["diskCSIDriver", "fileCSIDriver", "snapshotController"] {
        json::default(json::child(storage, driver), "enabled", json!(true));
    }
    if managed_identity {
        json::default(
            properties,
            "servicePrincipalProfile",
            json!({ "clientId": "msi" }),
        );
    }
}

/// fqdn / azurePortalFQDN / privateFQDN for a new cluster.
pub fn fqdns(properties: &mut Value, location: &str) {
    let prefix = json::str_at(properties, "/dnsPrefix")
        .or_else(|| json::str_at(properties, "/fqdnSubdomain"))
        .unwrap_or("aks")
        .to_lowercase();
    let hash = json::random_hex(8);
    let private =
        json::bool_at(properties, "/apiServerAccessProfile/enablePrivateCluster") == Some(true);
    let public_fqdn = json::bool_at(
        properties,
        "/apiServerAccessProfile/enablePrivateClusterPublicFQDN",
    ) != Some(false);
    let has_prefix = json::at(properties, "/dnsPrefix").is_some();
    if private {
        properties["privateFQDN"] = match json::str_at(properties, "/fqdnSubdomain") {
            Some(subdomain) => json!(format!(
                "{}-{hash}.{}.privatelink.{location}.azmk8s.io",
                subdomain.to_lowercase(),
                json::random_hex(8)
            )),
            None => json!(format!(
                "{prefix}-{hash}.{}.privatelink.{location}.azmk8s.io",
                json::random_hex(8)
            )),
        };
    }
    if has_prefix && (!private || public_fqdn) {
        properties["fqdn"] = json!(format!("{prefix}-{hash}.hcp.{location}.azmk8s.io"));
    }
    if has_prefix {
        properties["azurePortalFQDN"] =
            json!(format!("{prefix}-{hash}.portal.hcp.{location}.azmk8s.io"));
    }
}

/// A new OIDC issuer URL (fresh for every cluster create).
pub fn issuer_url(location: &str, tenant: &str) -> String {
    format!(
        "https://{location}.oic.prod-aks.azure.com/{tenant}/{}/",
        json::guid()
    )
}

/// Create-only and one-way cluster properties.
pub fn check_update(previous: &Value, requested: &Value) -> Result<(), ArmError> {
    let create_only = [
        "/dnsPrefix",
        "/fqdnSubdomain",
        "/nodeResourceGroup",
        "/networkProfile/serviceCidr",
        "/networkProfile/dnsServiceIP",
        "/networkProfile/loadBalancerSku",
        "/networkProfile/networkMode",
        "/apiServerAccessProfile/enablePrivateCluster",
        "/apiServerAccessProfile/privateDNSZone",
        "/diskEncryptionSetID",
        "/linuxProfile/adminUsername",
    ];
    for pointer in create_only {
        let (Some(new), old) = (json::at(requested, pointer), json::at(previous, pointer)) else {
            continue;
        };
        let unchanged = match old {
            Some(old) => json::same_ignoring_case(old, new),
            None => new == &json!(false),
        };
        if !unchanged {
            let name = format!("properties{}", pointer.replace('/', "."));
            return Err(ArmError::property_change_not_allowed(
                &name,
                old.unwrap_or(&Value::Null),
                new,
            ));
        }
    }
    let old_plugin = json::str_at(previous, "/networkProfile/networkPlugin")
        .unwrap_or("azure")
        .to_lowercase();
    if let Some(new_plugin) =
        json::str_at(requested, "/networkProfile/networkPlugin").map(str::to_lowercase)
    {
        let to_overlay = json::str_at(requested, "/networkProfile/networkPluginMode")
            .is_some_and(|m| m.eq_ignore_ascii_case("overlay"));
        let allowed = new_plugin == old_plugin
            || (old_plugin == "kubenet" && new_plugin == "azure" && to_overlay);
        if !allowed {
            return Err(ArmError::property_change_not_allowed(
                "properties.networkProfile.networkPlugin",
                &json!(old_plugin),
                &json!(new_plugin),
            ));
        }
    }
    if json::bool_at(previous, "/oidcIssuerProfile/enabled") == Some(true)
        && json::bool_at(requested, "/oidcIssuerProfile/enabled") == Some(false)
    {
        return Err(ArmError::bad_request(
            "OIDCIssuerFeatureCannotBeDisabled",
            "The OIDC issuer feature cannot be disabled once enabled.",
        ));
    }
    if json::bool_at(requested, "/securityProfile/workloadIdentity/enabled") == Some(true)
        && json::bool_at(requested, "/oidcIssuerProfile/enabled") != Some(true)
        && json::bool_at(previous, "/oidcIssuerProfile/enabled") != Some(true)
    {
        return Err(ArmError::bad_request("InvalidParameter", "Enabling workload identity requires enabling the OIDC issuer profile (oidcIssuerProfile.enabled)."));
    }
    Ok(())
}

/// Addon identities AKS creates in the node resource group.
pub fn addon_identities(
    properties: &mut Value,
    node_group_id: &str,
    cluster_name: &str,
    previous: Option<&Value>,
) {
    let Some(Value::Object(addons)) = properties.get_mut("addonProfiles") else {
        return;
    };
    for (name, addon) in addons.iter_mut() {
        let enabled = json::bool_at(addon, "/enabled") == Some(true);
        let needs_identity = matches!(
            name.as_str(),
            "azureKeyvaultSecretsProvider"
                | "omsagent"
                | "azurepolicy"
                | "ingressApplicationGateway"
        );
        if !enabled || !needs_identity {
            json::remove(addon, "identity");
            continue;
        }
        let kept = previous
            .and_then(|p| json::at(p, &format!("/addonProfiles/{name}/identity")))
            .or_else(|| {
                json::at(addon, "/identity")
                    .filter(|identity| json::at(identity, "/resourceId").is_some())
            })
            .cloned();
        addon["identity"] = kept.unwrap_or_else(|| {
            json!({
                "resourceId": format!("{node_group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}-{cluster_name}", name.to_lowercase()),
                "clientId": json::guid(),
                "objectId": json::guid(),
            })
        });
    }
}

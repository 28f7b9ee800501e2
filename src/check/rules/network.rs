//! Network: Azure CNI with network policy, pinned egress, API server exposure, and the
//! cross-resource Private Link rules for private clusters (seed 003, seed 002, seed 001).

use std::collections::{BTreeMap, BTreeSet};

use crate::check::context::{is_private, scope_name, Context};
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::kind::Kind;
use crate::spec::{
    NetworkPlugin, NetworkPolicy, OutboundType, PublicNetworkAccess, RegistrySku, ScopeReference,
};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS010",
        area: Area::Network,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Clusters use Azure CNI, not kubenet",
        rationale: "Seed 003 Production Checklist: Azure CNI (not kubenet), the plugin network policy and Private Link designs build on.",
        fix: "Set `network.plugin: azure` (with `pluginMode: overlay` to save VNet addresses); create-only.",
        evaluate: azure_cni,
    },
    Rule {
        id: "AKS011",
        area: Area::Network,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Clusters enforce Kubernetes network policy",
        rationale: "Seed 003 Production Checklist: Azure CNI with Calico network policy; seed 001: default-deny boundaries between teams.",
        fix: "Set `network.policy` to `calico`, `azure` or `cilium`.",
        evaluate: network_policy,
    },
    Rule {
        id: "AKS012",
        area: Area::Network,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Egress leaves through pinned NAT or firewall IPs",
        rationale: "Seed 002 ops checklist: egress pinned to NAT IPs, so partners can allow-list the cluster and egress is inspected.",
        fix: "Set `network.outboundType` to `managedNATGateway`, `userAssignedNATGateway` or `userDefinedRouting` (through a firewall).",
        evaluate: pinned_egress,
    },
    Rule {
        id: "AKS013",
        area: Area::Network,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "The API server is private or restricted to known ranges",
        rationale: "Seed 003 Production Checklist: private cluster (API server not public) for regulated workloads; seed 001: private cluster or authorized IP ranges.",
        fix: "Set `apiServer.private: true` (create-only) or list `apiServer.authorizedIpRanges`.",
        evaluate: api_server_exposure,
    },
    Rule {
        id: "AKS014",
        area: Area::Network,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Registries a private cluster pulls from are closed to the internet",
        rationale: "Seed 002 ops checklist: Private Link for the supply chain; a private cluster pulling from a public registry leaves the image path exposed.",
        fix: "Set `publicNetworkAccess: Disabled` on the registry and reach it through a private endpoint.",
        evaluate: private_registries,
    },
    Rule {
        id: "AKS015",
        area: Area::Network,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Registries a private cluster pulls from are Premium",
        rationale: "Seed 002 ops checklist: Private Link for the supply chain; seed 001: ACR Premium for private endpoints (no other SKU has them).",
        fix: "Set `sku: Premium` on the registry.",
        evaluate: premium_registries,
    },
    Rule {
        id: "AKS016",
        area: Area::Network,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Vaults a private cluster's identities read are closed to the internet",
        rationale: "Seed 001 layers: private endpoints everywhere; a private cluster whose workloads read secrets over a public vault endpoint defeats its isolation.",
        fix: "Set `publicNetworkAccess: Disabled` on the vault and reach it through a private endpoint.",
        evaluate: private_vaults,
    },
    Rule {
        id: "AKS017",
        area: Area::Network,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Storage a private cluster's identities use is closed to the internet",
        rationale: "Seed 001 layers: private endpoints everywhere; backup and data storage of a private cluster stays off the public endpoint.",
        fix: "Set `publicNetworkAccess: Disabled` on the storage account and reach it through a private endpoint.",
        evaluate: private_storage,
    },
];

fn azure_cni(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let plugin = cluster.network.as_ref().and_then(|network| network.plugin);
        if plugin != Some(NetworkPlugin::Azure) {
            let shown = plugin.map_or("not declared (ARM's default)", |plugin| plugin.as_str());
            hits.push(Hit::cluster(
                cluster,
                Some("network"),
                format!("cluster `{}` network plugin is {shown}", cluster.name),
            ));
        }
    }
}

fn network_policy(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let policy = cluster.network.as_ref().and_then(|network| network.policy);
        if matches!(policy, None | Some(NetworkPolicy::None)) {
            hits.push(Hit::cluster(
                cluster,
                Some("network"),
                format!("cluster `{}` has no network policy engine", cluster.name),
            ));
        }
    }
}

fn pinned_egress(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let outbound = cluster
            .network
            .as_ref()
            .and_then(|network| network.outbound_type);
        if !matches!(
            outbound,
            Some(
                OutboundType::UserDefinedRouting
                    | OutboundType::ManagedNatGateway
                    | OutboundType::UserAssignedNatGateway
            )
        ) {
            hits.push(Hit::cluster(
                cluster,
                Some("network"),
                format!(
                    "cluster `{}` egresses through {}",
                    cluster.name,
                    outbound.map_or("the load balancer (ARM's default)", |o| o.as_str())
                ),
            ));
        }
    }
}

fn api_server_exposure(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let restricted = cluster
            .api_server
            .as_ref()
            .is_some_and(|api| !api.authorized_ip_ranges.is_empty());
        if !is_private(cluster) && !restricted {
            hits.push(Hit::cluster(
                cluster,
                Some("apiServer"),
                format!(
                    "cluster `{}` API server is open to the internet",
                    cluster.name
                ),
            ));
        }
    }
}

/// Names of resources a scope selects in `pick`, read by each private cluster: name -> clusters.
fn read_by_private_clusters(
    context: &Context<'_>,
    pick: fn(&ScopeReference) -> Option<&str>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut readers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (cluster_name, scopes) in context.cluster_reads() {
        if !context.cluster(cluster_name).is_some_and(is_private) {
            continue;
        }
        for scope in &scopes {
            if let Some(name) = pick(scope) {
                readers
                    .entry(name.to_string())
                    .or_default()
                    .insert(cluster_name.to_string());
            }
        }
    }
    readers
}

fn listed(clusters: &BTreeSet<String>) -> String {
    clusters
        .iter()
        .map(|cluster| format!("`{cluster}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn registry_scope(scope: &ScopeReference) -> Option<&str> {
    scope_name(scope, Kind::ContainerRegistry)
}

fn private_registries(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for (name, clusters) in read_by_private_clusters(context, registry_scope) {
        let Some(registry) = context.registry(&name) else {
            continue;
        };
        if registry.public_network_access != Some(PublicNetworkAccess::Disabled) {
            hits.push(Hit::resource(
                Kind::ContainerRegistry,
                "registries",
                &name,
                Some("publicNetworkAccess"),
                format!(
                    "registry `{name}` is public but private cluster(s) {} pull from it",
                    listed(&clusters)
                ),
            ));
        }
    }
}

fn premium_registries(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for (name, clusters) in read_by_private_clusters(context, registry_scope) {
        let Some(registry) = context.registry(&name) else {
            continue;
        };
        if registry.sku != RegistrySku::Premium {
            hits.push(Hit::resource(
                Kind::ContainerRegistry,
                "registries",
                &name,
                Some("sku"),
                format!(
                    "registry `{name}` is {} (no private endpoints) but private cluster(s) {} pull from it",
                    registry.sku,
                    listed(&clusters)
                ),
            ));
        }
    }
}

fn vault_scope(scope: &ScopeReference) -> Option<&str> {
    scope_name(scope, Kind::KeyVault)
}

fn storage_scope(scope: &ScopeReference) -> Option<&str> {
    scope_name(scope, Kind::StorageAccount)
}

fn private_vaults(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for (name, clusters) in read_by_private_clusters(context, vault_scope) {
        let Some(vault) = context.key_vault(&name) else {
            continue;
        };
        if vault.public_network_access != Some(PublicNetworkAccess::Disabled) {
            hits.push(Hit::resource(
                Kind::KeyVault,
                "keyVaults",
                &name,
                Some("publicNetworkAccess"),
                format!(
                    "vault `{name}` is public but identities of private cluster(s) {} read it",
                    listed(&clusters)
                ),
            ));
        }
    }
}

fn private_storage(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for (name, clusters) in read_by_private_clusters(context, storage_scope) {
        let Some(account) = context.storage_account(&name) else {
            continue;
        };
        if account.public_network_access != Some(PublicNetworkAccess::Disabled) {
            hits.push(Hit::resource(
                Kind::StorageAccount,
                "storageAccounts",
                &name,
                Some("publicNetworkAccess"),
                format!(
                    "storage account `{name}` is public but identities of private cluster(s) {} use it",
                    listed(&clusters)
                ),
            ));
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::case;
    use crate::spec::NetworkPlugin;
    vec![
        case("AKS010", |estate| {
            if let Some(network) = estate.clusters[0].network.as_mut() {
                network.plugin = Some(NetworkPlugin::Kubenet);
                network.plugin_mode = None;
            }
        }),
        case("AKS011", |estate| {
            if let Some(network) = estate.clusters[0].network.as_mut() {
                network.policy = None;
            }
        }),
        case("AKS012", |estate| {
            if let Some(network) = estate.clusters[0].network.as_mut() {
                network.outbound_type = None;
            }
        }),
        case("AKS013", |estate| {
            estate.clusters[0].api_server = None;
        }),
        case("AKS014", |estate| {
            estate.registries[0].public_network_access = None;
        }),
        case("AKS015", |estate| {
            estate.registries[0].sku = RegistrySku::Standard;
        }),
        case("AKS016", |estate| {
            estate.key_vaults[0].public_network_access = Some(PublicNetworkAccess::Enabled);
        }),
        case("AKS017", |estate| {
            estate.storage_accounts[0].public_network_access = None;
        }),
    ]
}

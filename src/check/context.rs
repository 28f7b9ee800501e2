//! The estate indexed once for the rules: resources by name, which clusters each principal acts
//! for (federated credentials, kubelet and control-plane identities), and what each role
//! assignment's scope is. Cross-resource rules ("every vault a private cluster's identities
//! read ...") ask these questions instead of scanning the estate again per resource.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::kind::Kind;
use crate::spec::{
    Cluster, Estate, KeyVault, NodePool, PoolMode, Principal, Registry, RoleAssignment,
    ScopeReference, StorageAccount,
};

/// The estate and its indexes.
pub struct Context<'a> {
    pub estate: &'a Estate,
    clusters: HashMap<&'a str, &'a Cluster>,
    registries: HashMap<&'a str, &'a Registry>,
    vaults: HashMap<&'a str, &'a KeyVault>,
    storage_accounts: HashMap<&'a str, &'a StorageAccount>,
    /// Identity name -> clusters its federated credentials trust.
    identity_clusters: HashMap<&'a str, BTreeSet<&'a str>>,
    /// Role assignments with their parsed scopes (unparsable scopes left out: validation
    /// rejects them before a check runs).
    scoped: Vec<(&'a RoleAssignment, ScopeReference)>,
}

impl<'a> Context<'a> {
    pub fn new(estate: &'a Estate) -> Self {
        let mut identity_clusters: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for identity in &estate.identities {
            let clusters = identity_clusters.entry(identity.name.as_str()).or_default();
            for credential in &identity.federated_credentials {
                clusters.extend(credential.cluster.as_deref());
                clusters.extend(credential.clusters.iter().map(String::as_str));
            }
        }
        Context {
            estate,
            clusters: estate
                .clusters
                .iter()
                .map(|c| (c.name.as_str(), c))
                .collect(),
            registries: estate
                .registries
                .iter()
                .map(|r| (r.name.as_str(), r))
                .collect(),
            vaults: estate
                .key_vaults
                .iter()
                .map(|v| (v.name.as_str(), v))
                .collect(),
            storage_accounts: estate
                .storage_accounts
                .iter()
                .map(|a| (a.name.as_str(), a))
                .collect(),
            identity_clusters,
            scoped: estate
                .role_assignments
                .iter()
                .filter_map(|assignment| {
                    ScopeReference::parse(&assignment.scope)
                        .ok()
                        .map(|scope| (assignment, scope))
                })
                .collect(),
        }
    }

    pub fn cluster(&self, name: &str) -> Option<&'a Cluster> {
        self.clusters.get(name).copied()
    }

    pub fn registry(&self, name: &str) -> Option<&'a Registry> {
        self.registries.get(name).copied()
    }

    pub fn key_vault(&self, name: &str) -> Option<&'a KeyVault> {
        self.vaults.get(name).copied()
    }

    pub fn storage_account(&self, name: &str) -> Option<&'a StorageAccount> {
        self.storage_accounts.get(name).copied()
    }

    /// Role assignments with their parsed scopes.
    pub fn scoped_assignments(&self) -> &[(&'a RoleAssignment, ScopeReference)] {
        &self.scoped
    }

    /// The clusters a principal acts for: the clusters an identity's federated credentials
    /// trust, or the cluster whose kubelet or control-plane identity it is.
    pub fn clusters_of(&self, principal: &'a Principal) -> Vec<&'a str> {
        match principal {
            Principal::Identity(name) => self
                .identity_clusters
                .get(name.as_str())
                .map(|clusters| clusters.iter().copied().collect())
                .unwrap_or_default(),
            Principal::ClusterKubelet(cluster) | Principal::ClusterIdentity(cluster) => {
                vec![cluster.as_str()]
            }
            Principal::ObjectId { .. } => Vec::new(),
        }
    }

    /// Data-plane resources (by their scope) each cluster's principals hold a role on:
    /// cluster name -> scopes. Includes the kubelet's `acrPull` registries.
    pub fn cluster_reads(&self) -> BTreeMap<&'a str, Vec<ScopeReference>> {
        let mut reads: BTreeMap<&str, Vec<ScopeReference>> = BTreeMap::new();
        for cluster in &self.estate.clusters {
            let entry = reads.entry(cluster.name.as_str()).or_default();
            entry.extend(
                cluster
                    .acr_pull
                    .iter()
                    .map(|registry| ScopeReference::Resource {
                        kind: Kind::ContainerRegistry,
                        name: registry.clone(),
                    }),
            );
        }
        for (assignment, scope) in &self.scoped {
            for cluster in self.clusters_of(&assignment.principal) {
                reads.entry(cluster).or_default().push(scope.clone());
            }
        }
        reads
    }
}

/// Whether a cluster's API server is private.
pub fn is_private(cluster: &Cluster) -> bool {
    cluster
        .api_server
        .as_ref()
        .and_then(|api| api.private)
        .unwrap_or(false)
}

/// Whether an add-on declared as `Some(enabled)` is on (declaring it enables it).
pub fn addon_on(enabled: Option<Option<bool>>) -> bool {
    matches!(enabled, Some(None | Some(true)))
}

/// User-mode pools on regular (not spot) VMs.
pub fn regular_user_pools(cluster: &Cluster) -> impl Iterator<Item = &NodePool> {
    cluster
        .pools
        .iter()
        .filter(|pool| pool.effective_mode() == PoolMode::User && !pool.is_spot())
}

/// The fewest nodes a pool can have: its count, or its autoscaler minimum.
pub fn minimum_nodes(pool: &NodePool) -> u32 {
    match (pool.count, pool.autoscale) {
        (_, Some(autoscale)) => autoscale.min,
        (Some(count), None) => count,
        (None, None) => 1,
    }
}

/// The plan address of a resource: `<kind prefix>/<name>[/<child>]`.
pub fn address(kind: Kind, parts: &[&str]) -> String {
    let mut address = kind.address_prefix().to_string();
    for part in parts {
        address.push('/');
        address.push_str(part);
    }
    address
}

/// ARM's canonical short region: lower case, no whitespace (`East US 2` -> `eastus2`).
pub fn canonical_region(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The logical name of the `kind` resource a scope names, itself or as an ancestor of what it
/// names (`storageContainer/st/backups` names storage account `st`); `None` for other scopes.
pub fn scope_name(scope: &ScopeReference, kind: Kind) -> Option<&str> {
    let ScopeReference::Resource {
        kind: scope_kind,
        name,
    } = scope
    else {
        return None;
    };
    let is_self_or_ancestor =
        std::iter::successors(Some(*scope_kind), |each| each.parent()).any(|each| each == kind);
    if !is_self_or_ancestor {
        return None;
    }
    let segments = crate::spec::reference::name_count(kind);
    let end = name
        .match_indices('/')
        .nth(segments.saturating_sub(1))
        .map_or(name.len(), |(index, _)| index);
    Some(&name[..end])
}

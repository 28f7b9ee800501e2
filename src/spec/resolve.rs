//! Lookups on an estate by logical name, and the effective location and tags of each resource
//! (for a defaulted estate these equal the declared values; on a raw estate they apply the
//! inheritance rules of `defaults`).

use crate::id::ResourceId;
use crate::kind::Kind;
use crate::spec::reference::ScopeReference;
use crate::spec::types::{
    Cluster, Estate, Identity, KeyVault, NodePool, PoolMode, Registry, ResourceGroup,
    StorageAccount, Tags, TrackedResource,
};

/// A logical reference to an estate resource that is not declared: which level is missing, the
/// names declared at that level and the list to declare it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingTarget {
    pub kind: Kind,
    pub name: String,
    pub known: Vec<String>,
    pub list: String,
}

impl Estate {
    /// The estate name (`metadata.name`), the value of the `aksctl-estate` ownership tag.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn resource_group(&self, name: &str) -> Option<&ResourceGroup> {
        self.resource_groups.iter().find(|group| group.name == name)
    }

    pub fn registry(&self, name: &str) -> Option<&Registry> {
        self.registries
            .iter()
            .find(|registry| registry.name == name)
    }

    pub fn key_vault(&self, name: &str) -> Option<&KeyVault> {
        self.key_vaults.iter().find(|vault| vault.name == name)
    }

    pub fn storage_account(&self, name: &str) -> Option<&StorageAccount> {
        self.storage_accounts
            .iter()
            .find(|account| account.name == name)
    }

    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|cluster| cluster.name == name)
    }

    pub fn identity(&self, name: &str) -> Option<&Identity> {
        self.identities
            .iter()
            .find(|identity| identity.name == name)
    }

    /// The resource group (logical name) of the estate resource a scope names; `None` for
    /// `subscription`, raw ARM ids and undeclared names. For a resource group scope, the group.
    pub fn resource_group_of(&self, scope: &ScopeReference) -> Option<&str> {
        match scope {
            ScopeReference::Subscription | ScopeReference::ArmId(_) => None,
            ScopeReference::Resource { kind, name } => {
                let top_name = name.split('/').next()?;
                self.tracked(kind.top_level(), top_name)
                    .map(TrackedResource::resource_group)
            }
        }
    }

    /// The ARM id a scope stands for in `subscription` (normally `self.subscription`); `None`
    /// when it names something the estate does not declare.
    pub fn scope_id(&self, scope: &ScopeReference, subscription: &str) -> Option<ResourceId> {
        match scope {
            ScopeReference::Subscription => Some(ResourceId::subscription(subscription)),
            ScopeReference::ArmId(id) => Some(ResourceId::new(id.clone())),
            ScopeReference::Resource { kind, name } => {
                self.resource_id_of(*kind, name, subscription).ok()
            }
        }
    }

    /// The ARM id of the estate resource of `kind` with logical name `name` (`<account>/
    /// <container>` for a child), or the level that is not declared.
    pub fn resource_id_of(
        &self,
        kind: Kind,
        name: &str,
        subscription: &str,
    ) -> Result<ResourceId, MissingTarget> {
        let mut names = name.split('/');
        let top_kind = kind.top_level();
        let top_name = names.next().unwrap_or_default();
        let Some(top) = self.tracked(top_kind, top_name) else {
            return Err(MissingTarget {
                kind: top_kind,
                name: top_name.to_owned(),
                known: self
                    .names_of(top_kind)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                list: Estate::list_of(top_kind)
                    .map(|list| list.key.to_owned())
                    .unwrap_or_default(),
            });
        };
        let mut id = if top_kind.is_resource_group() {
            ResourceId::resource_group(subscription, top_name)
        } else {
            ResourceId::in_resource_group(subscription, top.resource_group(), top_kind, top_name)
        };
        let mut levels: Vec<Kind> = std::iter::successors(Some(kind), |level| level.parent())
            .take_while(|level| *level != top_kind)
            .collect();
        levels.reverse();
        for level in levels {
            match level.descriptor().singleton_name {
                Some(singleton) => id = id.child(level, singleton),
                None => {
                    let child = names.next().unwrap_or_default();
                    let known = top.scope_children(level);
                    if !known.contains(&child) {
                        return Err(MissingTarget {
                            kind: level,
                            name: child.to_owned(),
                            known: known.into_iter().map(str::to_owned).collect(),
                            list: format!(
                                "{}[{top_name}].{}",
                                Estate::list_of(top_kind)
                                    .map(|list| list.key)
                                    .unwrap_or_default(),
                                level.arm_type().rsplit('/').next().unwrap_or_default()
                            ),
                        });
                    }
                    id = id.child(level, child);
                }
            }
        }
        Ok(id)
    }

    /// The location of resource group `name`: its own, else the estate default.
    pub fn resource_group_location(&self, name: &str) -> &str {
        self.resource_group(name)
            .and_then(|group| group.location.as_deref())
            .unwrap_or(&self.location)
    }

    /// Effective location of a resource: `declared`, else its resource group's, else the
    /// estate's.
    pub fn effective_location<'a>(
        &'a self,
        declared: Option<&'a str>,
        resource_group: &str,
    ) -> &'a str {
        declared.unwrap_or_else(|| self.resource_group_location(resource_group))
    }

    /// Effective tags of a resource: the estate tags with the resource's own tags over them.
    /// (aksctl's ownership tags are added by lowering, not here.)
    pub fn effective_tags(&self, declared: &Tags) -> Tags {
        let mut tags = self.tags.clone();
        tags.extend(declared.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    }

    /// The number of ARM resources the estate declares as the plan counts them: resource groups,
    /// registries, vaults, storage accounts (+ blob service, containers, management policy),
    /// clusters (+ pools), identities (+ federated credentials), role assignments (declared and
    /// implied by `acrPull`).
    pub fn resource_count(&self) -> usize {
        // One resource per group and per tracked resource, plus the children each implies.
        let tracked: usize = self
            .tracked_lists()
            .iter()
            .map(|(_, items)| items.len())
            .sum();
        let replicas: usize = self
            .registries
            .iter()
            .map(|registry| registry.geo_replications.len())
            .sum();
        let storage: usize = self
            .storage_accounts
            .iter()
            .map(|account| {
                usize::from(has_blob_service_settings(account))
                    + account.containers.len()
                    + usize::from(!account.lifecycle_rules.is_empty())
            })
            .sum();
        let clusters: usize = self
            .clusters
            .iter()
            .map(|cluster| {
                let maintenance = cluster.maintenance_window.as_ref().map_or(0, |_| {
                    crate::desired::maintenance_configuration_names(cluster.auto_upgrade.as_ref())
                        .len()
                });
                // Flux: the extension and one resource per configuration.
                let flux = cluster
                    .flux
                    .as_ref()
                    .map_or(0, |flux| 1 + flux.configurations.len());
                cluster.pools.len() + cluster.acr_pull.len() + maintenance + flux
            })
            .sum();
        let credentials: usize = self
            .identities
            .iter()
            .map(|identity| identity.federated_credentials.len())
            .sum();
        self.resource_groups.len()
            + tracked
            + replicas
            + storage
            + clusters
            + credentials
            + self.role_assignments.len()
            + self.private_networking_count()
            + self
                .diagnostic_targets()
                .iter()
                .map(|target| target.settings.len())
                .sum::<usize>()
    }

    /// The resources private networking implies beyond the zones: each endpoint and its DNS zone
    /// group, each zone's links, and each cluster's `Network Contributor` grant per distinct pool
    /// subnet (route-table grants depend on the subnets read at plan time and are not counted).
    fn private_networking_count(&self) -> usize {
        let endpoints = self
            .registries
            .iter()
            .filter(|r| r.private_endpoint.is_some())
            .count()
            + self
                .key_vaults
                .iter()
                .filter(|v| v.private_endpoint.is_some())
                .count()
            + self
                .storage_accounts
                .iter()
                .filter(|a| a.private_endpoint.is_some())
                .count();
        let links: usize = self
            .private_dns_zones
            .iter()
            .map(|zone| zone.virtual_network_links.len())
            .sum();
        let grants: usize = self
            .clusters
            .iter()
            .filter(|cluster| {
                cluster
                    .network
                    .as_ref()
                    .and_then(|network| network.network_contributor_grants)
                    != Some(false)
            })
            .map(|cluster| {
                let mut subnets: Vec<String> = cluster
                    .pools
                    .iter()
                    .filter_map(|pool| pool.subnet.as_ref())
                    .map(|subnet| subnet.id.to_ascii_lowercase())
                    .collect();
                subnets.sort();
                subnets.dedup();
                subnets.len()
            })
            .sum();
        2 * endpoints + links + grants
    }
}

/// Whether a storage account declares any `blobServices/default` setting (versioning, soft
/// delete) or containers, so lowering emits a blob service resource.
pub fn has_blob_service_settings(account: &StorageAccount) -> bool {
    account.blob_versioning.is_some()
        || account.blob_soft_delete_days.is_some()
        || account.container_soft_delete_days.is_some()
        || !account.containers.is_empty()
}

impl Cluster {
    pub fn pool(&self, name: &str) -> Option<&NodePool> {
        self.pools.iter().find(|pool| pool.name == name)
    }

    /// Whether the OIDC issuer is on (declared true).
    pub fn oidc_issuer_enabled(&self) -> bool {
        self.oidc_issuer == Some(true)
    }
}

impl NodePool {
    /// The pool mode, `User` when not declared.
    pub fn effective_mode(&self) -> PoolMode {
        self.mode.unwrap_or(PoolMode::User)
    }

    pub fn is_spot(&self) -> bool {
        self.spot.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load::{load_inputs, Input};

    #[test]
    fn scopes_resolve_to_arm_ids() {
        let text = include_str!("../../plans/shared-prod.yaml");
        let input = Input {
            name: "shared-prod.yaml".into(),
            bytes: Ok(text.as_bytes().to_vec()),
        };
        let estate = load_inputs(vec![input], &|_| None).expect("valid").estate;
        let sub = estate.subscription.clone();
        let id = |scope: &str| {
            let scope = ScopeReference::parse(scope).expect("scope parses");
            estate.scope_id(&scope, &sub).map(|id| id.to_string())
        };
        assert_eq!(
            id("storageContainer/stsharedprodbackups/backups").as_deref(),
            Some(format!("/subscriptions/{sub}/resourceGroups/rg-shared-aks-prod/providers/Microsoft.Storage/storageAccounts/stsharedprodbackups/blobServices/default/containers/backups").as_str())
        );
        assert_eq!(
            id("keyVault/kv-shared-prod").as_deref(),
            Some(format!("/subscriptions/{sub}/resourceGroups/rg-shared-aks-prod/providers/Microsoft.KeyVault/vaults/kv-shared-prod").as_str())
        );
        assert_eq!(id("subscription"), Some(format!("/subscriptions/{sub}")));
        assert_eq!(id("keyVault/kv-missing"), None);
        assert_eq!(id("storageContainer/stsharedprodbackups/missing"), None);
        assert_eq!(
            estate.resource_group_of(&ScopeReference::Resource {
                kind: Kind::ManagedCluster,
                name: "aks-shared-prod".into()
            }),
            Some("rg-shared-aks-prod")
        );
    }
}

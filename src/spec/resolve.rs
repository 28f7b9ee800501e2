//! Lookups on an estate by logical name, and the effective location and tags of each resource
//! (for a defaulted estate these equal the declared values; on a raw estate they apply the
//! inheritance rules of `defaults`).

use crate::id::ResourceId;
use crate::kind::Kind;
use crate::spec::reference::ScopeReference;
use crate::spec::types::{
    Cluster, Estate, Identity, KeyVault, NodePool, PoolMode, Registry, ResourceGroup,
    StorageAccount, Tags,
};

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
            ScopeReference::ResourceGroup(name) => {
                self.resource_group(name).map(|group| group.name.as_str())
            }
            ScopeReference::Registry(name) => {
                self.registry(name).map(|r| r.resource_group.as_str())
            }
            ScopeReference::KeyVault(name) => {
                self.key_vault(name).map(|v| v.resource_group.as_str())
            }
            ScopeReference::StorageAccount(name)
            | ScopeReference::StorageContainer { account: name, .. } => self
                .storage_account(name)
                .map(|a| a.resource_group.as_str()),
            ScopeReference::Cluster(name) => self.cluster(name).map(|c| c.resource_group.as_str()),
            ScopeReference::Identity(name) => {
                self.identity(name).map(|i| i.resource_group.as_str())
            }
        }
    }

    /// The ARM id a scope stands for in `subscription` (normally `self.subscription`); `None`
    /// when it names something the estate does not declare.
    pub fn scope_id(&self, scope: &ScopeReference, subscription: &str) -> Option<ResourceId> {
        let in_group = |kind: Kind, name: &str| {
            let group = self.resource_group_of(scope)?;
            Some(ResourceId::in_resource_group(
                subscription,
                group,
                kind,
                name,
            ))
        };
        match scope {
            ScopeReference::Subscription => Some(ResourceId::subscription(subscription)),
            ScopeReference::ArmId(id) => Some(ResourceId::new(id.clone())),
            ScopeReference::ResourceGroup(name) => {
                self.resource_group(name)?;
                Some(ResourceId::resource_group(subscription, name))
            }
            ScopeReference::Registry(name) => in_group(Kind::ContainerRegistry, name),
            ScopeReference::KeyVault(name) => in_group(Kind::KeyVault, name),
            ScopeReference::StorageAccount(name) => in_group(Kind::StorageAccount, name),
            ScopeReference::Cluster(name) => in_group(Kind::ManagedCluster, name),
            ScopeReference::Identity(name) => in_group(Kind::UserAssignedIdentity, name),
            ScopeReference::StorageContainer { account, container } => {
                let declared = self.storage_account(account)?;
                declared.containers.iter().find(|c| &c.name == container)?;
                Some(
                    in_group(Kind::StorageAccount, account)?
                        .child(Kind::BlobService, "default")
                        .child(Kind::BlobContainer, container),
                )
            }
        }
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
        let storage: usize = self
            .storage_accounts
            .iter()
            .map(|account| {
                1 + usize::from(has_blob_service_settings(account))
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
                1 + cluster.pools.len() + cluster.acr_pull.len() + maintenance
            })
            .sum();
        let identities: usize = self
            .identities
            .iter()
            .map(|identity| 1 + identity.federated_credentials.len())
            .sum();
        self.resource_groups.len()
            + self
                .registries
                .iter()
                .map(|registry| 1 + registry.geo_replications.len())
                .sum::<usize>()
            + self.key_vaults.len()
            + storage
            + clusters
            + identities
            + self.role_assignments.len()
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
            estate.resource_group_of(&ScopeReference::Cluster("aks-shared-prod".into())),
            Some("rg-shared-aks-prod")
        );
    }
}

//! Defaults a platform engineer expects, filled in before validation and shown by `render`:
//!
//! - every resource group and tracked resource gets an explicit `location` (its own, else its
//!   resource group's, else the estate's) and `tags` (estate tags, its own tags winning);
//! - key vaults: `sku: standard`, `rbacAuthorization: true`, the estate `tenantId` if set;
//! - storage accounts: `kind: StorageV2`, `minimumTlsVersion: TLS1_2`; lifecycle rules enabled;
//! - clusters: `dnsPrefix` = name, a system-assigned identity unless one is declared, the OIDC
//!   issuer on when workload identity or a federated credential needs it, declared add-ons
//!   `enabled: true`; pools `mode: User`;
//! - federated credentials: `clusters: [a, b]` expanded to one credential per cluster (the first
//!   keeps `name`, the others are `{name}-{cluster}`), audiences `[api://AzureADTokenExchange]`;
//! - role assignments: a logical `name` derived from principal, role and scope.
//!
//! Fields ARM defaults itself (tier, OS SKU, network plugin, ...) stay absent, so the diff engine
//! never fights ARM over values the user did not declare.

use std::collections::BTreeSet;

use crate::spec::node::{index_path, key_path};
use crate::spec::reference::{ScopeReference, WORKLOAD_IDENTITY_AUDIENCE};
use crate::spec::roles::{built_in_role_name, role_definition_guid};
use crate::spec::types::{
    ClusterIdentity, ClusterIdentityType, Estate, FederatedCredential, KeyVaultSku, PoolMode,
    Principal, RoleAssignment, StorageKind, Tags, TlsVersion,
};

/// Renumbered paths: a defaulted path prefix -> the declared path prefix it came from (for
/// expanded federated credentials), so diagnostics point at what the user wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathAliases {
    entries: Vec<(String, String)>,
}

impl PathAliases {
    fn add(&mut self, defaulted: String, declared: String) {
        if defaulted != declared {
            self.entries.push((defaulted, declared));
        }
    }

    /// The declared path for a path of the defaulted estate.
    pub fn original(&self, path: &str) -> String {
        for (defaulted, declared) in &self.entries {
            if let Some(rest) = path.strip_prefix(defaulted.as_str()) {
                if rest.is_empty() || rest.starts_with('.') || rest.starts_with('[') {
                    return format!("{declared}{rest}");
                }
            }
        }
        path.to_string()
    }
}

/// Fills every default; returns the defaulted estate and the path renumbering it did.
pub fn apply_defaults(mut estate: Estate) -> (Estate, PathAliases) {
    let mut aliases = PathAliases::default();
    let estate_tags = estate.tags.clone();
    let merged_tags = |own: &Tags| {
        let mut tags = estate_tags.clone();
        tags.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    };

    for group in &mut estate.resource_groups {
        group
            .location
            .get_or_insert_with(|| estate.location.clone());
        group.tags = merged_tags(&group.tags);
    }
    // Every tracked resource in a group: the group's location unless it has its own, the
    // estate's tags under its own.
    let locations: Vec<String> = estate
        .tracked_lists()
        .into_iter()
        .flat_map(|(_, items)| items)
        .map(|resource| {
            estate
                .resource_group_location(resource.resource_group())
                .to_string()
        })
        .collect();
    for (resource, location) in estate.tracked_in_groups_mut().into_iter().zip(locations) {
        resource.location_mut().get_or_insert(location);
        let tags = merged_tags(resource.tags());
        *resource.tags_mut() = tags;
    }

    let tenant = estate.tenant_id.clone();
    for vault in &mut estate.key_vaults {
        vault.sku.get_or_insert(KeyVaultSku::Standard);
        vault.rbac_authorization.get_or_insert(true);
        if vault.tenant_id.is_none() {
            vault.tenant_id.clone_from(&tenant);
        }
    }

    for account in &mut estate.storage_accounts {
        account.kind.get_or_insert(StorageKind::StorageV2);
        account
            .minimum_tls_version
            .get_or_insert(TlsVersion::Tls1_2);
        for rule in &mut account.lifecycle_rules {
            rule.enabled.get_or_insert(true);
        }
    }

    let clusters_needing_oidc: BTreeSet<String> = estate
        .identities
        .iter()
        .flat_map(|identity| &identity.federated_credentials)
        .flat_map(|credential| credential.cluster.iter().chain(&credential.clusters))
        .cloned()
        .collect();
    for cluster in &mut estate.clusters {
        cluster
            .dns_prefix
            .get_or_insert_with(|| cluster.name.clone());
        cluster.identity.get_or_insert(ClusterIdentity {
            identity_type: ClusterIdentityType::SystemAssigned,
            user_assigned: None,
        });
        if cluster.oidc_issuer.is_none()
            && (cluster.workload_identity == Some(true)
                || clusters_needing_oidc.contains(&cluster.name))
        {
            cluster.oidc_issuer = Some(true);
        }
        if let Some(addons) = &mut cluster.addons {
            if let Some(monitoring) = &mut addons.monitoring {
                monitoring.enabled.get_or_insert(true);
            }
            if let Some(provider) = &mut addons.key_vault_secrets_provider {
                provider.enabled.get_or_insert(true);
            }
            if let Some(policy) = &mut addons.azure_policy {
                policy.enabled.get_or_insert(true);
            }
            if let Some(istio) = &mut addons.istio {
                istio.enabled.get_or_insert(true);
            }
        }
        for pool in &mut cluster.pools {
            pool.mode.get_or_insert(PoolMode::User);
        }
    }

    for (identity_index, identity) in estate.identities.iter_mut().enumerate() {
        let list_path = key_path(
            &index_path("identities", identity_index),
            "federatedCredentials",
        );
        let declared = std::mem::take(&mut identity.federated_credentials);
        for (declared_index, credential) in declared.into_iter().enumerate() {
            for expanded in expand_credential(credential) {
                aliases.add(
                    index_path(&list_path, identity.federated_credentials.len()),
                    index_path(&list_path, declared_index),
                );
                identity.federated_credentials.push(expanded);
            }
        }
    }

    for assignment in &mut estate.role_assignments {
        if assignment.name.is_none() {
            assignment.name = Some(derived_assignment_name(assignment));
        }
    }
    (estate, aliases)
}

/// One credential per cluster of `clusters:`, with the default audience.
fn expand_credential(mut credential: FederatedCredential) -> Vec<FederatedCredential> {
    if credential.audiences.is_empty() {
        credential.audiences = vec![WORKLOAD_IDENTITY_AUDIENCE.to_string()];
    }
    if credential.clusters.is_empty() {
        return vec![credential];
    }
    let clusters = std::mem::take(&mut credential.clusters);
    clusters
        .into_iter()
        .enumerate()
        .map(|(position, cluster)| {
            let mut expanded = credential.clone();
            if position > 0 {
                expanded.name = format!("{}-{cluster}", credential.name);
            }
            expanded.cluster = Some(cluster);
            expanded
        })
        .collect()
}

/// `{principal}-{role}-on-{scope}`, lower case, e.g. `id-orders-key-vault-secrets-user-on-kv-nw`.
pub fn derived_assignment_name(assignment: &RoleAssignment) -> String {
    let principal = match &assignment.principal {
        Principal::Identity(name) => name.clone(),
        Principal::ClusterKubelet(name) => format!("{name}-kubelet"),
        Principal::ClusterIdentity(name) => format!("{name}-identity"),
        // The first 8 hex digits: readable, and a clash (same role and scope too) is reported
        // as a duplicate name with a hint to set `name:`.
        Principal::ObjectId { object_id, .. } => object_id.chars().take(8).collect::<String>(),
    };
    let role = role_definition_guid(&assignment.role)
        .and_then(|guid| built_in_role_name(&guid).map(str::to_string))
        .unwrap_or_else(|| {
            assignment
                .role
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        });
    let scope = match ScopeReference::parse(&assignment.scope) {
        // A raw id: everything below the subscription, so two subnets called `default` in
        // different networks get different names.
        Ok(ScopeReference::ArmId(id)) => id
            .split('/')
            .filter(|segment| !segment.is_empty())
            .skip(2)
            .collect::<Vec<_>>()
            .join("-"),
        Ok(scope) => scope.short_name(),
        Err(_) => assignment.scope.clone(),
    };
    kebab(&format!("{principal}-{role}-on-{scope}"))
}

fn kebab(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            output.push(c.to_ascii_lowercase());
        } else if !output.ends_with('-') {
            output.push('-');
        }
    }
    output.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential(name: &str, clusters: &[&str]) -> FederatedCredential {
        FederatedCredential {
            name: name.into(),
            cluster: None,
            clusters: clusters.iter().map(|c| c.to_string()).collect(),
            issuer: None,
            service_account: Some("ns/sa".into()),
            subject: None,
            audiences: vec![],
        }
    }

    #[test]
    fn multi_cluster_credentials_keep_the_first_name() {
        let expanded = expand_credential(credential("orders", &["aks-east", "aks-central"]));
        let names: Vec<(&str, Option<&str>)> = expanded
            .iter()
            .map(|c| (c.name.as_str(), c.cluster.as_deref()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("orders", Some("aks-east")),
                ("orders-aks-central", Some("aks-central"))
            ]
        );
        assert!(expanded.iter().all(|c| c.clusters.is_empty()
            && c.audiences == vec![WORKLOAD_IDENTITY_AUDIENCE.to_string()]));
    }

    #[test]
    fn assignment_names_are_readable() {
        let assignment = RoleAssignment {
            name: None,
            principal: Principal::Identity("id-orders".into()),
            role: "Key Vault Secrets User".into(),
            scope: "keyVault/kv-northwind".into(),
            description: None,
        };
        assert_eq!(
            derived_assignment_name(&assignment),
            "id-orders-key-vault-secrets-user-on-kv-northwind"
        );
        let kubelet = RoleAssignment {
            principal: Principal::ClusterKubelet("aks-prod".into()),
            role: "7f951dda-4ed3-4680-a7ca-43fe172d538d".into(),
            scope: "registry/acrprod".into(),
            ..assignment
        };
        assert_eq!(
            derived_assignment_name(&kubelet),
            "aks-prod-kubelet-acrpull-on-acrprod"
        );
    }

    #[test]
    fn raw_scope_names_keep_the_path_below_the_subscription() {
        let assignment = RoleAssignment {
            name: None,
            principal: Principal::ObjectId {
                object_id: "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f".into(),
                principal_type: crate::spec::types::PrincipalType::Group,
            },
            role: "Network Contributor".into(),
            scope: "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/default".into(),
            description: None,
        };
        assert_eq!(
            derived_assignment_name(&assignment),
            "6f1c2d3e-network-contributor-on-resourcegroups-rg-net-providers-microsoft-network-virtualnetworks-vnet-a-subnets-default"
        );
    }

    #[test]
    fn aliases_map_renumbered_paths_back() {
        let mut aliases = PathAliases::default();
        aliases.add(
            "identities[0].federatedCredentials[2]".into(),
            "identities[0].federatedCredentials[1]".into(),
        );
        assert_eq!(
            aliases.original("identities[0].federatedCredentials[2].name"),
            "identities[0].federatedCredentials[1].name"
        );
        assert_eq!(
            aliases.original("identities[0].federatedCredentials[20]"),
            "identities[0].federatedCredentials[20]"
        );
    }
}

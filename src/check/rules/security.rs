//! Security: admission policy, registry admin user, Key Vault RBAC and purge protection, and
//! secrets through the Key Vault CSI driver (seed 003, seed 001, seed 000).

use std::collections::BTreeSet;

use crate::check::context::{addon_on, scope_name, Context};
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::kind::Kind;

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS030",
        area: Area::Security,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Azure Policy for Kubernetes (Gatekeeper) is on",
        rationale: "Seed 003 Production Checklist: Azure Policy for Kubernetes for policy enforcement; seed 002: policy prevents bad images and missing labels.",
        fix: "Add `addons: {azurePolicy: {}}`.",
        evaluate: azure_policy,
    },
    Rule {
        id: "AKS031",
        area: Area::Security,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Registry admin user is off",
        rationale: "Seed 000 shared-cluster guidance: ACR admin user disabled; its shared password cannot be scoped, rotated per client or audited.",
        fix: "Set `adminUserEnabled: false` and pull with the kubelet identity (`acrPull`).",
        evaluate: registry_admin_off,
    },
    Rule {
        id: "AKS032",
        area: Area::Security,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Key Vaults authorize with Azure RBAC",
        rationale: "Seed 000 shared-cluster guidance: Key Vault with RBAC authorization, so access is least-privilege role assignments, not vault-wide access policies.",
        fix: "Set `rbacAuthorization: true` (the default) and grant `Key Vault Secrets User` per identity.",
        evaluate: vault_rbac,
    },
    Rule {
        id: "AKS033",
        area: Area::Security,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Key Vaults have purge protection",
        rationale: "Seed 000 shared-cluster guidance: Key Vault purge protection, so a deleted vault and its secrets can always be recovered.",
        fix: "Set `purgeProtection: true` (irreversible).",
        evaluate: vault_purge_protection,
    },
    Rule {
        id: "AKS034",
        area: Area::Security,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Clusters that read vaults run the Key Vault CSI driver",
        rationale: "Seed 001 anti-patterns: no secrets in Kubernetes Secret objects; pull the unavoidable exceptions from Key Vault via CSI.",
        fix: "Add `addons: {keyVaultSecretsProvider: {rotation: true}}`.",
        evaluate: secrets_through_csi,
    },
];

fn azure_policy(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let policy = cluster
            .addons
            .as_ref()
            .and_then(|addons| addons.azure_policy.as_ref())
            .map(|policy| policy.enabled);
        if !addon_on(policy) {
            hits.push(Hit::cluster(
                cluster,
                Some("addons"),
                format!("cluster `{}` has no admission policy", cluster.name),
            ));
        }
    }
}

fn registry_admin_off(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for registry in &context.estate.registries {
        if registry.admin_user_enabled == Some(true) {
            hits.push(Hit::resource(
                Kind::ContainerRegistry,
                "registries",
                &registry.name,
                Some("adminUserEnabled"),
                format!("registry `{}` has its admin user on", registry.name),
            ));
        }
    }
}

fn vault_rbac(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for vault in &context.estate.key_vaults {
        if vault.rbac_authorization == Some(false) {
            hits.push(Hit::resource(
                Kind::KeyVault,
                "keyVaults",
                &vault.name,
                Some("rbacAuthorization"),
                format!("vault `{}` uses access policies", vault.name),
            ));
        }
    }
}

fn vault_purge_protection(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for vault in &context.estate.key_vaults {
        if vault.purge_protection != Some(true) {
            hits.push(Hit::resource(
                Kind::KeyVault,
                "keyVaults",
                &vault.name,
                Some("purgeProtection"),
                format!("vault `{}` can be purged", vault.name),
            ));
        }
    }
}

fn secrets_through_csi(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for (cluster_name, scopes) in context.cluster_reads() {
        let Some(cluster) = context.cluster(cluster_name) else {
            continue;
        };
        let vaults: BTreeSet<&str> = scopes
            .iter()
            .filter_map(|scope| scope_name(scope, Kind::KeyVault))
            .collect();
        let provider = cluster
            .addons
            .as_ref()
            .and_then(|addons| addons.key_vault_secrets_provider.as_ref())
            .map(|provider| provider.enabled);
        if !vaults.is_empty() && !addon_on(provider) {
            hits.push(Hit::cluster(
                cluster,
                Some("addons"),
                format!(
                    "identities of cluster `{}` read vault(s) {} without the CSI driver",
                    cluster.name,
                    vaults
                        .iter()
                        .map(|vault| format!("`{vault}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::case;
    vec![
        case("AKS030", |estate| {
            if let Some(addons) = estate.clusters[0].addons.as_mut() {
                addons.azure_policy = None;
            }
        }),
        case("AKS031", |estate| {
            estate.registries[0].admin_user_enabled = Some(true);
        }),
        case("AKS032", |estate| {
            estate.key_vaults[0].rbac_authorization = Some(false);
        }),
        case("AKS033", |estate| {
            estate.key_vaults[0].purge_protection = None;
        }),
        case("AKS034", |estate| {
            if let Some(addons) = estate.clusters[0].addons.as_mut() {
                addons.key_vault_secrets_provider = None;
            }
        }),
    ]
}

//! Identity and access: workload identity, Entra with Azure RBAC, local accounts off, and
//! least-privilege role assignments (seed 003, seed 001, seed 000).

use std::collections::BTreeSet;

use crate::check::context::Context;
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::kind::Kind;
use crate::spec::roles::role_definition_guid;
use crate::spec::{Principal, RoleAssignment, ScopeReference};

/// Roles that can change anything or grant access: never for a workload (name, GUID).
const BROAD_ROLES: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    (
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c4a72b9d",
    ),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
];

/// Data-plane administration roles a workload identity should not hold (name, GUID).
const ADMIN_DATA_ROLES: &[(&str, &str)] = &[
    (
        "Key Vault Administrator",
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    ),
    (
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    ),
    (
        "Storage Blob Data Owner",
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    ),
];

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS020",
        area: Area::Identity,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Workload identity and the OIDC issuer are on",
        rationale: "Seed 003 Production Checklist: workload identity enabled, no secrets in pods; seed 001: go passwordless.",
        fix: "Set `oidcIssuer: true` and `workloadIdentity: true`.",
        evaluate: workload_identity,
    },
    Rule {
        id: "AKS021",
        area: Area::Identity,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Entra integration with Azure RBAC",
        rationale: "Seed 001 layers: Entra ID + Azure RBAC for Kubernetes, so access is granted and revoked in one place and audited.",
        fix: "Set `entra: {azureRbac: true, adminGroupObjectIds: [...]}`.",
        evaluate: entra_rbac,
    },
    Rule {
        id: "AKS022",
        area: Area::Identity,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Local accounts are disabled",
        rationale: "Seed 001 layers: local accounts off; seed 001 anti-patterns: no cluster-admin kubeconfigs floating around.",
        fix: "Set `localAccounts: false` (needs `entra`).",
        evaluate: local_accounts_off,
    },
    Rule {
        id: "AKS023",
        area: Area::Identity,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "No Owner, Contributor or access-administrator roles",
        rationale: "Seed 000 shared-cluster guidance: least-privilege role scopes; a broad role turns one compromised pod into a subscription takeover.",
        fix: "Grant the narrow data-plane role the workload needs (e.g. `Key Vault Secrets User`, `Storage Blob Data Reader`).",
        evaluate: no_broad_roles,
    },
    Rule {
        id: "AKS024",
        area: Area::Identity,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Roles are scoped to a resource, not a subscription or resource group",
        rationale: "Seed 000 shared-cluster guidance: least-privilege role scopes; a group-wide grant reaches every future resource in it.",
        fix: "Scope the assignment to the resource, e.g. `keyVault/NAME` or `storageContainer/ACCOUNT/CONTAINER`.",
        evaluate: narrow_scopes,
    },
    Rule {
        id: "AKS025",
        area: Area::Identity,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Workload identities read data, they do not administer it",
        rationale: "Seed 001 workload identity: each identity gets exactly the RBAC it needs (this service reads this Key Vault); seed 000: least privilege. A workload needs `Secrets User`, not `Secrets Officer`.",
        fix: "Use `Key Vault Secrets User` or `Storage Blob Data Reader`/`Contributor` for workload identities.",
        evaluate: workload_data_roles,
    },
    Rule {
        id: "AKS026",
        area: Area::Identity,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "One identity per service: federated to one namespace",
        rationale: "Seed 001 workload identity: one managed identity per service, each with exactly the RBAC it needs; an identity shared across namespaces hands one team's access to another.",
        fix: "Split the identity: one per namespace, each with its own role assignments.",
        evaluate: identity_per_namespace,
    },
];

fn workload_identity(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if cluster.workload_identity != Some(true) || !cluster.oidc_issuer_enabled() {
            hits.push(Hit::cluster(
                cluster,
                Some("workloadIdentity"),
                format!("cluster `{}` has no workload identity", cluster.name),
            ));
        }
    }
}

fn entra_rbac(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let rbac = cluster
            .entra
            .as_ref()
            .is_some_and(|entra| entra.azure_rbac == Some(true));
        if !rbac {
            hits.push(Hit::cluster(
                cluster,
                Some("entra"),
                format!(
                    "cluster `{}` does not authorize with Entra and Azure RBAC",
                    cluster.name
                ),
            ));
        }
    }
}

fn local_accounts_off(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if cluster.local_accounts != Some(false) {
            hits.push(Hit::cluster(
                cluster,
                Some("localAccounts"),
                format!("cluster `{}` keeps local (static) accounts", cluster.name),
            ));
        }
    }
}

/// The name of `assignment`'s role if it is one of `roles`.
fn role_in(assignment: &RoleAssignment, roles: &[(&'static str, &str)]) -> Option<&'static str> {
    let guid = role_definition_guid(&assignment.role);
    roles
        .iter()
        .find(|(name, known)| {
            name.eq_ignore_ascii_case(assignment.role.trim()) || guid.as_deref() == Some(*known)
        })
        .map(|(name, _)| *name)
}

fn no_broad_roles(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for assignment in &context.estate.role_assignments {
        if let Some(role) = role_in(assignment, BROAD_ROLES) {
            hits.push(Hit::role_assignment(
                assignment,
                "role",
                format!("`{role}` granted at `{}`", assignment.scope),
            ));
        }
    }
}

fn narrow_scopes(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for (assignment, scope) in context.scoped_assignments() {
        let broad = match scope {
            ScopeReference::Subscription => Some("the subscription"),
            ScopeReference::Resource {
                kind: Kind::ResourceGroup,
                ..
            } => Some("a resource group"),
            ScopeReference::Resource { .. } | ScopeReference::ArmId(_) => None,
        };
        if let Some(broad) = broad {
            hits.push(Hit::role_assignment(
                assignment,
                "scope",
                format!(
                    "`{}` granted on {broad} (`{}`)",
                    assignment.role, assignment.scope
                ),
            ));
        }
    }
}

fn workload_data_roles(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for assignment in &context.estate.role_assignments {
        if !matches!(assignment.principal, Principal::Identity(_)) {
            continue;
        }
        if let Some(role) = role_in(assignment, ADMIN_DATA_ROLES) {
            hits.push(Hit::role_assignment(
                assignment,
                "role",
                format!(
                    "workload identity granted `{role}` on `{}`",
                    assignment.scope
                ),
            ));
        }
    }
}

fn identity_per_namespace(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for identity in &context.estate.identities {
        let namespaces: BTreeSet<&str> = identity
            .federated_credentials
            .iter()
            .filter_map(|credential| credential.service_account.as_deref())
            .filter_map(|account| account.split_once('/').map(|(namespace, _)| namespace))
            .collect();
        if namespaces.len() > 1 {
            hits.push(Hit::resource(
                Kind::UserAssignedIdentity,
                "identities",
                &identity.name,
                Some("federatedCredentials"),
                format!(
                    "identity `{}` is federated to namespaces {}",
                    identity.name,
                    namespaces
                        .iter()
                        .map(|namespace| format!("`{namespace}`"))
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
        case("AKS020", |estate| {
            estate.clusters[0].workload_identity = Some(false);
        }),
        case("AKS021", |estate| {
            estate.clusters[0].entra = None;
            estate.clusters[0].local_accounts = None;
        }),
        case("AKS022", |estate| {
            estate.clusters[0].local_accounts = None;
        }),
        case("AKS023", |estate| {
            estate.role_assignments[0].role = "Contributor".into();
        }),
        case("AKS024", |estate| {
            estate.role_assignments[0].scope = "resourceGroup/rg-check".into();
        }),
        case("AKS025", |estate| {
            estate.role_assignments[0].role = "Key Vault Secrets Officer".into();
        }),
        case("AKS026", |estate| {
            let mut second = estate.identities[0].federated_credentials[0].clone();
            second.name = "other-team".into();
            second.service_account = Some("other-team/api".into());
            estate.identities[0].federated_credentials.push(second);
        }),
    ]
}

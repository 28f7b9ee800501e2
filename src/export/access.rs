//! Export of user-assigned identities, their federated credentials and role assignments, with
//! logical references: an issuer that is an exported cluster's OIDC issuer becomes
//! `cluster: <name>`, a principal that is an exported identity (or a cluster's kubelet or
//! control-plane identity) becomes a reference to it, a scope that is an exported resource
//! becomes `keyVault/<name>` etc., a built-in role GUID becomes its name.

use std::collections::HashMap;

use serde_json::Value;

use crate::desired::user_description;
use crate::export::context::{
    group_of, issuer_key, name_of, pick, str_at, strings_at, tags_of, Exporting,
};
use crate::export::inventory::id_of;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::spec::defaults::derived_assignment_name;
use crate::spec::reference::WORKLOAD_IDENTITY_AUDIENCE;
use crate::spec::roles::{built_in_role_name, role_definition_guid};
use crate::spec::types::{FederatedCredential, Identity, Principal, PrincipalType, RoleAssignment};

/// The prefix of a Kubernetes service account subject.
const SERVICE_ACCOUNT_SUBJECT: &str = "system:serviceaccount:";

/// The identities of the groups (credentials are added by [`export_federated_credentials`]),
/// registering their ids and principal ids for references.
pub fn export_identities(exporting: &mut Exporting<'_>) -> Vec<Identity> {
    let mut identities = Vec::new();
    let bodies: Vec<&Value> = exporting
        .inventory
        .of_kind(Kind::UserAssignedIdentity)
        .collect();
    for body in bodies {
        let name = name_of(body);
        let Some(id) = id_of(body) else { continue };
        if identities.iter().any(|known: &Identity| known.name == name) {
            exporting.skip(
                Kind::UserAssignedIdentity.arm_type(),
                id.as_str(),
                format!("another exported identity is already named `{name}`"),
            );
            continue;
        }
        exporting
            .identities_by_id
            .insert(id.as_str().to_ascii_lowercase(), name.clone());
        if let Some(principal) = str_at(body, "/properties/principalId") {
            exporting
                .identities_by_principal
                .insert(principal.to_ascii_lowercase(), name.clone());
        }
        exporting.add_scope(&id, Kind::UserAssignedIdentity);
        let group = group_of(body);
        identities.push(Identity {
            location: exporting.own_location(body, &group),
            tags: tags_of(body),
            federated_credentials: Vec::new(),
            resource_group: group,
            name,
        });
    }
    identities
}

/// Each identity's federated credentials, issuers mapped to exported clusters.
pub fn export_federated_credentials(exporting: &mut Exporting<'_>, identities: &mut [Identity]) {
    let inventory = exporting.inventory;
    for identity in identities.iter_mut() {
        let identity_id = ResourceId::in_resource_group(
            &inventory.subscription,
            &identity.resource_group,
            Kind::UserAssignedIdentity,
            &identity.name,
        );
        for body in inventory.children_of(&identity_id, Kind::FederatedIdentityCredential) {
            let name = name_of(body);
            let (Some(issuer), Some(subject)) = (
                str_at(body, "/properties/issuer"),
                str_at(body, "/properties/subject"),
            ) else {
                let Some(id) = id_of(body) else { continue };
                exporting.skip(
                    Kind::FederatedIdentityCredential.arm_type(),
                    id.as_str(),
                    "it has no issuer or subject",
                );
                continue;
            };
            let cluster = exporting
                .clusters
                .iter()
                .find(|cluster| cluster.issuer.as_deref() == Some(issuer_key(issuer).as_str()))
                .map(|cluster| cluster.name.clone());
            let service_account = subject
                .strip_prefix(SERVICE_ACCOUNT_SUBJECT)
                .and_then(|rest| rest.split_once(':'))
                .filter(|(namespace, account)| {
                    !namespace.is_empty() && !account.is_empty() && !account.contains(':')
                })
                .map(|(namespace, account)| format!("{namespace}/{account}"));
            let audiences = strings_at(body, "/properties/audiences");
            identity.federated_credentials.push(FederatedCredential {
                name,
                issuer: cluster.is_none().then(|| issuer.to_owned()),
                cluster,
                clusters: Vec::new(),
                subject: service_account.is_none().then(|| subject.to_owned()),
                service_account,
                audiences: if audiences == [WORKLOAD_IDENTITY_AUDIENCE] {
                    Vec::new()
                } else {
                    audiences
                },
            });
        }
    }
}

/// Writes the credentials that aksctl's `clusters:` expansion would make back as one entry: a
/// credential `N` for cluster A followed by `N-B` for cluster B, `N-C` for cluster C..., all with
/// the same subject and audiences, become `{name: N, clusters: [A, B, C]}` (the expansion gives
/// exactly the same names back).
pub fn group_multi_cluster_credentials(identities: &mut [Identity]) {
    for identity in identities.iter_mut() {
        let credentials = std::mem::take(&mut identity.federated_credentials);
        let mut grouped: Vec<FederatedCredential> = Vec::new();
        for credential in credentials {
            let joined = credential.cluster.as_ref().and_then(|cluster| {
                grouped.iter_mut().find(|first| {
                    let first_cluster = first.cluster.as_ref().or(first.clusters.first());
                    first_cluster.is_some()
                        && credential.name == format!("{}-{cluster}", first.name)
                        && first.service_account == credential.service_account
                        && first.subject == credential.subject
                        && first.audiences == credential.audiences
                        && !first.clusters.contains(cluster)
                        && first.cluster.as_ref() != Some(cluster)
                })
            });
            match (joined, &credential.cluster) {
                (Some(first), Some(cluster)) => {
                    if let Some(first_cluster) = first.cluster.take() {
                        first.clusters.push(first_cluster);
                    }
                    first.clusters.push(cluster.clone());
                }
                _ => grouped.push(credential),
            }
        }
        identity.federated_credentials = grouped;
    }
}

/// An AcrPull grant to a cluster's kubelet on an exported registry, written as the cluster's
/// `acrPull` entry rather than a role assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcrPull {
    pub cluster: String,
    pub registry: String,
}

/// The role assignments that point at exported resources or at exported principals, and the
/// kubelet AcrPull grants among them.
pub fn export_role_assignments(
    exporting: &mut Exporting<'_>,
) -> (Vec<RoleAssignment>, Vec<AcrPull>) {
    let mut assignments = Vec::new();
    let mut acr_pulls = Vec::new();
    let bodies: Vec<&Value> = exporting.inventory.role_assignments.iter().collect();
    for body in bodies {
        let Some(id) = id_of(body) else { continue };
        let Some(scope_id) = assignment_scope(body) else {
            continue;
        };
        let Some(principal_id) =
            str_at(body, "/properties/principalId").map(str::to_ascii_lowercase)
        else {
            continue;
        };
        let Some(role_id) = str_at(body, "/properties/roleDefinitionId") else {
            continue;
        };
        // What AKS made for itself: grants inside a node resource group, and its add-on identities'.
        if exporting.in_node_resource_group(&scope_id)
            || exporting
                .clusters
                .iter()
                .any(|cluster| cluster.addon_object_ids.contains(&principal_id))
        {
            continue;
        }
        let scope = exporting
            .scopes
            .get(&scope_id.to_ascii_lowercase())
            .cloned();
        let principal = principal_reference(exporting, &principal_id);
        if scope.is_none() && principal.is_none() {
            continue;
        }
        let scope = match scope {
            Some(scope) => scope,
            None if scope_id.eq_ignore_ascii_case(&format!(
                "/subscriptions/{}",
                exporting.inventory.subscription
            )) =>
            {
                "subscription".to_owned()
            }
            None if scope_id.to_ascii_lowercase().starts_with("/subscriptions/") => {
                scope_id.clone()
            }
            None => {
                exporting.skip(
                    Kind::RoleAssignment.arm_type(),
                    id.as_str(),
                    format!("its scope `{scope_id}` is above the subscription"),
                );
                continue;
            }
        };
        let principal = match principal {
            Some(principal) => principal,
            None => {
                let principal_type = str_at(body, "/properties/principalType")
                    .and_then(|text| pick(PrincipalType::ALL, PrincipalType::as_str, text));
                let Some(principal_type) = principal_type else {
                    exporting.skip(
                        Kind::RoleAssignment.arm_type(),
                        id.as_str(),
                        "its principal type is not User, Group or ServicePrincipal",
                    );
                    continue;
                };
                Principal::ObjectId {
                    object_id: principal_id.clone(),
                    principal_type,
                }
            }
        };
        let Some(guid) = role_definition_guid(role_id) else {
            exporting.skip(
                Kind::RoleAssignment.arm_type(),
                id.as_str(),
                format!("its role definition `{role_id}` is not a role definition id"),
            );
            continue;
        };
        let role = built_in_role_name(&guid).map(str::to_owned).unwrap_or(guid);
        let kubelet_of = exporting
            .clusters
            .iter()
            .find(|cluster| cluster.kubelet_object_id.as_deref() == Some(principal_id.as_str()));
        if let (Some(cluster), Some(registry)) = (kubelet_of, scope.strip_prefix("registry/")) {
            if role == "AcrPull" {
                acr_pulls.push(AcrPull {
                    cluster: cluster.name.clone(),
                    registry: registry.to_owned(),
                });
                continue;
            }
        }
        assignments.push(RoleAssignment {
            name: None,
            principal,
            role,
            scope,
            description: str_at(body, "/properties/description").and_then(user_description),
        });
    }
    name_duplicates(&mut assignments);
    (assignments, acr_pulls)
}

/// The scope of an assignment: `properties.scope`, else the id before the provider segment.
fn assignment_scope(body: &Value) -> Option<String> {
    if let Some(scope) = str_at(body, "/properties/scope") {
        return Some(scope.trim_end_matches('/').to_owned());
    }
    let id = str_at(body, "/id")?;
    let at = id
        .to_ascii_lowercase()
        .find("/providers/microsoft.authorization/roleassignments/")?;
    Some(id[..at].to_owned()).filter(|scope| !scope.is_empty())
}

/// The estate reference of a principal id, if it is one export knows.
fn principal_reference(exporting: &Exporting<'_>, principal_id: &str) -> Option<Principal> {
    if let Some(name) = exporting.identities_by_principal.get(principal_id) {
        return Some(Principal::Identity(name.clone()));
    }
    for cluster in &exporting.clusters {
        if cluster.kubelet_object_id.as_deref() == Some(principal_id) {
            return Some(Principal::ClusterKubelet(cluster.name.clone()));
        }
        if cluster.system_principal_id.as_deref() == Some(principal_id) {
            return Some(Principal::ClusterIdentity(cluster.name.clone()));
        }
    }
    None
}

/// Gives an explicit `name` to assignments whose derived logical names would collide.
fn name_duplicates(assignments: &mut [RoleAssignment]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for assignment in assignments.iter_mut() {
        let derived = derived_assignment_name(assignment);
        let count = seen.entry(derived.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            assignment.name = Some(format!("{derived}-{count}"));
        }
    }
}

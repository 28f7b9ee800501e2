//! Logical references must name something the estate declares: resource groups, registries in
//! `acrPull`, identities, clusters, role-assignment principals and scopes; roles must be known
//! built-in names or role definition GUIDs/ids.

use std::collections::BTreeMap;

use crate::kind::Kind;
use crate::spec::reference::ScopeReference;
use crate::spec::roles::{closest_role_names, role_definition_guid};
use crate::spec::types::{ClusterIdentityType, Estate, Principal};
use crate::spec::validate::names::did_you_mean;
use crate::spec::validate::{check_guid, field, item, Problems};

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    resource_groups(estate, problems);
    cluster_references(estate, problems);
    role_assignments(estate, problems);
}

/// Reports `name` at `path` unless it is one of `known` (a list of `kind`s).
pub(super) fn must_exist<'a>(
    name: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    path: &str,
    kind: &str,
    list: &str,
    problems: &mut Problems,
) {
    if known.clone().any(|candidate| candidate == name) {
        return;
    }
    let hint = did_you_mean(name, known)
        .unwrap_or_else(|| format!("declare it under `{list}`, or fix the name"));
    problems.add(
        path,
        format!("{kind} `{name}` is not declared in this estate"),
        hint,
    );
}

fn resource_groups(estate: &Estate, problems: &mut Problems) {
    let groups = estate
        .resource_groups
        .iter()
        .map(|group| group.name.as_str());
    for (list, items) in estate.tracked_lists() {
        for (index, resource) in items.into_iter().enumerate() {
            must_exist(
                resource.resource_group(),
                groups.clone(),
                &field(&item(list.key, index), "resourceGroup"),
                "resource group",
                "resourceGroups",
                problems,
            );
        }
    }
}

fn cluster_references(estate: &Estate, problems: &mut Problems) {
    let registries = estate
        .registries
        .iter()
        .map(|registry| registry.name.as_str());
    let identities = estate
        .identities
        .iter()
        .map(|identity| identity.name.as_str());
    for (index, cluster) in estate.clusters.iter().enumerate() {
        let path = item("clusters", index);
        if let Some(workspace) = cluster
            .addons
            .as_ref()
            .and_then(|addons| addons.monitoring.as_ref())
            .and_then(|monitoring| monitoring.workspace.as_ref())
        {
            workspace_must_exist(
                estate,
                workspace,
                &field(&path, "addons.monitoring.workspace"),
                problems,
            );
        }
        let mut seen = Vec::new();
        for (position, registry) in cluster.acr_pull.iter().enumerate() {
            let registry_path = item(&field(&path, "acrPull"), position);
            must_exist(
                registry,
                registries.clone(),
                &registry_path,
                "registry",
                "registries",
                problems,
            );
            if seen.contains(&registry) {
                problems.add(
                    registry_path,
                    format!("registry `{registry}` is listed twice in acrPull"),
                    "list each registry once",
                );
            }
            seen.push(registry);
        }
        let user_assigned = match &cluster.identity {
            Some(identity) => {
                let identity_path = field(&path, "identity");
                match (identity.identity_type, &identity.user_assigned) {
                    (ClusterIdentityType::UserAssigned, Some(name)) => {
                        must_exist(
                            name,
                            identities.clone(),
                            &field(&identity_path, "userAssigned"),
                            "identity",
                            "identities",
                            problems,
                        );
                        true
                    }
                    (ClusterIdentityType::UserAssigned, None) => {
                        problems.add(
                            &identity_path,
                            "a UserAssigned control-plane identity needs `userAssigned`",
                            "name an entry of `identities`: `userAssigned: id-aks-control-plane`",
                        );
                        true
                    }
                    (ClusterIdentityType::SystemAssigned, Some(_)) => {
                        problems.add(
                            field(&identity_path, "userAssigned"),
                            "`userAssigned` only goes with `type: UserAssigned`",
                            "set `type: UserAssigned`, or drop `userAssigned`",
                        );
                        false
                    }
                    (ClusterIdentityType::SystemAssigned, None) => false,
                }
            }
            None => false,
        };
        if let Some(kubelet) = &cluster.kubelet_identity {
            let kubelet_path = field(&path, "kubeletIdentity");
            must_exist(
                kubelet,
                identities.clone(),
                &kubelet_path,
                "identity",
                "identities",
                problems,
            );
            if !user_assigned {
                problems.add(kubelet_path, "a bring-your-own kubelet identity needs a user-assigned control-plane identity", "set `identity: {type: UserAssigned, userAssigned: ...}` (aksctl grants it Managed Identity Operator on the kubelet identity)");
            }
        }
    }
}

fn role_assignments(estate: &Estate, problems: &mut Problems) {
    let identities = estate
        .identities
        .iter()
        .map(|identity| identity.name.as_str());
    let clusters = estate.clusters.iter().map(|cluster| cluster.name.as_str());
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for (index, assignment) in estate.role_assignments.iter().enumerate() {
        let path = item("roleAssignments", index);
        let principal_path = field(&path, "principal");
        let principal_key = match &assignment.principal {
            Principal::Identity(name) => {
                must_exist(
                    name,
                    identities.clone(),
                    &field(&principal_path, "identity"),
                    "identity",
                    "identities",
                    problems,
                );
                format!("identity/{name}")
            }
            Principal::ClusterKubelet(name) => {
                must_exist(
                    name,
                    clusters.clone(),
                    &field(&principal_path, "clusterKubelet"),
                    "cluster",
                    "clusters",
                    problems,
                );
                format!("kubelet/{name}")
            }
            Principal::ClusterIdentity(name) => {
                must_exist(
                    name,
                    clusters.clone(),
                    &field(&principal_path, "clusterIdentity"),
                    "cluster",
                    "clusters",
                    problems,
                );
                format!("controlPlane/{name}")
            }
            Principal::ObjectId { object_id, .. } => {
                check_guid(
                    object_id,
                    &field(&principal_path, "objectId"),
                    "object id",
                    problems,
                );
                format!("object/{}", object_id.to_ascii_lowercase())
            }
        };
        let role_path = field(&path, "role");
        let role_guid = role_definition_guid(&assignment.role);
        if role_guid.is_none() {
            let suggestions = closest_role_names(&assignment.role);
            let hint = match suggestions.first() {
                Some(best) => format!("did you mean `{best}`?"),
                None => "use a built-in role name aksctl knows (see `aksctl schema` / README), a role definition GUID, or `/providers/Microsoft.Authorization/roleDefinitions/{guid}`".to_string(),
            };
            problems.add(
                role_path,
                format!("unknown built-in role `{}`", assignment.role),
                hint,
            );
        }
        let scope_path = field(&path, "scope");
        let scope = match ScopeReference::parse(&assignment.scope) {
            Ok(scope) => scope,
            Err(error) => {
                problems.add(
                    scope_path,
                    error.to_string(),
                    "e.g. `keyVault/kv-prod`, `storageContainer/stbackups/backups`, `subscription`",
                );
                continue;
            }
        };
        scope_target_exists(estate, &scope, &scope_path, problems);
        if let Some(role_guid) = role_guid {
            let key = (
                principal_key,
                role_guid,
                scope.to_string().to_ascii_lowercase(),
            );
            match seen.get(&key) {
                Some(first) => problems.add(
                    &path,
                    format!(
                        "same principal, role and scope as {}",
                        item("roleAssignments", *first)
                    ),
                    "Azure allows one assignment per principal, role and scope; remove one",
                ),
                None => {
                    seen.insert(key, index);
                }
            }
        }
    }
}

fn scope_target_exists(
    estate: &Estate,
    scope: &ScopeReference,
    path: &str,
    problems: &mut Problems,
) {
    let ScopeReference::Resource { kind, name } = scope else {
        return;
    };
    if let Err(missing) = estate.resource_id_of(*kind, name, &estate.subscription) {
        must_exist(
            &missing.name,
            missing.known.iter().map(String::as_str),
            path,
            missing.kind.descriptor().noun,
            &missing.list,
            problems,
        );
    }
}

/// A logical workspace reference (`addons.monitoring.workspace`, `defender.workspace`) names a
/// workspace of the estate's `logAnalyticsWorkspaces`.
pub(super) fn workspace_must_exist(
    estate: &Estate,
    workspace: &str,
    path: &str,
    problems: &mut Problems,
) {
    let kind = Kind::LogAnalyticsWorkspace;
    must_exist(
        workspace,
        estate.names_of(kind).into_iter(),
        path,
        kind.descriptor().noun,
        Estate::list_of(kind).map_or("", |list| list.key),
        problems,
    );
}

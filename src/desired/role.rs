//! Lowering of role assignments: the estate's `roleAssignments` and the `AcrPull` grants implied
//! by a cluster's `acrPull` list.
//!
//! The ARM name is `id::role_assignment_name(scope, role GUID, principal key)` where the principal
//! key is known at plan time (an identity's resource id, `<cluster id>/kubelet`,
//! `<cluster id>/controlPlane`, or a literal object id), so the id never waits for a deferred
//! principal id. `principalId` itself is deferred from the resource that owns the principal.

use serde_json::{json, Map, Value};

use crate::desired::context::{address_of, address_of_resource, deferred, unknown, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::{network, DesiredResource};
use crate::id::{role_assignment_name, ResourceId};
use crate::kind::Kind;
use crate::plan::Deferred;
use crate::spec::defaults::derived_assignment_name;
use crate::spec::reference::ScopeReference;
use crate::spec::roles::role_definition_guid;
use crate::spec::types::{Cluster, ClusterIdentityType, Principal, RoleAssignment};

/// Where an identity's principal id is in its ARM body.
pub const IDENTITY_PRINCIPAL_OUTPUT: &str = "/properties/principalId";
/// Where an AKS-made kubelet identity's object id is in the cluster's ARM body.
pub const KUBELET_OBJECT_OUTPUT: &str = "/properties/identityProfile/kubeletidentity/objectId";
/// Where a system-assigned control plane's principal id is in the cluster's ARM body.
pub const SYSTEM_IDENTITY_OUTPUT: &str = "/identity/principalId";

const ACR_PULL: &str = "AcrPull";

/// A principal resolved for lowering: its key for the assignment name, its type and its id.
struct ResolvedPrincipal {
    key: String,
    principal_type: &'static str,
    id: PrincipalId,
}

/// A principal id: written in the estate, or read from another resource once it exists.
enum PrincipalId {
    Literal(String),
    From {
        source: String,
        output: &'static str,
    },
}

/// The declared assignments, then each cluster's implied `AcrPull` grants (skipping one the
/// estate already declares explicitly: same ARM id).
pub fn lower_role_assignments(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for assignment in &lowering.estate.role_assignments {
        let name = assignment
            .name
            .clone()
            .unwrap_or_else(|| derived_assignment_name(assignment));
        let resource = assignment_resource(lowering, assignment, &name)?;
        lowering.push(resource);
    }
    for cluster in &lowering.estate.clusters {
        for registry in &cluster.acr_pull {
            let implied = RoleAssignment {
                name: None,
                principal: Principal::ClusterKubelet(cluster.name.clone()),
                role: ACR_PULL.to_string(),
                scope: address_of(Kind::ContainerRegistry, &[registry]),
                description: None,
            };
            push_implied(lowering, &implied)?;
        }
        for implied in network::implied_network_grants(lowering, cluster) {
            push_implied(lowering, &implied)?;
        }
    }
    Ok(())
}

/// Pushes an implied grant unless the estate declares the same assignment (same ARM id).
fn push_implied(lowering: &mut Lowering<'_>, implied: &RoleAssignment) -> Result<(), LowerError> {
    let name = implied
        .name
        .clone()
        .unwrap_or_else(|| derived_assignment_name(implied));
    let resource = assignment_resource(lowering, implied, &name)?;
    let declared = lowering
        .resources()
        .iter()
        .any(|existing| existing.kind == Kind::RoleAssignment && existing.id == resource.id);
    if !declared {
        lowering.push(resource);
    }
    Ok(())
}

fn assignment_resource(
    lowering: &Lowering<'_>,
    assignment: &RoleAssignment,
    name: &str,
) -> Result<DesiredResource, LowerError> {
    let address = address_of(Kind::RoleAssignment, &[name]);
    let scope_reference =
        ScopeReference::parse(&assignment.scope).map_err(|error| LowerError::Invalid {
            address: address.clone(),
            reason: error.to_string(),
        })?;
    let (scope, scope_address) = resolve_scope(lowering, &scope_reference, &address)?;
    let role_guid = role_definition_guid(&assignment.role).ok_or_else(|| LowerError::Invalid {
        address: address.clone(),
        reason: format!(
            "`{}` is neither a built-in role aksctl knows, a role definition GUID nor a role \
             definition id",
            assignment.role
        ),
    })?;
    let role_definition_id = if assignment.role.trim().starts_with('/') {
        assignment.role.trim().to_string()
    } else {
        let subscription = scope.subscription_id().unwrap_or(&lowering.subscription);
        format!(
            "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
        )
    };
    let principal = resolve_principal(lowering, &assignment.principal, &address)?;
    let mut depends_on = Vec::new();
    let mut deferred_values: Vec<Deferred> = Vec::new();
    let principal_id = match &principal.id {
        PrincipalId::Literal(object_id) => Value::String(object_id.clone()),
        PrincipalId::From { source, output } => {
            deferred_values.push(deferred("/properties/principalId", source, output));
            depends_on.push(source.clone());
            Value::Null
        }
    };
    if let Some(scope_address) = scope_address {
        if !depends_on.contains(&scope_address) {
            depends_on.push(scope_address);
        }
    }
    let mut properties = Map::new();
    properties.insert(
        "roleDefinitionId".to_string(),
        Value::String(role_definition_id),
    );
    properties.insert("principalId".to_string(), principal_id);
    properties.insert("principalType".to_string(), json!(principal.principal_type));
    // Role assignments carry no tags: the description holds the ownership marker, so an
    // assignment dropped from the estate is recognised as this estate's and deleted.
    properties.insert(
        "description".to_string(),
        Value::String(ownership_description(
            assignment.description.as_deref(),
            &lowering.estate.metadata.name,
        )),
    );
    let assignment_name = role_assignment_name(&scope, &role_guid, &principal.key);
    Ok(DesiredResource {
        address,
        kind: Kind::RoleAssignment,
        id: ResourceId::role_assignment(&scope, &assignment_name),
        body: json!({"properties": properties}),
        deferred: deferred_values,
        depends_on,
    })
}

/// The description aksctl writes on a role assignment: the user's text (if any) followed by the
/// `aksctl-estate=<estate>` ownership marker that `live` reads back.
fn ownership_description(user_description: Option<&str>, estate: &str) -> String {
    let marker = format!("{}={estate}", crate::live::OWNER_TAG);
    match user_description
        .map(str::trim)
        .filter(|text| !text.is_empty())
    {
        Some(text) => format!("{text} (managed by aksctl: {marker})"),
        None => format!("Managed by aksctl ({marker})"),
    }
}

/// The user's own text of a description `ownership_description` wrote (`None` when it holds only
/// the marker or nothing): what `export` writes back into an estate.
pub fn user_description(description: &str) -> Option<String> {
    let description = description.trim();
    let owner = crate::live::OWNER_TAG;
    let marker_only = description.starts_with(&format!("Managed by aksctl ({owner}="))
        && description.ends_with(')');
    if marker_only {
        return None;
    }
    let text = description
        .rfind(&format!(" (managed by aksctl: {owner}="))
        .filter(|_| description.ends_with(')'))
        .map_or(description, |at| &description[..at])
        .trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The ARM id of a scope and the address of the estate resource it names (none for the
/// subscription and raw ids).
fn resolve_scope(
    lowering: &Lowering<'_>,
    scope: &ScopeReference,
    address: &str,
) -> Result<(ResourceId, Option<String>), LowerError> {
    let reference = scope.to_string();
    Ok(match scope {
        ScopeReference::Subscription => (ResourceId::subscription(&lowering.subscription), None),
        ScopeReference::ArmId(id) => (ResourceId::new(id.clone()), None),
        ScopeReference::Resource { kind, name } => {
            let id = lowering
                .estate
                .resource_id_of(*kind, name, &lowering.subscription)
                .map_err(|missing| {
                    // A missing child is named with its parents (`<account>/<container>`).
                    let missing_name = if missing.kind == kind.top_level() {
                        missing.name
                    } else {
                        name.clone()
                    };
                    unknown(
                        address,
                        &reference,
                        missing.kind.descriptor().noun,
                        &missing_name,
                    )
                })?;
            let names: Vec<&str> = name.split('/').collect();
            (id, Some(address_of(*kind, &names)))
        }
    })
}

fn resolve_principal(
    lowering: &Lowering<'_>,
    principal: &Principal,
    address: &str,
) -> Result<ResolvedPrincipal, LowerError> {
    let identity_principal =
        |name: &str, reference: &str| -> Result<ResolvedPrincipal, LowerError> {
            let identity = lowering.identity(name, address, reference)?;
            Ok(ResolvedPrincipal {
                key: lowering.id_of(identity).to_string(),
                principal_type: "ServicePrincipal",
                id: PrincipalId::From {
                    source: address_of_resource(identity),
                    output: IDENTITY_PRINCIPAL_OUTPUT,
                },
            })
        };
    match principal {
        Principal::Identity(name) => identity_principal(name, "principal.identity"),
        Principal::ClusterKubelet(name) => {
            let cluster = lowering.cluster(name, address, "principal.clusterKubelet")?;
            match &cluster.kubelet_identity {
                Some(kubelet) => identity_principal(kubelet, "kubeletIdentity"),
                None => Ok(cluster_principal(
                    lowering,
                    cluster,
                    "kubelet",
                    KUBELET_OBJECT_OUTPUT,
                )),
            }
        }
        Principal::ClusterIdentity(name) => {
            let cluster = lowering.cluster(name, address, "principal.clusterIdentity")?;
            let user_assigned = cluster
                .identity
                .as_ref()
                .filter(|identity| identity.identity_type == ClusterIdentityType::UserAssigned)
                .and_then(|identity| identity.user_assigned.as_deref());
            match user_assigned {
                Some(identity) => identity_principal(identity, "identity.userAssigned"),
                None => Ok(cluster_principal(
                    lowering,
                    cluster,
                    "controlPlane",
                    SYSTEM_IDENTITY_OUTPUT,
                )),
            }
        }
        Principal::ObjectId {
            object_id,
            principal_type,
        } => Ok(ResolvedPrincipal {
            key: object_id.to_ascii_lowercase(),
            principal_type: principal_type.as_str(),
            id: PrincipalId::Literal(object_id.clone()),
        }),
    }
}

/// A principal that only the cluster knows: keyed `<cluster id>/<role>`.
fn cluster_principal(
    lowering: &Lowering<'_>,
    cluster: &Cluster,
    role: &str,
    output: &'static str,
) -> ResolvedPrincipal {
    ResolvedPrincipal {
        key: format!("{}/{role}", lowering.id_of(cluster)),
        principal_type: "ServicePrincipal",
        id: PrincipalId::From {
            source: address_of_resource(cluster),
            output,
        },
    }
}

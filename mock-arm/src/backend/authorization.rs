//! Microsoft.Authorization: role assignments at any scope (immutable, unique per
//! scope+role+principal, PrincipalNotFound right after an identity is created) and the built-in
//! role definitions.

use serde_json::{json, Value};

use super::common;
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::listing;
use super::parents;
use super::path::{self, Target};
use super::types::Kind;
use super::world::{Resource, World};

/// Built-in roles (FACTS.md §9.1): name, GUID, description.
pub const BUILT_IN_ROLES: &[(&str, &str, &str)] = &[
    ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", "acr pull"),
    ("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", "acr push"),
    ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Read secret contents."),
    ("Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Perform any action on the secrets of a key vault."),
    ("Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483", "Perform all data plane operations on a key vault."),
    ("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "Read, write, and delete Azure Storage containers and blobs."),
    ("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "Read and list Azure Storage containers and blobs."),
    ("Azure Kubernetes Service RBAC Cluster Admin", "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", "Lets you manage all resources in the cluster."),
    ("Azure Kubernetes Service Cluster User Role", "4abbcc35-e782-43d8-92c5-2d3f1bd2253f", "List cluster user credential action."),
    ("Azure Kubernetes Service Cluster Admin Role", "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8", "List cluster admin credential action."),
    ("Azure Kubernetes Service RBAC Admin", "3498e952-d568-435e-9b2c-8d77e338d7f7", "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces."),
    ("Azure Kubernetes Service RBAC Reader", "7f6c6a51-bcf8-42ba-9220-52d62157d7db", "Allows read-only access to see most objects in a namespace."),
    ("Azure Kubernetes Service Contributor Role", "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8", "Grants access to read and write Azure Kubernetes Service clusters"),
    ("Network Contributor", "4d97b98b-1d4f-4787-a291-c67834d212e7", "Lets you manage networks, but not access to them."),
    ("Managed Identity Operator", "f1a07417-d97a-45cb-824c-7a7467783830", "Read and Assign User Assigned Identity"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC."),
    ("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168", "Manage access to Azure resources by assigning roles using Azure RBAC."),
];

fn subscription_of(scope: &str) -> Option<&str> {
    let mut parts = scope.split('/').filter(|part| !part.is_empty());
    match (parts.next(), parts.next()) {
        (Some(first), Some(id)) if first.eq_ignore_ascii_case("subscriptions") => Some(id),
        _ => None,
    }
}

fn definition_id(scope: &str, guid: &str) -> String {
    match subscription_of(scope) {
        Some(subscription) => {
            format!("/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
        }
        None => format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
    }
}

fn definition_body(scope: &str, role: &(&str, &str, &str)) -> Value {
    let (name, guid, description) = role;
    json!({
        "id": definition_id(scope, guid),
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "description": description,
            "assignableScopes": ["/"],
            "permissions": [{ "actions": [], "notActions": [], "dataActions": [], "notDataActions": [] }],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2025-01-01T00:00:00.0000000Z",
            "createdBy": null,
            "updatedBy": null,
        },
    })
}

/// `GET /{scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq 'X'`.
pub fn list_definitions(world: &World, request: &Request, scope: &str) -> Outcome {
    let wanted = request.query_param("$filter").and_then(|filter| {
        let lower = filter.to_ascii_lowercase();
        let start = lower.find("rolename eq")? + "rolename eq".len();
        let rest = &filter[start..];
        let open = rest.find('\'')?;
        let close = rest[open + 1..].find('\'')?;
        Some(rest[open + 1..open + 1 + close].to_string())
    });
    let items: Vec<Value> = BUILT_IN_ROLES
        .iter()
        .filter(|(name, _, _)| wanted.as_ref().is_none_or(|w| name.eq_ignore_ascii_case(w)))
        .map(|role| definition_body(scope, role))
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

pub fn get_definition(scope: &str, guid: &str) -> Outcome {
    BUILT_IN_ROLES
        .iter()
        .find(|(_, id, _)| id.eq_ignore_ascii_case(guid))
        .map(|role| Reply::ok(definition_body(scope, role)))
        .ok_or_else(|| {
            ArmError::new(
                404,
                "RoleDefinitionDoesNotExist",
                format!("The specified role definition with ID '{guid}' does not exist."),
            )
        })
}

fn assignment_id(scope: &str, name: &str) -> String {
    let scope = if scope == "/" { "" } else { scope };
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

/// The scope must exist when it is a resource type mock-arm models.
fn ensure_scope(world: &World, scope: &str) -> Result<(), ArmError> {
    match path::parse(scope) {
        Some(Target::Item(resource)) => {
            parents::existing(world, &resource)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

pub fn get(world: &World, scope: &str, name: &str) -> Outcome {
    let key = assignment_id(scope, name).to_lowercase();
    world
        .get(&key)
        .map(|resource| Reply::ok(resource.body.clone()))
        .ok_or_else(|| {
            ArmError::new(
                404,
                "RoleAssignmentNotFound",
                format!("The role assignment '{name}' is not found."),
            )
        })
}

pub fn put(world: &mut World, request: &mut Request, scope: &str, name: &str) -> Outcome {
    if uuid::Uuid::parse_str(name).is_err() {
        return Err(ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!("The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."),
        ));
    }
    if !request.seeding {
        ensure_scope(world, scope)?;
    }
    let input = common::body_object(request)?;
    let role = json::str_at(&input, "/properties/roleDefinitionId")
        .ok_or_else(|| ArmError::required("properties.roleDefinitionId"))?;
    let principal = json::str_at(&input, "/properties/principalId")
        .ok_or_else(|| ArmError::required("properties.principalId"))?;
    let role_guid = role.rsplit('/').next().unwrap_or_default().to_lowercase();
    if !BUILT_IN_ROLES.iter().any(|(_, guid, _)| *guid == role_guid) && !request.seeding {
        return Err(ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{role_guid}' does not exist."),
        ));
    }
    let principal_type = json::str_at(&input, "/properties/principalType");
    let created = world.principals.get(&principal.to_lowercase()).copied();
    if principal_type.is_none() && !request.seeding {
        let window = world
            .settings
            .principal_not_found_window
            .mul_f64(world.settings.time_scale.max(0.0));
        if created.is_some_and(|at| request.now.saturating_duration_since(at) < window) {
            return Err(ArmError::bad_request(
                "PrincipalNotFound",
                format!("Principal {} does not exist in the directory {}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype", principal.replace('-', ""), world.settings.tenant_id),
            ));
        }
    }
    let key = assignment_id(scope, name).to_lowercase();
    let scope_lower = scope.to_lowercase();
    if let Some(current) = world.get(&key) {
        let same = json::str_at(&current.body, "/properties/principalId")
            .is_some_and(|p| p.eq_ignore_ascii_case(principal))
            && json::str_at(&current.body, "/properties/roleDefinitionId")
                .is_some_and(|r| r.to_lowercase().ends_with(&role_guid));
        if !same {
            return Err(ArmError::conflict(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
        return Ok(Reply::ok(current.body.clone()));
    }
    let duplicate = world.of_kind(Kind::RoleAssignment).find(|other| {
        other.parent_key == scope_lower
            && json::str_at(&other.body, "/properties/principalId")
                .is_some_and(|p| p.eq_ignore_ascii_case(principal))
            && json::str_at(&other.body, "/properties/roleDefinitionId")
                .is_some_and(|r| r.to_lowercase().ends_with(&role_guid))
    });
    if let Some(other) = duplicate {
        let existing_name = json::str_at(&other.body, "/name")
            .unwrap_or_default()
            .to_string();
        let mut error = ArmError::conflict(
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {}.",
                existing_name.replace('-', "")
            ),
        );
        error
            .details
            .push(json!({ "code": "RoleAssignmentExists", "message": other.id }));
        return Err(error);
    }
    let resolved_type = principal_type.map(str::to_string).unwrap_or_else(|| {
        if created.is_some() {
            "ServicePrincipal".to_string()
        } else {
            "User".to_string()
        }
    });
    let now = json!(json::timestamp(request.wall));
    let seeded = |field: &str| {
        if request.seeding {
            json::at(&input, &format!("/properties/{field}")).cloned()
        } else {
            None
        }
    };
    let mut properties = json!({
        "roleDefinitionId": definition_id(scope, &role_guid),
        "principalId": principal,
        "principalType": resolved_type,
        "scope": if scope.is_empty() { "/" } else { scope },
        "condition": json::at(&input, "/properties/condition").cloned().unwrap_or(Value::Null),
        "conditionVersion": json::at(&input, "/properties/conditionVersion").cloned().unwrap_or(Value::Null),
        "createdOn": seeded("createdOn").unwrap_or_else(|| now.clone()),
        "updatedOn": seeded("updatedOn").unwrap_or(now),
        "createdBy": common::CALLER,
        "updatedBy": common::CALLER,
        "delegatedManagedIdentityResourceId": json::at(&input, "/properties/delegatedManagedIdentityResourceId").cloned().unwrap_or(Value::Null),
    });
    if let Some(description) = json::at(&input, "/properties/description") {
        properties["description"] = description.clone();
    }
    let id = assignment_id(scope, name);
    let body = json!({ "id": id, "name": name, "type": Kind::RoleAssignment.arm_type(), "properties": properties });
    world.insert(Resource {
        id,
        kind: Kind::RoleAssignment,
        parent_key: scope_lower,
        body: body.clone(),
    });
    Ok(Reply::created(body))
}

pub fn delete(world: &mut World, scope: &str, name: &str) -> Outcome {
    let key = assignment_id(scope, name).to_lowercase();
    match world.remove_tree(&key).into_iter().next() {
        Some(removed) => Ok(Reply::ok(removed.body)),
        None => Ok(Reply::no_content()),
    }
}

fn is_ancestor_or_self(ancestor: &str, scope: &str) -> bool {
    ancestor == "/"
        || ancestor.is_empty()
        || scope == ancestor
        || scope.starts_with(&format!("{ancestor}/"))
}

/// `GET /{scope}/providers/Microsoft.Authorization/roleAssignments` with `$filter=atScope()`,
/// `principalId eq '...'` or `assignedTo('...')`.
pub fn list(world: &World, request: &Request, scope: &str) -> Outcome {
    let scope = scope.to_lowercase();
    let filter = request
        .query_param("$filter")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let at_scope = filter.contains("atscope()");
    let principal = ["principalid eq", "assignedto("].iter().find_map(|marker| {
        let start = filter.find(marker)? + marker.len();
        let rest = &filter[start..];
        let open = rest.find('\'')?;
        let close = rest[open + 1..].find('\'')?;
        Some(rest[open + 1..open + 1 + close].to_string())
    });
    let items: Vec<Value> = world
        .of_kind(Kind::RoleAssignment)
        .filter(|assignment| {
            let at = &assignment.parent_key;
            let above = is_ancestor_or_self(at, &scope);
            let below = is_ancestor_or_self(&scope, at);
            let in_scope = if at_scope { above } else { above || below };
            in_scope
                && principal.as_ref().is_none_or(|wanted| {
                    json::str_at(&assignment.body, "/properties/principalId")
                        .is_some_and(|p| p.eq_ignore_ascii_case(wanted))
                })
        })
        .map(|assignment| assignment.body.clone())
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

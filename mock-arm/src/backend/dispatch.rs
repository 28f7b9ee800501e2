//! Routes a decoded ARM request to the provider that owns it, after api-version validation.

use super::context::{Method, Outcome, Reply, Request};
use super::error::ArmError;
use super::listing;
use super::path::{self, ResourcePath, Target};
use super::types::{Kind, ROLE_DEFINITION_VERSIONS, SUBSCRIPTION_VERSIONS};
use super::world::World;
use super::writes;
use super::{
    agent_pool, authorization, cluster, credentials, identity, keyvault, lro, maintenance,
    registry, replication, resources, storage, storage_children, workspace,
};

/// Handles one ARM request against the world.
pub fn handle(world: &mut World, request: &mut Request) -> Outcome {
    lro::advance(world, request.now, request.wall);
    let target = path::parse(&request.path).ok_or_else(|| unknown_path(&request.path))?;
    check_api_version(request, &target)?;
    check_subscription(world, &request.path)?;
    route(world, request, target)
}

fn unknown_path(path: &str) -> ArmError {
    if path.to_ascii_lowercase().contains("/providers/") {
        ArmError::bad_request(
            "InvalidResourceType",
            format!(
                "The resource type in '{path}' could not be found: mock-arm does not model it."
            ),
        )
    } else {
        ArmError::new(
            404,
            "NotFound",
            format!("The request path '{path}' is not an ARM route mock-arm serves."),
        )
    }
}

/// 404 SubscriptionNotFound for a path under a subscription the world does not know (only once
/// subscriptions were declared through `/_mock/state`).
fn check_subscription(world: &World, path: &str) -> Result<(), ArmError> {
    let mut segments = path.split('/').filter(|segment| !segment.is_empty());
    let (Some(first), Some(subscription)) = (segments.next(), segments.next()) else {
        return Ok(());
    };
    if !first.eq_ignore_ascii_case("subscriptions") || world.knows_subscription(subscription) {
        return Ok(());
    }
    Err(resources::subscription_not_found(subscription))
}

fn supported_versions(target: &Target) -> Option<&'static [&'static str]> {
    match target {
        Target::ResourceGroupList { .. } | Target::GenericList { .. } => {
            Some(Kind::ResourceGroup.info().api_versions)
        }
        Target::SubscriptionList | Target::Subscription { .. } => Some(SUBSCRIPTION_VERSIONS),
        Target::Item(path) | Target::Action { path, .. } => Some(path.kind.info().api_versions),
        Target::List { kind, .. } => Some(kind.info().api_versions),
        Target::CheckName { namespace, .. } => {
            let kind = match namespace.to_ascii_lowercase().as_str() {
                "microsoft.containerregistry" => Kind::Registry,
                "microsoft.keyvault" => Kind::Vault,
                "microsoft.storage" => Kind::StorageAccount,
                _ => return None,
            };
            Some(kind.info().api_versions)
        }
        Target::Operation { .. } => None,
        Target::DeletedVaultList { .. } | Target::DeletedVault { .. } => {
            Some(Kind::Vault.info().api_versions)
        }
        Target::DeletedWorkspaceList { .. } => Some(Kind::Workspace.info().api_versions),
        Target::RoleAssignmentList { .. } | Target::RoleAssignment { .. } => {
            Some(Kind::RoleAssignment.info().api_versions)
        }
        Target::RoleDefinitionList { .. } | Target::RoleDefinition { .. } => {
            Some(ROLE_DEFINITION_VERSIONS)
        }
    }
}

fn check_api_version(request: &Request, target: &Target) -> Result<(), ArmError> {
    let version = request.api_version();
    if version.is_empty() {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    let Some(supported) = supported_versions(target) else {
        return Ok(());
    };
    if supported.contains(&version) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidApiVersionParameter",
        format!(
            "The api-version '{version}' is invalid. The supported versions are '{}'.",
            supported.join(",")
        ),
    ))
}

fn method_not_allowed(request: &Request) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!(
            "The method '{:?}' is not supported on '{}'.",
            request.method, request.path
        ),
    )
}

fn route(world: &mut World, request: &mut Request, target: Target) -> Outcome {
    use Method::*;
    match (target, request.method) {
        (Target::SubscriptionList, Get) => resources::list_subscriptions(world, request),
        (Target::Subscription { subscription }, Get) => {
            resources::subscription(world, &subscription)
        }
        (
            Target::GenericList {
                subscription,
                group,
            },
            Get,
        ) => resources::list_generic(world, request, &subscription, group.as_deref()),
        (Target::ResourceGroupList { subscription }, Get) => {
            resources::list(world, request, &subscription)
        }
        (Target::Item(path), _) => item(world, request, &path),
        (Target::List { kind, scope }, Get) => listing::list(world, request, kind, &scope),
        (Target::Action { path, action }, Post) => {
            credentials::action(world, request, &path, &action)
        }
        (Target::CheckName { namespace, .. }, Post) => {
            match namespace.to_ascii_lowercase().as_str() {
                "microsoft.containerregistry" => registry::check_name(world, request),
                "microsoft.keyvault" => keyvault::check_name(world, request),
                "microsoft.storage" => storage::check_name(world, request),
                _ => Err(unknown_path(&request.path)),
            }
        }
        (
            Target::Operation {
                subscription,
                id,
                result,
                ..
            },
            Get,
        ) => lro::poll(world, request, &subscription, &id, result),
        (Target::DeletedVaultList { subscription }, Get) => {
            keyvault::list_deleted(world, request, &subscription)
        }
        (
            Target::DeletedWorkspaceList {
                subscription,
                group,
            },
            Get,
        ) => workspace::list_deleted(world, request, &subscription, group.as_deref()),
        (
            Target::DeletedVault {
                subscription,
                location,
                name,
                purge: false,
            },
            Get,
        ) => keyvault::get_deleted(world, &subscription, &location, &name),
        (
            Target::DeletedVault {
                subscription,
                location,
                name,
                purge: true,
            },
            Post,
        ) => keyvault::purge(world, request, &subscription, &location, &name),
        (Target::RoleAssignmentList { scope }, Get) => authorization::list(world, request, &scope),
        (Target::RoleAssignment { scope, name }, Get) => authorization::get(world, &scope, &name),
        (Target::RoleAssignment { scope, name }, Put) => {
            authorization::put(world, request, &scope, &name)
        }
        (Target::RoleAssignment { scope, name }, Delete) => {
            authorization::delete(world, &scope, &name)
        }
        (Target::RoleDefinitionList { scope }, Get) => {
            authorization::list_definitions(world, request, &scope)
        }
        (Target::RoleDefinition { scope, name }, Get) => {
            authorization::get_definition(&scope, &name)
        }
        _ => Err(method_not_allowed(request)),
    }
}

/// Handles a request on one resource (also used to seed the world).
pub fn item(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let outcome = item_by_kind(world, request, path);
    let pointer = match path.kind {
        Kind::ManagedCluster => "/eTag",
        Kind::AgentPool => "/properties/eTag",
        _ => return outcome,
    };
    // AKS also sends the body's eTag as an ETag header.
    outcome.map(|reply| {
        let etag = reply
            .body
            .as_ref()
            .and_then(|body| body.pointer(pointer))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        match etag {
            Some(etag) => reply.with_header("ETag", format!("\"{etag}\"")),
            None => reply,
        }
    })
}

fn item_by_kind(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    use Kind::*;
    use Method::*;
    match (path.kind, request.method) {
        (ResourceGroup, Head) => resources::head(world, path),
        (ResourceGroup, Put) => resources::put(world, request, path),
        (ResourceGroup, Patch) => resources::patch(world, request, path),
        (ResourceGroup, Delete) => resources::delete(world, request, path),
        (Registry, Put) => registry::put(world, request, path),
        (Registry, Patch) => registry::patch(world, request, path),
        (Registry, Delete) => registry::delete(world, request, path),
        (Replication, Put) => replication::put(world, request, path),
        (Replication, Patch) => replication::patch(world, request, path),
        (Replication, Delete) => replication::delete(world, request, path),
        (Workspace, Put) => workspace::put(world, request, path),
        (Workspace, Patch) => workspace::patch(world, request, path),
        (Workspace, Delete) => workspace::delete(world, request, path),
        (MaintenanceConfiguration, Put) => maintenance::put(world, request, path),
        (MaintenanceConfiguration, Delete) => writes::delete_sync(world, request, path),
        (Vault, Put) => keyvault::put(world, request, path),
        (Vault, Patch) => keyvault::patch(world, request, path),
        (StorageAccount, Put) => storage::put(world, request, path),
        (StorageAccount, Patch) => storage::patch(world, request, path),
        (BlobService, Put) => storage_children::put_blob_service(world, request, path),
        (BlobContainer, Put) => storage_children::put_container(world, request, path),
        (BlobContainer, Patch) => storage_children::patch_container(world, request, path),
        (ManagementPolicy, Put) => storage_children::put_management_policy(world, request, path),
        (Identity, Put) => identity::put_identity(world, request, path),
        (Identity, Patch) => identity::patch_identity(world, request, path),
        (FederatedCredential, Put) => identity::put_credential(world, request, path),
        (FederatedCredential, Delete) => identity::delete_credential(world, request, path),
        (ManagedCluster, Put) => cluster::put(world, request, path),
        (ManagedCluster, Patch) => cluster::patch(world, request, path),
        (ManagedCluster, Delete) => cluster::delete(world, request, path),
        (AgentPool, Put) => agent_pool::put(world, request, path),
        (AgentPool, Delete) => agent_pool::delete(world, request, path),
        (Vault | StorageAccount | BlobContainer | ManagementPolicy | Identity, Delete) => {
            if path.kind == StorageAccount || path.kind == Vault {
                if let Some(resource) = world.get(&path.key()) {
                    if resource
                        .provisioning_state()
                        .is_some_and(|s| s != "Succeeded" && s != "Failed")
                    {
                        writes::ensure_idle(world, &path.key(), path.name())?;
                    }
                }
            }
            writes::delete_sync(world, request, path)
        }
        (_, Get) => listing::get(world, request, path),
        (_, Head) => Ok(Reply::new(
            if world.contains(&path.key()) {
                200
            } else {
                404
            },
            None,
        )),
        _ => Err(method_not_allowed(request)),
    }
}

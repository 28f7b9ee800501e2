//! Routes a decoded ARM request to the provider that owns it, after api-version validation.

use super::context::{Method, Outcome, Request};
use super::error::ArmError;
use super::listing;
use super::path::{self, ResourcePath, Target};
use super::types::{Kind, ROLE_DEFINITION_VERSIONS, SUBSCRIPTION_VERSIONS};
use super::world::World;
use super::{
    authorization, credentials, keyvault, lro, provider, registry, resources, storage,
    storage_migration, subscriptions,
};

/// Handles one ARM request against the world.
pub fn handle(world: &mut World, request: &mut Request) -> Outcome {
    lro::advance(world, request.now, request.wall);
    let target = path::parse(&request.path).ok_or_else(|| unknown_path(&request.path))?;
    check_api_version(request, &target)?;
    subscriptions::check_access(world, &request.path)?;
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
        Target::SoftDeletedList { kind, .. } => Some(kind.info().api_versions),
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

fn route(world: &mut World, request: &mut Request, target: Target) -> Outcome {
    use Method::*;
    match (target, request.method) {
        (Target::SubscriptionList, Get) => subscriptions::list_subscriptions(world, request),
        (Target::Subscription { subscription }, Get) => {
            subscriptions::subscription(world, &subscription)
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
        (Target::Action { path, action }, Post)
            if path.kind == Kind::StorageAccount
                && action.eq_ignore_ascii_case("startAccountMigration") =>
        {
            storage_migration::start(world, request, &path)
        }
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
            Target::SoftDeletedList {
                kind,
                subscription,
                group,
            },
            Get,
        ) => provider::of(kind).list_soft_deleted(world, request, &subscription, group.as_deref()),
        (
            Target::DeletedVault {
                subscription,
                location,
                name,
                purge: false,
            },
            Get,
        ) => keyvault::get_deleted(world, request, &subscription, &location, &name),
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
        _ => Err(provider::method_not_allowed(request)),
    }
}

/// Handles a request on one resource through its type's provider.
pub fn item(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let provider = provider::of(path.kind);
    let outcome = match request.method {
        Method::Get => provider.get(world, request, path),
        Method::Head => provider.head(world, request, path),
        Method::Put => provider.put(world, request, path),
        Method::Patch => provider.patch(world, request, path),
        Method::Delete => provider.delete(world, request, path),
        Method::Post => Err(provider::method_not_allowed(request)),
    };
    // AKS also sends the body's eTag as an ETag header.
    outcome.map(|reply| {
        let etag = reply
            .body
            .as_ref()
            .and_then(|body| provider.etag_header(body));
        match etag {
            Some(etag) => reply.with_header("ETag", format!("\"{etag}\"")),
            None => reply,
        }
    })
}

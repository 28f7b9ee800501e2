//! The per-type hooks a resource provider implements (moto's per-model hooks are the model): the
//! request verbs on one item, seeding from `/_mock/state`, how a stored resource renders, and what
//! happens when it is removed. Generic code (dispatch, render, removal, snapshot) only calls these.

use serde_json::Value;
use time::OffsetDateTime;

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::Action;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};
use super::{
    agent_pool, authorization, cluster, identity, keyvault, listing, maintenance, network,
    private_dns, private_endpoint, registry, replication, resources, storage, storage_children,
    storage_migration, workspace,
};

/// 405 for a verb a type does not support.
pub fn method_not_allowed(request: &Request) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!(
            "The method '{:?}' is not supported on '{}'.",
            request.method, request.path
        ),
    )
}

/// One resource type's behaviour. Every method has ARM's generic default.
pub trait Provider: Sync {
    /// GET of the item (404 for the first missing level).
    fn get(&self, world: &World, request: &Request, path: &ResourcePath) -> Outcome {
        listing::get(world, request, path)
    }

    /// HEAD of the item: 200 or 404.
    fn head(&self, world: &World, _request: &Request, path: &ResourcePath) -> Outcome {
        let status = if world.contains(&path.key()) {
            200
        } else {
            404
        };
        Ok(Reply::new(status, None))
    }

    fn put(&self, _world: &mut World, request: &mut Request, _path: &ResourcePath) -> Outcome {
        Err(method_not_allowed(request))
    }

    fn patch(&self, _world: &mut World, request: &mut Request, _path: &ResourcePath) -> Outcome {
        Err(method_not_allowed(request))
    }

    fn delete(&self, _world: &mut World, request: &mut Request, _path: &ResourcePath) -> Outcome {
        Err(method_not_allowed(request))
    }

    /// Stores `body` (an ARM GET body from `/_mock/state`) at `path`: read-only fields it carries
    /// are kept, missing ones filled as on create; request-path rules (running operations,
    /// preconditions, existence of referenced resources) do not apply.
    fn seed(
        &self,
        world: &mut World,
        request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError>;

    /// What GET returns for a stored resource.
    fn render(&self, _world: &World, resource: &Resource) -> Value {
        resource.body.clone()
    }

    /// Called for every resource a delete removes (its children included).
    fn on_removed(&self, _world: &mut World, _removed: &Resource, _wall: OffsetDateTime) {}

    /// Called when a long-running operation on the resource under `key` ends (after the generic
    /// state change).
    fn on_operation_done(&self, _world: &mut World, _key: &str, _action: Action, _succeeded: bool) {
    }

    /// Keys of resources whose provisioning state follows this one's operations.
    fn state_followers(&self, _world: &World, _resource: &Resource) -> Vec<String> {
        Vec::new()
    }

    /// The value of the `ETag` header sent with the item's answers, if the type sends one.
    fn etag_header(&self, _body: &Value) -> Option<String> {
        None
    }
}

/// The provider of `kind` (one entry per kind: the compiler catches a forgotten one).
pub fn of(kind: Kind) -> &'static dyn Provider {
    match kind {
        Kind::ResourceGroup => &resources::ResourceGroups,
        Kind::Registry => &registry::Registries,
        Kind::Replication => &replication::Replications,
        Kind::Vault => &keyvault::Vaults,
        Kind::StorageAccount => &storage::StorageAccounts,
        Kind::BlobService => &storage_children::BlobServices,
        Kind::BlobContainer => &storage_children::BlobContainers,
        Kind::ManagementPolicy => &storage_children::ManagementPolicies,
        Kind::Identity => &identity::Identities,
        Kind::FederatedCredential => &identity::FederatedCredentials,
        Kind::ManagedCluster => &cluster::ManagedClusters,
        Kind::AgentPool => &agent_pool::AgentPools,
        Kind::MaintenanceConfiguration => &maintenance::MaintenanceConfigurations,
        Kind::RoleAssignment => &authorization::RoleAssignments,
        Kind::Workspace => &workspace::Workspaces,
        Kind::AccountMigration => &storage_migration::AccountMigrations,
        Kind::VirtualNetwork => &network::VirtualNetworks,
        Kind::Subnet => &network::Subnets,
        Kind::PrivateEndpoint => &private_endpoint::PrivateEndpoints,
        Kind::PrivateDnsZoneGroup => &private_endpoint::PrivateDnsZoneGroups,
        Kind::PrivateDnsZone => &private_dns::PrivateDnsZones,
        Kind::VirtualNetworkLink => &private_dns::VirtualNetworkLinks,
        Kind::ClusterExtension => &super::gitops::ClusterExtensions,
        Kind::FluxConfiguration => &super::gitops::FluxConfigurations,
        Kind::DiagnosticSettingOfCluster
        | Kind::DiagnosticSettingOfVault
        | Kind::DiagnosticSettingOfRegistry
        | Kind::DiagnosticSettingOfStorageAccount
        | Kind::DiagnosticSettingOfBlobService => &super::diagnostics::DiagnosticSettings,
    }
}

/// Stores a seeded body: `provisioningState` as given (default `Succeeded`), `systemData` as
/// given when present.
pub fn store_seeded(
    world: &mut World,
    path: &ResourcePath,
    id: String,
    parent_key: String,
    mut body: Value,
    given: &Value,
) {
    let state = super::json::at(given, "/properties/provisioningState")
        .cloned()
        .unwrap_or_else(|| serde_json::json!("Succeeded"));
    if body.get("properties").is_some() {
        body["properties"]["provisioningState"] = state;
    }
    if let Some(system) = given.get("systemData") {
        if body.get("systemData").is_some() {
            body["systemData"] = system.clone();
        }
    }
    world.insert(Resource {
        id,
        kind: path.kind,
        parent_key,
        body,
    });
}

/// Copies the values `given` holds at `pointers` (JSON pointers) into `body`: the read-only
/// fields a seeded document recorded win over freshly generated ones.
pub fn overlay(body: &mut Value, given: &Value, pointers: &[&str]) {
    for pointer in pointers {
        let Some(value) = given.pointer(pointer) else {
            continue;
        };
        let mut target = &mut *body;
        let mut keys = pointer.split('/').skip(1).peekable();
        while let Some(key) = keys.next() {
            if keys.peek().is_none() {
                super::json::set(target, key, value.clone());
            } else {
                target = super::json::child(target, key);
            }
        }
    }
}

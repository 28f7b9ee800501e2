//! The world as JSON (`/_mock/state`, the state file): export every resource as GET returns it,
//! and replace the world from such a document (parents inferred, missing fields filled).

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::context::{Method, Request};
use super::error::ArmError;
use super::path::{self, ResourcePath, Target};
use super::types::{seed_rank, Kind};
use super::world::{DeletedVault, DeletedWorkspace, World};
use super::{
    authorization, json, keyvault, lro, provider, removal, render, resources, server_side,
    subscriptions, workspace,
};

/// `{"resources":[...], "deletedVaults":[...], "deletedWorkspaces":[...], "subscriptions":[...]}`.
pub fn export(world: &World) -> Value {
    let resources: Vec<Value> = world
        .resources
        .keys()
        .filter_map(|key| render::render_key(world, key, ""))
        .collect();
    let deleted: Vec<Value> = world
        .deleted_vaults
        .values()
        .map(keyvault::deleted_body)
        .collect();
    let deleted_workspaces: Vec<Value> = world
        .deleted_workspaces
        .values()
        .map(workspace::deleted_state)
        .collect();
    json!({
        "resources": resources,
        "deletedVaults": deleted,
        "deletedWorkspaces": deleted_workspaces,
        "subscriptions": subscriptions::declared_subscriptions(world),
        "takenNames": server_side::taken_names(world),
    })
}

enum Seed {
    Resource(ResourcePath),
    Assignment { scope: String, name: String },
}

/// Replaces the world with `document`. With `settle`, operations that were running when the
/// document was written are treated as finished.
pub fn import(world: &mut World, document: &Value, settle: bool) -> Result<(), ArmError> {
    let resources = document
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut seeds = Vec::new();
    for body in resources {
        let id = json::str_at(&body, "/id")
            .ok_or_else(|| ArmError::bad_request("InvalidState", "Every resource needs an 'id'."))?
            .to_string();
        let seed = match path::parse(&id) {
            Some(Target::Item(resource_path)) => Seed::Resource(resource_path),
            Some(Target::RoleAssignment { scope, name }) => Seed::Assignment { scope, name },
            _ => {
                return Err(ArmError::bad_request(
                    "InvalidState",
                    format!("'{id}' is not the id of a resource type mock-arm models."),
                ))
            }
        };
        let rank = match &seed {
            Seed::Resource(p) => seed_rank(p.kind),
            Seed::Assignment { .. } => seed_rank(Kind::RoleAssignment),
        };
        seeds.push((rank, id, seed, body));
    }
    seeds.sort_by_key(|seed| (seed.0, seed.1.len()));
    world.clear();
    for entry in document
        .get("subscriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let subscription = subscriptions::parse_subscription(entry, &world.settings.tenant_id)?;
        world
            .subscriptions
            .insert(subscription.subscription_id.to_lowercase(), subscription);
    }
    for (_, id, seed, body) in seeds {
        let api_version = match &seed {
            Seed::Resource(p) => p.kind.info().api_versions[0],
            Seed::Assignment { .. } => Kind::RoleAssignment.info().api_versions[0],
        };
        let request = Request::internal(Method::Put, &id, api_version, Some(body.clone()));
        let result = match &seed {
            Seed::Resource(resource_path) => {
                if resource_path.kind != Kind::ResourceGroup {
                    let location = json::str_at(&body, "/location").unwrap_or("eastus");
                    resources::ensure_exists(world, &resource_path.group_path(), location, None);
                }
                if !body.is_object() {
                    return Err(ArmError::bad_request(
                        "InvalidState",
                        format!("Seeding '{id}' failed: the resource is not a JSON object."),
                    ));
                }
                provider::of(resource_path.kind).seed(world, &request, resource_path, &body)
            }
            Seed::Assignment { scope, name } => {
                authorization::seed(world, &request, scope, name, &body)
            }
        };
        result.map_err(|error| {
            ArmError::bad_request(
                &error.code,
                format!("Seeding '{id}' failed: {}", error.message),
            )
        })?;
    }
    for record in document
        .get("deletedVaults")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let deleted = deleted_vault(record)?;
        world.deleted_vaults.insert(
            World::deleted_vault_key(&deleted.subscription, &deleted.name),
            deleted,
        );
    }
    for entry in document
        .get("takenNames")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        server_side::add_taken_name(world, entry)?;
    }
    for record in document
        .get("deletedWorkspaces")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (key, deleted) = deleted_workspace(record)?;
        world.deleted_workspaces.insert(key, deleted);
    }
    if settle {
        settle_states(world);
    }
    world.dirty = false;
    Ok(())
}

fn parse_time(value: Option<&str>) -> OffsetDateTime {
    value
        .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
        .unwrap_or_else(OffsetDateTime::now_utc)
}

fn deleted_vault(record: &Value) -> Result<DeletedVault, ArmError> {
    let id = json::str_at(record, "/id").unwrap_or_default();
    let subscription = id.split('/').nth(2).unwrap_or_default().to_string();
    let name = json::str_at(record, "/name")
        .ok_or_else(|| ArmError::bad_request("InvalidState", "A deleted vault needs a 'name'."))?
        .to_string();
    let properties = record
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let location =
        json::normalize_location(json::str_at(&properties, "/location").unwrap_or("eastus"));
    Ok(DeletedVault {
        subscription,
        name: name.clone(),
        location: location.clone(),
        vault: json!({
            "id": properties.get("vaultId").cloned().unwrap_or(Value::Null),
            "name": name,
            "location": location,
            "tags": properties.get("tags").cloned().unwrap_or_else(|| json!({})),
            "properties": { "enablePurgeProtection": json::bool_at(&properties, "/purgeProtectionEnabled").unwrap_or(false) },
        }),
        deletion_date: parse_time(json::str_at(&properties, "/deletionDate")),
        scheduled_purge_date: parse_time(json::str_at(&properties, "/scheduledPurgeDate")),
        purge_protection: json::bool_at(&properties, "/purgeProtectionEnabled").unwrap_or(false),
    })
}

/// `{"workspace": <GET body>, "deletionDate"?, "purgeDate"?}` (dates default to now and now + 14
/// days).
fn deleted_workspace(record: &Value) -> Result<(String, DeletedWorkspace), ArmError> {
    let body = record.get("workspace").cloned().unwrap_or(Value::Null);
    let id = json::str_at(&body, "/id").unwrap_or_default();
    let path = match path::parse(id) {
        Some(Target::Item(path)) if path.kind == Kind::Workspace => path,
        _ => {
            return Err(ArmError::bad_request(
                "InvalidState",
                format!("A deleted workspace needs 'workspace.id' naming a Microsoft.OperationalInsights/workspaces resource (got '{id}')."),
            ))
        }
    };
    let location = json::normalize_location(json::str_at(&body, "/location").unwrap_or("eastus"));
    let deletion_date = parse_time(json::str_at(record, "/deletionDate"));
    let purge_date = json::str_at(record, "/purgeDate")
        .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
        .unwrap_or(deletion_date + time::Duration::days(workspace::SOFT_DELETE_DAYS));
    let mut body = body;
    body["id"] = json!(workspace::workspace_id(&path));
    Ok((
        path.key(),
        DeletedWorkspace {
            location,
            body,
            deletion_date,
            purge_date,
        },
    ))
}

/// Finishes transitional states of a loaded world: Creating/Updating -> Succeeded, Deleting -> gone.
fn settle_states(world: &mut World) {
    let keys: Vec<(String, Option<String>)> = world
        .resources
        .iter()
        .map(|(key, resource)| {
            (
                key.clone(),
                resource.provisioning_state().map(str::to_string),
            )
        })
        .collect();
    let wall = OffsetDateTime::now_utc();
    for (key, state) in keys {
        match state.as_deref() {
            Some("Deleting") => removal::delete_resource(world, &key, wall),
            Some("Creating" | "Updating" | "RegisteringDns" | "ResolvingDNS" | "Accepted") => {
                lro::set_state(world, &key, "Succeeded")
            }
            _ => {}
        }
    }
}

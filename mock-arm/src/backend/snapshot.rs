//! The world as JSON (`/_mock/state`, the state file): export every resource as GET returns it,
//! and replace the world from such a document (parents inferred, missing fields filled).

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::context::{Method, Request};
use super::error::ArmError;
use super::path::{self, ResourcePath, Target};
use super::types::{seed_rank, Kind, TYPES};
use super::world::{DeletedVault, World};
use super::{
    authorization, json, keyvault, lro, provider, removal, render, resources, server_side,
    subscriptions,
};

/// `{"resources":[...], "deletedVaults":[...], "<soft-deleted collection>":[...] (per type, `deletedWorkspaces`), "subscriptions":[...]}`.
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
    let mut document = json!({
        "resources": resources,
        "deletedVaults": deleted,
    });
    // Each type keeping soft-deleted resources lists them under its collection's name.
    for info in TYPES {
        let Some(collection) = info.provider.soft_deleted_collection() else {
            continue;
        };
        let records: Vec<Value> = world
            .soft_deleted
            .values()
            .filter(|record| record.kind == info.kind)
            .map(|record| info.provider.soft_deleted_state(record))
            .collect();
        document[collection] = json!(records);
    }
    document["subscriptions"] = json!(subscriptions::declared_subscriptions(world));
    document["takenNames"] = json!(server_side::taken_names(world));
    document
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
    for info in TYPES {
        let Some(collection) = info.provider.soft_deleted_collection() else {
            continue;
        };
        for record in document
            .get(collection)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (key, deleted) = info.provider.load_soft_deleted(record)?;
            world.soft_deleted.insert(key, deleted);
        }
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

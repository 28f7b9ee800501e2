//! Microsoft.KeyVault/vaults and deletedVaults: soft delete on DELETE, names held by deleted
//! vaults, recover via `createMode: recover`, purge (LRO), irreversible purge protection.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::listing;
use super::lro::{self, Action, Polling, Start};
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{DeletedVault, Resource, World};
use super::writes;

static VAULT_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$"));

fn name_problem(name: &str) -> Option<String> {
    (!common::matches(&VAULT_NAME, name) || name.contains("--")).then(|| {
        format!("The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.")
    })
}

fn deleted_in_state_error() -> ArmError {
    ArmError::conflict(
        "ConflictError",
        "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
    )
}

fn live_elsewhere<'a>(world: &'a World, name: &str, key: &str) -> Option<&'a Resource> {
    world.of_kind(Kind::Vault).find(|vault| {
        vault.key() != key
            && json::str_at(&vault.body, "/name")
                .is_some_and(|other| other.eq_ignore_ascii_case(name))
    })
}

fn deleted_named<'a>(world: &'a World, name: &str) -> Option<(&'a String, &'a DeletedVault)> {
    world
        .deleted_vaults
        .iter()
        .find(|(_, vault)| vault.name.eq_ignore_ascii_case(name))
}

fn validate_properties(
    properties: &Value,
    existing: Option<&Value>,
    recovering: bool,
) -> Result<(), ArmError> {
    if json::at(properties, "/tenantId").is_none() {
        return Err(ArmError::required("properties.tenantId"));
    }
    if json::at(properties, "/sku/name").is_none() || json::at(properties, "/sku/family").is_none()
    {
        return Err(ArmError::required("properties.sku"));
    }
    if existing.is_none() && !recovering && json::at(properties, "/accessPolicies").is_none() {
        return Err(ArmError::required("properties.accessPolicies"));
    }
    if let Some(days) = json::at(properties, "/softDeleteRetentionInDays").and_then(Value::as_i64) {
        if !(7..=90).contains(&days) {
            return Err(ArmError::bad_request(
                "BadRequest",
                "softDeleteRetentionInDays must be between 7 and 90.",
            ));
        }
    }
    let Some(previous) = existing.and_then(|body| body.get("properties")) else {
        return Ok(());
    };
    if json::bool_at(previous, "/enablePurgeProtection") == Some(true)
        && json::bool_at(properties, "/enablePurgeProtection") == Some(false)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.",
        ));
    }
    if json::bool_at(previous, "/enableSoftDelete") == Some(true)
        && json::bool_at(properties, "/enableSoftDelete") == Some(false)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The property \"enableSoftDelete\" cannot be set to false. Enabling the 'soft delete' functionality is an irreversible action.",
        ));
    }
    let old_days = json::at(previous, "/softDeleteRetentionInDays");
    let new_days = json::at(properties, "/softDeleteRetentionInDays");
    if let (Some(old), Some(new)) = (old_days, new_days) {
        if old != new {
            return Err(ArmError::property_change_not_allowed(
                "properties.softDeleteRetentionInDays",
                old,
                new,
            ));
        }
    }
    Ok(())
}

fn fill_defaults(properties: &mut Value, name: &str) {
    json::default(properties, "enabledForDeployment", json!(false));
    json::default(properties, "enabledForDiskEncryption", json!(false));
    json::default(properties, "enabledForTemplateDeployment", json!(false));
    json::default(properties, "enableSoftDelete", json!(true));
    json::default(properties, "softDeleteRetentionInDays", json!(90));
    json::default(properties, "enableRbacAuthorization", json!(true));
    json::default(properties, "accessPolicies", json!([]));
    json::default(properties, "publicNetworkAccess", json!("Enabled"));
    json::default(
        properties,
        "networkAcls",
        json!({ "bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": [] }),
    );
    json::default(properties, "privateEndpointConnections", json!([]));
    json::default(
        properties,
        "vaultUri",
        json!(format!("https://{}.vault.azure.net", name.to_lowercase())),
    );
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if let Some(problem) = name_problem(path.name()) {
        return Err(ArmError::bad_request("VaultNameNotValid", problem));
    }
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let key = path.key();
    let recovering = json::str_at(&input, "/properties/createMode")
        .is_some_and(|mode| mode.eq_ignore_ascii_case("recover"));
    if live_elsewhere(world, path.name(), &key).is_some() {
        return Err(ArmError::conflict(
            "VaultAlreadyExists",
            format!("The vault name '{}' is already in use. Vault names are globally unique so it is possible that the name is already taken.", path.name()),
        ));
    }
    let existing = world.get(&key).cloned();
    let deleted = deleted_named(world, path.name()).map(|(k, v)| (k.clone(), v.clone()));
    if existing.is_none() && deleted.is_some() && !recovering && !request.seeding {
        return Err(deleted_in_state_error());
    }
    if recovering && existing.is_none() && deleted.is_none() {
        return Err(ArmError::new(
            404,
            "ResourceNotFound",
            format!(
                "No deleted vault named '{}' was found to recover.",
                path.name()
            ),
        ));
    }
    let location = common::required_location(&input)?;
    common::ensure_same_location(existing.as_ref(), &location, path)?;
    common::validate_tags(&input)?;
    let mut properties = input
        .get("properties")
        .cloned()
        .ok_or_else(|| ArmError::required("properties"))?;
    if let (true, None, Some((_, record))) = (recovering, &existing, &deleted) {
        if record.location != location {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "The vault must be recovered in its original location '{}'.",
                    record.location
                ),
            ));
        }
        let mut restored = record
            .vault
            .get("properties")
            .cloned()
            .unwrap_or_else(|| json!({}));
        json::merge(&mut restored, &properties);
        properties = restored;
    }
    validate_properties(&properties, existing.as_ref().map(|r| &r.body), recovering)?;
    json::remove(&mut properties, "createMode");
    json::remove(&mut properties, "provisioningState");
    if !request.seeding {
        json::remove(&mut properties, "vaultUri");
    }
    fill_defaults(&mut properties, path.name());
    let existing_body = existing.as_ref().map(|r| &r.body);
    let mut body =
        common::tracked_envelope(&path.id(), path, &location, &input, existing_body, request);
    if let Some(record) = deleted
        .as_ref()
        .filter(|_| recovering && existing.is_none())
    {
        if json::at(&input, "/tags").is_none() {
            body["tags"] = record
                .1
                .vault
                .get("tags")
                .cloned()
                .unwrap_or_else(|| json!({}));
        }
    }
    body["properties"] = properties;
    if request.seeding {
        let state = json::at(&input, "/properties/provisioningState")
            .cloned()
            .unwrap_or(json!("Succeeded"));
        body["properties"]["provisioningState"] = state;
        world.insert(Resource {
            id: path.id(),
            kind: Kind::Vault,
            parent_key,
            body: body.clone(),
        });
        return Ok(Reply::ok(body));
    }
    if existing.is_some() {
        body["properties"]["provisioningState"] = json!("Succeeded");
        world.insert(Resource {
            id: path.id(),
            kind: Kind::Vault,
            parent_key,
            body: body.clone(),
        });
        return Ok(Reply::ok(body));
    }
    if let Some((deleted_key, _)) = &deleted {
        world.deleted_vaults.remove(deleted_key);
    }
    body["properties"]["provisioningState"] = json!("RegisteringDns");
    world.insert(Resource {
        id: path.id(),
        kind: Kind::Vault,
        parent_key,
        body: body.clone(),
    });
    writes::start_operation(
        world,
        request,
        path,
        &location,
        Action::Create,
        Polling::Location,
        Reply::created(body),
    )
}

pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    let patch = common::body_object(request)?;
    let mut merged = current.body.clone();
    json::merge(&mut merged, &patch);
    let mut properties = merged
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    validate_properties(&properties, Some(&current.body), false)?;
    json::remove(&mut properties, "createMode");
    merged["properties"] = properties;
    merged["systemData"] = common::system_data(Some(&current.body), request);
    common::validate_tags(&merged)?;
    if let Some(resource) = world.get_mut(&current.key()) {
        resource.body = merged.clone();
    }
    Ok(Reply::ok(merged))
}

/// Records a deleted vault (called by the delete cascade).
pub fn soft_delete(world: &mut World, vault: &Resource, wall: OffsetDateTime) {
    if json::bool_at(&vault.body, "/properties/enableSoftDelete") == Some(false) {
        return;
    }
    let days = json::at(&vault.body, "/properties/softDeleteRetentionInDays")
        .and_then(Value::as_i64)
        .unwrap_or(90);
    let subscription = vault.id.split('/').nth(2).unwrap_or_default().to_string();
    let name = json::str_at(&vault.body, "/name")
        .unwrap_or_default()
        .to_string();
    let record = DeletedVault {
        subscription: subscription.clone(),
        name: name.clone(),
        location: vault.location().unwrap_or_default().to_string(),
        vault: vault.body.clone(),
        deletion_date: wall,
        scheduled_purge_date: wall + time::Duration::days(days),
        purge_protection: json::bool_at(&vault.body, "/properties/enablePurgeProtection")
            == Some(true),
    };
    world
        .deleted_vaults
        .insert(World::deleted_vault_key(&subscription, &name), record);
    world.dirty = true;
}

/// The DeletedVault body ARM returns.
pub fn deleted_body(record: &DeletedVault) -> Value {
    json!({
        "id": format!("/subscriptions/{}/providers/Microsoft.KeyVault/locations/{}/deletedVaults/{}", record.subscription, record.location, record.name),
        "name": record.name,
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": record.vault.get("id").cloned().unwrap_or(Value::Null),
            "location": record.location,
            "deletionDate": json::timestamp(record.deletion_date),
            "scheduledPurgeDate": json::timestamp(record.scheduled_purge_date),
            "tags": record.vault.get("tags").cloned().unwrap_or_else(|| json!({})),
            "purgeProtectionEnabled": record.purge_protection,
        },
    })
}

pub fn list_deleted(world: &World, request: &Request, subscription: &str) -> Outcome {
    let items: Vec<Value> = world
        .deleted_vaults
        .values()
        .filter(|record| record.subscription.eq_ignore_ascii_case(subscription))
        .map(deleted_body)
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

fn find_deleted<'a>(
    world: &'a World,
    subscription: &str,
    location: &str,
    name: &str,
) -> Result<&'a DeletedVault, ArmError> {
    world
        .deleted_vaults
        .get(&World::deleted_vault_key(subscription, name))
        .filter(|record| record.location == json::normalize_location(location))
        .ok_or_else(|| {
            ArmError::new(
                404,
                "ResourceNotFound",
                format!("The deleted vault '{name}' was not found in location '{location}'."),
            )
        })
}

pub fn get_deleted(world: &World, subscription: &str, location: &str, name: &str) -> Outcome {
    Ok(Reply::ok(deleted_body(find_deleted(
        world,
        subscription,
        location,
        name,
    )?)))
}

pub fn purge(
    world: &mut World,
    request: &mut Request,
    subscription: &str,
    location: &str,
    name: &str,
) -> Outcome {
    let record = find_deleted(world, subscription, location, name)?.clone();
    if record.purge_protection && record.scheduled_purge_date > request.wall {
        return Err(ArmError::conflict(
            "OperationNotAllowed",
            format!("Operation 'DeletedVaultPurge' is not allowed: vault '{name}' has purge protection enabled and cannot be purged before {}.", json::timestamp(record.scheduled_purge_date)),
        ));
    }
    let key = World::deleted_vault_key(subscription, name);
    if lro::running_on(world, &key).is_some() {
        return Err(ArmError::conflict(
            "Conflict",
            format!("A purge of vault '{name}' is already in progress."),
        ));
    }
    let headers = lro::start(
        world,
        request,
        Start {
            resource_key: &key,
            kind: Kind::Vault,
            subscription,
            location,
            action: Action::Purge,
            polling: Polling::Location,
        },
    );
    let mut reply = Reply::new(202, None);
    reply.headers = headers;
    Ok(reply)
}

pub fn check_name(world: &World, request: &Request) -> Outcome {
    let input = common::body_object(request)?;
    let name = json::str_at(&input, "/name").ok_or_else(|| ArmError::required("name"))?;
    if let Some(problem) = name_problem(name) {
        return Ok(Reply::ok(
            json!({ "nameAvailable": false, "reason": "AccountNameInvalid", "message": problem }),
        ));
    }
    if live_elsewhere(world, name, "").is_some() || deleted_named(world, name).is_some() {
        return Ok(Reply::ok(json!({
            "nameAvailable": false,
            "reason": "AlreadyExists",
            "message": format!("The vault name '{name}' is already in use."),
        })));
    }
    Ok(Reply::ok(json!({ "nameAvailable": true })))
}

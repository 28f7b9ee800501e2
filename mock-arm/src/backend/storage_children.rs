//! Storage account children: blobServices/default, blob containers and
//! managementPolicies/default (all synchronous).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};

static CONTAINER_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"));

/// Creates the account's `blobServices/default` with ARM's defaults when missing.
pub fn ensure_blob_service(world: &mut World, request: &Request, account: &ResourcePath) {
    let path = account.child(Kind::BlobService, "default");
    if world.contains(&path.key()) {
        return;
    }
    let sku = world
        .get(&account.key())
        .and_then(|a| a.body.get("sku").cloned())
        .unwrap_or(Value::Null);
    let body = json!({
        "id": path.id(),
        "name": "default",
        "type": Kind::BlobService.arm_type(),
        "sku": sku,
        "properties": {
            "cors": { "corsRules": [] },
            "deleteRetentionPolicy": { "allowPermanentDelete": false, "enabled": false },
        },
    });
    world.insert(Resource {
        id: path.id(),
        kind: Kind::BlobService,
        parent_key: account.key(),
        body,
    });
    let _ = request;
}

fn ensure_account_ready(world: &World, path: &ResourcePath) -> Result<String, ArmError> {
    let parent_key = parents::ensure_parents(world, path, true)?;
    let mut account = path.clone();
    while account.kind != Kind::StorageAccount {
        match account.parent() {
            Some(parent) => account = parent,
            None => break,
        }
    }
    let state = world
        .get(&account.key())
        .and_then(Resource::provisioning_state)
        .unwrap_or("Succeeded");
    if state != "Succeeded" {
        return Err(ArmError::conflict(
            "StorageAccountIsNotProvisioned",
            format!("The storage account provisioning state must be 'Succeeded' before executing the operation on '{}'.", account.name()),
        ));
    }
    Ok(parent_key)
}

fn ensure_default_name(path: &ResourcePath) -> Result<(), ArmError> {
    if path.name() == "default" {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "The resource name '{}' is invalid; only 'default' is supported.",
            path.name()
        ),
    ))
}

pub fn put_blob_service(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    ensure_default_name(path)?;
    if !request.seeding {
        ensure_account_ready(world, path)?;
    }
    let input = common::body_object(request)?;
    if let Some(account) = path.parent() {
        ensure_blob_service(world, request, &account);
    }
    let key = path.key();
    let mut body = world
        .get(&key)
        .map(|r| r.body.clone())
        .unwrap_or_else(|| json!({}));
    if let Some(properties) = input.get("properties") {
        if let Some(rules) = json::at(properties, "/cors/corsRules").and_then(Value::as_array) {
            if rules.len() > 5 {
                return Err(ArmError::bad_request(
                    "InvalidXmlDocument",
                    "At most five CORS rules are allowed.",
                ));
            }
        }
        json::merge(json::child(&mut body, "properties"), properties);
    }
    if let Some(resource) = world.get_mut(&key) {
        resource.body = body.clone();
    }
    Ok(Reply::ok(body))
}

pub fn put_container(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if !common::matches(&CONTAINER_NAME, path.name()) || path.name().contains("--") {
        return Err(ArmError::bad_request(
            "ContainerOperationFailure",
            format!("The specifed resource name '{}' contains invalid characters. Container names are 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.", path.name()),
        ));
    }
    let parent_key = if request.seeding {
        parents::ensure_parents(world, path, true)?
    } else {
        ensure_account_ready(world, path)?
    };
    let input = request.body.clone().unwrap_or_else(|| json!({}));
    let key = path.key();
    let existing = world.get(&key).cloned();
    let account = path.parent().and_then(|service| service.parent());
    let public_blocked = account
        .and_then(|account| world.get(&account.key()))
        .map(|account| {
            json::bool_at(&account.body, "/properties/allowBlobPublicAccess") != Some(true)
        })
        .unwrap_or(true);
    let access = json::str_at(&input, "/properties/publicAccess").unwrap_or("None");
    if access != "None" && public_blocked && !request.seeding {
        return Err(ArmError::conflict(
            "PublicAccessNotPermitted",
            "Public access is not permitted on this storage account.",
        ));
    }
    let previous_properties = existing
        .as_ref()
        .and_then(|r| r.body.get("properties").cloned());
    if let (Some(previous), Some(requested)) = (
        &previous_properties,
        json::at(&input, "/properties/immutableStorageWithVersioning/enabled"),
    ) {
        let current = json::at(previous, "/immutableStorageWithVersioning/enabled")
            .cloned()
            .unwrap_or(json!(false));
        if &current != requested {
            return Err(ArmError::property_change_not_allowed(
                "properties.immutableStorageWithVersioning.enabled",
                &current,
                requested,
            ));
        }
    }
    let mut properties = previous_properties.unwrap_or_else(|| json!({}));
    if let Some(sent) = input.get("properties") {
        json::merge(&mut properties, sent);
    }
    let now = json!(json::timestamp(request.wall));
    let defaults = [
        ("publicAccess", json!("None")),
        ("defaultEncryptionScope", json!("$account-encryption-key")),
        ("denyEncryptionScopeOverride", json!(false)),
        ("leaseStatus", json!("Unlocked")),
        ("leaseState", json!("Available")),
        ("hasImmutabilityPolicy", json!(false)),
        ("hasLegalHold", json!(false)),
        ("deleted", json!(false)),
        ("remainingRetentionDays", json!(0)),
    ];
    for (field, value) in defaults {
        json::default(&mut properties, field, value);
    }
    if !request.seeding || json::at(&properties, "/lastModifiedTime").is_none() {
        properties["lastModifiedTime"] = now;
    }
    let etag = if request.seeding {
        input
            .get("etag")
            .cloned()
            .unwrap_or_else(|| json!(format!("\"0x8D{}\"", json::random_hex(13).to_uppercase())))
    } else {
        json!(format!("\"0x8D{}\"", json::random_hex(13).to_uppercase()))
    };
    let body = json!({
        "id": path.id(),
        "name": path.name(),
        "type": Kind::BlobContainer.arm_type(),
        "etag": etag,
        "properties": properties,
    });
    world.insert(Resource {
        id: path.id(),
        kind: Kind::BlobContainer,
        parent_key,
        body: body.clone(),
    });
    Ok(if existing.is_some() {
        Reply::ok(body)
    } else {
        Reply::created(body)
    })
}

pub fn patch_container(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    parents::existing(world, path)?;
    put_container(world, request, path).map(|mut reply| {
        reply.status = 200;
        reply
    })
}

pub fn put_management_policy(
    world: &mut World,
    request: &mut Request,
    path: &ResourcePath,
) -> Outcome {
    ensure_default_name(path)?;
    let parent_key = if request.seeding {
        parents::ensure_parents(world, path, true)?
    } else {
        ensure_account_ready(world, path)?
    };
    let input = common::body_object(request)?;
    let rules = json::at(&input, "/properties/policy/rules")
        .and_then(Value::as_array)
        .ok_or_else(|| ArmError::required("properties.policy.rules"))?;
    for rule in rules {
        let valid = json::str_at(rule, "/name").is_some_and(|name| !name.is_empty())
            && json::at(rule, "/definition/actions").is_some()
            && json::str_at(rule, "/type") == Some("Lifecycle");
        if !valid {
            return Err(ArmError::bad_request(
                "InvalidManagementPolicyRules",
                "Each management policy rule needs a name, type 'Lifecycle' and definition.actions.",
            ));
        }
    }
    let mut policy = input
        .pointer("/properties/policy")
        .cloned()
        .unwrap_or_else(|| json!({}));
    for rule in policy
        .get_mut("rules")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        json::default(rule, "enabled", json!(true));
    }
    let modified = if request.seeding {
        json::at(&input, "/properties/lastModifiedTime").cloned()
    } else {
        None
    };
    let body = json!({
        "id": path.id(),
        "name": "DefaultManagementPolicy",
        "type": Kind::ManagementPolicy.arm_type(),
        "properties": {
            "lastModifiedTime": modified.unwrap_or_else(|| json!(json::timestamp(request.wall))),
            "policy": policy,
        },
    });
    world.insert(Resource {
        id: path.id(),
        kind: Kind::ManagementPolicy,
        parent_key,
        body: body.clone(),
    });
    Ok(Reply::ok(body))
}

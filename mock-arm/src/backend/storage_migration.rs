//! Storage account sku migration (FACTS-AKS-DAY2 §8): `POST …/startAccountMigration` with
//! `{"properties":{"targetSkuName"}}` converts an account between its locally and zone
//! redundant skus as a long-running operation (202 + Location); `GET …/accountMigrations/default`
//! shows its progress. A plain sku PATCH/PUT to or from ZRS/Premium stays refused.

use serde_json::{json, Value};

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{self, Action, Polling};
use super::path::ResourcePath;
use super::provider::Provider;
use super::types::Kind;
use super::world::{Resource, World};
use super::{common, json, parents, writes};

/// The zone conversions a migration performs (either direction).
const CONVERSIONS: &[(&str, &str)] = &[
    ("Standard_LRS", "Standard_ZRS"),
    ("Standard_GRS", "Standard_GZRS"),
    ("Standard_RAGRS", "Standard_RAGZRS"),
    ("Premium_LRS", "Premium_ZRS"),
];

fn convertible(from: &str, to: &str) -> bool {
    CONVERSIONS
        .iter()
        .any(|(a, b)| (*a == from && *b == to) || (*b == from && *a == to))
}

fn migration_path(account: &ResourcePath) -> ResourcePath {
    account.child(Kind::AccountMigration, "default")
}

fn migration_body(path: &ResourcePath, target: &str, status: &str) -> Value {
    json!({
        "id": path.id(),
        "name": "default",
        "type": Kind::AccountMigration.arm_type(),
        "properties": { "targetSkuName": target, "migrationStatus": status },
    })
}

/// `POST …/storageAccounts/{name}/startAccountMigration`.
pub fn start(world: &mut World, request: &mut Request, account: &ResourcePath) -> Outcome {
    let current = parents::existing(world, account)?.clone();
    if current.provisioning_state() != Some("Succeeded")
        || lro::running_on(world, &account.key()).is_some()
    {
        return Err(ArmError::conflict(
            "StorageAccountOperationInProgress",
            format!(
                "An operation is currently performing on the storage account '{}'.",
                account.name()
            ),
        ));
    }
    let input = common::body_object(request)?;
    let target = json::str_at(&input, "/properties/targetSkuName")
        .ok_or_else(|| ArmError::required("properties.targetSkuName"))?
        .to_string();
    let from = json::str_at(&current.body, "/sku/name").unwrap_or_default();
    if !convertible(from, &target) {
        return Err(ArmError::bad_request(
            "InvalidRequestPropertyValue",
            format!("An account migration converts between locally and zone redundant skus of the same kind (Standard_LRS<->Standard_ZRS, Standard_GRS<->Standard_GZRS, Standard_RAGRS<->Standard_RAGZRS, Premium_LRS<->Premium_ZRS); '{from}' cannot be migrated to '{target}'. Change geo-redundancy with a sku update first."),
        )
        .with_target("properties.targetSkuName"));
    }
    let path = migration_path(account);
    world.insert(Resource {
        id: path.id(),
        kind: Kind::AccountMigration,
        parent_key: account.key(),
        body: migration_body(&path, &target, "InProgress"),
    });
    if let Some(stored) = world.get_mut(&account.key()) {
        stored.body["properties"]["accountMigrationInProgress"] = json!(true);
    }
    let location = current.location().unwrap_or_default().to_string();
    writes::start_operation(
        world,
        request,
        &path,
        &location,
        Action::Migrate,
        Polling::Location,
        Reply::new(202, None),
    )
}

/// Ends a migration: the account takes the target sku (on success).
fn finish(world: &mut World, key: &str, succeeded: bool) {
    let Some(migration) = world.get(key).cloned() else {
        return;
    };
    let target = json::str_at(&migration.body, "/properties/targetSkuName")
        .unwrap_or_default()
        .to_string();
    let status = if succeeded { "Complete" } else { "Failed" };
    if let Some(stored) = world.get_mut(key) {
        stored.body["properties"]["migrationStatus"] = json!(status);
    }
    let account_key = migration.parent_key.clone();
    if let Some(account) = world.get_mut(&account_key) {
        account.body["properties"]["accountMigrationInProgress"] = json!(false);
        if succeeded {
            let tier = if target.starts_with("Premium") {
                "Premium"
            } else {
                "Standard"
            };
            account.body["sku"] = json!({ "name": target, "tier": tier });
        }
    }
    let service = format!("{account_key}/blobservices/default");
    if let (true, Some(sku)) = (
        succeeded,
        world.get(&account_key).map(|a| a.body["sku"].clone()),
    ) {
        if let Some(blob) = world.get_mut(&service) {
            blob.body["sku"] = sku;
        }
    }
}

/// The provider hooks of account migrations (read-only; written by `startAccountMigration`).
pub struct AccountMigrations;

impl Provider for AccountMigrations {
    fn seed(
        &self,
        world: &mut World,
        _request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError> {
        let parent_key = parents::ensure_parents(world, path, true)?;
        let target = json::str_at(body, "/properties/targetSkuName").unwrap_or_default();
        let status = json::str_at(body, "/properties/migrationStatus").unwrap_or("Complete");
        world.insert(Resource {
            id: path.id(),
            kind: Kind::AccountMigration,
            parent_key,
            body: migration_body(path, target, status),
        });
        Ok(())
    }

    fn on_operation_done(&self, world: &mut World, key: &str, action: Action, succeeded: bool) {
        if action == Action::Migrate {
            finish(world, key, succeeded);
        }
    }
}

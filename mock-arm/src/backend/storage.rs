//! Microsoft.Storage/storageAccounts: globally unique lower-case names, the defaults GET shows
//! (endpoints, encryption, networkAcls), 202 + Location create, synchronous update/delete.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{Action, Polling};
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;
use super::{json, storage_children};

static ACCOUNT_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^[a-z0-9]{3,24}$"));
const SKUS: &[&str] = &[
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
    "StandardV2_LRS",
    "StandardV2_GRS",
    "StandardV2_ZRS",
    "StandardV2_GZRS",
    "PremiumV2_LRS",
    "PremiumV2_ZRS",
];
const KINDS: &[&str] = &[
    "Storage",
    "StorageV2",
    "BlobStorage",
    "FileStorage",
    "BlockBlobStorage",
];

fn name_problem(name: &str) -> Option<String> {
    (!common::matches(&ACCOUNT_NAME, name)).then(|| {
        format!("{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.")
    })
}

fn taken_elsewhere<'a>(world: &'a World, name: &str, key: &str) -> Option<&'a Resource> {
    world.of_kind(Kind::StorageAccount).find(|account| {
        account.key() != key
            && json::str_at(&account.body, "/name")
                .is_some_and(|other| other.eq_ignore_ascii_case(name))
    })
}

/// The paired region used for geo-redundant SKUs.
fn paired_region(location: &str) -> String {
    let pairs = [
        ("eastus", "westus"),
        ("eastus2", "centralus"),
        ("westus2", "westcentralus"),
        ("westus3", "eastus"),
        ("northeurope", "westeurope"),
        ("swedencentral", "swedensouth"),
        ("uksouth", "ukwest"),
        ("germanywestcentral", "germanynorth"),
        ("francecentral", "francesouth"),
        ("australiaeast", "australiasoutheast"),
        ("japaneast", "japanwest"),
        ("southeastasia", "eastasia"),
        ("canadacentral", "canadaeast"),
    ];
    pairs
        .iter()
        .find_map(|(a, b)| {
            if *a == location {
                Some(*b)
            } else if *b == location {
                Some(*a)
            } else {
                None
            }
        })
        .unwrap_or("westus")
        .to_string()
}

fn endpoints(name: &str, kind: &str) -> Value {
    let services: &[&str] = match kind {
        "FileStorage" => &["file"],
        "BlockBlobStorage" => &["blob", "dfs", "web"],
        "BlobStorage" => &["blob", "dfs", "table"],
        _ => &["blob", "dfs", "file", "queue", "table", "web"],
    };
    let mut endpoints = json!({});
    for service in services {
        endpoints[*service] = json!(format!("https://{name}.{service}.core.windows.net/"));
    }
    endpoints
}

fn build(
    request: &Request,
    path: &ResourcePath,
    input: &Value,
    existing: Option<&Resource>,
    tenant: &str,
) -> Result<Value, ArmError> {
    let sku = json::str_at(input, "/sku/name").ok_or_else(|| ArmError::required("sku.name"))?;
    let sku = SKUS.iter().find(|known| **known == sku).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidRequestPropertyValue",
            format!("The value '{sku}' is not allowed for property sku.name."),
        )
    })?;
    let kind = json::str_at(input, "/kind").ok_or_else(|| ArmError::required("kind"))?;
    let kind = KINDS.iter().find(|known| **known == kind).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidRequestPropertyValue",
            format!("The value '{kind}' is not allowed for property kind."),
        )
    })?;
    let location = common::required_location(input)?;
    common::validate_tags(input)?;
    let existing_body = existing.map(|resource| &resource.body);
    if let Some(previous) = existing_body {
        check_immutables(path, previous, &location, kind, sku, input)?;
    }
    let mut body =
        common::tracked_envelope(&path.id(), path, &location, input, existing_body, request);
    let tier = if sku.starts_with("Premium") {
        "Premium"
    } else {
        "Standard"
    };
    body["sku"] = json!({ "name": sku, "tier": tier });
    body["kind"] = json!(kind);
    for field in ["extendedLocation", "zones", "placement"] {
        if let Some(value) = json::at(input, &format!("/{field}")) {
            body[field] = value.clone();
        }
    }
    if let Some(identity) = json::at(input, "/identity") {
        body["identity"] = identity_block(identity, existing_body, tenant);
    }
    let keep = |pointer: &str| existing_body.and_then(|b| json::at(b, pointer)).cloned();
    let seeded = |pointer: &str| {
        if request.seeding {
            json::at(input, pointer).cloned()
        } else {
            None
        }
    };
    let now = json!(json::timestamp(request.wall));
    let mut properties = input
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    json::remove(&mut properties, "provisioningState");
    json::default(&mut properties, "supportsHttpsTrafficOnly", json!(true));
    json::default(
        &mut properties,
        "networkAcls",
        json!({ "bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": [] }),
    );
    if matches!(*kind, "StorageV2" | "BlobStorage") {
        json::default(&mut properties, "accessTier", json!("Hot"));
    }
    let enabled_time =
        keep("/properties/encryption/services/blob/lastEnabledTime").unwrap_or_else(|| now.clone());
    let encryption = json::child(&mut properties, "encryption");
    json::default(encryption, "keySource", json!("Microsoft.Storage"));
    let services = json::child(encryption, "services");
    for service in ["blob", "file"] {
        let entry = json::child(services, service);
        json::default(entry, "enabled", json!(true));
        json::default(entry, "keyType", json!("Account"));
        json::default(entry, "lastEnabledTime", enabled_time.clone());
    }
    let fixed = [
        (
            "creationTime",
            seeded("/properties/creationTime")
                .or_else(|| keep("/properties/creationTime"))
                .unwrap_or_else(|| now.clone()),
        ),
        (
            "keyCreationTime",
            seeded("/properties/keyCreationTime")
                .or_else(|| keep("/properties/keyCreationTime"))
                .unwrap_or_else(|| json!({ "key1": now, "key2": now })),
        ),
        (
            "primaryEndpoints",
            seeded("/properties/primaryEndpoints").unwrap_or_else(|| endpoints(path.name(), kind)),
        ),
        ("primaryLocation", json!(location)),
        ("statusOfPrimary", json!("available")),
    ];
    for (key, value) in fixed {
        properties[key] = value;
    }
    if sku.contains("GRS") || sku.contains("GZRS") {
        properties["secondaryLocation"] = json!(paired_region(&location));
        properties["statusOfSecondary"] = json!("available");
    }
    body["properties"] = properties;
    Ok(body)
}

fn identity_block(identity: &Value, existing: Option<&Value>, tenant: &str) -> Value {
    let mut identity = identity.clone();
    let kind = json::str_at(&identity, "/type")
        .unwrap_or("None")
        .to_string();
    if kind.contains("SystemAssigned") {
        let principal = existing
            .and_then(|b| json::str_at(b, "/identity/principalId"))
            .map(str::to_string)
            .unwrap_or_else(json::guid);
        identity["principalId"] = json!(principal);
        let fallback_tenant = tenant;
        let tenant = existing
            .and_then(|b| json::str_at(b, "/identity/tenantId"))
            .map(str::to_string);
        identity["tenantId"] = json!(tenant.unwrap_or_else(|| fallback_tenant.to_string()));
    }
    identity
}

fn check_immutables(
    path: &ResourcePath,
    previous: &Value,
    location: &str,
    kind: &str,
    sku: &str,
    input: &Value,
) -> Result<(), ArmError> {
    let old_location = json::str_at(previous, "/location").unwrap_or_default();
    if old_location != location {
        return Err(ArmError::conflict(
            "StorageAccountAlreadyExists",
            format!("The storage account named {} already exists under the subscription in location '{old_location}'.", path.name()),
        ));
    }
    let old_kind = json::str_at(previous, "/kind").unwrap_or_default();
    if old_kind != kind && !(old_kind == "Storage" && kind == "StorageV2") {
        return Err(ArmError::property_change_not_allowed(
            "kind",
            &json!(old_kind),
            &json!(kind),
        ));
    }
    let old_hns = json::bool_at(previous, "/properties/isHnsEnabled").unwrap_or(false);
    let new_hns = json::bool_at(input, "/properties/isHnsEnabled").unwrap_or(old_hns);
    if old_hns != new_hns {
        return Err(ArmError::property_change_not_allowed(
            "properties.isHnsEnabled",
            &json!(old_hns),
            &json!(new_hns),
        ));
    }
    let old_nfs = json::bool_at(previous, "/properties/isNfsV3Enabled").unwrap_or(false);
    let new_nfs = json::bool_at(input, "/properties/isNfsV3Enabled").unwrap_or(old_nfs);
    if old_nfs != new_nfs {
        return Err(ArmError::property_change_not_allowed(
            "properties.isNfsV3Enabled",
            &json!(old_nfs),
            &json!(new_nfs),
        ));
    }
    let old_sku = json::str_at(previous, "/sku/name").unwrap_or_default();
    let locked = |name: &str| matches!(name, "Standard_ZRS" | "Premium_LRS" | "Premium_ZRS");
    if old_sku != sku && (locked(old_sku) || locked(sku)) {
        return Err(ArmError::bad_request(
            "StorageAccountSkuConversionNotSupported",
            format!("Converting sku.name from '{old_sku}' to '{sku}' is not supported; use account migration or a new account."),
        ));
    }
    Ok(())
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if let Some(problem) = name_problem(path.name()) {
        return Err(ArmError::bad_request("AccountNameInvalid", problem));
    }
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let key = path.key();
    if taken_elsewhere(world, path.name(), &key).is_some() {
        return Err(ArmError::conflict(
            "StorageAccountAlreadyTaken",
            format!(
                "The storage account named {} is already taken.",
                path.name()
            ),
        ));
    }
    let existing = world.get(&key).cloned();
    if let Some(current) = &existing {
        // Only a running operation blocks a PUT; an account left Failed or Canceled is repaired
        // by putting it again.
        let running = !matches!(
            current.provisioning_state(),
            Some("Succeeded" | "Failed" | "Canceled")
        );
        if !request.seeding && running {
            return Err(ArmError::conflict(
                "StorageAccountOperationInProgress",
                format!(
                    "An operation is currently performing on the storage account '{}'.",
                    path.name()
                ),
            ));
        }
    }
    let tenant = world.settings.tenant_id.clone();
    let mut body = build(request, path, &input, existing.as_ref(), &tenant)?;
    let account_state = if request.seeding {
        json::at(&input, "/properties/provisioningState")
            .cloned()
            .unwrap_or(json!("Succeeded"))
    } else if existing.is_some() {
        json!("Succeeded")
    } else {
        json!("Creating")
    };
    body["properties"]["provisioningState"] = account_state;
    let location = json::str_at(&body, "/location")
        .unwrap_or_default()
        .to_string();
    world.insert(Resource {
        id: path.id(),
        kind: Kind::StorageAccount,
        parent_key,
        body: body.clone(),
    });
    storage_children::ensure_blob_service(world, request, path);
    if existing.is_some() || request.seeding {
        return Ok(Reply::ok(body));
    }
    writes::start_operation(
        world,
        request,
        path,
        &location,
        Action::Create,
        Polling::Location,
        Reply::new(202, None),
    )
}

pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    if current.provisioning_state() != Some("Succeeded") {
        return Err(ArmError::conflict("StorageAccountIsNotProvisioned", format!("The storage account provisioning state must be 'Succeeded' before executing the operation on '{}'.", path.name())));
    }
    let patch = common::body_object(request)?;
    if json::at(&patch, "/location").is_some() {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The location of a storage account cannot be updated.",
        ));
    }
    let mut merged = current.body.clone();
    json::merge(&mut merged, &patch);
    if let Some(sku) = json::str_at(&patch, "/sku/name") {
        merged["sku"] = json!({ "name": sku });
    }
    let tenant = world.settings.tenant_id.clone();
    let mut body = build(request, path, &merged, Some(&current), &tenant)?;
    body["properties"]["provisioningState"] = json!("Succeeded");
    if let Some(resource) = world.get_mut(&current.key()) {
        resource.body = body.clone();
    }
    if let Some(service) = world.get_mut(&path.child(Kind::BlobService, "default").key()) {
        service.body["sku"] = body["sku"].clone();
    }
    Ok(Reply::ok(body))
}

pub fn check_name(world: &World, request: &Request) -> Outcome {
    let input = common::body_object(request)?;
    let name = json::str_at(&input, "/name").ok_or_else(|| ArmError::required("name"))?;
    if let Some(problem) = name_problem(name) {
        return Ok(Reply::ok(
            json!({ "nameAvailable": false, "reason": "AccountNameInvalid", "message": problem }),
        ));
    }
    if taken_elsewhere(world, name, "").is_some() {
        return Ok(Reply::ok(json!({
            "nameAvailable": false,
            "reason": "AlreadyExists",
            "message": format!("The storage account named {name} is already taken."),
        })));
    }
    Ok(Reply::ok(json!({ "nameAvailable": true })))
}

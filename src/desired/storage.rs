//! Lowering of storage accounts and their children: `blobServices/default` (versioning, soft
//! delete), blob containers and `managementPolicies/default` (lifecycle rules).

use serde_json::{json, Map, Value};

use crate::desired::context::{address_of, insert_some, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::Kind;
use crate::spec::resolve::has_blob_service_settings;
use crate::spec::types::{LifecycleRule, StorageAccount, StorageKind, TlsVersion};

/// The name of the single blob service and management policy of an account.
const DEFAULT_CHILD: &str = "default";

/// Every storage account, followed by its blob service (when it declares blob settings or
/// containers), its containers and its lifecycle policy (when it declares rules).
pub fn lower_storage_accounts(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for account in &lowering.estate.storage_accounts {
        let account_resource = account_resource(lowering, account)?;
        let account_address = account_resource.address.clone();
        let account_id = account_resource.id.clone();
        lowering.push(account_resource);

        if has_blob_service_settings(account) {
            let service_address = address_of(Kind::BlobService, &[&account.name]);
            let service_id = account_id.child(Kind::BlobService, DEFAULT_CHILD);
            lowering.push(DesiredResource {
                address: service_address.clone(),
                kind: Kind::BlobService,
                id: service_id.clone(),
                body: json!({"properties": blob_service_properties(account)}),
                deferred: Vec::new(),
                depends_on: vec![account_address.clone()],
            });
            for container in &account.containers {
                let mut properties = Map::new();
                insert_some(
                    &mut properties,
                    "publicAccess",
                    container.public_access.map(|access| access.as_str()),
                );
                if !container.metadata.is_empty() {
                    properties.insert("metadata".to_string(), json!(container.metadata));
                }
                lowering.push(DesiredResource {
                    address: address_of(Kind::BlobContainer, &[&account.name, &container.name]),
                    kind: Kind::BlobContainer,
                    id: service_id.child(Kind::BlobContainer, &container.name),
                    body: json!({"properties": properties}),
                    deferred: Vec::new(),
                    depends_on: vec![service_address.clone()],
                });
            }
        }

        if !account.lifecycle_rules.is_empty() {
            let rules: Vec<Value> = account.lifecycle_rules.iter().map(lifecycle_rule).collect();
            // A prefix filter starts with a container name: the policy waits for those.
            let mut depends_on = vec![account_address.clone()];
            for container in &account.containers {
                let filtered = account
                    .lifecycle_rules
                    .iter()
                    .flat_map(|rule| &rule.prefixes)
                    .any(|prefix| prefix.split('/').next() == Some(container.name.as_str()));
                if filtered {
                    depends_on.push(address_of(
                        Kind::BlobContainer,
                        &[&account.name, &container.name],
                    ));
                }
            }
            lowering.push(DesiredResource {
                address: address_of(Kind::StorageManagementPolicy, &[&account.name]),
                kind: Kind::StorageManagementPolicy,
                id: account_id.child(Kind::StorageManagementPolicy, DEFAULT_CHILD),
                body: json!({"properties": {"policy": {"rules": rules}}}),
                deferred: Vec::new(),
                depends_on,
            });
        }
    }
    Ok(())
}

/// `storageAccount/<name>`: sku, kind and the declared account properties.
fn account_resource(
    lowering: &Lowering<'_>,
    account: &StorageAccount,
) -> Result<DesiredResource, LowerError> {
    let address = address_of(Kind::StorageAccount, &[&account.name]);
    let group = lowering.group_address(&account.resource_group, &address, "resourceGroup")?;
    let mut body = lowering.tracked_body(
        account.location.as_deref(),
        &account.resource_group,
        &account.tags,
    );
    body.insert("sku".to_string(), json!({"name": account.sku.as_str()}));
    body.insert(
        "kind".to_string(),
        json!(account.kind.unwrap_or(StorageKind::StorageV2).as_str()),
    );
    let mut properties = Map::new();
    properties.insert(
        "minimumTlsVersion".to_string(),
        json!(account
            .minimum_tls_version
            .unwrap_or(TlsVersion::Tls1_2)
            .as_str()),
    );
    insert_some(
        &mut properties,
        "allowBlobPublicAccess",
        account.allow_blob_public_access,
    );
    insert_some(
        &mut properties,
        "allowSharedKeyAccess",
        account.allow_shared_key_access,
    );
    insert_some(
        &mut properties,
        "publicNetworkAccess",
        account.public_network_access.map(|access| access.as_str()),
    );
    body.insert("properties".to_string(), Value::Object(properties));
    Ok(DesiredResource {
        address,
        kind: Kind::StorageAccount,
        id: lowering.id_of(account),
        body: Value::Object(body),
        deferred: Vec::new(),
        depends_on: vec![group],
    })
}

/// `isVersioningEnabled`, `deleteRetentionPolicy`, `containerDeleteRetentionPolicy`, as declared.
fn blob_service_properties(account: &StorageAccount) -> Value {
    let mut properties = Map::new();
    insert_some(
        &mut properties,
        "isVersioningEnabled",
        account.blob_versioning,
    );
    if let Some(days) = account.blob_soft_delete_days {
        properties.insert(
            "deleteRetentionPolicy".to_string(),
            json!({"enabled": true, "days": days}),
        );
    }
    if let Some(days) = account.container_soft_delete_days {
        properties.insert(
            "containerDeleteRetentionPolicy".to_string(),
            json!({"enabled": true, "days": days}),
        );
    }
    Value::Object(properties)
}

/// One `Lifecycle` rule on block blobs: base-blob tiering and deletion N days after the last
/// modification, filtered by the declared prefixes.
fn lifecycle_rule(rule: &LifecycleRule) -> Value {
    let after = |days: u32| json!({"daysAfterModificationGreaterThan": days});
    let mut base_blob = Map::new();
    insert_some(
        &mut base_blob,
        "tierToCool",
        rule.tier_to_cool_after_days.map(after),
    );
    insert_some(
        &mut base_blob,
        "tierToArchive",
        rule.tier_to_archive_after_days.map(after),
    );
    insert_some(&mut base_blob, "delete", rule.delete_after_days.map(after));
    let mut filters = Map::new();
    filters.insert("blobTypes".to_string(), json!(["blockBlob"]));
    if !rule.prefixes.is_empty() {
        filters.insert("prefixMatch".to_string(), json!(rule.prefixes));
    }
    json!({
        "enabled": rule.enabled.unwrap_or(true),
        "name": rule.name,
        "type": "Lifecycle",
        "definition": {
            "actions": {"baseBlob": base_blob},
            "filters": filters,
        },
    })
}

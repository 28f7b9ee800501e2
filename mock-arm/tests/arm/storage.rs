//! Storage accounts and children: 202 + Location create, defaults, immutables, global names,
//! blob service, containers and management policies.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn account_lifecycle() {
    let arm = Arm::scaled(0.04);
    let group = arm.group("rg-st").await;
    let account = format!("{group}/providers/Microsoft.Storage/storageAccounts/stplatform01");
    let body = json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_GRS" }, "properties": { "minimumTlsVersion": "TLS1_2", "isHnsEnabled": false } });
    let created = arm.put(&at(&account, STORAGE_VERSION), body.clone()).await;
    assert_eq!(created.status, 202);
    assert_eq!(created.body, serde_json::Value::Null);
    assert!(created.header("location").is_some());
    assert!(created.header("retry-after").is_some());
    let during = arm.get(&at(&account, STORAGE_VERSION)).await;
    assert_eq!(during.str("/properties/provisioningState"), "Creating");
    let early_container = arm
        .put(
            &at(
                &format!("{account}/blobServices/default/containers/early"),
                STORAGE_VERSION,
            ),
            json!({}),
        )
        .await;
    assert_eq!(early_container.code(), "StorageAccountIsNotProvisioned");
    let finished = arm.wait(&created).await;
    assert_eq!(finished.status, 200);
    assert_eq!(finished.str("/properties/provisioningState"), "Succeeded");
    assert_eq!(
        finished.str("/properties/primaryEndpoints/blob"),
        "https://stplatform01.blob.core.windows.net/"
    );
    assert_eq!(finished.str("/sku/tier"), "Standard");
    assert_eq!(finished.str("/properties/secondaryLocation"), "westus");
    assert_eq!(
        finished.body["properties"]["supportsHttpsTrafficOnly"],
        true
    );
    assert_eq!(finished.str("/properties/accessTier"), "Hot");
    assert_eq!(
        finished.str("/properties/encryption/keySource"),
        "Microsoft.Storage"
    );
    assert_eq!(
        finished.str("/properties/networkAcls/defaultAction"),
        "Allow"
    );

    let kind = arm
        .put(
            &at(&account, STORAGE_VERSION),
            json!({ "location": "eastus", "kind": "BlockBlobStorage", "sku": { "name": "Standard_GRS" } }),
        )
        .await;
    assert_eq!(kind.code(), "PropertyChangeNotAllowed");
    let hns = arm.put(&at(&account, STORAGE_VERSION), json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_GRS" }, "properties": { "isHnsEnabled": true } })).await;
    assert_eq!(hns.code(), "PropertyChangeNotAllowed");
    let updated = arm.put(&at(&account, STORAGE_VERSION), body).await;
    assert_eq!(updated.status, 200);
    let patched = arm
        .patch(
            &at(&account, STORAGE_VERSION),
            json!({ "properties": { "allowBlobPublicAccess": false }, "tags": { "x": "y" } }),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["tags"], json!({ "x": "y" }));

    let other = arm.group("rg-st-2").await;
    let clash = arm
        .put(
            &at(
                &format!("{other}/providers/Microsoft.Storage/storageAccounts/stplatform01"),
                STORAGE_VERSION,
            ),
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    assert_eq!(clash.code(), "StorageAccountAlreadyTaken");
    let check = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.Storage/checkNameAvailability"),
                STORAGE_VERSION,
            ),
            json!({ "name": "stplatform01", "type": "Microsoft.Storage/storageAccounts" }),
        )
        .await;
    assert_eq!(check.body["nameAvailable"], false);
    let invalid = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.Storage/checkNameAvailability"),
                STORAGE_VERSION,
            ),
            json!({ "name": "Bad_Name", "type": "Microsoft.Storage/storageAccounts" }),
        )
        .await;
    assert_eq!(invalid.body["reason"], "AccountNameInvalid");
    let bad_name = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.Storage/storageAccounts/UPPER"),
                STORAGE_VERSION,
            ),
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    assert_eq!(bad_name.code(), "AccountNameInvalid");

    // Blob service, containers, management policy.
    let service = arm
        .get(&at(
            &format!("{account}/blobServices/default"),
            STORAGE_VERSION,
        ))
        .await;
    assert_eq!(service.status, 200);
    assert_eq!(service.str("/sku/name"), "Standard_GRS");
    let service_put = arm.put(&at(&format!("{account}/blobServices/default"), STORAGE_VERSION), json!({ "properties": { "isVersioningEnabled": true, "deleteRetentionPolicy": { "enabled": true, "days": 7 } } })).await;
    assert_eq!(service_put.status, 200);
    assert_eq!(service_put.body["properties"]["isVersioningEnabled"], true);
    let container = format!("{account}/blobServices/default/containers/backups");
    let created = arm.put(&at(&container, STORAGE_VERSION), json!({})).await;
    assert_eq!(created.status, 201);
    assert_eq!(created.str("/properties/publicAccess"), "None");
    assert!(created.str("/etag").starts_with('"'));
    assert_eq!(
        arm.put(
            &at(&container, STORAGE_VERSION),
            json!({ "properties": { "metadata": { "a": "b" } } })
        )
        .await
        .status,
        200
    );
    let public = arm
        .put(
            &at(&container, STORAGE_VERSION),
            json!({ "properties": { "publicAccess": "Blob" } }),
        )
        .await;
    assert_eq!(public.code(), "PublicAccessNotPermitted");
    let bad_container = arm
        .put(
            &at(
                &format!("{account}/blobServices/default/containers/Bad--Name"),
                STORAGE_VERSION,
            ),
            json!({}),
        )
        .await;
    assert_eq!(bad_container.status, 400);
    let list = arm
        .get(&at(
            &format!("{account}/blobServices/default/containers"),
            STORAGE_VERSION,
        ))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1));
    let policy = format!("{account}/managementPolicies/default");
    assert_eq!(arm.get(&at(&policy, STORAGE_VERSION)).await.status, 404);
    let rules = json!({ "properties": { "policy": { "rules": [{ "name": "expire", "type": "Lifecycle", "definition": { "actions": { "baseBlob": { "delete": { "daysAfterModificationGreaterThan": 30 } } }, "filters": { "blobTypes": ["blockBlob"] } } }] } } });
    let put_policy = arm.put(&at(&policy, STORAGE_VERSION), rules).await;
    assert_eq!(put_policy.status, 200);
    assert_eq!(put_policy.str("/name"), "DefaultManagementPolicy");
    assert!(put_policy.body["properties"]["lastModifiedTime"].is_string());
    assert_eq!(
        put_policy.body["properties"]["policy"]["rules"][0]["enabled"],
        true
    );
    assert_eq!(arm.delete(&at(&policy, STORAGE_VERSION)).await.status, 200);
    assert_eq!(arm.delete(&at(&policy, STORAGE_VERSION)).await.status, 204);
    let missing_parent = arm.put(&at(&format!("{group}/providers/Microsoft.Storage/storageAccounts/stnone00/blobServices/default/containers/c1c"), STORAGE_VERSION), json!({})).await;
    assert_eq!(missing_parent.status, 404);
    assert_eq!(missing_parent.code(), "ParentResourceNotFound");

    assert_eq!(arm.delete(&at(&account, STORAGE_VERSION)).await.status, 200);
    assert_eq!(arm.get(&at(&container, STORAGE_VERSION)).await.status, 404);
    assert_eq!(arm.delete(&at(&account, STORAGE_VERSION)).await.status, 204);
}

#[tokio::test]
async fn account_location_cannot_change() {
    let arm = Arm::start();
    let group = arm.group("rg-st-loc").await;
    let account = at(
        &format!("{group}/providers/Microsoft.Storage/storageAccounts/stloc0002"),
        STORAGE_VERSION,
    );
    let created = arm
        .put(
            &account,
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    arm.wait(&created).await;
    let moved = arm
        .put(
            &account,
            json!({ "location": "westus", "kind": "StorageV2", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    assert_eq!(moved.status, 409);
    assert_eq!(moved.code(), "StorageAccountAlreadyExists");
    let patched = arm.patch(&account, json!({ "location": "westus" })).await;
    assert_eq!(patched.status, 400);
    let to_zrs = arm
        .put(
            &account,
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_ZRS" } }),
        )
        .await;
    assert_eq!(to_zrs.code(), "StorageAccountSkuConversionNotSupported");
    let to_grs = arm
        .put(
            &account,
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_GRS" } }),
        )
        .await;
    assert_eq!(to_grs.status, 200);
    let missing_kind = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.Storage/storageAccounts/stnokind1"),
                STORAGE_VERSION,
            ),
            json!({ "location": "eastus", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    assert_eq!(missing_kind.status, 400);
}

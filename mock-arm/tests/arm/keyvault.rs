//! Key vaults: Location LRO create, soft delete, names held by deleted vaults, recover, purge,
//! purge protection.

use serde_json::{json, Value};

use crate::support::*;

fn vault_body(extra: Value) -> Value {
    let mut body = json!({
        "location": "eastus",
        "properties": { "tenantId": "00000000-0000-0000-0000-00000000a0a0", "sku": { "family": "A", "name": "standard" }, "accessPolicies": [] },
    });
    if let (Some(properties), Value::Object(extra)) = (body["properties"].as_object_mut(), extra) {
        properties.extend(extra);
    }
    body
}

#[tokio::test]
async fn soft_delete_recover_and_purge() {
    let arm = Arm::start();
    let group = arm.group("rg-kv").await;
    let path = at(
        &format!("{group}/providers/Microsoft.KeyVault/vaults/kv-orders-1"),
        KV_VERSION,
    );
    let created = arm
        .put(&path, vault_body(json!({ "enablePurgeProtection": false })))
        .await;
    assert_eq!(created.status, 201);
    assert!(created
        .header("location")
        .is_some_and(|l| l.contains("/operationresults/")));
    assert_eq!(
        created.str("/properties/provisioningState"),
        "RegisteringDns"
    );
    assert_eq!(
        created.str("/properties/vaultUri"),
        "https://kv-orders-1.vault.azure.net"
    );
    assert_eq!(created.body["properties"]["enableSoftDelete"], true);
    assert_eq!(created.body["properties"]["softDeleteRetentionInDays"], 90);
    assert_eq!(created.body["properties"]["enableRbacAuthorization"], true);
    assert_eq!(created.body["tags"], json!({}));
    let finished = arm.wait(&created).await;
    assert_eq!(finished.status, 200);
    assert_eq!(finished.str("/properties/provisioningState"), "Succeeded");

    let retention = arm
        .put(
            &path,
            vault_body(json!({ "softDeleteRetentionInDays": 30 })),
        )
        .await;
    assert_eq!(retention.code(), "PropertyChangeNotAllowed");
    let updated = arm
        .put(&path, vault_body(json!({ "enabledForDeployment": true })))
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(updated.body["properties"]["enabledForDeployment"], true);

    let deleted = arm.delete(&path).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(arm.get(&path).await.status, 404);
    let held = arm.put(&path, vault_body(json!({}))).await;
    assert_eq!(held.status, 409);
    assert_eq!(held.code(), "ConflictError");
    assert!(held.body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("deleted state"));
    let deleted_get = arm.get(&at(&format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-orders-1"), KV_VERSION)).await;
    assert_eq!(deleted_get.status, 200);
    assert_eq!(deleted_get.str("/type"), "Microsoft.KeyVault/deletedVaults");
    assert!(deleted_get
        .str("/properties/vaultId")
        .ends_with("/vaults/kv-orders-1"));
    assert!(deleted_get.body["properties"]["scheduledPurgeDate"].is_string());

    let recovered = arm.put(&path, json!({ "location": "eastus", "properties": { "tenantId": "00000000-0000-0000-0000-00000000a0a0", "sku": { "family": "A", "name": "standard" }, "createMode": "recover" } })).await;
    assert_eq!(recovered.status, 201);
    assert!(
        recovered.body["properties"].get("createMode").is_none(),
        "createMode is write-only"
    );
    assert_eq!(
        recovered.body["properties"]["enabledForDeployment"], true,
        "recovered vault keeps its properties"
    );
    arm.wait(&recovered).await;

    arm.delete(&path).await;
    let purge = arm.post(&at(&format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-orders-1/purge"), KV_VERSION), json!({})).await;
    assert_eq!(purge.status, 202);
    assert_eq!(arm.wait(&purge).await.status, 200);
    let fresh = arm.put(&path, vault_body(json!({}))).await;
    assert_eq!(fresh.status, 201, "a purged name is free again");
}

#[tokio::test]
async fn purge_protection_is_irreversible() {
    let arm = Arm::start();
    let group = arm.group("rg-kv-pp").await;
    let path = at(
        &format!("{group}/providers/Microsoft.KeyVault/vaults/kv-protected-1"),
        KV_VERSION,
    );
    let created = arm
        .put(&path, vault_body(json!({ "enablePurgeProtection": true })))
        .await;
    arm.wait(&created).await;
    let disable = arm
        .put(&path, vault_body(json!({ "enablePurgeProtection": false })))
        .await;
    assert_eq!(disable.status, 400);
    let patch = arm
        .patch(
            &path,
            json!({ "properties": { "enablePurgeProtection": false } }),
        )
        .await;
    assert_eq!(patch.status, 400);
    arm.delete(&path).await;
    let purge = arm.post(&at(&format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-protected-1/purge"), KV_VERSION), json!({})).await;
    assert_eq!(purge.status, 409);
}

#[tokio::test]
async fn names_are_global_and_validated() {
    let arm = Arm::start();
    let first = arm.group("rg-kv-1").await;
    let second = arm.group("rg-kv-2").await;
    let created = arm
        .put(
            &at(
                &format!("{first}/providers/Microsoft.KeyVault/vaults/kv-shared-1"),
                KV_VERSION,
            ),
            vault_body(json!({})),
        )
        .await;
    assert_eq!(created.status, 201);
    let clash = arm
        .put(
            &at(
                &format!("{second}/providers/Microsoft.KeyVault/vaults/KV-shared-1"),
                KV_VERSION,
            ),
            vault_body(json!({})),
        )
        .await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.code(), "VaultAlreadyExists");
    for bad in ["kv--double", "1kv-start", "kv-end-", "ab"] {
        let response = arm
            .put(
                &at(
                    &format!("{first}/providers/Microsoft.KeyVault/vaults/{bad}"),
                    KV_VERSION,
                ),
                vault_body(json!({})),
            )
            .await;
        assert_eq!(response.code(), "VaultNameNotValid", "{bad}");
    }
    let check = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/checkNameAvailability"),
                KV_VERSION,
            ),
            json!({ "name": "kv-shared-1", "type": "Microsoft.KeyVault/vaults" }),
        )
        .await;
    assert_eq!(check.body["nameAvailable"], false);
    let missing_tenant = arm
        .put(
            &at(
                &format!("{first}/providers/Microsoft.KeyVault/vaults/kv-notenant"),
                KV_VERSION,
            ),
            json!({ "location": "eastus", "properties": { "sku": { "family": "A", "name": "standard" } } }),
        )
        .await;
    assert_eq!(missing_tenant.status, 400);
}

//! Container registries: defaults, global names, zone redundancy, LROs, name checks.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn create_returns_defaults_and_async_operation() {
    let arm = Arm::start();
    let group = arm.group("rg-acr").await;
    let path = at(
        &format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrPlatform01"),
        ACR_VERSION,
    );
    let created = arm
        .put(
            &path,
            json!({ "location": "eastus", "sku": { "name": "Premium" } }),
        )
        .await;
    assert_eq!(created.status, 201);
    assert!(created.header("azure-asyncoperation").is_some());
    assert!(created.header("retry-after").is_some());
    assert_eq!(created.str("/properties/provisioningState"), "Creating");
    assert_eq!(
        created.str("/properties/loginServer"),
        "acrplatform01.azurecr.io"
    );
    assert_eq!(created.str("/sku/tier"), "Premium");
    assert_eq!(
        created.body["properties"]["networkRuleSet"],
        json!({ "defaultAction": "Allow", "ipRules": [] })
    );
    assert_eq!(
        created.str("/properties/policies/retentionPolicy/status"),
        "disabled"
    );
    assert_eq!(created.str("/properties/zoneRedundancy"), "Disabled");
    let status = arm.wait(&created).await;
    assert_eq!(status.str("/status"), "Succeeded");
    assert_eq!(
        arm.get(&path).await.str("/properties/provisioningState"),
        "Succeeded"
    );

    let zone = arm.put(&path, json!({ "location": "eastus", "sku": { "name": "Premium" }, "properties": { "zoneRedundancy": "Enabled" } })).await;
    assert_eq!(zone.status, 400);
    assert_eq!(zone.code(), "PropertyChangeNotAllowed");
    let moved = arm
        .put(
            &path,
            json!({ "location": "westus", "sku": { "name": "Premium" } }),
        )
        .await;
    assert_eq!(moved.code(), "InvalidResourceLocation");
    let patched = arm
        .patch(
            &path,
            json!({ "properties": { "adminUserEnabled": true }, "tags": { "a": "b" } }),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["properties"]["adminUserEnabled"], true);
    arm.wait(&patched).await;

    let other_group = arm.group("rg-acr-2").await;
    let clash = arm
        .put(
            &at(
                &format!(
                    "{other_group}/providers/Microsoft.ContainerRegistry/registries/ACRplatform01"
                ),
                ACR_VERSION,
            ),
            json!({ "location": "eastus", "sku": { "name": "Basic" } }),
        )
        .await;
    assert_eq!(clash.status, 409);
    assert_eq!(clash.code(), "AlreadyInUse");
    let check = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/checkNameAvailability"),
                ACR_VERSION,
            ),
            json!({ "name": "acrplatform01", "type": "Microsoft.ContainerRegistry/registries" }),
        )
        .await;
    assert_eq!(check.body["nameAvailable"], false);
    assert_eq!(check.body["reason"], "AlreadyExists");
    let free = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/checkNameAvailability"),
                ACR_VERSION,
            ),
            json!({ "name": "acrfree0001", "type": "Microsoft.ContainerRegistry/registries" }),
        )
        .await;
    assert_eq!(free.body["nameAvailable"], true);

    let deleted = arm.delete(&path).await;
    assert_eq!(deleted.status, 202);
    assert!(deleted.header("location").is_some());
    assert_eq!(arm.wait(&deleted).await.status, 200);
    assert_eq!(arm.get(&path).await.code(), "ResourceNotFound");
    assert_eq!(arm.delete(&path).await.status, 204);
}

#[tokio::test]
async fn validates_names_and_required_fields() {
    let arm = Arm::start();
    let group = arm.group("rg-acr-v").await;
    let bad = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.ContainerRegistry/registries/acr-dash"),
                ACR_VERSION,
            ),
            json!({ "location": "eastus", "sku": { "name": "Basic" } }),
        )
        .await;
    assert_eq!(bad.code(), "InvalidRegistryName");
    let no_sku = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrnosku1"),
                ACR_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(no_sku.status, 400);
    let no_group = arm.put(&at(&format!("/subscriptions/{SUB}/resourceGroups/missing/providers/Microsoft.ContainerRegistry/registries/acrnogroup"), ACR_VERSION), json!({ "location": "eastus", "sku": { "name": "Basic" } })).await;
    assert_eq!(no_group.status, 404);
    assert_eq!(no_group.code(), "ResourceGroupNotFound");
}

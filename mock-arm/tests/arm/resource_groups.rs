//! Resource groups: sync PUT, HEAD, PATCH, tag filter, LRO delete with cascade.

use serde_json::json;

use crate::support::*;

fn group_path(name: &str) -> String {
    at(
        &format!("/subscriptions/{SUB}/resourcegroups/{name}"),
        RG_VERSION,
    )
}

#[tokio::test]
async fn create_get_head_patch() {
    let arm = Arm::start();
    let created = arm
        .put(
            &group_path("rg-a"),
            json!({ "location": "West Europe", "tags": { "env": "prod" } }),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        created.str("/id"),
        format!("/subscriptions/{SUB}/resourceGroups/rg-a")
    );
    assert_eq!(created.str("/location"), "westeurope");
    assert_eq!(created.str("/properties/provisioningState"), "Succeeded");
    let again = arm
        .put(&group_path("rg-a"), json!({ "location": "westeurope" }))
        .await;
    assert_eq!(again.status, 200);
    let moved = arm
        .put(&group_path("rg-a"), json!({ "location": "eastus" }))
        .await;
    assert_eq!(moved.status, 409);
    assert_eq!(moved.code(), "InvalidResourceGroupLocation");
    let head = arm.send("HEAD", &group_path("rg-a"), None).await;
    assert_eq!(head.status, 204);
    let head_missing = arm.send("HEAD", &group_path("rg-none"), None).await;
    assert_eq!(head_missing.status, 404);
    let patched = arm
        .patch(
            &group_path("rg-a"),
            json!({ "tags": { "team": "platform" } }),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["tags"], json!({ "team": "platform" }));
    let missing_location = arm.put(&group_path("rg-b"), json!({})).await;
    assert_eq!(missing_location.code(), "LocationRequired");
    let bad_name = arm
        .put(&group_path("rg."), json!({ "location": "eastus" }))
        .await;
    assert_eq!(bad_name.status, 400);
    let bad_tag = arm
        .put(
            &group_path("rg-c"),
            json!({ "location": "eastus", "tags": { "azure-x": "1" } }),
        )
        .await;
    assert_eq!(bad_tag.status, 400);
}

#[tokio::test]
async fn list_filters_by_tag() {
    let arm = Arm::start();
    arm.put(
        &group_path("rg-1"),
        json!({ "location": "eastus", "tags": { "env": "prod" } }),
    )
    .await;
    arm.put(
        &group_path("rg-2"),
        json!({ "location": "eastus", "tags": { "env": "dev" } }),
    )
    .await;
    let all = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/resourcegroups"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(all.body["value"].as_array().map(Vec::len), Some(2));
    let filtered = arm
        .get(&format!("/subscriptions/{SUB}/resourcegroups?api-version={RG_VERSION}&$filter=tagName%20eq%20'env'%20and%20tagValue%20eq%20'prod'"))
        .await;
    let names: Vec<&str> = filtered.body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(names, vec!["rg-1"]);
}

#[tokio::test]
async fn delete_is_long_running_and_cascades() {
    let arm = Arm::scaled(0.02);
    let group = arm.group("rg-del").await;
    let identity = at(
        &format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-x"),
        MSI_VERSION,
    );
    arm.put(&identity, json!({ "location": "eastus" })).await;
    let vault = at(
        &format!("{group}/providers/Microsoft.KeyVault/vaults/kv-cascade-1"),
        KV_VERSION,
    );
    let created = arm.put(&vault, json!({ "location": "eastus", "properties": { "tenantId": "t", "sku": { "family": "A", "name": "standard" }, "accessPolicies": [] } })).await;
    arm.wait(&created).await;
    let deleted = arm.delete(&group_path("rg-del")).await;
    assert_eq!(deleted.status, 202);
    assert!(deleted
        .header("location")
        .is_some_and(|l| l.contains("/operationresults/")));
    assert!(deleted.header("azure-asyncoperation").is_none());
    let during = arm.get(&group_path("rg-del")).await;
    assert_eq!(during.str("/properties/provisioningState"), "Deleting");
    let blocked = arm.put(&identity, json!({ "location": "eastus" })).await;
    assert_eq!(blocked.code(), "ResourceGroupBeingDeleted");
    let done = arm.wait(&deleted).await;
    assert_eq!(done.status, 200);
    assert_eq!(arm.get(&group_path("rg-del")).await.status, 404);
    let gone = arm.get(&identity).await;
    assert_eq!(gone.code(), "ResourceGroupNotFound");
    let deleted_vaults = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/deletedVaults"),
            KV_VERSION,
        ))
        .await;
    assert_eq!(
        deleted_vaults.body["value"][0]["name"], "kv-cascade-1",
        "vaults in a deleted group are soft-deleted"
    );
    let absent = arm.delete(&group_path("rg-del")).await;
    assert_eq!(absent.status, 204);
}

#[tokio::test]
async fn generic_resource_lists_and_subscriptions() {
    let arm = Arm::start();
    let group = arm.group("rg-generic").await;
    arm.put(
        &at(
            &format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a"),
            MSI_VERSION,
        ),
        json!({ "location": "eastus", "tags": { "aksctl-estate": "prod" } }),
    )
    .await;
    arm.put(
        &at(
            &format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-b"),
            MSI_VERSION,
        ),
        json!({ "location": "eastus" }),
    )
    .await;
    arm.put(&at(&format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-b/federatedIdentityCredentials/fic1"), MSI_VERSION), json!({ "properties": { "issuer": "https://i.example/", "subject": "s", "audiences": ["api://AzureADTokenExchange"] } })).await;
    let all = arm
        .get(&at(&format!("{group}/resources"), RG_VERSION))
        .await;
    assert_eq!(
        all.body["value"].as_array().map(Vec::len),
        Some(2),
        "top-level resources only: {}",
        all.body
    );
    let tagged = arm.get(&format!("/subscriptions/{SUB}/resources?api-version={RG_VERSION}&$filter=tagName%20eq%20'aksctl-estate'%20and%20tagValue%20eq%20'prod'")).await;
    assert_eq!(tagged.body["value"][0]["name"], "id-a");
    assert_eq!(tagged.body["value"].as_array().map(Vec::len), Some(1));
    let typed = arm.get(&format!("/subscriptions/{SUB}/resources?api-version={RG_VERSION}&$filter=resourceType%20eq%20'Microsoft.KeyVault/vaults'")).await;
    assert_eq!(typed.body["value"], json!([]));
    let subscription = arm
        .get(&at(&format!("/subscriptions/{SUB}"), "2022-12-01"))
        .await;
    assert_eq!(subscription.str("/state"), "Enabled");
    assert_eq!(subscription.str("/subscriptionId"), SUB);
    let list = arm.get(&at("/subscriptions", "2022-12-01")).await;
    assert_eq!(list.body["value"][0]["subscriptionId"], SUB);
}

//! Microsoft.OperationalInsights/workspaces: LRO PUT, read-only fields, defaults, lists, PATCH,
//! soft delete with recovery and `force=true`, and ARM's errors for bad input.

use serde_json::json;

use crate::support::*;

fn workspace(group: &str, name: &str) -> String {
    at(
        &format!("{group}/providers/Microsoft.OperationalInsights/workspaces/{name}"),
        OI_VERSION,
    )
}

async fn create(arm: &Arm, path: &str, body: serde_json::Value) -> Response {
    let accepted = arm.put(path, body).await;
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    arm.wait(&accepted).await
}

#[tokio::test]
async fn create_fills_defaults_and_read_only_fields() {
    let arm = Arm::start();
    let group = arm.group("logs").await;
    let path = workspace(&group, "law-prod");
    let done = create(
        &arm,
        &path,
        json!({ "location": "West Europe", "properties": { "customerId": "client-chosen", "provisioningState": "Failed" } }),
    )
    .await;
    assert_eq!(done.status, 200);
    let body = &done.body;
    assert_eq!(done.str("/location"), "westeurope");
    assert_eq!(
        done.str("/type"),
        "Microsoft.OperationalInsights/workspaces"
    );
    assert_eq!(done.str("/properties/provisioningState"), "Succeeded");
    let customer = done.str("/properties/customerId").to_string();
    assert_ne!(customer, "client-chosen");
    assert_eq!(customer.len(), 36);
    assert_eq!(done.str("/properties/sku/name"), "PerGB2018");
    assert_eq!(body["properties"]["retentionInDays"], json!(30));
    assert_eq!(
        body["properties"]["workspaceCapping"]["dailyQuotaGb"],
        json!(-1.0)
    );
    assert_eq!(
        done.str("/properties/publicNetworkAccessForIngestion"),
        "Enabled"
    );
    assert_eq!(
        done.str("/properties/publicNetworkAccessForQuery"),
        "Enabled"
    );
    assert!(!done.str("/properties/createdDate").is_empty());
    assert_eq!(body["tags"], json!({}));

    // An update keeps customerId and createdDate.
    let update = create(
        &arm,
        &path,
        json!({ "location": "westeurope", "tags": { "team": "sre" }, "properties": { "retentionInDays": 90, "sku": { "name": "PerGB2018" }, "workspaceCapping": { "dailyQuotaGb": 5 }, "publicNetworkAccessForQuery": "Disabled" } }),
    )
    .await;
    assert_eq!(update.str("/properties/customerId"), customer);
    assert_eq!(
        update.str("/properties/createdDate"),
        done.str("/properties/createdDate")
    );
    assert_eq!(update.body["properties"]["retentionInDays"], json!(90));
    assert_eq!(
        update.body["properties"]["workspaceCapping"]["dailyQuotaGb"],
        json!(5)
    );
    assert_eq!(
        update.str("/properties/publicNetworkAccessForQuery"),
        "Disabled"
    );
    assert_eq!(update.str("/tags/team"), "sre");
}

#[tokio::test]
async fn put_is_a_location_polled_operation() {
    let arm = Arm::scaled(0.05);
    let group = arm.group("logs").await;
    let path = workspace(&group, "law-slow");
    let accepted = arm.put(&path, json!({ "location": "eastus" })).await;
    assert_eq!(accepted.status, 202);
    assert!(accepted.header("azure-asyncoperation").is_none());
    let location = accepted.header("location").expect("Location").to_string();
    assert!(accepted.header("retry-after").is_some());
    let during = arm.get(&path).await;
    assert_eq!(during.str("/properties/provisioningState"), "Creating");
    let poll = arm.get(&location).await;
    assert_eq!(poll.status, 202);
    // A second write while the first runs is refused.
    let busy = arm.put(&path, json!({ "location": "eastus" })).await;
    assert_eq!(busy.status, 409, "{}", busy.body);
    let done = arm.wait(&accepted).await;
    assert_eq!(done.status, 200);
    assert_eq!(done.str("/properties/provisioningState"), "Succeeded");
}

#[tokio::test]
async fn lists_by_group_and_subscription() {
    let arm = Arm::start();
    let first = arm.group("logs-a").await;
    let second = arm.group("logs-b").await;
    create(
        &arm,
        &workspace(&first, "law-one"),
        json!({ "location": "eastus" }),
    )
    .await;
    create(
        &arm,
        &workspace(&second, "law-two"),
        json!({ "location": "eastus" }),
    )
    .await;
    let by_group = arm
        .get(&at(
            &format!("{first}/providers/Microsoft.OperationalInsights/workspaces"),
            OI_VERSION,
        ))
        .await;
    assert_eq!(by_group.status, 200);
    let names: Vec<&str> = by_group.body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    assert_eq!(names, vec!["law-one"]);
    let by_subscription = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/providers/Microsoft.OperationalInsights/workspaces"),
            OI_VERSION,
        ))
        .await;
    assert_eq!(
        by_subscription.body["value"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn patch_is_synchronous() {
    let arm = Arm::start();
    let group = arm.group("logs").await;
    let path = workspace(&group, "law-patch");
    let created = create(&arm, &path, json!({ "location": "eastus" })).await;
    let patched = arm
        .patch(
            &path,
            json!({ "tags": { "a": "b" }, "properties": { "retentionInDays": 60 } }),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["properties"]["retentionInDays"], json!(60));
    assert_eq!(patched.str("/tags/a"), "b");
    assert_eq!(
        patched.str("/properties/customerId"),
        created.str("/properties/customerId")
    );
}

#[tokio::test]
async fn bad_input_gets_arm_errors() {
    let arm = Arm::start();
    let group = arm.group("logs").await;
    let cases = [
        (
            "ab",
            json!({ "location": "eastus" }),
            400,
            "InvalidWorkspaceName",
        ),
        (
            "-law-bad",
            json!({ "location": "eastus" }),
            400,
            "InvalidWorkspaceName",
        ),
        (
            "law-nolocation",
            json!({ "properties": {} }),
            400,
            "LocationRequired",
        ),
        (
            "law-sku",
            json!({ "location": "eastus", "properties": { "sku": { "name": "Gold" } } }),
            400,
            "InvalidParameter",
        ),
        (
            "law-skuname",
            json!({ "location": "eastus", "properties": { "sku": {} } }),
            400,
            "InvalidRequestContent",
        ),
        (
            "law-retention",
            json!({ "location": "eastus", "properties": { "retentionInDays": 5 } }),
            400,
            "InvalidParameter",
        ),
        (
            "law-access",
            json!({ "location": "eastus", "properties": { "publicNetworkAccessForQuery": "Off" } }),
            400,
            "InvalidParameter",
        ),
        (
            "law-quota",
            json!({ "location": "eastus", "properties": { "workspaceCapping": { "dailyQuotaGb": 0 } } }),
            400,
            "InvalidParameter",
        ),
    ];
    for (name, body, status, code) in cases {
        let answer = arm.put(&workspace(&group, name), body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{name}: {}",
            answer.body
        );
    }
    let missing_group = arm
        .put(
            &workspace(
                &format!("/subscriptions/{SUB}/resourceGroups/nope"),
                "law-x",
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(missing_group.code(), "ResourceGroupNotFound");
    let missing = arm.get(&workspace(&group, "law-absent")).await;
    assert_eq!((missing.status, missing.code()), (404, "ResourceNotFound"));
    let created = create(
        &arm,
        &workspace(&group, "law-moved"),
        json!({ "location": "eastus" }),
    )
    .await;
    assert_eq!(created.status, 200);
    let moved = arm
        .put(
            &workspace(&group, "law-moved"),
            json!({ "location": "westus" }),
        )
        .await;
    assert_eq!(
        (moved.status, moved.code()),
        (400, "InvalidResourceLocation")
    );
    let old_version = arm
        .get(&at(
            &format!("{group}/providers/Microsoft.OperationalInsights/workspaces/law-moved"),
            "2020-08-01",
        ))
        .await;
    assert_eq!(old_version.code(), "InvalidApiVersionParameter");
}

#[tokio::test]
async fn delete_soft_deletes_and_a_matching_put_recovers() {
    let arm = Arm::start();
    let group = arm.group("logs").await;
    let path = workspace(&group, "law-soft");
    let created = create(&arm, &path, json!({ "location": "eastus" })).await;
    let customer = created.str("/properties/customerId").to_string();
    let deleting = arm.delete(&path).await;
    assert_eq!(deleting.status, 202);
    assert!(deleting.header("location").is_some());
    let done = arm.wait(&deleting).await;
    assert_eq!(done.status, 200);
    assert_eq!(arm.get(&path).await.status, 404);
    assert_eq!(arm.delete(&path).await.status, 204);
    let deleted = arm
        .get(&at(
            &format!("{group}/providers/Microsoft.OperationalInsights/deletedWorkspaces"),
            OI_VERSION,
        ))
        .await;
    assert_eq!(deleted.body["value"][0]["name"], json!("law-soft"));
    let state = arm.control("GET", "/_mock/state", None).await;
    assert_eq!(
        state.body["deletedWorkspaces"][0]["workspace"]["name"],
        json!("law-soft")
    );

    // The name is held: another location is refused, the same one recovers the workspace.
    let elsewhere = arm.put(&path, json!({ "location": "westus" })).await;
    assert_eq!((elsewhere.status, elsewhere.code()), (409, "Conflict"));
    let recovered = create(&arm, &path, json!({ "location": "eastus" })).await;
    assert_eq!(recovered.str("/properties/customerId"), customer);
    let none_left = arm
        .get(&at(
            &format!(
                "/subscriptions/{SUB}/providers/Microsoft.OperationalInsights/deletedWorkspaces"
            ),
            OI_VERSION,
        ))
        .await;
    assert_eq!(none_left.body["value"], json!([]));

    // force=true releases the name: the next create is a new workspace.
    let forced = arm.delete(&format!("{path}&force=true")).await;
    assert_eq!(forced.status, 202);
    arm.wait(&forced).await;
    let fresh = create(&arm, &path, json!({ "location": "westus" })).await;
    assert_eq!(fresh.status, 200);
    assert_ne!(fresh.str("/properties/customerId"), customer);
}

#[tokio::test]
async fn seeded_workspace_keeps_read_only_fields() {
    let arm = Arm::start();
    let id = format!("/subscriptions/{SUB}/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/law-seeded");
    let seeded = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({ "resources": [{
                "id": id,
                "location": "eastus",
                "properties": { "customerId": "11111111-2222-3333-4444-555555555555", "retentionInDays": 60 },
            }], "deletedWorkspaces": [{ "workspace": { "id": format!("{id}-gone"), "name": "law-seeded-gone", "location": "eastus", "properties": {} } }] })),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let got = arm.get(&at(&id, OI_VERSION)).await;
    assert_eq!(
        got.str("/properties/customerId"),
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(got.str("/properties/provisioningState"), "Succeeded");
    assert_eq!(got.body["properties"]["retentionInDays"], json!(60));
    let held = arm
        .put(
            &at(&format!("{id}-gone"), OI_VERSION),
            json!({ "location": "westus" }),
        )
        .await;
    assert_eq!(held.code(), "Conflict");
}

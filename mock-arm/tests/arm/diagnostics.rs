//! Microsoft.Insights diagnosticSettings on a cluster, vault, registry, storage account and blob
//! service (FACTS-2 §2): synchronous PUT answering 200 on create, GET/list/DELETE per target,
//! 404 for a missing target or setting, 400 for categories the target type does not have and for
//! a setting without destination, 409 for a workspace reused on one category, and settings gone
//! with their target.

use serde_json::{json, Value};

use crate::support::*;

const DIAGNOSTICS_VERSION: &str = "2021-05-01-preview";
const WORKSPACE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/log-central";

fn setting(target: &str, name: &str) -> String {
    at(
        &format!("{target}/providers/Microsoft.Insights/diagnosticSettings/{name}"),
        DIAGNOSTICS_VERSION,
    )
}

fn list(target: &str) -> String {
    at(
        &format!("{target}/providers/Microsoft.Insights/diagnosticSettings"),
        DIAGNOSTICS_VERSION,
    )
}

fn logs(categories: &[&str]) -> Value {
    json!({"properties": {
        "workspaceId": WORKSPACE,
        "logAnalyticsDestinationType": "Dedicated",
        "logs": categories.iter().map(|category| json!({"category": category, "enabled": true})).collect::<Vec<_>>(),
    }})
}

async fn created(arm: &Arm, path: &str, body: Value) -> Response {
    let response = arm.put(path, body).await;
    assert!(
        [200, 201, 202].contains(&response.status),
        "{path}: {} {}",
        response.status,
        response.body
    );
    if response.status != 200 {
        arm.wait(&response).await;
    }
    response
}

#[tokio::test]
async fn a_cluster_setting_is_a_synchronous_extension_resource() {
    let arm = Arm::start();
    let group = arm.group("rg-diag").await;
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");

    let orphan = arm
        .put(&setting(&cluster, "audit"), logs(&["kube-audit"]))
        .await;
    assert_eq!(orphan.status, 404, "{}", orphan.body);
    assert_eq!(orphan.code(), "ParentResourceNotFound");

    created(&arm, &at(&cluster, AKS_VERSION), cluster_body("eastus")).await;
    let missing = arm.get(&setting(&cluster, "audit")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "ResourceNotFound");

    let body = json!({"properties": {
        "workspaceId": WORKSPACE,
        "logAnalyticsDestinationType": "Dedicated",
        "logs": [
            {"category": "kube-audit-admin", "enabled": true},
            {"categoryGroup": "audit", "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}},
        ],
        "metrics": [{"category": "AllMetrics", "enabled": true}],
    }});
    let put = arm.put(&setting(&cluster, "audit"), body.clone()).await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert!(put.header("azure-asyncoperation").is_none() && put.header("location").is_none());
    let read = arm.get(&setting(&cluster, "audit")).await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.str("/id"),
        format!("{cluster}/providers/Microsoft.Insights/diagnosticSettings/audit")
    );
    assert_eq!(read.str("/type"), "Microsoft.Insights/diagnosticSettings");
    assert_eq!(read.str("/name"), "audit");
    assert_eq!(read.body["properties"], body["properties"]);

    let listed = arm.get(&list(&cluster)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(1));

    // A PUT replaces the setting (still 200).
    let replaced = arm.put(&setting(&cluster, "audit"), logs(&["guard"])).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let read = arm.get(&setting(&cluster, "audit")).await;
    assert_eq!(read.body["properties"]["logs"][0]["category"], "guard");
    assert!(read.body["properties"].get("metrics").is_none());

    let deleted = arm.delete(&setting(&cluster, "audit")).await;
    assert_eq!(deleted.status, 200);
    let again = arm.delete(&setting(&cluster, "audit")).await;
    assert_eq!(again.status, 204);
    assert_eq!(arm.get(&setting(&cluster, "audit")).await.status, 404);
}

#[tokio::test]
async fn categories_are_the_target_types_own_and_a_destination_is_required() {
    let arm = Arm::start();
    let group = arm.group("rg-diag-rules").await;
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");
    created(&arm, &at(&cluster, AKS_VERSION), cluster_body("eastus")).await;
    let vault = format!("{group}/providers/Microsoft.KeyVault/vaults/kv-diag-1");
    created(
        &arm,
        &at(&vault, KV_VERSION),
        json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-00000000a0a0", "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}}),
    )
    .await;

    let refusals = [
        (
            &cluster,
            logs(&["AuditEvent"]),
            "a vault's category on a cluster",
        ),
        (
            &vault,
            logs(&["kube-audit"]),
            "a cluster's category on a vault",
        ),
        (
            &cluster,
            json!({"properties": {"logs": [{"category": "kube-audit", "enabled": true}]}}),
            "no destination",
        ),
        (
            &cluster,
            json!({"properties": {"workspaceId": WORKSPACE, "logs": [{"category": "kube-audit"}]}}),
            "no `enabled`",
        ),
        (
            &cluster,
            json!({"properties": {"workspaceId": WORKSPACE, "logs": [{"category": "kube-audit", "categoryGroup": "audit", "enabled": true}]}}),
            "both category and group",
        ),
        (
            &cluster,
            json!({"properties": {"workspaceId": WORKSPACE, "logAnalyticsDestinationType": "Tables", "logs": [{"category": "guard", "enabled": true}]}}),
            "an unknown destination type",
        ),
        (
            &cluster,
            json!({"properties": {"workspaceId": WORKSPACE, "metrics": [{"category": "Transaction", "enabled": true}]}}),
            "a storage metric on a cluster",
        ),
    ];
    for (target, body, case) in refusals {
        let refused = arm.put(&setting(target, "refused"), body).await;
        assert_eq!(refused.status, 400, "{case}: {}", refused.body);
    }
    assert_eq!(arm.get(&setting(&cluster, "refused")).await.status, 404);

    let audit = arm
        .put(&setting(&vault, "audit"), logs(&["AuditEvent"]))
        .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    // The same workspace may not receive the same category from a second setting.
    let reused = arm
        .put(&setting(&vault, "audit-again"), logs(&["auditevent"]))
        .await;
    assert_eq!(reused.status, 409, "{}", reused.body);
    assert_eq!(reused.code(), "Conflict");
}

#[tokio::test]
async fn storage_logs_are_on_the_blob_service_and_settings_go_with_their_target() {
    let arm = Arm::scaled(0.0);
    let group = arm.group("rg-diag-st").await;
    let account = format!("{group}/providers/Microsoft.Storage/storageAccounts/stdiag01");
    created(
        &arm,
        &at(&account, STORAGE_VERSION),
        json!({"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_GRS"}}),
    )
    .await;
    let blob = format!("{account}/blobServices/default");

    let account_logs = arm
        .put(&setting(&account, "logs"), logs(&["StorageRead"]))
        .await;
    assert_eq!(account_logs.status, 400, "{}", account_logs.body);
    let metrics = arm
        .put(
            &setting(&account, "metrics"),
            json!({"properties": {"workspaceId": WORKSPACE, "metrics": [{"category": "Transaction", "enabled": true}]}}),
        )
        .await;
    assert_eq!(metrics.status, 200, "{}", metrics.body);
    let blob_logs = arm
        .put(
            &setting(&blob, "logs"),
            logs(&["StorageRead", "StorageWrite", "StorageDelete"]),
        )
        .await;
    assert_eq!(blob_logs.status, 200, "{}", blob_logs.body);
    assert_eq!(
        arm.get(&setting(&blob, "logs")).await.str("/id"),
        format!("{blob}/providers/Microsoft.Insights/diagnosticSettings/logs")
    );
    let on_account = arm.get(&list(&account)).await;
    assert_eq!(on_account.body["value"].as_array().map(Vec::len), Some(1));

    let deleting = arm.delete(&at(&account, STORAGE_VERSION)).await;
    assert!(
        [200, 202, 204].contains(&deleting.status),
        "{}",
        deleting.body
    );
    if deleting.status == 202 {
        arm.wait(&deleting).await;
    }
    // Re-created, the account has no settings: they went with it.
    created(
        &arm,
        &at(&account, STORAGE_VERSION),
        json!({"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_GRS"}}),
    )
    .await;
    let after = arm.get(&list(&account)).await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.body["value"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_registry_takes_at_most_five_settings() {
    let arm = Arm::start();
    let group = arm.group("rg-diag-acr").await;
    let registry = format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrdiag01");
    created(
        &arm,
        &at(&registry, ACR_VERSION),
        json!({"location": "eastus", "sku": {"name": "Premium"}}),
    )
    .await;
    for index in 0..5 {
        let body = json!({"properties": {
            "storageAccountId": format!("{group}/providers/Microsoft.Storage/storageAccounts/st{index}"),
            "logs": [{"category": "ContainerRegistryLoginEvents", "enabled": true}],
        }});
        let put = arm
            .put(&setting(&registry, &format!("s{index}")), body)
            .await;
        assert_eq!(put.status, 200, "{}", put.body);
    }
    let sixth = arm
        .put(
            &setting(&registry, "s5"),
            logs(&["ContainerRegistryRepositoryEvents"]),
        )
        .await;
    assert_eq!(sixth.status, 400, "{}", sixth.body);
}

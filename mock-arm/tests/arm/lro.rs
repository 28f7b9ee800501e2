//! Long-running operations: both header styles, status documents, Location results, failures.

use std::time::Duration;

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn async_operation_status_goes_in_progress_to_succeeded() {
    let arm = Arm::with(mock_arm::Config {
        time_scale: 0.005,
        ..Default::default()
    });
    let group = arm.group("rg-lro").await;
    let cluster = at(
        &format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks-lro"),
        AKS_VERSION,
    );
    let created = arm.put(&cluster, cluster_body("eastus")).await;
    let status_url = created
        .header("azure-asyncoperation")
        .expect("status url")
        .to_string();
    assert!(
        status_url.starts_with(arm.mock.url()),
        "absolute URL built from the request host"
    );
    assert!(status_url.contains("api-version=2026-08-01"));
    let first = arm.get(&status_url).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.str("/status"), "InProgress");
    assert!(first.body["percentComplete"].as_f64().expect("percent") < 100.0);
    assert!(first.body.get("startTime").is_some());
    assert!(first.str("/id").ends_with(first.str("/name")));
    let retry_ms: u64 = created
        .header("retry-after-ms")
        .expect("retry-after-ms")
        .parse()
        .expect("number");
    assert_eq!(retry_ms, 50, "poll interval is 10 s scaled");
    assert_eq!(created.header("retry-after"), Some("1"));
    let done = arm.wait(&created).await;
    assert_eq!(done.str("/status"), "Succeeded");
    assert!(done.body.get("endTime").is_some());
}

#[tokio::test]
async fn location_returns_202_then_the_result() {
    let arm = Arm::with(mock_arm::Config {
        time_scale: 0.04,
        ..Default::default()
    });
    let group = arm.group("rg-loc").await;
    let account = at(
        &format!("{group}/providers/Microsoft.Storage/storageAccounts/stloc0001"),
        STORAGE_VERSION,
    );
    let created = arm
        .put(
            &account,
            json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_LRS" } }),
        )
        .await;
    assert_eq!(created.status, 202);
    let location = created.header("location").expect("location").to_string();
    let pending = arm.get(&location).await;
    assert_eq!(pending.status, 202);
    assert!(pending.header("location").is_some());
    assert!(pending.header("retry-after").is_some());
    let result = arm.wait(&created).await;
    assert_eq!(result.status, 200);
    assert_eq!(result.str("/name"), "stloc0001");
}

#[tokio::test]
async fn fail_lro_fault_ends_the_operation_failed() {
    let arm = Arm::start();
    let group = arm.group("rg-fail").await;
    let rule = json!({ "action": "failLro", "method": "PUT", "path": "managedClusters/aks-fail$", "code": "QuotaExceeded", "message": "Not enough cores" });
    assert_eq!(
        arm.control("POST", "/_mock/faults", Some(rule))
            .await
            .status,
        201
    );
    let cluster = at(
        &format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks-fail"),
        AKS_VERSION,
    );
    let created = arm.put(&cluster, cluster_body("eastus")).await;
    assert_eq!(created.status, 201);
    let status = arm.wait(&created).await;
    assert_eq!(status.str("/status"), "Failed");
    assert_eq!(status.str("/error/code"), "QuotaExceeded");
    assert_eq!(
        arm.get(&cluster).await.str("/properties/provisioningState"),
        "Failed"
    );
    // The rule fired once; the next operation succeeds.
    let retried = arm.put(&cluster, cluster_body("eastus")).await;
    assert_eq!(arm.wait(&retried).await.str("/status"), "Succeeded");

    let canceled = json!({ "action": "failLro", "method": "DELETE", "lroStatus": "Canceled" });
    arm.control("POST", "/_mock/faults", Some(canceled)).await;
    let deleted = arm.delete(&cluster).await;
    let status = arm.wait(&deleted).await;
    assert_eq!(status.str("/status"), "Canceled");
    let location = arm.get(deleted.header("location").expect("location")).await;
    assert_eq!(
        location.status, 500,
        "a failed operation's Location answers with the error"
    );
}

#[tokio::test]
async fn time_scale_zero_finishes_immediately() {
    let arm = Arm::with(mock_arm::Config {
        time_scale: 0.0,
        ..Default::default()
    });
    let group = arm.group("rg-zero").await;
    let cluster = at(
        &format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks-now"),
        AKS_VERSION,
    );
    arm.put(&cluster, cluster_body("eastus")).await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(
        arm.get(&cluster).await.str("/properties/provisioningState"),
        "Succeeded"
    );
}

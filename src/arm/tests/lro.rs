//! Long-running operations: Azure-AsyncOperation, Location, provisioningState, failures,
//! deadlines, cross-check, deletes and POST actions.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::{fast_tuning, Reply, Server};
use crate::arm::{ArmError, LroProgress, WriteOptions};
use crate::id::ResourceId;

const CLUSTER: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1";

fn cluster() -> ResourceId {
    ResourceId::new(CLUSTER)
}

fn counter() -> (Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    (count.clone(), count)
}

#[tokio::test]
async fn put_follows_azure_async_operation_then_reads_the_resource() {
    let (polls, polled) = counter();
    let server = Server::start(move |seen, base| match (seen.method.as_str(), seen.path()) {
        ("PUT", CLUSTER) => Reply::json(201, json!({"name": "aks1", "properties": {"provisioningState": "Creating"}}))
            .with_header("azure-asyncoperation", &format!("{base}/operations/op1?api-version=v"))
            .with_header("retry-after-ms", "10"),
        ("GET", "/operations/op1") => {
            let n = polled.fetch_add(1, Ordering::SeqCst);
            if n < 2 {
                Reply::json(200, json!({"status": "InProgress", "percentComplete": 40.0 + n as f64 * 20.0}))
            } else {
                Reply::json(200, json!({"status": "Succeeded"}))
            }
        }
        ("GET", CLUSTER) => Reply::json(200, json!({"name": "aks1", "properties": {"provisioningState": "Succeeded", "fqdn": "x"}})),
        _ => Reply::raw(500, "unexpected"),
    })
    .await;
    let reports: Arc<Mutex<Vec<LroProgress>>> = Arc::default();
    let sink = reports.clone();
    let progress = move |report: LroProgress| sink.lock().unwrap().push(report);
    let options = WriteOptions {
        progress: Some(&progress),
        ..Default::default()
    };
    let body = server
        .client()
        .put(
            &cluster(),
            "v",
            &json!({"location": "eastus", "properties": {"provisioningState": "Succeeded"}}),
            &options,
        )
        .await
        .unwrap();
    assert_eq!(body["properties"]["fqdn"], "x");
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[0].percent_complete, Some(40.0));
    assert!(reports[0]
        .operation_url
        .as_deref()
        .unwrap_or_default()
        .contains("/operations/op1"));
    assert_eq!(reports[2].status, "Succeeded");
    let seen = server.seen();
    assert!(
        !seen[0].body.contains("provisioningState"),
        "read-only field stripped: {}",
        seen[0].body
    );
}

#[tokio::test]
async fn put_follows_location_until_the_final_body() {
    let (polls, polled) = counter();
    let server = Server::start(move |seen, base| match (seen.method.as_str(), seen.path()) {
        ("PUT", _) => Reply::raw(202, "").with_header("location", &format!("{base}/operationresults/r1?api-version=v")),
        ("GET", "/operationresults/r1") => {
            if polled.fetch_add(1, Ordering::SeqCst) < 2 {
                Reply::raw(202, "").with_header("retry-after", "0")
            } else {
                Reply::json(200, json!({"id": CLUSTER, "name": "st1", "properties": {"provisioningState": "Succeeded"}}))
            }
        }
        _ => Reply::raw(500, "unexpected"),
    })
    .await;
    let body = server
        .client()
        .put(&cluster(), "v", &json!({}), &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(body["name"], "st1");
    assert_eq!(polls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn put_polls_the_resource_provisioning_state() {
    let (gets, got) = counter();
    let server = Server::start(move |seen, _| match seen.method.as_str() {
        "PUT" => Reply::json(
            201,
            json!({"name": "aks1", "properties": {"provisioningState": "Creating"}}),
        ),
        _ => {
            let state = if got.fetch_add(1, Ordering::SeqCst) < 2 {
                "Creating"
            } else {
                "Succeeded"
            };
            Reply::json(
                200,
                json!({"name": "aks1", "properties": {"provisioningState": state}}),
            )
        }
    })
    .await;
    let body = server
        .client()
        .put(&cluster(), "v", &json!({}), &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(gets.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_failed_operation_reports_its_code_message_and_operation_url() {
    let server = Server::start(|seen, base| match seen.method.as_str() {
        "PUT" => Reply::json(201, json!({}))
            .with_header("azure-asyncoperation", &format!("{base}/operations/bad?api-version=v"))
            .with_header("x-ms-request-id", "rid-put"),
        _ => Reply::json(200, json!({"status": "Failed", "error": {"code": "ReconcileVMSSAgentPoolFailed", "message": "quota exceeded"}}))
            .with_header("x-ms-request-id", "rid-poll"),
    })
    .await;
    let error = server
        .client()
        .put(&cluster(), "v", &json!({}), &WriteOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, ArmError::OperationFailed { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some("ReconcileVMSSAgentPoolFailed"));
    let text = error.to_string();
    for part in [
        "PUT",
        "managedClusters/aks1",
        "Failed",
        "quota exceeded",
        "rid-poll",
        "/operations/bad",
    ] {
        assert!(text.contains(part), "{text} lacks {part}");
    }
}

#[tokio::test]
async fn a_failed_provisioning_state_is_a_failure() {
    let server = Server::start(|_, _| {
        Reply::json(200, json!({"properties": {"provisioningState": "Failed"}}))
    })
    .await;
    let error = server
        .client()
        .put(&cluster(), "v", &json!({}), &WriteOptions::default())
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("provisioningState is Failed"),
        "{error}"
    );
}

#[tokio::test]
async fn an_operation_past_its_deadline_names_the_operation_url() {
    let server = Server::start(|seen, base| match seen.method.as_str() {
        "PUT" => Reply::json(201, json!({})).with_header(
            "azure-asyncoperation",
            &format!("{base}/operations/slow?api-version=v"),
        ),
        _ => Reply::json(200, json!({"status": "InProgress"})).with_header("retry-after-ms", "20"),
    })
    .await;
    let options = WriteOptions {
        deadline: Some(Duration::from_millis(150)),
        ..Default::default()
    };
    let error = server
        .client()
        .put(&cluster(), "v", &json!({}), &options)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ArmError::DeadlineExceeded { .. }),
        "{error:?}"
    );
    assert!(error
        .operation_url()
        .unwrap_or_default()
        .contains("/operations/slow"));
    assert!(error.to_string().contains("InProgress"), "{error}");
}

#[tokio::test]
async fn a_status_stuck_in_progress_yields_to_a_terminal_resource() {
    let server = Server::start(|seen, base| match (seen.method.as_str(), seen.path()) {
        ("PUT", _) => Reply::json(200, json!({})).with_header(
            "azure-asyncoperation",
            &format!("{base}/operations/stuck?api-version=v"),
        ),
        ("GET", "/operations/stuck") => Reply::json(200, json!({"status": "InProgress"})),
        _ => Reply::json(
            200,
            json!({"name": "aks1", "properties": {"provisioningState": "Succeeded"}}),
        ),
    })
    .await;
    let mut tuning = fast_tuning();
    tuning.cross_check_after = Duration::ZERO;
    let options = WriteOptions {
        deadline: Some(Duration::from_secs(5)),
        ..Default::default()
    };
    let body = server
        .client_with(tuning, Duration::from_secs(5))
        .put(&cluster(), "v", &json!({}), &options)
        .await
        .unwrap();
    assert_eq!(body["name"], "aks1");
}

#[tokio::test]
async fn delete_follows_location_and_tolerates_a_missing_resource() {
    let (polls, polled) = counter();
    let server = Server::start(
        move |seen, base| match (seen.method.as_str(), seen.path()) {
            ("DELETE", CLUSTER) => Reply::raw(202, "")
                .with_header(
                    "location",
                    &format!("{base}/operationresults/d1?api-version=v"),
                )
                .with_header("retry-after", "0"),
            ("DELETE", _) => Reply::raw(204, ""),
            ("GET", "/operationresults/d1") => {
                if polled.fetch_add(1, Ordering::SeqCst) == 0 {
                    Reply::raw(202, "")
                } else {
                    Reply::raw(204, "")
                }
            }
            _ => Reply::raw(500, "unexpected"),
        },
    )
    .await;
    let client = server.client();
    client
        .delete(&cluster(), "v", &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(polls.load(Ordering::SeqCst), 2);
    client
        .delete(
            &ResourceId::new("/subscriptions/s/resourceGroups/gone"),
            "v",
            &WriteOptions::default(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_with_an_async_operation_header_waits_for_success() {
    let server = Server::start(|seen, base| match seen.method.as_str() {
        "DELETE" => Reply::raw(202, "").with_header(
            "azure-asyncoperation",
            &format!("{base}/operations/del?api-version=v"),
        ),
        _ => Reply::json(200, json!({"status": "Succeeded"})),
    })
    .await;
    server
        .client()
        .delete(&cluster(), "v", &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn post_actions_return_their_body_directly_or_after_an_operation() {
    let server = Server::start(|seen, base| match seen.path() {
        "/subscriptions/s/providers/Microsoft.KeyVault/checkNameAvailability" => {
            Reply::json(200, json!({"nameAvailable": true}))
        }
        "/subscriptions/s/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv/purge" => {
            Reply::raw(202, "").with_header(
                "location",
                &format!("{base}/operationresults/purge?api-version=v"),
            )
        }
        _ => Reply::raw(204, ""),
    })
    .await;
    let client = server.client();
    let body = client
        .post(
            "/subscriptions/s/providers/Microsoft.KeyVault/checkNameAvailability",
            "v",
            Some(&json!({"name": "kv"})),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(body, Some(json!({"nameAvailable": true})));
    let purged = client
        .post(
            "/subscriptions/s/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv/purge",
            "v",
            None,
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(purged, None);
    assert_eq!(server.seen().len(), 3);
}

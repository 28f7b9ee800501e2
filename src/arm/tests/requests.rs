//! Reads, retries, paging, errors and malformed answers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Reply, Server};
use crate::arm::{ArmClient, ArmError, WriteOptions};
use crate::cli::{Cloud, CredentialKind};
use crate::id::ResourceId;

fn vault() -> ResourceId {
    ResourceId::new("/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1")
}

fn not_found(code: &str) -> Reply {
    Reply::json(404, json!({"error": {"code": code, "message": "not here"}}))
}

#[tokio::test]
async fn get_returns_the_body_or_none_when_not_found() {
    let server = Server::start(|seen, _| match seen.path() {
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1" => {
            Reply::json(200, json!({"name": "kv1", "properties": {}}))
        }
        path if path.contains("/resourceGroups/missing/") => not_found("ResourceGroupNotFound"),
        _ => not_found("ResourceNotFound"),
    })
    .await;
    let client = server.client();
    let body = client.get(&vault(), "2026-02-01").await.unwrap().unwrap();
    assert_eq!(body["name"], "kv1");
    let other = ResourceId::new(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv2",
    );
    assert_eq!(client.get(&other, "2026-02-01").await.unwrap(), None);
    let orphan = ResourceId::new(
        "/subscriptions/s/resourceGroups/missing/providers/Microsoft.KeyVault/vaults/kv",
    );
    assert_eq!(client.get(&orphan, "2026-02-01").await.unwrap(), None);

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[0].target.ends_with("?api-version=2026-02-01"),
        "{}",
        seen[0].target
    );
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer TOKEN-CANARY-123")
    );
    assert!(seen[0].header("x-ms-client-request-id").is_some());
    assert_eq!(client.request_count(), 3);
}

#[tokio::test]
async fn throttling_waits_for_retry_after_then_succeeds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Server::start(move |_, _| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::json(
                429,
                json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
            )
            .with_header("retry-after", "1")
        } else {
            Reply::json(200, json!({"name": "kv1"}))
        }
    })
    .await;
    let started = Instant::now();
    let body = server.client().get(&vault(), "v").await.unwrap();
    assert!(body.is_some());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After not honoured"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].header("x-ms-client-request-id"),
        seen[1].header("x-ms-client-request-id"),
        "one logical request keeps its client request id across retries"
    );
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Server::start(move |_, _| match counter.fetch_add(1, Ordering::SeqCst) {
        0 | 1 => {
            Reply::raw(503, "<html>Service Unavailable</html>").with_header("retry-after-ms", "5")
        }
        2 => Reply::raw(502, "<html><body>Bad gateway</body></html>"),
        _ => Reply::json(200, json!({"name": "kv1"})),
    })
    .await;
    assert!(server.client().get(&vault(), "v").await.unwrap().is_some());
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn persistent_server_errors_end_with_a_clear_error_within_the_deadline() {
    let server =
        Server::start(|_, _| Reply::raw(502, "<html><body>Bad gateway from proxy</body></html>"))
            .await;
    let error = server.client().get(&vault(), "v").await.unwrap_err();
    assert_eq!(error.status(), Some(502));
    let text = error.to_string();
    assert!(text.contains("HTML"), "{text}");
    assert!(text.contains("GET"), "{text}");
    assert!(text.contains("vaults/kv1"), "{text}");
    assert_eq!(server.seen().len(), 8, "max attempts");
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_reads_but_not_for_post() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Server::start(move |seen, _| {
        if seen.method == "POST" {
            return Reply::Drop;
        }
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Drop
        } else {
            Reply::json(200, json!({"name": "kv1"}))
        }
    })
    .await;
    let client = server.client();
    assert!(client.get(&vault(), "v").await.unwrap().is_some());
    let error = client
        .post(
            "/subscriptions/s/providers/Microsoft.KeyVault/checkNameAvailability",
            "v",
            Some(&json!({"name": "x"})),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    let posts = server
        .seen()
        .iter()
        .filter(|seen| seen.method == "POST")
        .count();
    assert_eq!(posts, 1, "a POST whose connection dropped is not repeated");
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Server::start(move |_, _| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Delay(
                Duration::from_millis(800),
                Box::new(Reply::json(200, json!({"slow": true}))),
            )
        } else {
            Reply::json(200, json!({"slow": false}))
        }
    })
    .await;
    let mut tuning = super::fast_tuning();
    tuning.attempt_timeout = Duration::from_millis(200);
    let body = server
        .client_with(tuning, Duration::from_secs(10))
        .get(&vault(), "v")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body["slow"], false);
}

#[tokio::test]
async fn conflicts_from_a_running_operation_are_retried_for_writes_only_by_code() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = Server::start(move |seen, _| {
        if seen.path().ends_with("/exists") {
            return Reply::json(
                409,
                json!({"error": {"code": "RoleAssignmentExists", "message": "dup"}}),
            );
        }
        if counter.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::json(
                409,
                json!({"error": {"code": "OperationNotAllowed", "message": "busy"}}),
            )
        } else {
            Reply::json(
                200,
                json!({"name": "kv1", "properties": {"provisioningState": "Succeeded"}}),
            )
        }
    })
    .await;
    let client = server.client();
    let body = client
        .put(
            &vault(),
            "v",
            &json!({"properties": {}}),
            &WriteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(body["name"], "kv1");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let exists = ResourceId::new(
        "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/exists",
    );
    let error = client
        .put(&exists, "v", &json!({}), &WriteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("RoleAssignmentExists"));
    assert!(error.is_conflict());
}

#[tokio::test]
async fn errors_show_method_resource_status_code_message_and_request_id() {
    let server = Server::start(|_, _| {
        Reply::json(400, json!({"error": {"code": "InvalidParameter", "message": "sku.name is invalid", "target": "sku"}}))
            .with_header("x-ms-request-id", "rid-42")
    })
    .await;
    let error = server
        .client()
        .put(
            &vault(),
            "v",
            &json!({"sku": {"name": "nope"}}),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    let text = error.to_string();
    for part in [
        "PUT",
        "vaults/kv1",
        "400",
        "InvalidParameter",
        "sku.name is invalid",
        "rid-42",
    ] {
        assert!(text.contains(part), "{text} lacks {part}");
    }
    assert_eq!(error.request_id(), Some("rid-42"));
    assert_eq!(server.seen().len(), 1, "400 is not retried");
}

#[tokio::test]
async fn list_follows_next_links_across_empty_pages() {
    let server = Server::start(|seen, base| {
        let page = seen.target.split("page=").nth(1).unwrap_or("1");
        match page {
            "1" => Reply::json(200, json!({"value": [{"name": "a"}, {"name": "b"}], "nextLink": format!("{base}/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults?api-version=v&page=2")})),
            "2" => Reply::json(200, json!({"value": [], "nextLink": format!("{base}/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults?api-version=v&page=3")})),
            _ => Reply::json(200, json!({"value": [{"name": "c"}], "nextLink": null})),
        }
    })
    .await;
    let items = server
        .client()
        .list(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults",
            "v",
            &[("$top", "2")],
        )
        .await
        .unwrap();
    let names: Vec<&str> = items
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[0].target.contains("%24top=2") || seen[0].target.contains("$top=2"),
        "{}",
        seen[0].target
    );
    assert!(
        seen[1].target.ends_with("page=2"),
        "nextLink used verbatim: {}",
        seen[1].target
    );
}

#[tokio::test]
async fn a_next_link_loop_is_an_error_and_a_missing_parent_an_empty_list() {
    let server = Server::start(|seen, base| {
        if seen.path().contains("/resourceGroups/gone/") {
            return not_found("ResourceGroupNotFound");
        }
        Reply::json(
            200,
            json!({"value": [{"name": "a"}], "nextLink": format!("{base}/loop?api-version=v")}),
        )
    })
    .await;
    let client = server.client();
    let error = client
        .list("/subscriptions/s/resourceGroups/rg/x", "v", &[])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("nextLink loop"), "{error}");
    let empty = client
        .list(
            "/subscriptions/s/resourceGroups/gone/providers/Microsoft.KeyVault/vaults",
            "v",
            &[],
        )
        .await
        .unwrap();
    assert!(empty.is_empty());
}

#[tokio::test]
async fn malformed_answers_are_clear_errors_not_panics() {
    let server = Server::start(|seen, _| match seen.path() {
        "/truncated" => Reply::raw(200, r#"{"name": "kv1", "properties": {"#),
        "/html" => Reply::raw(
            200,
            "<!DOCTYPE html><html><body>Sign in to the proxy</body></html>",
        ),
        "/array" => Reply::json(200, json!([1, 2])),
        "/wrong-value" => Reply::json(200, json!({"value": "nope"})),
        "/html404" => Reply::raw(404, "<html>Not Found</html>"),
        _ => Reply::raw(202, ""),
    })
    .await;
    let client = server.client();
    let cases = ["/truncated", "/html", "/array"];
    for path in cases {
        let error = client.get(&ResourceId::new(path), "v").await.unwrap_err();
        assert!(
            matches!(error, ArmError::Malformed { .. }),
            "{path}: {error:?}"
        );
        assert!(
            error.to_string().contains("expected a JSON resource body"),
            "{error}"
        );
    }
    let error = client.list("/wrong-value", "v", &[]).await.unwrap_err();
    assert!(error.to_string().contains("not an array"), "{error}");
    let error = client
        .get(&ResourceId::new("/html404"), "v")
        .await
        .unwrap_err();
    assert_eq!(
        error.status(),
        Some(404),
        "an HTML 404 is a wrong endpoint, not absence"
    );
    let error = client
        .put(
            &ResourceId::new("/no-lro-headers"),
            "v",
            &json!({}),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("Azure-AsyncOperation or Location"), "{text}");
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let env = |name: &str| match name {
        "AZURE_TENANT_ID" => Some("t".to_string()),
        "AZURE_CLIENT_ID" => Some("c".to_string()),
        "AZURE_CLIENT_SECRET" => Some("CANARY-SECRET-9".to_string()),
        _ => None,
    };
    let options = crate::arm::ArmClientOptions {
        endpoint: Some("http://203.0.113.7:8080".into()),
        cloud: Cloud::AzureCloud,
        credential: CredentialKind::ClientSecret,
        ..Default::default()
    };
    let error = ArmClient::with_environment(options, &env).unwrap_err();
    assert!(
        matches!(error, ArmError::InsecureEndpoint { .. }),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains("CANARY"));

    // A nextLink or operation URL pointing elsewhere is not followed either.
    let server = Server::start(|_, _| {
        Reply::json(
            200,
            json!({"value": [], "nextLink": "http://203.0.113.7/steal?api-version=v"}),
        )
    })
    .await;
    let error = server
        .client()
        .list("/subscriptions/s/x", "v", &[])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("another host"), "{error}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn verbose_logs_never_contain_the_token() {
    let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || LogWriter(writer.clone()))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = Server::start(|_, _| {
        Reply::json(
            200,
            json!({"name": "kv1", "access_token": "TOKEN-CANARY-123"}),
        )
        .with_header("x-ms-request-id", "rid-7")
    })
    .await;
    server.client().get(&vault(), "v").await.unwrap();
    let logs = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("ARM request"), "{logs}");
    assert!(logs.contains("rid-7"), "{logs}");
    assert!(!logs.contains("TOKEN-CANARY"), "{logs}");
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

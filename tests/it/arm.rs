//! The ARM client against mock-arm: a client-secret credential through the mock's Entra-shaped
//! token endpoint (as the CLI tests configure it), LROs of real resource shapes, paging, and
//! injected faults (throttling, 5xx bursts, dropped connections, failing operations, conflicts).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aksctl::arm::{ArmClient, ArmClientOptions, ArmError, LroProgress, WriteOptions};
use aksctl::cli::{Cloud, CredentialKind};
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use mock_arm::{Config, MockArm};
use serde_json::{json, Value};

const SUBSCRIPTION: &str = "00000000-0000-0000-0000-0000000000a1";
const SECRET: &str = "CANARY-it-client-secret-5b1e";

fn start(config: Config) -> MockArm {
    MockArm::start(config).expect("mock-arm starts")
}

/// A client configured exactly like the CLI under test: client secret, loopback authority.
fn client(mock: &MockArm) -> ArmClient {
    let tenant = Config::default().tenant_id;
    let variables: HashMap<&str, String> = [
        ("AZURE_TENANT_ID", tenant),
        ("AZURE_CLIENT_ID", "aksctl-it".to_string()),
        ("AZURE_CLIENT_SECRET", SECRET.to_string()),
        ("AZURE_AUTHORITY_HOST", mock.url().to_string()),
        ("AKSCTL_RETRY_BASE_MS", "5".to_string()),
    ]
    .into_iter()
    .collect();
    let env = move |name: &str| variables.get(name).cloned();
    let options = ArmClientOptions {
        endpoint: Some(mock.url().to_string()),
        cloud: Cloud::AzureCloud,
        credential: CredentialKind::ClientSecret,
        ..ArmClientOptions::default()
    };
    ArmClient::with_environment(options, &env).expect("client builds")
}

async fn add_fault(mock: &MockArm, spec: Value) {
    reqwest::Client::new()
        .post(format!("{}/_mock/faults", mock.url()))
        .json(&spec)
        .send()
        .await
        .and_then(|response| response.error_for_status())
        .expect("fault accepted");
}

/// How often each fault rule fired, in the order they were added.
async fn fired(mock: &MockArm) -> Vec<u64> {
    let rules: Value = reqwest::get(format!("{}/_mock/faults", mock.url()))
        .await
        .expect("faults listed")
        .json()
        .await
        .expect("faults are JSON");
    let rules = rules
        .as_array()
        .or_else(|| rules.get("faults").and_then(Value::as_array))
        .or_else(|| rules.get("rules").and_then(Value::as_array))
        .cloned()
        .unwrap_or_default();
    rules
        .iter()
        .map(|rule| rule["fired"].as_u64().unwrap_or(0))
        .collect()
}

fn group(name: &str) -> ResourceId {
    ResourceId::resource_group(SUBSCRIPTION, name)
}

async fn create_group(client: &ArmClient, name: &str) -> Value {
    client
        .put(
            &group(name),
            Kind::ResourceGroup.api_version(),
            &json!({"location": "eastus", "tags": {"aksctl-estate": "it"}}),
            &WriteOptions::default(),
        )
        .await
        .expect("resource group created")
}

#[tokio::test]
async fn resource_group_round_trip_through_the_mock_token_endpoint() {
    let mock = start(Config::default());
    let client = client(&mock);
    let version = Kind::ResourceGroup.api_version();
    let created = create_group(&client, "rg-round-trip").await;
    assert_eq!(created["name"], "rg-round-trip");

    let read = client.get(&group("rg-round-trip"), version).await.unwrap();
    assert_eq!(read.unwrap()["location"], "eastus");
    let listed = client
        .list(
            &format!("/subscriptions/{SUBSCRIPTION}/resourcegroups"),
            version,
            &[],
        )
        .await
        .unwrap();
    assert!(listed.iter().any(|item| item["name"] == "rg-round-trip"));

    client
        .delete(&group("rg-round-trip"), version, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(
        client.get(&group("rg-round-trip"), version).await.unwrap(),
        None
    );
    client
        .delete(&group("rg-round-trip"), version, &WriteOptions::default())
        .await
        .expect("deleting a missing group is fine");
    assert!(client.request_count() >= 6);
}

#[tokio::test]
async fn registry_create_and_delete_follow_their_operations() {
    let mock = start(Config::default());
    let client = client(&mock);
    create_group(&client, "rg-acr").await;
    let registry =
        ResourceId::in_resource_group(SUBSCRIPTION, "rg-acr", Kind::ContainerRegistry, "acrit01");
    let version = Kind::ContainerRegistry.api_version();
    let reports: Arc<Mutex<Vec<LroProgress>>> = Arc::default();
    let sink = reports.clone();
    let progress = move |report: LroProgress| sink.lock().unwrap().push(report);
    let options = WriteOptions {
        progress: Some(&progress),
        ..WriteOptions::default()
    };
    let body = client
        .put(
            &registry,
            version,
            &json!({"location": "eastus", "sku": {"name": "Standard"}, "properties": {}}),
            &options,
        )
        .await
        .unwrap();
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert!(!reports.lock().unwrap().is_empty(), "progress reported");

    client
        .delete(&registry, version, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(client.get(&registry, version).await.unwrap(), None);
}

#[tokio::test]
async fn throttling_and_server_error_bursts_are_absorbed() {
    let mock = start(Config::default());
    let client = client(&mock);
    create_group(&client, "rg-faults").await;
    let version = Kind::ResourceGroup.api_version();
    add_fault(
        &mock,
        json!({"method": "GET", "path": "(?i)/resourcegroups/rg-faults$", "status": 429,
               "code": "TooManyRequests", "retryAfter": 0.05, "times": 3}),
    )
    .await;
    let before = client.request_count();
    assert!(client
        .get(&group("rg-faults"), version)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        client.request_count() - before,
        4,
        "3 throttled, then success"
    );

    add_fault(
        &mock,
        json!({"method": "GET", "path": "(?i)/resourcegroups/rg-faults$", "status": 503,
               "code": "ServiceUnavailable", "times": 2}),
    )
    .await;
    let before = client.request_count();
    assert!(client
        .get(&group("rg-faults"), version)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        client.request_count() - before,
        3,
        "2 unavailable, then success"
    );
}

#[tokio::test]
async fn a_dropped_connection_and_a_busy_conflict_are_retried_for_puts() {
    let mock = start(Config::default());
    let client = client(&mock);
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/resourcegroups/rg-retry$", "action": "drop", "times": 1}),
    )
    .await;
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/resourcegroups/rg-retry$", "status": 409,
               "code": "OperationNotAllowed", "times": 2}),
    )
    .await;
    let body = create_group(&client, "rg-retry").await;
    assert_eq!(body["name"], "rg-retry");
    assert_eq!(
        fired(&mock).await,
        [1, 2],
        "the drop and both conflicts happened"
    );
}

#[tokio::test]
async fn a_failing_operation_reports_its_code_and_operation() {
    let mock = start(Config::default());
    let client = client(&mock);
    create_group(&client, "rg-fail").await;
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/registries/acrfail01$", "action": "failLro"}),
    )
    .await;
    let registry = ResourceId::in_resource_group(
        SUBSCRIPTION,
        "rg-fail",
        Kind::ContainerRegistry,
        "acrfail01",
    );
    let error = client
        .put(
            &registry,
            Kind::ContainerRegistry.api_version(),
            &json!({"location": "eastus", "sku": {"name": "Standard"}}),
            &WriteOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, ArmError::OperationFailed { .. }),
        "{error:?}"
    );
    assert!(error.code().is_some(), "{error}");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("acrfail01"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
}

#[tokio::test]
async fn lists_follow_small_pages() {
    let mock = start(Config {
        page_size: 1,
        ..Config::default()
    });
    let client = client(&mock);
    for name in ["rg-page-a", "rg-page-b", "rg-page-c"] {
        create_group(&client, name).await;
    }
    let listed = client
        .list(
            &format!("/subscriptions/{SUBSCRIPTION}/resourcegroups"),
            Kind::ResourceGroup.api_version(),
            &[],
        )
        .await
        .unwrap();
    let mut names: Vec<&str> = listed
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["rg-page-a", "rg-page-b", "rg-page-c"]);
}

#[tokio::test]
async fn missing_resources_read_as_none_and_missing_parents_list_as_empty() {
    let mock = start(Config::default());
    let client = client(&mock);
    let vault = ResourceId::in_resource_group(SUBSCRIPTION, "rg-none", Kind::KeyVault, "kv-none");
    assert_eq!(
        client
            .get(&vault, Kind::KeyVault.api_version())
            .await
            .unwrap(),
        None
    );
    let vaults = client
        .list(
            &format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-none/providers/Microsoft.KeyVault/vaults"),
            Kind::KeyVault.api_version(),
            &[],
        )
        .await
        .unwrap();
    assert!(vaults.is_empty());
}

/// Another tool spends most of the subscription's write budget; the client learns what is left
/// from ARM's `x-ms-ratelimit-remaining-subscription-writes` and paces its own burst to the
/// refill instead of collecting 429s, and reports the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_paced_to_the_budget_another_tool_left() {
    let mock = start(Config {
        throttle: true,
        ..Config::default()
    });
    let other_tool = reqwest::Client::new();
    for round in 0..180 {
        other_tool
            .put(format!(
                "{}/subscriptions/{SUBSCRIPTION}/resourcegroups/rg-other-tool?api-version={}",
                mock.url(),
                Kind::ResourceGroup.api_version()
            ))
            .bearer_auth("other-tool")
            .json(&json!({"location": "eastus", "tags": {"round": round.to_string()}}))
            .send()
            .await
            .and_then(|response| response.error_for_status())
            .expect("the other tool's write is accepted");
    }
    let client = client(&mock);
    let holds: Arc<Mutex<Vec<aksctl::arm::BudgetWait>>> = Arc::default();
    let mut writes = tokio::task::JoinSet::new();
    for index in 0..40 {
        let client = client.clone();
        let holds = Arc::clone(&holds);
        writes.spawn(async move {
            let report = move |wait: aksctl::arm::BudgetWait| holds.lock().unwrap().push(wait);
            client
                .put(
                    &group(&format!("rg-paced-{index}")),
                    Kind::ResourceGroup.api_version(),
                    &json!({"location": "eastus"}),
                    &WriteOptions {
                        throttled: Some(&report),
                        ..WriteOptions::default()
                    },
                )
                .await
        });
    }
    while let Some(joined) = writes.join_next().await {
        joined.unwrap().expect("a paced write succeeds");
    }
    let requests: Vec<Value> = reqwest::get(format!("{}/_mock/requests", mock.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ours: Vec<&Value> = requests
        .iter()
        .filter(|request| {
            request["path"]
                .as_str()
                .is_some_and(|path| path.contains("rg-paced-"))
        })
        .collect();
    assert!(ours.len() >= 40, "{} requests", ours.len());
    let refused = ours
        .iter()
        .filter(|request| request["status"].as_u64() == Some(429))
        .count();
    assert_eq!(
        refused, 0,
        "the client paced its writes instead of being refused"
    );
    let holds = holds.lock().unwrap();
    assert!(
        holds
            .iter()
            .any(|hold| hold.category == aksctl::arm::BudgetCategory::Write),
        "waits for the write budget are reported: {holds:?}"
    );
}

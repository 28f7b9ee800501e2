//! Shared integration-test helpers: start an in-process mock-arm, build an `aksctl` command wired
//! to it (client-secret credential through the mock's token endpoint), and read or replace the
//! mock's world and request log through its `/_mock/*` control API.

#![allow(dead_code)]

pub mod openapi;

use std::path::PathBuf;
use std::time::Duration;

use aksctl::arm::ArmClient;
use mock_arm::{Config, MockArm};
use serde_json::Value;

/// The subscription every test estate is planned into (`${AZURE_SUBSCRIPTION_ID}`).
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-00000000c0de";
/// A client secret that must never appear in any output.
pub const SECRET_CANARY: &str = "CANARY-aksctl-it-secret-7f3d";
pub const CLIENT_ID: &str = "aksctl-it-client";

/// The mock's tenant (tokens, identities, vault tenant ids).
pub fn tenant() -> String {
    Config::default().tenant_id
}

/// A mock-arm with fast operations.
pub fn start_mock() -> MockArm {
    start_mock_with(Config {
        time_scale: 0.0005,
        ..Config::default()
    })
}

/// A mock-arm whose world holds the networks the shipped estates name
/// (`aksctl::sandbox_networks`), in [`SUBSCRIPTION`].
pub fn start_mock_with(config: Config) -> MockArm {
    let mock = MockArm::start(config).expect("mock-arm starts");
    put_state(&mock, &serde_json::json!({"resources": []}));
    mock
}

/// A path in the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The environment the CLI runs with against `mock`.
pub fn cli_environment(mock: &MockArm) -> Vec<(&'static str, String)> {
    vec![
        ("AKSCTL_ARM_ENDPOINT", mock.url().to_owned()),
        ("AKSCTL_CREDENTIAL", "client-secret".to_owned()),
        ("AZURE_TENANT_ID", tenant()),
        ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
        ("AZURE_CLIENT_SECRET", SECRET_CANARY.to_owned()),
        ("AZURE_AUTHORITY_HOST", mock.url().to_owned()),
        ("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION.to_owned()),
        ("AKSCTL_RETRY_BASE_MS", "5".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ]
}

/// `aksctl` configured for `mock`, with no ambient Azure or CI settings leaking in.
pub fn aksctl(mock: &MockArm) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("aksctl").expect("aksctl binary");
    for variable in [
        "AKSCTL_SANDBOX_DIR",
        "AKSCTL_CLOUD",
        "GITHUB_STEP_SUMMARY",
        "RUST_LOG",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
    ] {
        command.env_remove(variable);
    }
    for (name, value) in cli_environment(mock) {
        command.env(name, value);
    }
    command.timeout(Duration::from_secs(120));
    command
}

/// A library ARM client for `mock` (loopback, fixed token): for seeding worlds with raw PUTs.
pub fn arm_client(mock: &MockArm) -> ArmClient {
    ArmClient::for_loopback(mock.url(), "aksctl-it").expect("loopback client")
}

/// Runs a future to completion on a fresh runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

pub(crate) async fn control(
    mock: &MockArm,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Value {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{}{path}", mock.url()));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|error| panic!("mock control {path}: {error}"));
    let status = response.status();
    let text = response.text().await.expect("control body");
    assert!(status.is_success(), "mock control {path}: {status}: {text}");
    if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("control JSON")
    }
}

/// `GET /_mock/requests`: every request the mock answered, oldest first.
pub fn requests(mock: &MockArm) -> Vec<Value> {
    match block_on(control(mock, reqwest::Method::GET, "/_mock/requests", None)) {
        Value::Array(items) => items,
        other => panic!("unexpected request log {other}"),
    }
}

/// `DELETE /_mock/requests`.
pub fn clear_requests(mock: &MockArm) {
    block_on(control(
        mock,
        reqwest::Method::DELETE,
        "/_mock/requests",
        None,
    ));
}

/// Only the ARM requests (not the token endpoint, not the control API).
pub fn arm_requests(mock: &MockArm) -> Vec<Value> {
    requests(mock)
        .into_iter()
        .filter(|request| {
            request["path"].as_str().is_some_and(|path| {
                path.starts_with("/subscriptions/") || path.starts_with("/providers/")
            })
        })
        .collect()
}

/// `GET /_mock/state`: `{"resources": [ARM GET bodies]}`.
pub fn state(mock: &MockArm) -> Value {
    block_on(control(mock, reqwest::Method::GET, "/_mock/state", None))
}

/// `PUT /_mock/state`: replaces the world with these bodies (read-only fields filled in), plus
/// the shipped estates' networks unless the state holds them already.
pub fn put_state(mock: &MockArm, state: &Value) {
    let state = aksctl::sandbox_networks::with_shipped_networks(state.clone(), SUBSCRIPTION);
    block_on(control(
        mock,
        reqwest::Method::PUT,
        "/_mock/state",
        Some(&state),
    ));
}

/// `POST /_mock/reset`, then the shipped estates' networks: a world without estate resources.
pub fn reset(mock: &MockArm) {
    block_on(control(mock, reqwest::Method::POST, "/_mock/reset", None));
    put_state(mock, &serde_json::json!({"resources": []}));
}

/// Whether `id` is part of the seeded landing zone (the shipped estates' networks and their
/// resource groups): present from the start, owned by no estate, never written by aksctl.
pub fn is_landing_zone(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    aksctl::sandbox_networks::shipped_networks(SUBSCRIPTION)
        .iter()
        .filter_map(|network| network["id"].as_str())
        .any(|network| {
            let network = network.to_ascii_lowercase();
            let group = network
                .split("/providers/")
                .next()
                .unwrap_or_default()
                .to_owned();
            lower == group || lower.starts_with(&network)
        })
}

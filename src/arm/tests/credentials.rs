//! The client-secret credential against a loopback Entra-shaped token endpoint, exactly as the
//! integration tests configure it, and secrets never surfacing in errors.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use super::{Reply, Server};
use crate::arm::{ArmClient, ArmClientOptions, ArmError};
use crate::cli::{Cloud, CredentialKind};
use crate::id::ResourceId;

const SECRET: &str = "CANARY-client-secret-7f3a";

fn environment(authority: &str) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<&str, String> = [
        ("AZURE_TENANT_ID", "tenant-1".to_string()),
        ("AZURE_CLIENT_ID", "client-1".to_string()),
        ("AZURE_CLIENT_SECRET", SECRET.to_string()),
        ("AZURE_AUTHORITY_HOST", authority.to_string()),
        ("AKSCTL_RETRY_BASE_MS", "5".to_string()),
    ]
    .into_iter()
    .collect();
    move |name: &str| map.get(name).cloned()
}

fn options(endpoint: &str) -> ArmClientOptions {
    ArmClientOptions {
        endpoint: Some(endpoint.to_string()),
        cloud: Cloud::AzureCloud,
        credential: CredentialKind::ClientSecret,
        max_concurrency: 4,
        deadline: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn client_secret_credential_gets_a_token_from_a_loopback_authority() {
    let server = Server::start(|seen, _| match (seen.method.as_str(), seen.path()) {
        ("POST", "/tenant-1/oauth2/v2.0/token") => Reply::json(
            200,
            json!({"access_token": "ARM-TOKEN-CANARY", "expires_in": 3600, "token_type": "Bearer"}),
        ),
        ("GET", _) => Reply::json(200, json!({"name": "rg"})),
        _ => Reply::raw(500, "unexpected"),
    })
    .await;
    let env = environment(&server.base);
    let client = ArmClient::with_environment(options(&server.base), &env).unwrap();
    let group = ResourceId::resource_group("s", "rg");
    client.get(&group, "2025-04-01").await.unwrap();
    client.get(&group, "2025-04-01").await.unwrap();

    let seen = server.seen();
    let token_requests: Vec<_> = seen.iter().filter(|seen| seen.method == "POST").collect();
    assert_eq!(token_requests.len(), 1, "the token is cached");
    let form = &token_requests[0].body;
    assert!(form.contains("grant_type=client_credentials"), "{form}");
    assert!(
        form.contains("scope=https%3A%2F%2Fmanagement.azure.com%2F.default"),
        "{form}"
    );
    let arm: Vec<_> = seen.iter().filter(|seen| seen.method == "GET").collect();
    assert_eq!(arm.len(), 2);
    assert_eq!(
        arm[0].header("authorization"),
        Some("Bearer ARM-TOKEN-CANARY")
    );
    assert_eq!(
        client.request_count(),
        2,
        "token requests are not ARM requests"
    );
    assert!(!format!("{client:?}").contains("CANARY"));
}

#[tokio::test]
async fn a_rejected_secret_is_a_credential_error_without_the_secret() {
    let server = Server::start(|seen, _| {
        if seen.method == "POST" {
            let echo = format!("AADSTS7000215: Invalid client secret provided: {SECRET}");
            Reply::json(401, json!({"error": "invalid_client", "error_description": echo, "error_codes": [7000215]}))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let env = environment(&server.base);
    let client = ArmClient::with_environment(options(&server.base), &env).unwrap();
    let error = client
        .get(&ResourceId::resource_group("s", "rg"), "v")
        .await
        .unwrap_err();
    assert!(matches!(error, ArmError::Credential { .. }), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("client-secret"), "{shown}");
    assert!(
        shown.contains("AZURE_CLIENT_SECRET"),
        "hint names the variables: {shown}"
    );
    assert!(
        server.seen().iter().all(|seen| seen.method == "POST"),
        "no ARM request without a token"
    );
}

#[tokio::test]
async fn an_unreachable_authority_is_a_credential_error() {
    // Bind then drop a listener so the port is (very likely) closed.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let authority = format!("http://127.0.0.1:{port}");
    let env = environment(&authority);
    let client = ArmClient::with_environment(options(&authority), &env).unwrap();
    let error = client
        .get(&ResourceId::resource_group("s", "rg"), "v")
        .await
        .unwrap_err();
    assert!(matches!(error, ArmError::Credential { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains(SECRET));
}

#[tokio::test]
async fn workload_identity_exchanges_the_federated_token_file() {
    let server = Server::start(|seen, _| match seen.method.as_str() {
        "POST" => Reply::json(
            200,
            json!({"access_token": "WI-TOKEN", "expires_in": 3600, "token_type": "Bearer"}),
        ),
        _ => Reply::json(200, json!({"name": "rg"})),
    })
    .await;
    let directory = tempfile::tempdir().unwrap();
    let token_file = directory.path().join("oidc-token");
    std::fs::write(&token_file, "FEDERATED-JWT-CANARY").unwrap();
    let variables: HashMap<&str, String> = [
        ("AZURE_TENANT_ID", "tenant-2".to_string()),
        ("AZURE_CLIENT_ID", "client-2".to_string()),
        (
            "AZURE_FEDERATED_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        ("AZURE_AUTHORITY_HOST", server.base.clone()),
    ]
    .into_iter()
    .collect();
    let env = move |name: &str| variables.get(name).cloned();
    let options = ArmClientOptions {
        credential: CredentialKind::WorkloadIdentity,
        ..options(&server.base)
    };
    let client = ArmClient::with_environment(options, &env).unwrap();
    client
        .get(&ResourceId::resource_group("s", "rg"), "v")
        .await
        .unwrap();

    let seen = server.seen();
    assert_eq!(seen[0].path(), "/tenant-2/oauth2/v2.0/token");
    assert!(
        seen[0]
            .body
            .contains("client_assertion=FEDERATED-JWT-CANARY"),
        "{}",
        seen[0].body
    );
    assert_eq!(seen[1].header("authorization"), Some("Bearer WI-TOKEN"));
}

//! Record mode (sanitized cassettes) and strict playback.

use std::path::PathBuf;

use mock_arm::{Config, MockArm};
use serde_json::{json, Value};

use crate::support::*;

const SECRET: &str = "hunter2-secret";

fn shipped_cassette() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cassettes/official-examples.json")
}

fn example(name: &str) -> Value {
    let path = format!("{}/tests/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json")
}

/// A client for a recorder or player (same raw HTTP helpers as the simulator tests).
fn client_for(mock: MockArm) -> Arm {
    Arm {
        mock,
        client: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn record_sanitizes_and_playback_replays_strictly() {
    let upstream = Arm::with(Config {
        time_scale: 0.0,
        ..Default::default()
    });
    let directory = tempfile::tempdir().expect("tempdir");
    let file = directory.path().join("cassette.json");
    let recorder =
        client_for(MockArm::start_recording(upstream.mock.url(), file.clone()).expect("recorder"));

    let group = at(
        &format!("/subscriptions/{SUB}/resourcegroups/rg-rec"),
        RG_VERSION,
    );
    let cluster = at(&format!("/subscriptions/{SUB}/resourceGroups/rg-rec/providers/Microsoft.ContainerService/managedClusters/aks-rec"), AKS_VERSION);
    let mut body = cluster_body("eastus");
    body["properties"]["servicePrincipalProfile"] = json!({ "clientId": "app", "secret": SECRET });
    let mut recorded = Vec::new();
    recorded.push(recorder.put(&group, json!({ "location": "eastus" })).await);
    let created = recorder.put(&cluster, body.clone()).await;
    assert_eq!(created.status, 201);
    let status_url = created
        .header("azure-asyncoperation")
        .expect("status url")
        .to_string();
    assert!(
        status_url.starts_with(recorder.mock.url()),
        "polling URLs point at the recorder"
    );
    let status = recorder.get(&status_url).await;
    assert_eq!(status.str("/status"), "Succeeded");
    let got = recorder.get(&cluster).await;
    assert_eq!(got.status, 200);

    let text = std::fs::read_to_string(&file).expect("cassette written");
    assert!(!text.contains(SECRET), "secrets are scrubbed");
    assert!(!text.contains(SUB), "subscription ids are scrubbed");
    assert!(
        !text.contains("00000000-0000-0000-0000-00000000a0a0"),
        "tenant ids are scrubbed"
    );
    assert!(
        !text.contains(upstream.mock.url()) && !text.contains(recorder.mock.url()),
        "base URLs are placeholders"
    );
    assert!(
        !text.to_lowercase().contains("bearer"),
        "tokens are not stored"
    );
    assert!(text.contains("{{base}}"));

    let player = client_for(MockArm::start_playback(&file).expect("player"));
    let replayed_group = player.put(&group, json!({ "location": "eastus" })).await;
    assert_eq!(replayed_group.status, recorded[0].status);
    let replayed = player.put(&cluster, body).await;
    assert_eq!(replayed.status, 201);
    assert_eq!(
        replayed.str("/properties/fqdn"),
        created.str("/properties/fqdn")
    );
    let replayed_status_url = replayed
        .header("azure-asyncoperation")
        .expect("status url")
        .to_string();
    assert!(replayed_status_url.starts_with(player.mock.url()));
    for _ in 0..3 {
        assert_eq!(
            player.get(&replayed_status_url).await.str("/status"),
            "Succeeded",
            "reads may repeat"
        );
    }
    assert_eq!(player.get(&cluster).await.str("/name"), "aks-rec");
    let again = player.put(&cluster, cluster_body("eastus")).await;
    assert_eq!(again.status, 501);
    assert_eq!(again.code(), "NoRecordedInteraction");
    let message = again.body["error"]["message"].as_str().expect("message");
    assert!(message.contains("closest recorded request is PUT /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-rec/providers/Microsoft.ContainerService/managedClusters/aks-rec"), "{message}");
    assert!(message.contains("body"), "{message}");
    recorded.clear();
}

#[tokio::test]
async fn shipped_example_cassette_plays_back() {
    let cassette: Value = serde_json::from_str(
        &std::fs::read_to_string(shipped_cassette()).expect("shipped cassette"),
    )
    .expect("json");
    let interactions = cassette["interactions"].as_array().expect("interactions");
    assert!(
        interactions.len() >= 30,
        "the cassette covers the official examples"
    );
    let player = client_for(MockArm::start_playback(&shipped_cassette()).expect("player"));
    for interaction in interactions {
        let method = interaction["method"].as_str().expect("method");
        let query = interaction["query"].as_str().unwrap_or_default();
        let path = format!("{}?{query}", interaction["path"].as_str().expect("path"));
        let body = Some(interaction["requestBody"].clone()).filter(|b| !b.is_null());
        let response = player.send(method, &path, body).await;
        assert_eq!(
            response.status,
            interaction["status"].as_u64().expect("status") as u16,
            "{method} {path}"
        );
        let expected: Value = serde_json::from_str(
            &interaction["responseBody"]
                .to_string()
                .replace("{{base}}", player.mock.url()),
        )
        .expect("json");
        assert_eq!(response.body, expected, "{method} {path}");
    }
}

/// Records the official example requests against mock-arm and checks that the shipped cassette
/// (tests/cassettes/official-examples.json) holds the same interactions in the same order, so it
/// cannot silently go stale. `MOCK_ARM_WRITE_CASSETTE=1 cargo test -p mock-arm --test arm
/// shipped_example_cassette` rewrites the shipped cassette from the fresh recording instead.
#[tokio::test]
async fn shipped_example_cassette_matches_a_fresh_recording() {
    let regenerate = std::env::var_os("MOCK_ARM_WRITE_CASSETTE").is_some();
    let scratch = tempfile::tempdir().expect("temp dir");
    let target = if regenerate {
        shipped_cassette()
    } else {
        scratch.path().join("fresh.json")
    };
    record_official_examples(&target).await;
    if regenerate {
        return;
    }
    let shape = |path: &std::path::Path| -> Vec<(String, String, u64)> {
        let cassette: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("cassette")).expect("json");
        cassette["interactions"]
            .as_array()
            .expect("interactions")
            .iter()
            .map(|interaction| {
                (
                    interaction["method"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    without_operation_ids(interaction["path"].as_str().unwrap_or_default()),
                    interaction["status"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    };
    assert_eq!(
        shape(&target),
        shape(&shipped_cassette()),
        "the shipped cassette is stale: rerun with MOCK_ARM_WRITE_CASSETTE=1"
    );
}

/// A path with the (random) id of a long-running operation replaced by `{operation}`.
fn without_operation_ids(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .enumerate()
        .map(|(index, segment)| {
            let after_operations = index > 0
                && matches!(
                    segments[index - 1].to_ascii_lowercase().as_str(),
                    "operations" | "operationresults"
                );
            if after_operations {
                "{operation}".to_owned()
            } else {
                (*segment).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn record_official_examples(target: &std::path::Path) {
    let upstream = Arm::with(Config {
        time_scale: 0.0,
        ..Default::default()
    });
    let recorder = client_for(
        MockArm::start_recording(upstream.mock.url(), target.to_path_buf()).expect("recorder"),
    );
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000000";
    let group = |name: &str| format!("{sub}/resourceGroups/{name}");
    let poll = |response: &Response| {
        response
            .header("azure-asyncoperation")
            .or(response.header("location"))
            .map(str::to_string)
    };

    recorder
        .put(
            &at(
                &format!("{sub}/resourcegroups/my-resource-group"),
                RG_VERSION,
            ),
            example("CreateResourceGroup.json")["parameters"]["parameters"].clone(),
        )
        .await;
    for name in [
        "myResourceGroup",
        "sample-resource-group",
        "res9101",
        "rgName",
        "rg1",
        "rgName1",
    ] {
        recorder
            .put(
                &at(&format!("{sub}/resourcegroups/{name}"), RG_VERSION),
                json!({ "location": "eastus" }),
            )
            .await;
    }
    let registry = at(
        &format!(
            "{}/providers/Microsoft.ContainerRegistry/registries/myRegistry",
            group("myResourceGroup")
        ),
        ACR_VERSION,
    );
    let created = recorder
        .put(
            &registry,
            example("RegistryCreate.json")["parameters"]["registry"].clone(),
        )
        .await;
    recorder.get(&poll(&created).expect("poll")).await;
    recorder.get(&registry).await;

    let vault = at(
        &format!(
            "{}/providers/Microsoft.KeyVault/vaults/sample-vault",
            group("sample-resource-group")
        ),
        KV_VERSION,
    );
    let created = recorder
        .put(
            &vault,
            example("createVault.json")["parameters"]["parameters"].clone(),
        )
        .await;
    recorder.get(&poll(&created).expect("poll")).await;
    recorder.get(&vault).await;
    recorder.delete(&vault).await;
    recorder
        .get(&at(
            &format!(
                "{sub}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/sample-vault"
            ),
            KV_VERSION,
        ))
        .await;

    let account = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/sto4445",
        group("res9101")
    );
    let created = recorder
        .put(
            &at(&account, STORAGE_VERSION),
            example("StorageAccountCreate.json")["parameters"]["parameters"].clone(),
        )
        .await;
    recorder.get(&poll(&created).expect("poll")).await;
    recorder.get(&at(&account, STORAGE_VERSION)).await;
    recorder
        .put(
            &at(&format!("{account}/blobServices/default"), STORAGE_VERSION),
            example("BlobServicesPut.json")["parameters"]["parameters"].clone(),
        )
        .await;
    let container = at(
        &format!("{account}/blobServices/default/containers/container6185"),
        STORAGE_VERSION,
    );
    recorder.put(&container, json!({})).await;
    recorder.get(&container).await;

    let identity = format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName",
        group("rgName")
    );
    recorder
        .put(
            &at(&identity, MSI_VERSION),
            example("IdentityCreate.json")["parameters"]["parameters"].clone(),
        )
        .await;
    recorder.get(&at(&identity, MSI_VERSION)).await;
    let credential = at(
        &format!("{identity}/federatedIdentityCredentials/ficResourceName"),
        MSI_VERSION,
    );
    recorder
        .put(
            &credential,
            example("FederatedIdentityCredentialCreate.json")["parameters"]["parameters"].clone(),
        )
        .await;
    recorder.get(&credential).await;

    recorder
        .put(
            &at(
                &format!(
                    "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identity1",
                    group("rgName1")
                ),
                MSI_VERSION,
            ),
            json!({ "location": "location1" }),
        )
        .await;
    let cluster = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/clustername1",
        group("rg1")
    );
    let mut body = example("ManagedClustersCreate_Update.json")["parameters"]["parameters"].clone();
    body["properties"]["kubernetesVersion"] = json!("");
    let created = recorder.put(&at(&cluster, AKS_VERSION), body).await;
    recorder.get(&poll(&created).expect("poll")).await;
    recorder.get(&at(&cluster, AKS_VERSION)).await;
    let pool = at(&format!("{cluster}/agentPools/agentpool1"), AKS_VERSION);
    let created = recorder
        .put(
            &pool,
            example("AgentPoolsCreate_Spot.json")["parameters"]["parameters"].clone(),
        )
        .await;
    recorder.get(&poll(&created).expect("poll")).await;
    recorder.get(&pool).await;
    let deleted = recorder.delete(&pool).await;
    recorder.get(&poll(&deleted).expect("poll")).await;
    let assignment = at(&format!("{}/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff", group("rg1")), AUTH_VERSION);
    let mut body =
        example("RoleAssignments_CreateForResourceGroup.json")["parameters"]["parameters"].clone();
    body["properties"]["roleDefinitionId"] = json!(format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"));
    recorder.put(&assignment, body).await;
    recorder.get(&assignment).await;
    let deleted = recorder.delete(&at(&cluster, AKS_VERSION)).await;
    recorder.get(&poll(&deleted).expect("poll")).await;
    recorder.get(&at(&cluster, AKS_VERSION)).await;
}

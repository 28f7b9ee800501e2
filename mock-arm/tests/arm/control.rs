//! The control API contract (`/_mock/*`), authentication, the token endpoint and common headers.

use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn requests_are_logged_in_order_with_timing_and_control_routes_are_not() {
    let arm = Arm::start();
    let group = arm.group("rg-log").await;
    arm.get(&at(&group, RG_VERSION)).await;
    arm.control("GET", "/_mock/state", None).await;
    let log = arm.control("GET", "/_mock/requests", None).await;
    let entries = log.body.as_array().expect("array");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["method"], "PUT");
    assert_eq!(
        entries[0]["path"],
        format!("/subscriptions/{SUB}/resourcegroups/rg-log")
    );
    assert_eq!(entries[0]["query"], format!("api-version={RG_VERSION}"));
    assert_eq!(entries[0]["status"], 201);
    assert_eq!(entries[0]["body"], json!({ "location": "eastus" }));
    assert_eq!(entries[1]["method"], "GET");
    assert_eq!(entries[1]["body"], Value::Null);
    assert!(
        entries[1]["time"].as_f64().expect("time") >= entries[0]["time"].as_f64().expect("time")
    );
    assert!(entries[0]["durationMs"].as_f64().is_some());
    let cleared = arm.control("DELETE", "/_mock/requests", None).await;
    assert_eq!(cleared.status, 204);
    let log = arm.control("GET", "/_mock/requests", None).await;
    assert_eq!(log.body, json!([]));
}

#[tokio::test]
async fn missing_or_malformed_token_is_rejected_like_arm() {
    let arm = Arm::start();
    let path = at(
        &format!("/subscriptions/{SUB}/resourcegroups/rg"),
        RG_VERSION,
    );
    let missing = arm.send_with("GET", &path, None, &[]).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.code(), "AuthenticationFailed");
    let empty = arm
        .send_with("GET", &path, None, &[("authorization", "Bearer ")])
        .await;
    assert_eq!(empty.status, 401);
    assert_eq!(empty.code(), "InvalidAuthenticationToken");
    let basic = arm
        .send_with("GET", &path, None, &[("authorization", "Basic abc")])
        .await;
    assert_eq!(basic.code(), "InvalidAuthenticationToken");
}

#[tokio::test]
async fn token_endpoint_issues_opaque_bearer_tokens() {
    let arm = Arm::start();
    let response = arm
        .client
        .post(arm.url("/tenant-1/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=app&client_secret=s3cret&scope=https%3A%2F%2Fmanagement.azure.com%2F.default")
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    let assertion = arm
        .client
        .post(arm.url("/tenant-1/oauth2/v2.0/token"))
        .body("grant_type=client_credentials&client_id=app&client_assertion=eyJ&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer")
        .send()
        .await
        .expect("token request");
    assert_eq!(assertion.status().as_u16(), 200);
    let bad = arm
        .client
        .post(arm.url("/tenant-1/oauth2/v2.0/token"))
        .body("client_id=app")
        .send()
        .await
        .expect("token request");
    assert_eq!(bad.status().as_u16(), 400);
    let log = arm.control("GET", "/_mock/requests", None).await;
    assert_eq!(log.body, json!([]), "token requests are not ARM requests");
}

#[tokio::test]
async fn every_response_carries_arm_headers() {
    let arm = Arm::start();
    let path = at(
        &format!("/subscriptions/{SUB}/resourcegroups/rg-missing"),
        RG_VERSION,
    );
    let response = arm
        .send_with(
            "GET",
            &path,
            None,
            &[
                ("authorization", "Bearer t"),
                ("x-ms-client-request-id", "abc-123"),
            ],
        )
        .await;
    assert_eq!(response.status, 404);
    assert_eq!(response.code(), "ResourceGroupNotFound");
    assert!(response.header("x-ms-request-id").is_some());
    assert!(response.header("x-ms-correlation-request-id").is_some());
    assert_eq!(response.header("x-ms-client-request-id"), Some("abc-123"));
    assert!(response
        .header("x-ms-ratelimit-remaining-subscription-reads")
        .is_some());
    let put = arm.put(&path, json!({ "location": "eastus" })).await;
    assert!(put
        .header("x-ms-ratelimit-remaining-subscription-writes")
        .is_some());
    let delete = arm.delete(&path).await;
    assert!(delete
        .header("x-ms-ratelimit-remaining-subscription-deletes")
        .is_some());
}

#[tokio::test]
async fn state_round_trips_and_fills_read_only_fields() {
    let arm = Arm::start();
    let group = arm.group("rg-state").await;
    let identity = arm
        .put(
            &at(
                &format!(
                    "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app"
                ),
                MSI_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(identity.status, 201);
    let mut body = cluster_body("eastus");
    body["properties"]["addonProfiles"] =
        json!({ "azureKeyvaultSecretsProvider": { "enabled": true } });
    let cluster = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks-state"),
                AKS_VERSION,
            ),
            body,
        )
        .await;
    arm.wait(&cluster).await;
    let exported = arm.control("GET", "/_mock/state", None).await;
    let resources = exported.body["resources"]
        .as_array()
        .expect("resources")
        .clone();
    assert!(resources
        .iter()
        .any(|r| r["type"] == "Microsoft.Resources/resourceGroups"));
    assert!(resources
        .iter()
        .any(|r| r["type"] == "Microsoft.ContainerService/managedClusters/agentPools"));
    assert!(exported.body["deletedVaults"].is_array());

    let other = Arm::start();
    let replaced = other
        .control("PUT", "/_mock/state", Some(exported.body.clone()))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let again = other.control("GET", "/_mock/state", None).await;
    assert_eq!(
        again.body["resources"], exported.body["resources"],
        "state survives a round trip unchanged"
    );

    // A seeded cluster without server fields gets them, as on create.
    let seeded = json!({ "resources": [{
        "id": format!("/subscriptions/{SUB}/resourceGroups/rg-seed/providers/Microsoft.ContainerService/managedClusters/aks-seed"),
        "location": "westeurope",
        "properties": {
            "dnsPrefix": "seed",
            "oidcIssuerProfile": { "enabled": true },
            "agentPoolProfiles": [{ "name": "system", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 1 }],
        },
    }] });
    let response = other.control("PUT", "/_mock/state", Some(seeded)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let cluster = other.get(&at(&format!("/subscriptions/{SUB}/resourceGroups/rg-seed/providers/Microsoft.ContainerService/managedClusters/aks-seed"), AKS_VERSION)).await;
    assert_eq!(cluster.status, 200);
    assert!(cluster
        .str("/properties/oidcIssuerProfile/issuerURL")
        .starts_with("https://westeurope.oic.prod-aks.azure.com/"));
    assert_eq!(cluster.str("/properties/provisioningState"), "Succeeded");
    assert_eq!(
        cluster.str("/properties/agentPoolProfiles/0/provisioningState"),
        "Succeeded"
    );
    assert_eq!(
        cluster.str("/properties/nodeResourceGroup"),
        "MC_rg-seed_aks-seed_westeurope"
    );
    let group = other
        .get(&at(
            &format!("/subscriptions/{SUB}/resourcegroups/rg-seed"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(group.status, 200, "parent resource group is inferred");
}

#[tokio::test]
async fn reset_empties_everything() {
    let arm = Arm::start();
    arm.group("rg-reset").await;
    arm.control(
        "POST",
        "/_mock/faults",
        Some(json!({ "path": "nothing", "status": 500 })),
    )
    .await;
    let reset = arm.control("POST", "/_mock/reset", None).await;
    assert_eq!(reset.status, 204);
    let state = arm.control("GET", "/_mock/state", None).await;
    assert_eq!(state.body["resources"], json!([]));
    let log = arm.control("GET", "/_mock/requests", None).await;
    assert_eq!(log.body, json!([]));
    let faults = arm.control("GET", "/_mock/faults", None).await;
    assert_eq!(faults.body, json!([]));
}

#[tokio::test]
async fn operations_table_is_exposed() {
    let arm = Arm::start();
    let table = arm.control("GET", "/_mock/operations", None).await;
    assert_eq!(table.status, 200);
    let durations = table.body["durations"].as_array().expect("durations");
    let cluster_create = durations
        .iter()
        .find(|d| {
            d["resourceType"] == "Microsoft.ContainerService/managedClusters"
                && d["action"] == "create"
        })
        .expect("cluster create listed");
    assert_eq!(cluster_create["seconds"], 360.0);
    assert!((cluster_create["scaledMs"].as_f64().expect("ms") - 360.0).abs() < 0.01);
}

#[tokio::test]
async fn state_file_is_saved_and_loaded() {
    let directory = tempfile::tempdir().expect("tempdir");
    let file = directory.path().join("world.json");
    {
        let arm = Arm::with(mock_arm::Config {
            state_file: Some(file.clone()),
            time_scale: 0.001,
            ..Default::default()
        });
        arm.group("rg-file").await;
        assert!(file.exists(), "saved after a mutation");
    }
    let arm = Arm::with(mock_arm::Config {
        state_file: Some(file.clone()),
        time_scale: 0.001,
        ..Default::default()
    });
    let group = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/resourcegroups/rg-file"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(group.status, 200);
}

#[tokio::test]
async fn api_versions_are_validated() {
    let arm = Arm::start();
    let group = format!("/subscriptions/{SUB}/resourcegroups/rg-v");
    let missing = arm.get(&group).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.code(), "MissingApiVersionParameter");
    let wrong = arm.get(&at(&group, "2019-01-01")).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.code(), "InvalidApiVersionParameter");
    assert!(wrong.body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("2025-04-01"));
    let older = arm
        .put(&at(&group, "2021-04-01"), json!({ "location": "eastus" }))
        .await;
    assert_eq!(
        older.status, 201,
        "older GA versions SDKs send are accepted"
    );
    let aks = arm
        .get(&at(
            &format!("{group}/providers/Microsoft.ContainerService/managedClusters/x"),
            "2024-01-01",
        ))
        .await;
    assert_eq!(aks.code(), "InvalidApiVersionParameter");
}

#[tokio::test]
async fn seeds_the_official_get_examples() {
    let arm = Arm::start();
    let files = [
        ("ManagedClustersGet.json", AKS_VERSION),
        ("AgentPoolsGet.json", AKS_VERSION),
        ("getVault.json", KV_VERSION),
        ("RegistryGet.json", ACR_VERSION),
        ("StorageAccountGetProperties.json", STORAGE_VERSION),
        ("IdentityGet.json", MSI_VERSION),
        ("RoleAssignments_Get.json", AUTH_VERSION),
    ];
    let mut resources = Vec::new();
    for (file, _) in files {
        let path = format!("{}/tests/examples/{file}", env!("CARGO_MANIFEST_DIR"));
        let example: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json");
        resources.push(example["responses"]["200"]["body"].clone());
    }
    let seeded = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({ "resources": resources.clone() })),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    for ((file, version), expected) in files.iter().zip(&resources) {
        let id = expected["id"].as_str().expect("id");
        let got = arm.get(&at(id, version)).await;
        assert_eq!(got.status, 200, "{file}: {}", got.body);
        let mut missing = Vec::new();
        missing_keys(expected, &got.body, "", &mut missing);
        // Pools are compared by name below (profiles are listed in name order).
        missing.retain(|path| !path.starts_with("properties.agentPoolProfiles"));
        assert!(
            missing.is_empty(),
            "{file}: seeded resource lost {missing:?}"
        );
    }
    let cluster = arm
        .get(&at(resources[0]["id"].as_str().expect("id"), AKS_VERSION))
        .await;
    assert_eq!(
        cluster.str("/properties/fqdn"),
        "dnsprefix1-abcd1234.hcp.eastus.azmk8s.io",
        "read-only fields are kept as seeded"
    );
    assert_eq!(cluster.str("/properties/currentKubernetesVersion"), "1.9.6");
    assert!(
        cluster.body.get("identity").is_none(),
        "a service-principal cluster has no identity block"
    );
    let pools: Vec<&str> = cluster.body["properties"]["agentPoolProfiles"]
        .as_array()
        .expect("pools")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(pools, vec!["agentpool1", "nodepool1"]);
    let nodepool = cluster.body["properties"]["agentPoolProfiles"][1].clone();
    let mut missing = Vec::new();
    missing_keys(
        &resources[0]["properties"]["agentPoolProfiles"][0],
        &nodepool,
        "",
        &mut missing,
    );
    assert!(missing.is_empty(), "nodepool1 lost {missing:?}");
    assert_eq!(nodepool["availabilityZones"], json!(["1", "2", "3"]));
}

#[tokio::test]
async fn serves_https_with_a_generated_test_ca() {
    let mock = mock_arm::MockArm::start_tls(mock_arm::Config::default()).expect("tls mock");
    assert!(mock.url().starts_with("https://127.0.0.1:"));
    let ca = reqwest::Certificate::from_pem(mock.ca_certificate_pem().expect("ca").as_bytes())
        .expect("pem");
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("client");
    let path = at(
        &format!("/subscriptions/{SUB}/resourcegroups/rg-tls"),
        RG_VERSION,
    );
    let response = client
        .put(format!("{}{path}", mock.url()))
        .bearer_auth("t")
        .json(&json!({ "location": "eastus" }))
        .send()
        .await
        .expect("https request");
    assert_eq!(response.status().as_u16(), 201);
    let deleted = client
        .delete(format!("{}{path}", mock.url()))
        .bearer_auth("t")
        .send()
        .await
        .expect("https request");
    let location = deleted
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("location")
        .to_string();
    assert!(
        location.starts_with("https://"),
        "polling URLs use https: {location}"
    );
    let untrusted = reqwest::Client::new()
        .get(format!("{}{path}", mock.url()))
        .send()
        .await;
    assert!(untrusted.is_err(), "the test CA is not trusted by default");
}

#[tokio::test]
async fn seeding_keeps_recorded_values_the_request_path_refuses() {
    let arm = Arm::start();
    let cluster_id = format!("/subscriptions/{SUB}/resourceGroups/rg-old/providers/Microsoft.ContainerService/managedClusters/aks-old");
    let seeded = json!({ "resources": [{
        "id": cluster_id,
        "location": "eastus",
        "eTag": "recorded-etag",
        "properties": {
            "kubernetesVersion": "1.27",
            "currentKubernetesVersion": "1.27.9",
            "provisioningState": "Updating",
            "fqdn": "recorded.hcp.eastus.azmk8s.io",
            "dnsPrefix": "old",
            "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "orchestratorVersion": "1.27", "currentOrchestratorVersion": "1.27.9", "provisioningState": "Failed" }],
        },
    }] });
    let response = arm.control("PUT", "/_mock/state", Some(seeded)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let cluster = arm.get(&at(&cluster_id, AKS_VERSION)).await;
    assert_eq!(
        cluster.str("/properties/currentKubernetesVersion"),
        "1.27.9"
    );
    assert_eq!(cluster.str("/properties/provisioningState"), "Updating");
    assert_eq!(
        cluster.str("/properties/fqdn"),
        "recorded.hcp.eastus.azmk8s.io"
    );
    assert_eq!(cluster.str("/eTag"), "recorded-etag");
    assert_eq!(
        cluster.str("/properties/agentPoolProfiles/0/provisioningState"),
        "Failed"
    );
    assert_eq!(
        cluster.str("/properties/agentPoolProfiles/0/currentOrchestratorVersion"),
        "1.27.9"
    );
    // The same cluster through the request path is refused (unsupported version).
    let refused = arm
        .put(
            &at(
                &format!("/subscriptions/{SUB}/resourceGroups/rg-old/providers/Microsoft.ContainerService/managedClusters/aks-new"),
                AKS_VERSION,
            ),
            json!({ "location": "eastus", "properties": { "kubernetesVersion": "1.27", "dnsPrefix": "new", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1 }] } }),
        )
        .await;
    assert_eq!(refused.code(), "K8sVersionNotSupported");
}

//! Replays the official x-ms-examples (copied under tests/examples/) and checks the answers carry
//! the fields of the official responses: status codes and key paths.

use serde_json::{json, Value};

use crate::support::*;

fn example(name: &str) -> Value {
    let path = format!("{}/tests/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).expect("example is JSON")
}

/// Fails listing the key paths of `expected` missing from `actual`, except `tolerated` ones.
fn assert_has_fields(name: &str, expected: &Value, actual: &Value, tolerated: &[&str]) {
    let mut missing = Vec::new();
    missing_keys(expected, actual, "", &mut missing);
    missing.retain(|path| {
        !tolerated
            .iter()
            .any(|t| path == t || path.starts_with(&format!("{t}.")))
    });
    assert!(
        missing.is_empty(),
        "{name}: response lacks {missing:?}\nresponse: {actual}"
    );
}

#[tokio::test]
async fn resource_group_example() {
    let arm = Arm::start();
    let example = example("CreateResourceGroup.json");
    let body = example["parameters"]["parameters"].clone();
    let path = at(
        &format!("/subscriptions/{SUB}/resourcegroups/my-resource-group"),
        RG_VERSION,
    );
    let created = arm.put(&path, body.clone()).await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "CreateResourceGroup 201",
        &example["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    let again = arm.put(&path, body).await;
    assert_eq!(again.status, 200);
    assert_has_fields(
        "CreateResourceGroup 200",
        &example["responses"]["200"]["body"],
        &again.body,
        &[],
    );
}

#[tokio::test]
async fn registry_examples() {
    let arm = Arm::start();
    let group = arm.group("myResourceGroup").await;
    let create = example("RegistryCreate.json");
    let path = at(
        &format!("{group}/providers/Microsoft.ContainerRegistry/registries/myRegistry"),
        ACR_VERSION,
    );
    let created = arm
        .put(&path, create["parameters"]["registry"].clone())
        .await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "RegistryCreate 201",
        &create["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    arm.wait(&created).await;
    let get = example("RegistryGet.json");
    let got = arm.get(&path).await;
    assert_has_fields(
        "RegistryGet",
        &get["responses"]["200"]["body"],
        &got.body,
        &[],
    );
    assert_eq!(got.str("/properties/provisioningState"), "Succeeded");
}

#[tokio::test]
async fn vault_examples() {
    let arm = Arm::start();
    let group = arm.group("sample-resource-group").await;
    let create = example("createVault.json");
    let path = at(
        &format!("{group}/providers/Microsoft.KeyVault/vaults/sample-vault"),
        KV_VERSION,
    );
    let created = arm
        .put(&path, create["parameters"]["parameters"].clone())
        .await;
    assert_eq!(created.status, 201);
    // hsmPoolResourceId is illustrative (managed HSM pools only).
    assert_has_fields(
        "createVault 201",
        &create["responses"]["201"]["body"],
        &created.body,
        &["properties.hsmPoolResourceId"],
    );
    let finished = arm.wait(&created).await;
    assert_eq!(finished.status, 200);
    let get = example("getVault.json");
    assert_has_fields(
        "getVault",
        &get["responses"]["200"]["body"],
        &arm.get(&path).await.body,
        &["properties.hsmPoolResourceId"],
    );
    arm.delete(&path).await;
    let deleted = example("getDeletedVault.json");
    let got = arm.get(&at(&format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/sample-vault"), KV_VERSION)).await;
    assert_eq!(got.status, 200);
    assert_has_fields(
        "getDeletedVault",
        &deleted["responses"]["200"]["body"],
        &got.body,
        &[],
    );
}

#[tokio::test]
async fn storage_examples() {
    let arm = Arm::start();
    let group = arm.group("res9101").await;
    let create = example("StorageAccountCreate.json");
    let account = format!("{group}/providers/Microsoft.Storage/storageAccounts/sto4445");
    let created = arm
        .put(
            &at(&account, STORAGE_VERSION),
            create["parameters"]["parameters"].clone(),
        )
        .await;
    assert_eq!(created.status, 202);
    let finished = arm.wait(&created).await;
    assert_eq!(finished.status, 200);
    // Routing endpoints and the secondary location of the example depend on routingPreference
    // and a staging region; keyCreationTime etc. are present.
    assert_has_fields(
        "StorageAccountCreate 200",
        &create["responses"]["200"]["body"],
        &finished.body,
        &[
            "properties.primaryEndpoints.microsoftEndpoints",
            "properties.primaryEndpoints.internetEndpoints",
        ],
    );
    let get = example("StorageAccountGetProperties.json");
    assert_has_fields(
        "StorageAccountGetProperties",
        &get["responses"]["200"]["body"],
        &arm.get(&at(&account, STORAGE_VERSION)).await.body,
        &[
            "properties.accountMigrationInProgress",
            "properties.geoReplicationStats",
            "properties.isSkuConversionBlocked",
            "properties.primaryEndpoints.microsoftEndpoints",
            "properties.primaryEndpoints.internetEndpoints",
            "properties.networkAcls.resourceAccessRules",
            "properties.geoPriorityReplicationStatus",
        ],
    );
    let service = example("BlobServicesPut.json");
    let put = arm
        .put(
            &at(&format!("{account}/blobServices/default"), STORAGE_VERSION),
            service["parameters"]["parameters"].clone(),
        )
        .await;
    assert_eq!(put.status, 200);
    assert_has_fields(
        "BlobServicesPut",
        &service["responses"]["200"]["body"],
        &put.body,
        &[],
    );
    let container = example("BlobContainersPut.json");
    let path = at(
        &format!("{account}/blobServices/default/containers/container6185"),
        STORAGE_VERSION,
    );
    let created = arm
        .put(&path, container["parameters"]["blobContainer"].clone())
        .await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "BlobContainersPut",
        &container["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    let get = example("BlobContainersGet.json");
    // Immutability policies and legal holds are not modelled.
    assert_has_fields(
        "BlobContainersGet",
        &get["responses"]["200"]["body"],
        &arm.get(&path).await.body,
        &["properties.immutabilityPolicy", "properties.legalHold"],
    );
}

#[tokio::test]
async fn cluster_and_pool_examples() {
    let arm = Arm::start();
    let group = arm.group("rg1").await;
    let identity = arm.group("rgName1").await;
    arm.put(
        &at(
            &format!(
                "{identity}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identity1"
            ),
            MSI_VERSION,
        ),
        json!({ "location": "location1" }),
    )
    .await;
    let create = example("ManagedClustersCreate_Update.json");
    let cluster =
        format!("{group}/providers/Microsoft.ContainerService/managedClusters/clustername1");
    let text = create["parameters"]["parameters"]
        .to_string()
        .replace("00000000-0000-0000-0000-000000000000", SUB);
    let mut body: Value = serde_json::from_str(&text).expect("json");
    body["properties"]["kubernetesVersion"] = json!("");
    let created = arm.put(&at(&cluster, AKS_VERSION), body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let expected: Value = serde_json::from_str(
        &create["responses"]["201"]["body"]
            .to_string()
            .replace("00000000-0000-0000-0000-000000000000", SUB),
    )
    .expect("json");
    assert_has_fields(
        "ManagedClustersCreate_Update 201",
        &expected,
        &created.body,
        &[],
    );
    assert!(created.body["properties"]["windowsProfile"]
        .get("adminPassword")
        .is_none());
    assert!(created.body["properties"]["servicePrincipalProfile"]
        .get("secret")
        .is_none());
    assert_eq!(
        created.str("/properties/agentPoolProfiles/0/mode"),
        "System"
    );
    arm.wait(&created).await;
    let get = example("ManagedClustersGet.json");
    let got = arm.get(&at(&cluster, AKS_VERSION)).await;
    // The GET example shows a cluster with custom outbound IPs and a forced-upgrade override.
    assert_has_fields(
        "ManagedClustersGet",
        &get["responses"]["200"]["body"],
        &got.body,
        &["properties.networkProfile.loadBalancerProfile.outboundIPs"],
    );

    let spot = example("AgentPoolsCreate_Spot.json");
    let pool = format!("{cluster}/agentPools/agentpool1");
    let created = arm
        .put(
            &at(&pool, AKS_VERSION),
            spot["parameters"]["parameters"].clone(),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "AgentPoolsCreate_Spot 201",
        &spot["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    assert_eq!(created.body["properties"]["spotMaxPrice"], -1);
    arm.wait(&created).await;
    let pool_get = example("AgentPoolsGet.json");
    assert_has_fields(
        "AgentPoolsGet",
        &pool_get["responses"]["200"]["body"],
        &arm.get(&at(&pool, AKS_VERSION)).await.body,
        &[],
    );
    let update = example("AgentPoolsCreate_Update.json");
    let mut update_body = update["parameters"]["parameters"].clone();
    update_body["properties"]["vmSize"] = json!("Standard_DS1_v2");
    let updated = arm.put(&at(&pool, AKS_VERSION), update_body).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_has_fields(
        "AgentPoolsCreate_Update 200",
        &update["responses"]["200"]["body"],
        &updated.body,
        &[],
    );
    arm.wait(&updated).await;
    let deleted = arm.delete(&at(&pool, AKS_VERSION)).await;
    assert_eq!(deleted.status, 202);
    assert!(deleted.header("location").is_some_and(|l| l
        .contains("/providers/Microsoft.ContainerService/locations/location1/operationresults/")));
    arm.wait(&deleted).await;
    assert_eq!(arm.delete(&at(&pool, AKS_VERSION)).await.status, 204);

    let delete = arm.delete(&at(&cluster, AKS_VERSION)).await;
    assert_eq!(delete.status, 202);
    arm.wait(&delete).await;

    for (name, file) in [
        (
            "private1",
            "ManagedClustersCreate_PrivateClusterFQDNSubdomain.json",
        ),
        ("secure1", "ManagedClustersCreate_SecurityProfile.json"),
    ] {
        let example = example(file);
        let mut body = example["parameters"]["parameters"].clone();
        body["properties"]["kubernetesVersion"] = json!("");
        if name == "secure1" {
            body["properties"]["oidcIssuerProfile"] = json!({ "enabled": true });
        }
        let path = at(
            &format!("{group}/providers/Microsoft.ContainerService/managedClusters/{name}"),
            AKS_VERSION,
        );
        let created = arm.put(&path, body).await;
        assert_eq!(created.status, 201, "{file}: {}", created.body);
        let done = arm.wait(&created).await;
        assert_eq!(done.str("/status"), "Succeeded");
        // The example responses show fields their requests never sent (illustrative examples).
        let tolerated = [
            "properties.fqdn",
            "properties.diskEncryptionSetID",
            "properties.windowsProfile",
        ];
        assert_has_fields(
            file,
            &example["responses"]["200"]["body"],
            &arm.get(&path).await.body,
            &tolerated,
        );
    }
}

#[tokio::test]
async fn identity_examples() {
    let arm = Arm::start();
    let group = arm.group("rgName").await;
    let create = example("IdentityCreate.json");
    let identity =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName");
    let created = arm
        .put(
            &at(&identity, MSI_VERSION),
            create["parameters"]["parameters"].clone(),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "IdentityCreate 201",
        &create["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    assert_has_fields(
        "IdentityGet",
        &example("IdentityGet.json")["responses"]["200"]["body"],
        &arm.get(&at(&identity, MSI_VERSION)).await.body,
        &[],
    );
    let fic = example("FederatedIdentityCredentialCreate.json");
    let path = at(
        &format!("{identity}/federatedIdentityCredentials/ficResourceName"),
        MSI_VERSION,
    );
    let created = arm
        .put(&path, fic["parameters"]["parameters"].clone())
        .await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "FederatedIdentityCredentialCreate",
        &fic["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    assert_has_fields(
        "FederatedIdentityCredentialGet",
        &example("FederatedIdentityCredentialGet.json")["responses"]["200"]["body"],
        &arm.get(&path).await.body,
        &[],
    );
}

#[tokio::test]
async fn role_assignment_examples() {
    let arm = Arm::start();
    let example = example("RoleAssignments_CreateForResourceGroup.json");
    let subscription = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";
    arm.put(
        &at(
            &format!("/subscriptions/{subscription}/resourcegroups/testrg"),
            RG_VERSION,
        ),
        json!({ "location": "eastus" }),
    )
    .await;
    let mut body = example["parameters"]["parameters"].clone();
    // The example's role GUID is not a built-in role; use AcrPull.
    body["properties"]["roleDefinitionId"] = json!(format!("/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"));
    let path = at(
        &format!(
            "/{}/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff",
            example["parameters"]["scope"].as_str().expect("scope")
        ),
        AUTH_VERSION,
    );
    let created = arm.put(&path, body).await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "RoleAssignments_CreateForResourceGroup",
        &example["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    assert_eq!(
        created.str("/properties/scope"),
        format!("/subscriptions/{subscription}/resourceGroups/testrg")
    );
    let by_id = self::example("RoleAssignments_GetById.json");
    let id_path = at(
        &format!(
            "/{}",
            by_id["parameters"]["roleAssignmentId"]
                .as_str()
                .expect("id")
        ),
        AUTH_VERSION,
    );
    let create_by_id = self::example("RoleAssignments_CreateById.json");
    let mut body = create_by_id["parameters"]["parameters"].clone();
    body["properties"]["roleDefinitionId"] = json!(
        "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"
    );
    let created = arm.put(&id_path, body).await;
    assert_eq!(created.status, 201);
    assert_has_fields(
        "RoleAssignments_CreateById",
        &create_by_id["responses"]["201"]["body"],
        &created.body,
        &[],
    );
    assert_has_fields(
        "RoleAssignments_GetById",
        &by_id["responses"]["200"]["body"],
        &arm.get(&id_path).await.body,
        &[],
    );
    let get = self::example("RoleAssignments_Get.json");
    let scoped = at(
        &format!(
            "/{}/providers/Microsoft.Authorization/roleAssignments/{}",
            get["parameters"]["scope"].as_str().expect("scope"),
            get["parameters"]["roleAssignmentName"]
                .as_str()
                .expect("name")
        ),
        AUTH_VERSION,
    );
    assert_has_fields(
        "RoleAssignments_Get",
        &get["responses"]["200"]["body"],
        &arm.get(&scoped).await.body,
        &[],
    );
}

#[tokio::test]
async fn workspace_examples() {
    let arm = Arm::start();
    let group = arm.group("oiautorest6685").await;
    let create = example("WorkspacesCreate.json");
    let path = at(
        &format!("{group}/providers/Microsoft.OperationalInsights/workspaces/AzTest2170"),
        OI_VERSION,
    );
    let accepted = arm
        .put(&path, create["parameters"]["parameters"].clone())
        .await;
    // The spec allows 200/201/202; FACTS-2 §10: Log Analytics answers 202 + Location.
    assert_eq!(accepted.status, 202);
    assert!(accepted.header("location").is_some());
    let finished = arm.wait(&accepted).await;
    assert_eq!(finished.status, 200);
    assert_has_fields(
        "WorkspacesCreate 201",
        &create["responses"]["201"]["body"],
        &finished.body,
        &[],
    );
    // Like the example: the name as sent, the id in lower case.
    assert_eq!(finished.str("/name"), "AzTest2170");
    assert_eq!(
        finished.str("/id"),
        format!("{group}/providers/Microsoft.OperationalInsights/workspaces/AzTest2170")
            .to_lowercase()
    );
    let get = example("WorkspacesGet.json");
    let got = arm.get(&path).await;
    // Workspace replication and failover are not modelled (docs/mock-arm.md).
    assert_has_fields(
        "WorkspacesGet",
        &get["responses"]["200"]["body"],
        &got.body,
        &["properties.replication", "properties.failover"],
    );
    assert_eq!(got.str("/properties/provisioningState"), "Succeeded");
}

#[tokio::test]
async fn subscription_example() {
    let arm = Arm::start();
    let example = example("GetSubscription.json");
    // The example's tags are the subscription's own data: declare them.
    let declared = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({ "resources": [], "subscriptions": [{ "subscriptionId": SUB, "tags": example["responses"]["200"]["body"]["tags"] }] })),
        )
        .await;
    assert_eq!(declared.status, 200);
    let got = arm
        .get(&at(&format!("/subscriptions/{SUB}"), "2022-12-01"))
        .await;
    assert_eq!(got.status, 200);
    assert_has_fields(
        "GetSubscription",
        &example["responses"]["200"]["body"],
        &got.body,
        &[],
    );
}

//! Managed clusters and agent pools.

use serde_json::{json, Value};

use crate::support::*;

fn cluster_path(group: &str, name: &str) -> String {
    format!("{group}/providers/Microsoft.ContainerService/managedClusters/{name}")
}

#[tokio::test]
async fn create_populates_server_fields_and_node_resources() {
    let arm = Arm::scaled(0.005);
    let group = arm.group("rg-aks").await;
    let cluster = cluster_path(&group, "aks-prod");
    let mut body = cluster_body("eastus");
    body["properties"]["servicePrincipalProfile"] =
        json!({ "clientId": "x", "secret": "do-not-echo" });
    body["identity"] = json!({ "type": "SystemAssigned" });
    body["properties"]["windowsProfile"] =
        json!({ "adminUsername": "azureuser", "adminPassword": "P@ssw0rd!" });
    let created = arm.put(&at(&cluster, AKS_VERSION), body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_some_and(
        |u| u.contains("/providers/Microsoft.ContainerService/locations/eastus/operations/")
    ));
    assert!(created.header("retry-after").is_some() && created.header("retry-after-ms").is_some());
    let text = created.body.to_string();
    assert!(
        !text.contains("do-not-echo") && !text.contains("P@ssw0rd!"),
        "secrets are write-only"
    );
    assert_eq!(created.str("/properties/provisioningState"), "Creating");
    assert_eq!(
        created.str("/properties/agentPoolProfiles/0/provisioningState"),
        "Creating"
    );
    assert_eq!(created.str("/properties/kubernetesVersion"), "1.33");
    assert_eq!(
        created.str("/properties/currentKubernetesVersion"),
        "1.33.5"
    );
    assert_eq!(
        created.str("/properties/nodeResourceGroup"),
        "MC_rg-aks_aks-prod_eastus"
    );
    assert!(
        created.str("/properties/fqdn").starts_with("aksdemo-")
            && created
                .str("/properties/fqdn")
                .ends_with(".hcp.eastus.azmk8s.io")
    );
    assert!(created
        .str("/properties/azurePortalFQDN")
        .contains(".portal.hcp.eastus.azmk8s.io"));
    let issuer = created
        .str("/properties/oidcIssuerProfile/issuerURL")
        .to_string();
    assert!(
        issuer.starts_with(
            "https://eastus.oic.prod-aks.azure.com/00000000-0000-0000-0000-00000000a0a0/"
        ) && issuer.ends_with('/')
    );
    assert_eq!(created.str("/identity/type"), "SystemAssigned");
    assert!(!created.str("/identity/principalId").is_empty());
    assert!(!created.str("/eTag").is_empty());
    let kubelet = created.body["properties"]["identityProfile"]["kubeletidentity"].clone();
    assert!(kubelet["resourceId"].as_str().expect("id").ends_with("/resourceGroups/MC_rg-aks_aks-prod_eastus/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-prod-agentpool"));
    let pool = &created.body["properties"]["agentPoolProfiles"][0];
    assert_eq!(pool["maxPods"], 110);
    assert_eq!(pool["osDiskSizeGB"], 128);
    assert_eq!(pool["type"], "VirtualMachineScaleSets");
    assert_eq!(pool["osSKU"], "Ubuntu");
    assert_eq!(pool["upgradeSettings"]["maxSurge"], "10%");
    assert_eq!(pool["orchestratorVersion"], "1.33");
    assert_eq!(pool["currentOrchestratorVersion"], "1.33.5");
    assert_eq!(
        created.str("/properties/networkProfile/networkPlugin"),
        "azure"
    );
    assert_eq!(
        created.str("/properties/networkProfile/serviceCidr"),
        "10.0.0.0/16"
    );

    // One operation at a time per cluster, pools included.
    let busy = arm
        .put(&at(&cluster, AKS_VERSION), cluster_body("eastus"))
        .await;
    assert_eq!(busy.status, 409);
    assert_eq!(busy.code(), "OperationNotAllowed");
    let busy_pool = arm
        .put(
            &at(&format!("{cluster}/agentPools/user"), AKS_VERSION),
            json!({ "properties": { "count": 1 } }),
        )
        .await;
    assert_eq!(busy_pool.code(), "OperationNotAllowed");

    let status = arm.wait(&created).await;
    assert_eq!(status.str("/status"), "Succeeded");
    assert_eq!(status.body["percentComplete"], 100.0);
    let got = arm.get(&at(&cluster, AKS_VERSION)).await;
    assert_eq!(got.str("/properties/provisioningState"), "Succeeded");
    assert_eq!(
        got.str("/properties/agentPoolProfiles/0/provisioningState"),
        "Succeeded"
    );
    let node_group = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/resourcegroups/MC_rg-aks_aks-prod_eastus"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(node_group.status, 200);
    assert_eq!(node_group.str("/managedBy"), cluster);
    let kubelet_identity = arm
        .get(&at(
            kubelet["resourceId"].as_str().expect("id"),
            MSI_VERSION,
        ))
        .await;
    assert_eq!(
        kubelet_identity.str("/properties/clientId"),
        kubelet["clientId"].as_str().expect("client")
    );

    // Delete takes the node resource group along; a re-create gets a fresh issuer.
    let deleted = arm.delete(&at(&cluster, AKS_VERSION)).await;
    assert_eq!(deleted.status, 202);
    assert!(deleted.header("azure-asyncoperation").is_some());
    assert!(deleted
        .header("location")
        .is_some_and(|l| l.contains("/operationresults/")));
    assert_eq!(
        arm.get(&at(&cluster, AKS_VERSION))
            .await
            .str("/properties/provisioningState"),
        "Deleting"
    );
    assert_eq!(arm.wait(&deleted).await.str("/status"), "Succeeded");
    assert_eq!(arm.get(&at(&cluster, AKS_VERSION)).await.status, 404);
    let node_group = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/resourcegroups/MC_rg-aks_aks-prod_eastus"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(node_group.status, 404);
    assert_eq!(arm.delete(&at(&cluster, AKS_VERSION)).await.status, 204);
    let recreated = arm
        .put(&at(&cluster, AKS_VERSION), cluster_body("eastus"))
        .await;
    assert_ne!(
        recreated.str("/properties/oidcIssuerProfile/issuerURL"),
        issuer
    );
}

async fn ready_cluster(arm: &Arm, group_name: &str) -> (String, Value) {
    let group = arm.group(group_name).await;
    let cluster = cluster_path(&group, "aks");
    let created = arm
        .put(&at(&cluster, AKS_VERSION), cluster_body("eastus"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    let body = arm.get(&at(&cluster, AKS_VERSION)).await.body;
    (cluster, body)
}

#[tokio::test]
async fn pools_spot_defaults_and_create_only_properties() {
    let arm = Arm::start();
    let (cluster, _) = ready_cluster(&arm, "rg-pools").await;
    let spot = format!("{cluster}/agentPools/spot");
    let created = arm.put(&at(&spot, AKS_VERSION), json!({ "properties": { "count": 2, "vmSize": "Standard_D4s_v5", "scaleSetPriority": "Spot", "nodeTaints": ["team=batch:NoSchedule"], "nodeLabels": { "team": "batch" } } })).await;
    assert_eq!(created.status, 201);
    assert!(created.header("azure-asyncoperation").is_some());
    assert_eq!(created.str("/properties/provisioningState"), "Creating");
    assert_eq!(created.body["properties"]["spotMaxPrice"], -1);
    assert_eq!(created.str("/properties/scaleSetEvictionPolicy"), "Delete");
    assert_eq!(
        created.body["properties"]["nodeTaints"],
        json!([
            "team=batch:NoSchedule",
            "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
        ])
    );
    assert_eq!(
        created.body["properties"]["nodeLabels"]["kubernetes.azure.com/scalesetpriority"],
        "spot"
    );
    assert_eq!(created.str("/properties/mode"), "User");
    assert!(
        created.body.get("location").is_none(),
        "agent pools are proxy resources"
    );
    let listed = arm.get(&at(&cluster, AKS_VERSION)).await;
    assert_eq!(
        listed.body["properties"]["agentPoolProfiles"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "cluster GET mirrors the pools"
    );
    arm.wait(&created).await;

    let resized = arm
        .put(
            &at(&spot, AKS_VERSION),
            json!({ "properties": { "count": 2, "vmSize": "Standard_D8s_v5", "scaleSetPriority": "Spot" } }),
        )
        .await;
    assert_eq!(resized.status, 400);
    assert_eq!(resized.code(), "PropertyChangeNotAllowed");
    let regular = arm
        .put(
            &at(&spot, AKS_VERSION),
            json!({ "properties": { "scaleSetPriority": "Regular" } }),
        )
        .await;
    assert_eq!(regular.code(), "PropertyChangeNotAllowed");
    let zones = arm
        .put(
            &at(&spot, AKS_VERSION),
            json!({ "properties": { "availabilityZones": ["1"] } }),
        )
        .await;
    assert_eq!(zones.code(), "PropertyChangeNotAllowed");
    let scaled = arm
        .put(
            &at(&spot, AKS_VERSION),
            json!({ "properties": { "count": 5, "vmSize": "Standard_D4s_v5", "scaleSetPriority": "Spot" } }),
        )
        .await;
    assert_eq!(scaled.status, 200);
    assert_eq!(scaled.str("/properties/provisioningState"), "Updating");
    arm.wait(&scaled).await;

    let system = format!("{cluster}/agentPools/system");
    let to_user = arm
        .put(
            &at(&system, AKS_VERSION),
            json!({ "properties": { "mode": "User" } }),
        )
        .await;
    assert_eq!(
        to_user.status, 400,
        "the last System pool cannot become User"
    );
    let delete_system = arm.delete(&at(&system, AKS_VERSION)).await;
    assert_eq!(
        delete_system.status, 400,
        "the last System pool cannot be deleted"
    );
    let bad_name = arm
        .put(
            &at(&format!("{cluster}/agentPools/Bad-Name"), AKS_VERSION),
            json!({ "properties": {} }),
        )
        .await;
    assert_eq!(bad_name.status, 400);
    let deleted = arm.delete(&at(&spot, AKS_VERSION)).await;
    assert_eq!(deleted.status, 202);
    assert_eq!(arm.wait(&deleted).await.str("/status"), "Succeeded");
    assert_eq!(
        arm.get(&at(&spot, AKS_VERSION)).await.code(),
        "ResourceNotFound"
    );
    let orphan = arm
        .put(
            &at(
                &format!(
                    "{}/agentPools/x",
                    cluster_path(
                        &format!("/subscriptions/{SUB}/resourceGroups/rg-pools"),
                        "none"
                    )
                ),
                AKS_VERSION,
            ),
            json!({ "properties": {} }),
        )
        .await;
    assert_eq!(orphan.code(), "ParentResourceNotFound");
}

#[tokio::test]
async fn etags_and_preconditions() {
    let arm = Arm::start();
    let (cluster, body) = ready_cluster(&arm, "rg-etag").await;
    let etag = body["eTag"].as_str().expect("eTag").to_string();
    let got = arm.get(&at(&cluster, AKS_VERSION)).await;
    assert_eq!(
        got.header("etag"),
        Some(format!("\"{etag}\"").as_str()),
        "the eTag is also a header"
    );
    let mismatch = arm
        .send_with(
            "PUT",
            &at(&cluster, AKS_VERSION),
            Some(cluster_body("eastus")),
            &[("authorization", "Bearer t"), ("if-match", "\"stale\"")],
        )
        .await;
    assert_eq!(mismatch.status, 412);
    assert_eq!(mismatch.code(), "PreconditionFailed");
    let create_only = arm
        .send_with(
            "PUT",
            &at(&cluster, AKS_VERSION),
            Some(cluster_body("eastus")),
            &[("authorization", "Bearer t"), ("if-none-match", "*")],
        )
        .await;
    assert_eq!(create_only.status, 412);
    let matched = arm
        .send_with(
            "PUT",
            &at(&cluster, AKS_VERSION),
            Some(cluster_body("eastus")),
            &[
                ("authorization", "Bearer t"),
                ("if-match", &format!("\"{etag}\"")),
            ],
        )
        .await;
    assert_eq!(matched.status, 200);
    assert_ne!(matched.str("/eTag"), etag, "eTag changes on every write");
    arm.wait(&matched).await;
    let pool = arm
        .get(&at(&format!("{cluster}/agentPools/system"), AKS_VERSION))
        .await;
    let pool_etag = pool.str("/properties/eTag").to_string();
    let pool_mismatch = arm
        .send_with(
            "DELETE",
            &at(&format!("{cluster}/agentPools/system"), AKS_VERSION),
            None,
            &[("authorization", "Bearer t"), ("if-match", "nope")],
        )
        .await;
    assert_eq!(pool_mismatch.status, 412);
    assert!(!pool_etag.is_empty());
}

#[tokio::test]
async fn cluster_create_only_and_one_way_properties() {
    let arm = Arm::start();
    let (cluster, _) = ready_cluster(&arm, "rg-immutable").await;
    let cases = [
        ("/properties/dnsPrefix", json!("other")),
        ("/properties/networkProfile/networkPlugin", json!("kubenet")),
        (
            "/properties/networkProfile/serviceCidr",
            json!("10.1.0.0/16"),
        ),
        (
            "/properties/apiServerAccessProfile",
            json!({ "enablePrivateCluster": true }),
        ),
    ];
    for (pointer, value) in cases {
        let mut body = cluster_body("eastus");
        body["properties"]["networkProfile"] = json!({});
        let (parent, field) = pointer.rsplit_once('/').expect("pointer");
        let target = body
            .pointer_mut(parent)
            .expect("parent exists or is created");
        target[field] = value;
        let response = arm.put(&at(&cluster, AKS_VERSION), body).await;
        assert_eq!(
            response.code(),
            "PropertyChangeNotAllowed",
            "{pointer}: {}",
            response.body
        );
    }
    let moved = arm
        .put(&at(&cluster, AKS_VERSION), cluster_body("westus"))
        .await;
    assert_eq!(moved.status, 400);
    let mut no_oidc = cluster_body("eastus");
    no_oidc["properties"]["oidcIssuerProfile"]["enabled"] = json!(false);
    no_oidc["properties"]["securityProfile"] = json!({});
    let disabled = arm.put(&at(&cluster, AKS_VERSION), no_oidc).await;
    assert_eq!(disabled.status, 400, "OIDC cannot be disabled");
    let mut skip = cluster_body("eastus");
    skip["properties"]["kubernetesVersion"] = json!("1.34.1");
    let upgrade = arm.put(&at(&cluster, AKS_VERSION), skip).await;
    assert_eq!(
        upgrade.status, 200,
        "one minor up is allowed: {}",
        upgrade.body
    );
    arm.wait(&upgrade).await;
    let mut down = cluster_body("eastus");
    down["properties"]["kubernetesVersion"] = json!("1.32");
    assert_eq!(
        arm.put(&at(&cluster, AKS_VERSION), down).await.code(),
        "OperationNotAllowed"
    );
    let mut unknown = cluster_body("eastus");
    unknown["properties"]["kubernetesVersion"] = json!("1.10");
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg-immutable");
    assert_eq!(
        arm.put(&at(&cluster_path(&group, "aks-old"), AKS_VERSION), unknown)
            .await
            .code(),
        "K8sVersionNotSupported"
    );

    // A cluster PUT applies agentPoolProfiles by name.
    let mut scale = cluster_body("eastus");
    scale["properties"]["kubernetesVersion"] = json!("1.34.1");
    scale["properties"]["agentPoolProfiles"][0]["count"] = json!(4);
    let scaled = arm.put(&at(&cluster, AKS_VERSION), scale).await;
    assert_eq!(scaled.status, 200, "{}", scaled.body);
    assert_eq!(
        scaled.body["properties"]["agentPoolProfiles"][0]["count"],
        4
    );
    assert_eq!(
        scaled.str("/properties/agentPoolProfiles/0/provisioningState"),
        "Updating"
    );

    let no_system = json!({ "location": "eastus", "properties": { "dnsPrefix": "x", "agentPoolProfiles": [{ "name": "user", "mode": "User" }] } });
    assert_eq!(
        arm.put(
            &at(&cluster_path(&group, "aks-nosys"), AKS_VERSION),
            no_system
        )
        .await
        .status,
        400
    );
    let no_prefix = json!({ "location": "eastus", "properties": { "agentPoolProfiles": [{ "name": "sys", "mode": "System" }] } });
    assert_eq!(
        arm.put(
            &at(&cluster_path(&group, "aks-noprefix"), AKS_VERSION),
            no_prefix
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn classic_azure_cni_defaults_to_30_pods_and_patch_updates_tags() {
    let arm = Arm::start();
    let group = arm.group("rg-cni").await;
    let cluster = cluster_path(&group, "aks-cni");
    let mut body = cluster_body("eastus");
    body["properties"]["networkProfile"] = json!({ "networkPlugin": "azure" });
    let created = arm.put(&at(&cluster, AKS_VERSION), body).await;
    assert_eq!(
        created.body["properties"]["agentPoolProfiles"][0]["maxPods"],
        30
    );
    assert!(created.body["properties"]["networkProfile"]
        .get("podCidr")
        .is_none());
    arm.wait(&created).await;
    let patched = arm
        .patch(
            &at(&cluster, AKS_VERSION),
            json!({ "tags": { "owner": "platform" } }),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.body["tags"], json!({ "owner": "platform" }));
    assert!(patched.header("azure-asyncoperation").is_some());
    arm.wait(&patched).await;
    let credentials = arm
        .post(
            &at(&format!("{cluster}/listClusterUserCredential"), AKS_VERSION),
            json!({}),
        )
        .await;
    assert_eq!(credentials.status, 200);
    assert_eq!(credentials.str("/kubeconfigs/0/name"), "clusterUser");
}

#[tokio::test]
async fn more_create_only_pool_properties_and_names() {
    let arm = Arm::start();
    let (cluster, _) = ready_cluster(&arm, "rg-pool-immutable").await;
    let pool = format!("{cluster}/agentPools/apps");
    let subnet = format!("/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apps");
    let created = arm.put(&at(&pool, AKS_VERSION), json!({ "properties": { "count": 1, "vmSize": "Standard_D4s_v5", "vnetSubnetID": subnet, "maxPods": 50 } })).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["properties"]["maxPods"], 50);
    arm.wait(&created).await;
    let same_subnet_other_case = arm
        .put(
            &at(&pool, AKS_VERSION),
            json!({ "properties": { "count": 2, "vnetSubnetID": subnet.to_uppercase() } }),
        )
        .await;
    assert_eq!(
        same_subnet_other_case.status, 200,
        "ids compare case-insensitively: {}",
        same_subnet_other_case.body
    );
    arm.wait(&same_subnet_other_case).await;
    let cases = [
        json!({ "osDiskType": "Ephemeral" }),
        json!({ "maxPods": 110 }),
        json!({ "vnetSubnetID": subnet.replace("/apps", "/other") }),
        json!({ "osDiskSizeGB": 256 }),
    ];
    for properties in cases {
        let response = arm
            .put(&at(&pool, AKS_VERSION), json!({ "properties": properties }))
            .await;
        assert_eq!(
            response.code(),
            "PropertyChangeNotAllowed",
            "{properties}: {}",
            response.body
        );
    }
    let windows_name = arm
        .put(
            &at(&format!("{cluster}/agentPools/winpool1"), AKS_VERSION),
            json!({ "properties": { "osType": "Windows" } }),
        )
        .await;
    assert_eq!(
        windows_name.status, 400,
        "Windows pool names are at most 6 characters"
    );
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg-pool-immutable");
    let bad_cluster = arm
        .put(
            &at(&cluster_path(&group, "-bad"), AKS_VERSION),
            cluster_body("eastus"),
        )
        .await;
    assert_eq!(bad_cluster.status, 400);
    let bad_prefix = {
        let mut body = cluster_body("eastus");
        body["properties"]["dnsPrefix"] = json!("bad_prefix");
        arm.put(&at(&cluster_path(&group, "aks-prefix"), AKS_VERSION), body)
            .await
    };
    assert_eq!(bad_prefix.code(), "InvalidDNSPrefix");
    let missing_location = arm
        .put(
            &at(&cluster_path(&group, "aks-noloc"), AKS_VERSION),
            json!({ "properties": { "dnsPrefix": "x" } }),
        )
        .await;
    assert_eq!(missing_location.code(), "LocationRequired");
}

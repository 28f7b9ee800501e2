//! Microsoft.KubernetesConfiguration extensions and fluxConfigurations on a managed cluster:
//! extension-resource ids, Azure-AsyncOperation LROs, defaults and read-only fields from the
//! official examples, protected settings never echoed, the flux extension required first,
//! create-only fields, lists per cluster and ARM's 404 for a missing cluster.

use serde_json::json;

use crate::support::*;

const EXTENSION_VERSION: &str = "2025-03-01";
const FLUX_VERSION: &str = "2025-04-01";

async fn cluster(arm: &Arm, group_name: &str) -> String {
    let group = arm.group(group_name).await;
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");
    let created = arm
        .put(&at(&cluster, AKS_VERSION), cluster_body("eastus"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    cluster
}

fn extension(cluster: &str) -> String {
    at(
        &format!("{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/flux"),
        EXTENSION_VERSION,
    )
}

fn flux(cluster: &str, name: &str) -> String {
    at(
        &format!("{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}"),
        FLUX_VERSION,
    )
}

fn configuration() -> serde_json::Value {
    json!({"properties": {
        "namespace": "flux-system",
        "gitRepository": {"url": "https://github.com/example/config", "repositoryRef": {"branch": "main"}, "httpsUser": "git"},
        "kustomizations": {
            "platform": {"path": "./platform", "prune": true},
            "apps": {"path": "./apps", "dependsOn": ["platform"]},
        },
        "configurationProtectedSettings": {"httpsKey": "c2VjcmV0"},
    }})
}

#[tokio::test]
async fn flux_needs_the_extension_and_both_are_async_operations_with_defaults() {
    let arm = Arm::start();
    let cluster = cluster(&arm, "rg-gitops").await;

    let refused = arm.put(&flux(&cluster, "config"), configuration()).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.code(), "ExtensionNotFound");

    let installing = arm
        .put(
            &extension(&cluster),
            json!({"properties": {"extensionType": "microsoft.flux", "configurationProtectedSettings": {"k": "v"}}}),
        )
        .await;
    assert_eq!(installing.status, 201, "{}", installing.body);
    assert!(installing.header("azure-asyncoperation").is_some());
    assert_eq!(installing.str("/properties/provisioningState"), "Creating");
    assert_eq!(arm.wait(&installing).await.str("/status"), "Succeeded");
    let installed = arm.get(&extension(&cluster)).await;
    assert_eq!(
        installed.str("/id"),
        format!("{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/flux")
    );
    assert_eq!(
        installed.str("/type"),
        "Microsoft.KubernetesConfiguration/extensions"
    );
    assert_eq!(installed.str("/properties/releaseTrain"), "Stable");
    assert_eq!(
        installed.body["properties"]["autoUpgradeMinorVersion"],
        json!(true)
    );
    assert_eq!(
        installed.str("/properties/scope/cluster/releaseNamespace"),
        "flux-system"
    );
    assert!(installed.body["properties"]
        .get("configurationProtectedSettings")
        .is_none());
    assert!(!installed.str("/properties/currentVersion").is_empty());

    let creating = arm.put(&flux(&cluster, "config"), configuration()).await;
    assert_eq!(creating.status, 201, "{}", creating.body);
    assert!(creating.header("azure-asyncoperation").is_some());
    arm.wait(&creating).await;
    let created = arm.get(&flux(&cluster, "config")).await;
    assert_eq!(created.status, 200);
    let properties = &created.body["properties"];
    assert_eq!(properties["provisioningState"], "Succeeded");
    assert_eq!(properties["scope"], "cluster");
    assert_eq!(properties["sourceKind"], "GitRepository");
    assert_eq!(properties["suspend"], false);
    assert_eq!(properties["complianceState"], "Compliant");
    assert_eq!(properties["gitRepository"]["syncIntervalInSeconds"], 600);
    assert_eq!(properties["kustomizations"]["apps"]["name"], "apps");
    assert_eq!(properties["kustomizations"]["apps"]["wait"], true);
    assert_eq!(
        properties["kustomizations"]["platform"]["dependsOn"],
        json!([])
    );
    assert!(properties.get("configurationProtectedSettings").is_none());

    // Listed per cluster.
    let listed = arm
        .get(&at(
            &format!("{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations"),
            FLUX_VERSION,
        ))
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(1));

    // Create-only namespace; suspension in place.
    let mut moved = configuration();
    moved["properties"]["namespace"] = json!("other");
    let refused = arm.put(&flux(&cluster, "config"), moved).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.code(), "PropertyChangeNotAllowed");
    let mut suspended = configuration();
    suspended["properties"]["suspend"] = json!(true);
    let updating = arm.put(&flux(&cluster, "config"), suspended).await;
    assert_eq!(updating.status, 200, "{}", updating.body);
    arm.wait(&updating).await;
    assert_eq!(
        arm.get(&flux(&cluster, "config"))
            .await
            .str("/properties/complianceState"),
        "Suspended"
    );

    // Deletes are operations too; the cluster's removal takes what is left with it.
    let deleting = arm.delete(&flux(&cluster, "config")).await;
    assert_eq!(deleting.status, 202, "{}", deleting.body);
    arm.wait(&deleting).await;
    assert_eq!(arm.get(&flux(&cluster, "config")).await.status, 404);
}

#[tokio::test]
async fn bad_input_and_a_missing_cluster_get_arms_errors() {
    let arm = Arm::start();
    let cluster = cluster(&arm, "rg-gitops-errors").await;
    let missing = format!("{}-gone", cluster);
    let answer = arm
        .put(
            &extension(&missing),
            json!({"properties": {"extensionType": "microsoft.flux"}}),
        )
        .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    let installing = arm
        .put(
            &extension(&cluster),
            json!({"properties": {"extensionType": "microsoft.flux"}}),
        )
        .await;
    arm.wait(&installing).await;
    let mut bad_url = configuration();
    bad_url["properties"]["gitRepository"]["url"] = json!("ftp://example.com/config");
    let refused = arm.put(&flux(&cluster, "config"), bad_url).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let mut bad_dependency = configuration();
    bad_dependency["properties"]["kustomizations"]["apps"]["dependsOn"] = json!(["nothing"]);
    let refused = arm.put(&flux(&cluster, "config"), bad_dependency).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let refused = arm
        .put(
            &extension(&cluster),
            json!({"properties": {"extensionType": "microsoft.dapr"}}),
        )
        .await;
    assert_eq!(
        refused.status, 400,
        "extensionType is fixed: {}",
        refused.body
    );
}

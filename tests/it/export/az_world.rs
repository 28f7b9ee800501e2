//! Estates made by `az` (raw ARM bodies with az's explicit defaults, AKS's filled-in defaults,
//! extra tags, random role assignment names): export, plan with only adoption notices, adopt
//! with tags only, plan with no changes; refusals.

use serde_json::{json, Value};

use super::*;
use crate::common::{self, SUBSCRIPTION};

pub(super) const GROUP: &str = "rg-az-payments";
pub(super) const LOCATION: &str = "westeurope";
pub(super) const ADMINS: &str = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";
pub(super) const ISSUER_GUID: &str = "4b0d7c1e-58a7-4a3b-9a51-0c6f7c2f9e11";
pub(super) fn arm_id(provider_type: &str, name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/{provider_type}/{name}")
}

pub(super) fn cluster_id() -> String {
    arm_id("Microsoft.ContainerService/managedClusters", "aks-payments")
}

pub(super) fn workspace_id() -> String {
    arm_id(
        "Microsoft.OperationalInsights/workspaces",
        "log-az-payments",
    )
}

pub(super) fn issuer_url() -> String {
    format!(
        "https://{LOCATION}.oic.prod-aks.azure.com/{}/{ISSUER_GUID}/",
        common::tenant()
    )
}

/// The estate as `az` commands leave it (explicit az defaults, `createdBy` tags, a dns prefix
/// made from the names, AKS's default pool), without role assignments.
pub(super) fn az_world() -> Vec<Value> {
    let tenant = common::tenant();
    let az_tags = json!({"createdBy": "az-cli", "team": "payments", "costCenter": "4711"});
    let account = arm_id("Microsoft.Storage/storageAccounts", "stazpayments");
    let identity = arm_id(
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        "id-payments-api",
    );
    vec![
        json!({"id": format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"), "type": "Microsoft.Resources/resourceGroups",
               "location": LOCATION, "tags": az_tags}),
        json!({"id": arm_id("Microsoft.ContainerRegistry/registries", "acrazpayments"), "type": "Microsoft.ContainerRegistry/registries",
               "location": LOCATION, "tags": az_tags, "sku": {"name": "Standard"},
               "properties": {"adminUserEnabled": false}}),
        json!({"id": arm_id("Microsoft.KeyVault/vaults", "kv-az-payments"), "type": "Microsoft.KeyVault/vaults",
               "location": LOCATION, "tags": az_tags,
               "properties": {"tenantId": tenant, "sku": {"family": "A", "name": "standard"}, "accessPolicies": [],
                              "enableRbacAuthorization": true, "enableSoftDelete": true, "softDeleteRetentionInDays": 90,
                              "enablePurgeProtection": true}}),
        json!({"id": account, "type": "Microsoft.Storage/storageAccounts", "location": LOCATION, "tags": az_tags,
               "kind": "StorageV2", "sku": {"name": "Standard_RAGRS"},
               "properties": {"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": false, "supportsHttpsTrafficOnly": true}}),
        json!({"id": format!("{account}/blobServices/default"), "type": "Microsoft.Storage/storageAccounts/blobServices",
               "properties": {"deleteRetentionPolicy": {"enabled": true, "days": 7},
                              "containerDeleteRetentionPolicy": {"enabled": true, "days": 7}}}),
        json!({"id": format!("{account}/blobServices/default/containers/invoices"),
               "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
               "properties": {"publicAccess": "None"}}),
        json!({"id": identity, "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "location": LOCATION, "tags": az_tags}),
        // `az monitor log-analytics workspace create`: PerGB2018, 30 days, no cap.
        json!({"id": workspace_id(), "type": "Microsoft.OperationalInsights/workspaces", "location": LOCATION,
               "tags": az_tags, "properties": {"sku": {"name": "PerGB2018"}, "retentionInDays": 30}}),
        json!({"id": format!("{identity}/federatedIdentityCredentials/payments-api"),
               "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
               "properties": {"issuer": issuer_url(), "subject": "system:serviceaccount:payments:payments-api",
                              "audiences": ["api://AzureADTokenExchange"]}}),
        json!({"id": cluster_id(), "type": "Microsoft.ContainerService/managedClusters", "location": LOCATION,
        "tags": az_tags, "identity": {"type": "SystemAssigned"}, "sku": {"name": "Base", "tier": "Standard"},
        "properties": {
            "kubernetesVersion": "1.33",
            "dnsPrefix": "aks-paymen-rg-az-payments-00c0de",
            "enableRBAC": true,
            "agentPoolProfiles": [{"name": "nodepool1", "count": 3, "vmSize": "Standard_DS2_v2", "osType": "Linux",
                                   "osSKU": "Ubuntu", "mode": "System", "type": "VirtualMachineScaleSets",
                                   "osDiskSizeGB": 128, "maxPods": 250, "enableAutoScaling": false}],
            "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
                               "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
                               "outboundType": "loadBalancer", "loadBalancerSku": "standard"},
            "oidcIssuerProfile": {"enabled": true, "issuerURL": issuer_url()},
            "securityProfile": {"workloadIdentity": {"enabled": true}},
            "aadProfile": {"managed": true, "enableAzureRBAC": true, "adminGroupObjectIDs": [ADMINS], "tenantID": tenant},
            "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
            "addonProfiles": {
                "azureKeyvaultSecretsProvider": {"enabled": true,
                    "config": {"enableSecretRotation": "true", "rotationPollInterval": "5m"}},
                "omsagent": {"enabled": true, "config": {"logAnalyticsWorkspaceResourceID": workspace_id()}}
            }
        }}),
        json!({"id": format!("{}/agentPools/userpool", cluster_id()),
               "type": "Microsoft.ContainerService/managedClusters/agentPools",
               "properties": {"vmSize": "Standard_D4s_v5", "mode": "User", "osType": "Linux", "count": 2,
                              "enableAutoScaling": true, "minCount": 1, "maxCount": 5,
                              "availabilityZones": ["1", "2"], "nodeLabels": {"workload": "payments"},
                              "nodeTaints": ["dedicated=payments:NoSchedule"]}}),
    ]
}

/// Role assignments as `az role assignment create` makes them: random GUID names.
pub(super) fn az_role_assignments(state: &Value) -> Vec<Value> {
    let find = |suffix: &str| {
        state["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|body| {
                body["id"].as_str().is_some_and(|id| {
                    id.to_ascii_lowercase()
                        .ends_with(&suffix.to_ascii_lowercase())
                })
            })
            .cloned()
            .unwrap_or_else(|| panic!("{suffix} not in the seeded world"))
    };
    let cluster = find("/managedClusters/aks-payments");
    let kubelet = cluster["properties"]["identityProfile"]["kubeletidentity"]["objectId"]
        .as_str()
        .expect("AKS made a kubelet identity")
        .to_owned();
    let identity = find("/userAssignedIdentities/id-payments-api")["properties"]["principalId"]
        .as_str()
        .expect("identity principal")
        .to_owned();
    let role = |guid: &str| {
        format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
    };
    let assignment = |scope: String, name: &str, role_guid: &str, principal: &str, kind: &str| {
        json!({"id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
               "type": "Microsoft.Authorization/roleAssignments",
               "properties": {"roleDefinitionId": role(role_guid), "principalId": principal,
                              "principalType": kind, "scope": scope}})
    };
    vec![
        assignment(
            arm_id("Microsoft.ContainerRegistry/registries", "acrazpayments"),
            "0f6f3f0e-1c1b-4b55-9d8e-3b1c2a7d9e01",
            "7f951dda-4ed3-4680-a7ca-43fe172d538d",
            &kubelet,
            "ServicePrincipal",
        ),
        assignment(
            arm_id("Microsoft.KeyVault/vaults", "kv-az-payments"),
            "5d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
            "4633458b-17de-408a-b874-0445c86b69e6",
            &identity,
            "ServicePrincipal",
        ),
        assignment(
            cluster_id(),
            "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
            ADMINS,
            "Group",
        ),
    ]
}

/// Seeds the az world, then (when asked) its role assignments with the principal ids the mock
/// gave the identities.
pub(super) fn seed_az_world(mock: &MockArm, with_role_assignments: bool) {
    seed(mock, az_world());
    if with_role_assignments {
        let state = common::state(mock);
        let mut resources = state["resources"].as_array().cloned().unwrap_or_default();
        resources.extend(az_role_assignments(&state));
        seed(mock, resources);
    }
}

#[test]
fn az_made_estate_exports_plans_only_adoption_notices_and_adopts_with_tags_only() {
    let mock = common::start_mock();
    seed_az_world(&mock, false);
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    let text = export(&mock, &[GROUP], &file);
    validate(&mock, &file);

    // Logical references and defaults left out.
    assert!(
        text.contains("cluster: aks-payments"),
        "issuer not mapped:\n{text}"
    );
    assert!(
        text.contains("serviceAccount: payments/payments-api"),
        "{text}"
    );
    assert!(text.contains("acrazpayments"), "{text}");
    assert!(
        text.contains("logAnalyticsWorkspaces:") && text.contains("workspace: log-az-payments"),
        "the workspace and the cluster's logical reference to it:\n{text}"
    );
    assert!(
        text.contains("dnsPrefix: aks-paymen-rg-az-payments-00c0de"),
        "{text}"
    );
    assert!(
        text.contains("createdBy: az-cli"),
        "extra tags must be kept:\n{text}"
    );
    for server_field in [
        "provisioningState",
        "principalId",
        "issuerURL",
        "nodeResourceGroup",
        "fqdn",
        "MC_",
    ] {
        assert!(
            !text.contains(server_field),
            "`{server_field}` exported:\n{text}"
        );
    }
    assert!(
        !text.contains("maxPods"),
        "AKS's default maxPods exported:\n{text}"
    );

    let before = plan_json(&mock, &file);
    for action in ["create", "update", "replace", "delete"] {
        assert_eq!(
            count(&before, action),
            0,
            "{action}s before adoption: {:#?}",
            changes(&before)
        );
    }
    let notices: Vec<String> = before["notices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|notice| notice.as_str().map(str::to_owned))
        .collect();
    for address in [
        "resourceGroup/rg-az-payments",
        "cluster/aks-payments",
        "keyVault/kv-az-payments",
        "logAnalyticsWorkspace/log-az-payments",
    ] {
        assert!(
            notices
                .iter()
                .any(|notice| notice.contains(&format!("aksctl adopt -f <estate files> {address}"))),
            "no adoption notice for {address}: {notices:#?}"
        );
    }

    // No terminal, no --auto-approve: refused, nothing written.
    common::clear_requests(&mock);
    let refused = run(&mock, &["adopt", "-f", &path_arg(&file)]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        refused.stderr.contains("--auto-approve"),
        "{}",
        refused.describe()
    );
    assert!(
        writes(&mock).is_empty(),
        "adopt wrote without approval: {:?}",
        writes(&mock)
    );

    common::clear_requests(&mock);
    let adopted = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(adopted.code, 0, "{}", adopted.describe());
    assert!(
        adopted
            .stderr
            .contains("after adoption, `aksctl plan` will show: No changes"),
        "{}",
        adopted.describe()
    );
    assert!(
        adopted.stdout.contains("adopt: tags aksctl-estate="),
        "{}",
        adopted.describe()
    );
    let written = writes(&mock);
    assert_eq!(
        written.len(),
        7,
        "one PATCH per tracked resource: {written:#?}"
    );
    for (method, path, body) in &written {
        assert_eq!(method, "PATCH", "{path}");
        let keys: Vec<&String> = body
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, vec!["tags"], "{path} body {body}");
        assert_eq!(body["tags"]["aksctl-estate"], GROUP, "{path}");
        assert_eq!(body["tags"]["managed-by"], "aksctl", "{path}");
        assert_eq!(
            body["tags"]["createdBy"], "az-cli",
            "{path}: existing tags kept"
        );
    }
    assert_eq!(
        tags_of(&mock, "/managedClusters/aks-payments")["aksctl-estate"],
        GROUP
    );

    let after = plan_json(&mock, &file);
    assert!(
        changes(&after).is_empty(),
        "plan after adoption: {:#?}",
        changes(&after)
    );
    let again = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(again.code, 0, "{}", again.describe());
    assert!(
        again.stdout.contains("Nothing to adopt"),
        "{}",
        again.describe()
    );
}

/// `az role assignment create` names assignments with random GUIDs; aksctl names its own
/// deterministically. After adoption the plan must still show no change for them.
#[test]
fn az_made_role_assignments_plan_no_changes_after_adoption() {
    let mock = common::start_mock();
    seed_az_world(&mock, true);
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    let text = export(&mock, &[GROUP], &file);
    validate(&mock, &file);
    assert!(
        text.contains("acrPull:\n  - acrazpayments"),
        "kubelet AcrPull not mapped:\n{text}"
    );
    assert!(text.contains("identity: id-payments-api"), "{text}");
    assert!(text.contains("role: Key Vault Secrets User"), "{text}");
    assert!(
        text.contains("role: Azure Kubernetes Service RBAC Cluster Admin"),
        "{text}"
    );
    assert!(text.contains("scope: cluster/aks-payments"), "{text}");
    let before = plan_json(&mock, &file);
    for action in ["create", "update", "replace", "delete"] {
        assert_eq!(
            count(&before, action),
            0,
            "{action}s before adoption: {:#?}",
            changes(&before)
        );
    }
    let adopted = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(adopted.code, 0, "{}", adopted.describe());
    let after = plan_json(&mock, &file);
    assert!(
        changes(&after).is_empty(),
        "role assignments made by other tools (random GUID names, as `az` makes them) must plan \
         as no change once adopted (the planner counts an equivalent live assignment as the \
         declared one): {:#?}",
        changes(&after)
    );
}

#[test]
fn adopt_refuses_resources_tagged_for_another_estate() {
    let mock = common::start_mock();
    let mut world = az_world();
    world[1]["tags"]["aksctl-estate"] = json!("someone-else");
    world[1]["tags"]["managed-by"] = json!("aksctl");
    seed(&mock, world);
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    let text = export(&mock, &[GROUP], &file);
    assert!(text.contains("tagged for another estate"), "{text}");
    common::clear_requests(&mock);
    let refused = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        refused.stderr.contains("someone-else"),
        "{}",
        refused.describe()
    );
    assert!(writes(&mock).is_empty(), "adopt wrote: {:?}", writes(&mock));
}

#[test]
fn export_of_a_missing_group_fails_clearly() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    let failed = run(
        &mock,
        &["export", "-g", "rg-nowhere", "-o", &path_arg(&file)],
    );
    assert_eq!(failed.code, 1, "{}", failed.describe());
    assert!(
        failed.stderr.contains("rg-nowhere"),
        "{}",
        failed.describe()
    );
    assert!(!file.exists());
}

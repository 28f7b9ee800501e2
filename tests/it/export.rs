//! `aksctl export` and `aksctl adopt` against mock-arm: estates made by other means (raw ARM
//! bodies as `az` leaves them, AKS defaults and extra tags included) export to a valid estate
//! whose plan shows only adoption notices; adopt adds ownership tags only (PATCH, nothing else),
//! after which plan shows no changes; every shipped plan round-trips apply -> export -> plan with
//! no changes; export reads one list per collection, and ~150 resources at 100 ms latency take
//! seconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mock_arm::{Config, MockArm};
use serde_json::{json, Value};

use crate::common::{self, SUBSCRIPTION};

const GROUP: &str = "rg-az-payments";
const LOCATION: &str = "westeurope";
const ADMINS: &str = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";
const ISSUER_GUID: &str = "4b0d7c1e-58a7-4a3b-9a51-0c6f7c2f9e11";

/// A finished CLI run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn run(mock: &MockArm, args: &[&str]) -> Run {
    let output = common::aksctl(mock)
        .args(args)
        .output()
        .expect("aksctl runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(common::SECRET_CANARY) && !run.stderr.contains(common::SECRET_CANARY),
        "the client secret leaked"
    );
    run
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

/// `aksctl export -g ... -o FILE`, asserted to succeed; returns the file's text.
fn export(mock: &MockArm, groups: &[&str], file: &Path) -> String {
    let mut args = vec!["export".to_owned()];
    for group in groups {
        args.push("-g".to_owned());
        args.push((*group).to_owned());
    }
    args.push("-o".to_owned());
    args.push(path_arg(file));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let exported = run(mock, &args);
    assert_eq!(exported.code, 0, "export failed: {}", exported.describe());
    std::fs::read_to_string(file).expect("export wrote the file")
}

fn validate(mock: &MockArm, file: &Path) {
    let validated = run(mock, &["validate", "-f", &path_arg(file)]);
    assert_eq!(
        validated.code,
        0,
        "the exported estate does not validate: {}\n--- file\n{}",
        validated.describe(),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

/// `aksctl plan -o json`: the plan as JSON.
fn plan_json(mock: &MockArm, file: &Path) -> Value {
    let planned = run(mock, &["plan", "-f", &path_arg(file), "--output", "json"]);
    assert_eq!(planned.code, 0, "plan failed: {}", planned.describe());
    serde_json::from_str(&planned.stdout).unwrap_or_else(|error| {
        panic!("plan JSON does not parse ({error}): {}", planned.describe())
    })
}

/// Every change that is not a no-op, with its reasons, for assertion messages.
fn changes(plan: &Value) -> Vec<String> {
    plan["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["action"] != "noop")
        .map(|change| {
            format!(
                "{} {}: {}",
                change["action"],
                change["address"],
                change["reasons"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|reason| reason["message"].as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect()
}

fn count(plan: &Value, action: &str) -> u64 {
    plan["summary"][action].as_u64().unwrap_or(0)
}

fn arm_id(provider_type: &str, name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers/{provider_type}/{name}")
}

fn cluster_id() -> String {
    arm_id("Microsoft.ContainerService/managedClusters", "aks-payments")
}

fn issuer_url() -> String {
    format!(
        "https://{LOCATION}.oic.prod-aks.azure.com/{}/{ISSUER_GUID}/",
        common::tenant()
    )
}

/// The estate as `az` commands leave it (explicit az defaults, `createdBy` tags, a dns prefix
/// made from the names, AKS's default pool), without role assignments.
fn az_world() -> Vec<Value> {
    let tenant = common::tenant();
    let az_tags = json!({"createdBy": "az-cli", "team": "payments", "costCenter": "4711"});
    let account = arm_id("Microsoft.Storage/storageAccounts", "stazpayments");
    let identity = arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "id-payments-api");
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
                       "omsagent": {"enabled": false}
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
fn az_role_assignments(state: &Value) -> Vec<Value> {
    let find = |suffix: &str| {
        state["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|body| {
                body["id"]
                    .as_str()
                    .is_some_and(|id| id.to_ascii_lowercase().ends_with(&suffix.to_ascii_lowercase()))
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

fn seed(mock: &MockArm, resources: Vec<Value>) {
    common::put_state(mock, &json!({"resources": resources}));
}

/// Seeds the az world, then (when asked) its role assignments with the principal ids the mock
/// gave the identities.
fn seed_az_world(mock: &MockArm, with_role_assignments: bool) {
    seed(mock, az_world());
    if with_role_assignments {
        let state = common::state(mock);
        let mut resources = state["resources"].as_array().cloned().unwrap_or_default();
        resources.extend(az_role_assignments(&state));
        seed(mock, resources);
    }
}

fn temp_file(directory: &tempfile::TempDir, name: &str) -> PathBuf {
    directory.path().join(name)
}

/// The ARM write requests (method, path, body) the mock saw since the log was cleared.
fn writes(mock: &MockArm) -> Vec<(String, String, Value)> {
    common::arm_requests(mock)
        .into_iter()
        .filter(|request| request["method"] != "GET" && request["method"] != "HEAD")
        .map(|request| {
            (
                request["method"].as_str().unwrap_or_default().to_owned(),
                request["path"].as_str().unwrap_or_default().to_owned(),
                request["body"].clone(),
            )
        })
        .collect()
}

fn tags_of(mock: &MockArm, id_suffix: &str) -> Value {
    common::state(mock)["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|body| {
            body["id"]
                .as_str()
                .is_some_and(|id| id.to_ascii_lowercase().ends_with(&id_suffix.to_ascii_lowercase()))
        })
        .map(|body| body["tags"].clone())
        .unwrap_or(Value::Null)
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
    assert!(text.contains("cluster: aks-payments"), "issuer not mapped:\n{text}");
    assert!(text.contains("serviceAccount: payments/payments-api"), "{text}");
    assert!(text.contains("acrazpayments"), "{text}");
    assert!(text.contains("dnsPrefix: aks-paymen-rg-az-payments-00c0de"), "{text}");
    assert!(text.contains("createdBy: az-cli"), "extra tags must be kept:\n{text}");
    for server_field in ["provisioningState", "principalId", "issuerURL", "nodeResourceGroup", "fqdn", "MC_"] {
        assert!(!text.contains(server_field), "`{server_field}` exported:\n{text}");
    }
    assert!(!text.contains("maxPods"), "AKS's default maxPods exported:\n{text}");

    let before = plan_json(&mock, &file);
    for action in ["create", "update", "replace", "delete"] {
        assert_eq!(count(&before, action), 0, "{action}s before adoption: {:#?}", changes(&before));
    }
    let notices: Vec<String> = before["notices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|notice| notice.as_str().map(str::to_owned))
        .collect();
    for address in ["resourceGroup/rg-az-payments", "cluster/aks-payments", "keyVault/kv-az-payments"] {
        assert!(
            notices.iter().any(|notice| notice.contains(&format!("aksctl adopt {address}"))),
            "no adoption notice for {address}: {notices:#?}"
        );
    }

    // No terminal, no --auto-approve: refused, nothing written.
    common::clear_requests(&mock);
    let refused = run(&mock, &["adopt", "-f", &path_arg(&file)]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(refused.stderr.contains("--auto-approve"), "{}", refused.describe());
    assert!(writes(&mock).is_empty(), "adopt wrote without approval: {:?}", writes(&mock));

    common::clear_requests(&mock);
    let adopted = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(adopted.code, 0, "{}", adopted.describe());
    assert!(adopted.stdout.contains("adopt: tags aksctl-estate="), "{}", adopted.describe());
    let written = writes(&mock);
    assert_eq!(written.len(), 6, "one PATCH per tracked resource: {written:#?}");
    for (method, path, body) in &written {
        assert_eq!(method, "PATCH", "{path}");
        let keys: Vec<&String> = body.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(keys, vec!["tags"], "{path} body {body}");
        assert_eq!(body["tags"]["aksctl-estate"], GROUP, "{path}");
        assert_eq!(body["tags"]["managed-by"], "aksctl", "{path}");
        assert_eq!(body["tags"]["createdBy"], "az-cli", "{path}: existing tags kept");
    }
    assert_eq!(tags_of(&mock, "/managedClusters/aks-payments")["aksctl-estate"], GROUP);

    let after = plan_json(&mock, &file);
    assert!(changes(&after).is_empty(), "plan after adoption: {:#?}", changes(&after));
    let again = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(again.code, 0, "{}", again.describe());
    assert!(again.stdout.contains("Nothing to adopt"), "{}", again.describe());
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
    assert!(text.contains("acrPull:\n  - acrazpayments"), "kubelet AcrPull not mapped:\n{text}");
    assert!(text.contains("identity: id-payments-api"), "{text}");
    assert!(text.contains("role: Key Vault Secrets User"), "{text}");
    assert!(text.contains("role: Azure Kubernetes Service RBAC Cluster Admin"), "{text}");
    assert!(text.contains("scope: cluster/aks-payments"), "{text}");
    let adopted = run(&mock, &["adopt", "-f", &path_arg(&file), "--auto-approve"]);
    assert_eq!(adopted.code, 0, "{}", adopted.describe());
    let after = plan_json(&mock, &file);
    assert!(
        changes(&after).is_empty(),
        "the planner looks role assignments up by aksctl's deterministic name only, so existing \
         assignments made under other names plan as creates: {:#?}",
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
    assert!(refused.stderr.contains("someone-else"), "{}", refused.describe());
    assert!(writes(&mock).is_empty(), "adopt wrote: {:?}", writes(&mock));
}

#[test]
fn export_of_a_missing_group_fails_clearly() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    let failed = run(&mock, &["export", "-g", "rg-nowhere", "-o", &path_arg(&file)]);
    assert_eq!(failed.code, 1, "{}", failed.describe());
    assert!(failed.stderr.contains("rg-nowhere"), "{}", failed.describe());
    assert!(!file.exists());
}

/// Whether `path` is a list (a collection), a resource group, or the one storage singleton
/// without a list (`managementPolicies/default`).
fn is_collection_read(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.trim_matches('/').split('/').collect();
    let last = segments.last().copied().unwrap_or_default();
    let group = segments.len() == 4 && segments[2] == "resourcegroups";
    let lists = [
        "resources",
        "registries",
        "vaults",
        "storageaccounts",
        "userassignedidentities",
        "managedclusters",
        "agentpools",
        "federatedidentitycredentials",
        "blobservices",
        "containers",
        "roleassignments",
    ];
    group || lists.contains(&last) || lower.ends_with("/managementpolicies/default")
}

/// The resource groups an estate file declares.
fn declared_groups(file: &Path) -> Vec<String> {
    let environment = |name: &str| match name {
        "AZURE_SUBSCRIPTION_ID" => Some(SUBSCRIPTION.to_owned()),
        "AZURE_TENANT_ID" => Some(common::tenant()),
        _ => None,
    };
    let input = aksctl::spec::Input {
        name: file.display().to_string(),
        bytes: std::fs::read(file).map_err(|error| error.to_string()),
    };
    let loaded = aksctl::spec::load_inputs(vec![input], &environment)
        .unwrap_or_else(|diagnostics| panic!("{}: {diagnostics:?}", file.display()));
    loaded
        .estate
        .resource_groups
        .iter()
        .map(|group| group.name.clone())
        .collect()
}

fn shipped_plans() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo_path("plans"))
        .expect("plans/ exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no estate in plans/");
    files
}

#[test]
fn every_shipped_plan_round_trips_apply_export_plan_with_no_changes() {
    for plan_file in shipped_plans() {
        let mock = common::start_mock();
        let applied = run(
            &mock,
            &["apply", "-f", &path_arg(&plan_file), "--auto-approve", "--no-progress"],
        );
        assert_eq!(applied.code, 0, "{}: apply failed: {}", plan_file.display(), applied.describe());
        let groups = declared_groups(&plan_file);
        let group_refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let directory = tempfile::tempdir().expect("temp dir");
        let file = temp_file(&directory, "exported.yaml");
        common::clear_requests(&mock);
        let text = export(&mock, &group_refs, &file);
        let reads = common::arm_requests(&mock);
        assert!(
            reads.iter().all(|request| request["method"] == "GET"),
            "{}: export wrote to ARM",
            plan_file.display()
        );
        for request in &reads {
            let path = request["path"].as_str().unwrap_or_default();
            assert!(
                is_collection_read(path),
                "{}: export read a single resource instead of its list: {path}",
                plan_file.display()
            );
        }
        validate(&mock, &file);
        let planned = plan_json(&mock, &file);
        assert!(
            changes(&planned).is_empty(),
            "{}: plan of the exported estate is not empty: {:#?}\n--- exported\n{text}",
            plan_file.display(),
            changes(&planned)
        );
    }
}

/// The az world plus 65 identities with one federated credential each (~150 resources).
fn large_world() -> Vec<Value> {
    let mut world = az_world();
    for index in 0..70 {
        let identity = arm_id(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &format!("id-service-{index:02}"),
        );
        world.push(json!({"id": identity, "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                          "location": LOCATION, "tags": {"team": "payments"}}));
        world.push(json!({"id": format!("{identity}/federatedIdentityCredentials/service-{index:02}"),
                          "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                          "properties": {"issuer": issuer_url(),
                                         "subject": format!("system:serviceaccount:services:service-{index:02}"),
                                         "audiences": ["api://AzureADTokenExchange"]}}));
    }
    world
}

/// ~150 resources in one group, 100 ms per ARM request: export takes seconds, not hours.
#[test]
fn export_of_150_resources_at_100ms_latency_takes_seconds() {
    let mock = common::start_mock_with(Config {
        time_scale: 0.0005,
        latency: Duration::from_millis(100),
        ..Config::default()
    });
    seed(&mock, large_world());
    let resources = common::state(&mock)["resources"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(resources >= 145, "only {resources} resources seeded");
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    common::clear_requests(&mock);
    let started = Instant::now();
    let text = export(&mock, &[GROUP], &file);
    let elapsed = started.elapsed();
    let requests = common::arm_requests(&mock).len();
    eprintln!("export of {resources} resources at 100 ms latency: {elapsed:?}, {requests} ARM requests");
    assert!(text.contains("id-service-69"), "{text}");
    // One list per collection: the group, its 5 kinds, its other resources, the subscription's
    // role assignments, then per parent: 71 identities' credentials, 1 cluster's pools, the
    // storage account's blob service, containers and lifecycle policy.
    let collections = 1 + 5 + 1 + 1 + 71 + 1 + 3;
    assert!(requests <= collections, "{requests} requests for {resources} resources (expected at most {collections})");
    assert!(elapsed < Duration::from_secs(10), "export took {elapsed:?}");
    validate(&mock, &file);
}

//! Day-2 rules from FACTS-AKS-DAY2: version upgrades (no downgrade, no minor skip, pool skew,
//! control-plane-only upgrades, auto-upgrade channels), pool drain time, names held by deleted
//! vaults and by other subscriptions, storage account migration, and server-side moves
//! (autoscaler, auto-upgrade) set through the control API.

use serde_json::{json, Value};

use crate::support::*;

fn cluster_path(group: &str, name: &str) -> String {
    format!("{group}/providers/Microsoft.ContainerService/managedClusters/{name}")
}

fn two_pools(version: &str) -> Value {
    json!({
        "location": "eastus",
        "properties": {
            "kubernetesVersion": version,
            "dnsPrefix": "day2",
            "agentPoolProfiles": [
                { "name": "system", "mode": "System", "count": 2, "vmSize": "Standard_D4s_v5" },
                { "name": "work", "mode": "User", "count": 3, "vmSize": "Standard_D4s_v5", "enableAutoScaling": true, "minCount": 1, "maxCount": 5 },
            ],
        },
    })
}

async fn cluster(arm: &Arm, group: &str, version: &str) -> String {
    let path = at(&cluster_path(group, "aks"), AKS_VERSION);
    let created = arm.put(&path, two_pools(version)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    path
}

fn pool(cluster: &str, name: &str) -> String {
    cluster.replace("?api-version", &format!("/agentPools/{name}?api-version"))
}

#[tokio::test]
async fn downgrades_and_minor_skips_are_refused_with_the_available_upgrade() {
    let arm = Arm::start();
    let group = arm.group("rg-versions").await;
    let path = cluster(&arm, &group, "1.33").await;
    let mut skip = two_pools("1.35");
    skip["properties"]["kubernetesVersion"] = json!("1.34");
    let mut down = two_pools("1.32");
    down["properties"]["agentPoolProfiles"] = json!([]);
    let refused = arm.put(&path, down).await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "OperationNotAllowed")
    );
    assert!(refused
        .str("/error/message")
        .contains("Downgrading Kubernetes version 1.33.5 to 1.32"));
    // 1.33 -> 1.35 skips a minor (1.35 is unsupported here, so skip from 1.32 to 1.34 instead).
    let other = at(&cluster_path(&group, "aks-old"), AKS_VERSION);
    let created = arm.put(&other, two_pools("1.32")).await;
    arm.wait(&created).await;
    let skipped = arm.put(&other, json!({ "location": "eastus", "properties": { "kubernetesVersion": "1.34", "dnsPrefix": "day2" } })).await;
    assert_eq!(
        (skipped.status, skipped.code()),
        (400, "OperationNotAllowed")
    );
    assert!(
        skipped
            .str("/error/message")
            .contains("Available upgrades: [1.33.5]"),
        "{}",
        skipped.body
    );
}

#[tokio::test]
async fn control_plane_only_upgrade_leaves_pools_at_their_version() {
    let arm = Arm::start();
    let group = arm.group("rg-cp").await;
    let path = cluster(&arm, &group, "1.33").await;
    // No agentPoolProfiles: the control plane moves, the pools stay.
    let upgrade = arm
        .put(&path, json!({ "location": "eastus", "properties": { "kubernetesVersion": "1.34", "dnsPrefix": "day2" } }))
        .await;
    assert_eq!(upgrade.status, 200, "{}", upgrade.body);
    arm.wait(&upgrade).await;
    let got = arm.get(&path).await;
    assert_eq!(got.str("/properties/currentKubernetesVersion"), "1.34.1");
    for index in 0..2 {
        assert_eq!(
            got.str(&format!(
                "/properties/agentPoolProfiles/{index}/currentOrchestratorVersion"
            )),
            "1.33.5"
        );
    }
    // Profiles sent without versions also keep theirs.
    let again = arm.put(&path, two_pools("1.34")).await;
    assert_eq!(again.status, 200, "{}", again.body);
    arm.wait(&again).await;
    assert_eq!(
        arm.get(&pool(&path, "work"))
            .await
            .str("/properties/orchestratorVersion"),
        "1.33"
    );
    // Then each pool, one at a time.
    let mut work = arm.get(&pool(&path, "work")).await.body;
    work["properties"]["orchestratorVersion"] = json!("1.34");
    let moved = arm.put(&pool(&path, "work"), work).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    arm.wait(&moved).await;
    let got = arm.get(&pool(&path, "work")).await;
    assert_eq!(got.str("/properties/currentOrchestratorVersion"), "1.34.1");
}

#[tokio::test]
async fn pool_versions_in_a_cluster_put_are_all_or_none_and_unchanged_or_the_control_plane() {
    let arm = Arm::start();
    let group = arm.group("rg-all").await;
    let path = cluster(&arm, &group, "1.33").await;
    let mut mixed = two_pools("1.34");
    mixed["properties"]["agentPoolProfiles"][0]["orchestratorVersion"] = json!("1.34");
    let refused = arm.put(&path, mixed).await;
    assert_eq!(
        refused.code(),
        "NotAllAgentPoolOrchestratorVersionSpecifiedAndUnchanged",
        "{}",
        refused.body
    );
    let mut all = two_pools("1.34");
    for index in 0..2 {
        all["properties"]["agentPoolProfiles"][index]["orchestratorVersion"] = json!("1.34");
    }
    let together = arm.put(&path, all).await;
    assert_eq!(together.status, 200, "{}", together.body);
    arm.wait(&together).await;
    let got = arm.get(&path).await;
    assert_eq!(
        got.str("/properties/agentPoolProfiles/1/currentOrchestratorVersion"),
        "1.34.1"
    );
}

#[tokio::test]
async fn pool_skew_follows_the_newer_aks_documentation() {
    let arm = Arm::start();
    let group = arm.group("rg-skew").await;
    let path = cluster(&arm, &group, "1.34").await;
    let body = |version: &str| json!({ "properties": { "mode": "User", "count": 1, "orchestratorVersion": version } });
    // N-3 is allowed (newer AKS docs), N-4 and newer-than-control-plane are not.
    let three = arm.put(&pool(&path, "old3"), body("1.31")).await;
    assert_eq!(three.status, 201, "{}", three.body);
    arm.wait(&three).await;
    let four = arm.put(&pool(&path, "old4"), body("1.30")).await;
    assert_eq!(
        (four.status, four.code()),
        (400, "InvalidParameter"),
        "{}",
        four.body
    );
    let newer = arm.put(&pool(&path, "newer"), body("1.35")).await;
    assert_eq!(newer.status, 400);
}

#[tokio::test]
async fn a_channel_refuses_control_plane_only_upgrades() {
    let arm = Arm::start();
    let group = arm.group("rg-channel").await;
    let path = at(&cluster_path(&group, "aks"), AKS_VERSION);
    let mut body = two_pools("1.33");
    body["properties"]["autoUpgradeProfile"] = json!({ "upgradeChannel": "stable" });
    let created = arm.put(&path, body).await;
    arm.wait(&created).await;
    let mut only_plane = two_pools("1.34");
    only_plane["properties"]["autoUpgradeProfile"] = json!({ "upgradeChannel": "stable" });
    let refused = arm.put(&path, only_plane).await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "OperationNotAllowed"),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn pool_delete_takes_modelled_drain_time_per_node() {
    let arm = Arm::start();
    let group = arm.group("rg-drain").await;
    let path = cluster(&arm, &group, "1.33").await;
    let deleted = arm.delete(&pool(&path, "work")).await;
    assert_eq!(deleted.status, 202);
    let operations = arm.control("GET", "/_mock/operations", None).await;
    let per_node = operations.body["drainSecondsPerNode"]
        .as_f64()
        .expect("drain");
    let base = operations.body["durations"]
        .as_array()
        .expect("durations")
        .iter()
        .find(|entry| {
            entry["resourceType"] == "Microsoft.ContainerService/managedClusters/agentPools"
                && entry["action"] == "delete"
        })
        .and_then(|entry| entry["seconds"].as_f64())
        .expect("pool delete entry");
    let delete = operations.body["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .find(|op| op["action"] == "delete")
        .cloned()
        .expect("delete operation");
    let scale = operations.body["timeScale"].as_f64().expect("scale");
    let expected_ms = (base + 3.0 * per_node) * scale * 1000.0;
    let actual_ms = delete["durationMs"].as_f64().expect("duration");
    assert!(
        (actual_ms - expected_ms).abs() < 1.0,
        "{actual_ms} vs {expected_ms}"
    );
}

#[tokio::test]
async fn a_deleted_vault_holds_its_name_until_its_purge_date() {
    let arm = Arm::start();
    let vault = |name: &str| json!({ "id": format!("/subscriptions/{SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/{name}"), "name": name, "properties": { "location": "eastus", "purgeProtectionEnabled": true, "deletionDate": "2026-01-01T00:00:00Z", "scheduledPurgeDate": if name == "kv-held" { "2999-01-01T00:00:00Z" } else { "2026-01-02T00:00:00Z" } } });
    let seeded = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({ "resources": [{ "id": format!("/subscriptions/{SUB}/resourceGroups/rg-kv"), "location": "eastus" }], "deletedVaults": [vault("kv-held"), vault("kv-expired")] })),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let body = json!({ "location": "eastus", "properties": { "tenantId": "00000000-0000-0000-0000-00000000a0a0", "sku": { "family": "A", "name": "standard" }, "accessPolicies": [] } });
    let held = arm
        .put(&at(&format!("/subscriptions/{SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-held"), KV_VERSION), body.clone())
        .await;
    assert_eq!((held.status, held.code()), (409, "ConflictError"));
    let check = |name: &str| json!({ "name": name, "type": "Microsoft.KeyVault/vaults" });
    let checked = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/checkNameAvailability"),
                KV_VERSION,
            ),
            check("kv-held"),
        )
        .await;
    assert_eq!(checked.body["nameAvailable"], json!(false));
    // Past its scheduled purge date the vault is gone and the name is free.
    let free = arm
        .post(
            &at(
                &format!("/subscriptions/{SUB}/providers/Microsoft.KeyVault/checkNameAvailability"),
                KV_VERSION,
            ),
            check("kv-expired"),
        )
        .await;
    assert_eq!(free.body["nameAvailable"], json!(true));
    let created = arm
        .put(&at(&format!("/subscriptions/{SUB}/resourceGroups/rg-kv/providers/Microsoft.KeyVault/vaults/kv-expired"), KV_VERSION), body)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

#[tokio::test]
async fn names_taken_by_other_subscriptions_are_refused_and_reported_by_check_name() {
    let arm = Arm::start();
    let group = arm.group("rg-names").await;
    for (kind, name) in [
        ("Microsoft.Storage/storageAccounts", "stvelero"),
        ("Microsoft.ContainerRegistry/registries", "acrshared"),
        ("Microsoft.KeyVault/vaults", "kv-shared"),
    ] {
        let added = arm
            .control("POST", "/_mock/taken-names", Some(json!({ "type": kind, "name": name, "tenantId": "11111111-1111-1111-1111-111111111111" })))
            .await;
        assert_eq!(added.status, 201, "{}", added.body);
    }
    let bad = arm
        .control(
            "POST",
            "/_mock/taken-names",
            Some(json!({ "type": "Microsoft.Network/virtualNetworks", "name": "x" })),
        )
        .await;
    assert_eq!(bad.status, 400);
    let cases = [
        (
            "Microsoft.Storage",
            STORAGE_VERSION,
            "Microsoft.Storage/storageAccounts",
            "stvelero",
            "StorageAccountAlreadyTaken",
            json!({ "location": "eastus", "sku": { "name": "Standard_LRS" }, "kind": "StorageV2" }),
        ),
        (
            "Microsoft.ContainerRegistry",
            ACR_VERSION,
            "Microsoft.ContainerRegistry/registries",
            "acrshared",
            "AlreadyInUse",
            json!({ "location": "eastus", "sku": { "name": "Premium" } }),
        ),
        (
            "Microsoft.KeyVault",
            KV_VERSION,
            "Microsoft.KeyVault/vaults",
            "kv-shared",
            "VaultAlreadyExists",
            json!({ "location": "eastus", "properties": { "tenantId": "t", "sku": { "family": "A", "name": "standard" }, "accessPolicies": [] } }),
        ),
    ];
    for (namespace, version, kind, name, code, body) in cases {
        let check = arm
            .post(
                &at(
                    &format!("/subscriptions/{SUB}/providers/{namespace}/checkNameAvailability"),
                    version,
                ),
                json!({ "name": name, "type": kind }),
            )
            .await;
        assert_eq!(check.body["nameAvailable"], json!(false), "{kind}");
        assert_eq!(check.str("/reason"), "AlreadyExists", "{kind}");
        let segment = kind.split('/').nth(1).unwrap_or_default();
        let put = arm
            .put(
                &at(
                    &format!("{group}/providers/{namespace}/{segment}/{name}"),
                    version,
                ),
                body,
            )
            .await;
        assert_eq!(
            (put.status, put.code()),
            (409, code),
            "{kind}: {}",
            put.body
        );
    }
    let state = arm.control("GET", "/_mock/state", None).await;
    assert_eq!(state.body["takenNames"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        arm.control("DELETE", "/_mock/taken-names", None)
            .await
            .status,
        204
    );
    let listed = arm.control("GET", "/_mock/taken-names", None).await;
    assert_eq!(listed.body, json!([]));
}

#[tokio::test]
async fn storage_sku_changes_to_zone_redundancy_go_through_account_migration() {
    let arm = Arm::start();
    let group = arm.group("rg-migrate").await;
    let account = format!("{group}/providers/Microsoft.Storage/storageAccounts/stbackups");
    let created = arm
        .put(
            &at(&account, STORAGE_VERSION),
            json!({ "location": "eastus", "sku": { "name": "Standard_LRS" }, "kind": "StorageV2" }),
        )
        .await;
    arm.wait(&created).await;
    let patched = arm
        .patch(
            &at(&account, STORAGE_VERSION),
            json!({ "sku": { "name": "Standard_ZRS" } }),
        )
        .await;
    assert_eq!(patched.status, 400, "a plain sku update to ZRS is refused");
    let wrong = arm
        .post(
            &at(&format!("{account}/startAccountMigration"), STORAGE_VERSION),
            json!({ "properties": { "targetSkuName": "Standard_GZRS" } }),
        )
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (400, "InvalidRequestPropertyValue")
    );
    let started = arm
        .post(
            &at(&format!("{account}/startAccountMigration"), STORAGE_VERSION),
            json!({ "properties": { "targetSkuName": "Standard_ZRS" } }),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert!(started.header("location").is_some());
    let done = arm.wait(&started).await;
    assert_eq!(done.status, 200);
    let got = arm.get(&at(&account, STORAGE_VERSION)).await;
    assert_eq!(got.str("/sku/name"), "Standard_ZRS");
    assert_eq!(
        got.body["properties"]["accountMigrationInProgress"],
        json!(false)
    );
    let migration = arm
        .get(&at(
            &format!("{account}/accountMigrations/default"),
            STORAGE_VERSION,
        ))
        .await;
    assert_eq!(migration.str("/properties/migrationStatus"), "Complete");
    assert_eq!(migration.str("/properties/targetSkuName"), "Standard_ZRS");
}

#[tokio::test]
async fn a_running_migration_blocks_account_writes() {
    let arm = Arm::scaled(1.0);
    let group = arm.group("rg-migrate-slow").await;
    let account = format!("{group}/providers/Microsoft.Storage/storageAccounts/stslow");
    let seeded = arm
        .control("PUT", "/_mock/state", Some(json!({ "resources": [{ "id": account, "location": "eastus", "sku": { "name": "Standard_LRS" }, "kind": "StorageV2" }] })))
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let started = arm
        .post(
            &at(&format!("{account}/startAccountMigration"), STORAGE_VERSION),
            json!({ "properties": { "targetSkuName": "Standard_ZRS" } }),
        )
        .await;
    assert_eq!(started.status, 202);
    let migration = arm
        .get(&at(
            &format!("{account}/accountMigrations/default"),
            STORAGE_VERSION,
        ))
        .await;
    assert_eq!(migration.str("/properties/migrationStatus"), "InProgress");
    let busy = arm
        .patch(
            &at(&account, STORAGE_VERSION),
            json!({ "tags": { "a": "b" } }),
        )
        .await;
    assert_eq!(
        (busy.status, busy.code()),
        (409, "StorageAccountOperationInProgress")
    );
}

#[tokio::test]
async fn autoscaler_and_auto_upgrade_move_values_on_the_server_side() {
    let arm = Arm::start();
    let group = arm.group("rg-moved").await;
    let path = cluster(&arm, &group, "1.33").await;
    let work_id = pool(&path, "work")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let system_id = pool(&path, "system")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let scaled = arm
        .control(
            "POST",
            "/_mock/autoscale",
            Some(json!({ "pool": work_id, "count": 5 })),
        )
        .await;
    assert_eq!(scaled.status, 200, "{}", scaled.body);
    assert_eq!(
        arm.get(&pool(&path, "work")).await.body["properties"]["count"],
        json!(5)
    );
    let beyond = arm
        .control(
            "POST",
            "/_mock/autoscale",
            Some(json!({ "pool": work_id, "count": 6 })),
        )
        .await;
    assert_eq!(beyond.status, 400);
    let fixed = arm
        .control(
            "POST",
            "/_mock/autoscale",
            Some(json!({ "pool": system_id, "count": 3 })),
        )
        .await;
    assert_eq!(fixed.status, 400, "pools without autoscaling are not moved");

    let cluster_id = path.split('?').next().unwrap_or_default().to_string();
    let moved = arm
        .control(
            "POST",
            "/_mock/auto-upgrade",
            Some(json!({ "cluster": cluster_id, "kubernetesVersion": "1.34" })),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let got = arm.get(&path).await;
    assert_eq!(got.str("/properties/kubernetesVersion"), "1.34.1");
    assert_eq!(got.str("/properties/currentKubernetesVersion"), "1.34.1");
    assert_eq!(
        got.str("/properties/agentPoolProfiles/0/orchestratorVersion"),
        "1.34.1"
    );
    let skip = arm
        .control(
            "POST",
            "/_mock/auto-upgrade",
            Some(json!({ "cluster": cluster_id, "kubernetesVersion": "1.32" })),
        )
        .await;
    assert_eq!(skip.code(), "OperationNotAllowed");
}

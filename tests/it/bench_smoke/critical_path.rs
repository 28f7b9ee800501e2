//! Unit tests of the harness's critical-path model (`benches/aksctl/harness/critical_path.rs`).

use serde_json::{json, Value};

use super::harness::critical_path::*;

const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers";

fn model() -> DurationModel {
    let operations = json!({
        "federatedCredentialWriteMs": 20.0,
        "durations": [
            {"resourceType": "Microsoft.ContainerService/managedClusters", "action": "create", "scaledMs": 360.0},
            {"resourceType": "Microsoft.ContainerService/managedClusters", "action": "delete", "scaledMs": 300.0},
            {"resourceType": "Microsoft.ContainerService/managedClusters/agentPools", "action": "create", "scaledMs": 210.0},
            {"resourceType": "Microsoft.ContainerService/managedClusters/agentPools", "action": "delete", "scaledMs": 180.0},
            {"resourceType": "Microsoft.KeyVault/vaults", "action": "create", "scaledMs": 15.0},
            {"resourceType": "Microsoft.Resources/resourceGroups", "action": "create", "scaledMs": 0.0}
        ]
    });
    DurationModel::from_operations(&operations).expect("model")
}

fn change(address: &str, arm_type: &str, id: &str, action: &str, deps: &[&str]) -> Value {
    json!({"address": address, "type": arm_type, "id": id, "action": action,
           "dependsOn": deps, "after": {"properties": {}}})
}

fn cluster_with_pools() -> Vec<Value> {
    let cluster_id = format!("{SUB}/Microsoft.ContainerService/managedClusters/aks");
    let mut system = change(
        "pool/aks/system",
        "Microsoft.ContainerService/managedClusters/agentPools",
        &format!("{cluster_id}/agentPools/system"),
        "create",
        &["cluster/aks"],
    );
    system["after"]["properties"]["mode"] = json!("System");
    vec![
        change(
            "resourceGroup/rg",
            "Microsoft.Resources/resourceGroups",
            "/subscriptions/s/resourceGroups/rg",
            "create",
            &[],
        ),
        change(
            "cluster/aks",
            "Microsoft.ContainerService/managedClusters",
            &cluster_id,
            "create",
            &["resourceGroup/rg"],
        ),
        system,
        change(
            "pool/aks/a",
            "Microsoft.ContainerService/managedClusters/agentPools",
            &format!("{cluster_id}/agentPools/a"),
            "create",
            &["cluster/aks"],
        ),
        change(
            "pool/aks/b",
            "Microsoft.ContainerService/managedClusters/agentPools",
            &format!("{cluster_id}/agentPools/b"),
            "create",
            &["cluster/aks"],
        ),
    ]
}

#[test]
fn pools_of_one_cluster_are_serialised_and_the_system_pool_is_inline() {
    let plan = json!({"changes": cluster_with_pools()});
    let bound = critical_path(&plan, &model()).expect("bound");
    assert_eq!(bound.steps, 5);
    assert_eq!(bound.longest_path_ms, 570.0);
    assert_eq!(bound.serialised_ms, 780.0);
    assert_eq!(bound.sequential_ms, 780.0);
    assert_eq!(
        bound.chain.first().map(String::as_str),
        Some("resourceGroup/rg")
    );
    assert_eq!(bound.chain.len(), 4, "{:?}", bound.chain);
}

#[test]
fn credential_writes_are_serial_per_identity_only() {
    let identity = format!("{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities");
    let credential = |identity_name: &str, name: &str| {
        change(
            &format!("federatedCredential/{identity_name}/{name}"),
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            &format!("{identity}/{identity_name}/federatedIdentityCredentials/{name}"),
            "create",
            &[],
        )
    };
    let plan = json!({"changes": [
        credential("id-a", "one"), credential("id-a", "two"), credential("id-a", "three"),
        credential("id-b", "one"), credential("id-b", "two"),
    ]});
    let bound = critical_path(&plan, &model()).expect("bound");
    assert_eq!(bound.longest_path_ms, 20.0);
    assert_eq!(bound.serialised_ms, 60.0);
    assert_eq!(bound.sequential_ms, 100.0);
}

#[test]
fn no_op_dependencies_are_already_satisfied() {
    let mut changes = cluster_with_pools();
    changes[0]["action"] = json!("noop");
    changes[1]["action"] = json!("noop");
    let plan = json!({"changes": changes});
    let bound = critical_path(&plan, &model()).expect("bound");
    // The cluster exists: the System pool is an ordinary pool create now.
    assert_eq!(bound.steps, 3);
    assert_eq!(bound.serialised_ms, 630.0);
    assert_eq!(bound.longest_path_ms, 210.0);
}

#[test]
fn deletions_run_children_first_after_every_write() {
    let cluster_id = format!("{SUB}/Microsoft.ContainerService/managedClusters/old");
    let plan = json!({"changes": [
        change("keyVault/kv", "Microsoft.KeyVault/vaults", &format!("{SUB}/Microsoft.KeyVault/vaults/kv"), "create", &[]),
        change("cluster/old", "Microsoft.ContainerService/managedClusters", &cluster_id, "delete", &[]),
        change("pool/old/a", "Microsoft.ContainerService/managedClusters/agentPools",
               &format!("{cluster_id}/agentPools/a"), "delete", &["cluster/old"]),
    ]});
    let bound = critical_path(&plan, &model()).expect("bound");
    assert_eq!(bound.serialised_ms, 15.0 + 180.0 + 300.0);
    assert_eq!(
        bound.chain,
        vec!["keyVault/kv", "pool/old/a", "cluster/old"],
        "{:?}",
        bound.chain
    );
}

#[test]
fn cycles_and_unknown_actions_are_errors() {
    let plan = json!({"changes": [
        change("keyVault/a", "Microsoft.KeyVault/vaults", "/a", "create", &["keyVault/b"]),
        change("keyVault/b", "Microsoft.KeyVault/vaults", "/b", "create", &["keyVault/a"]),
    ]});
    let error = critical_path(&plan, &model()).expect_err("cycle");
    assert!(error.contains("cycle"), "{error}");
    let plan = json!({"changes": [change("keyVault/a", "Microsoft.KeyVault/vaults", "/a", "frobnicate", &[])]});
    assert!(critical_path(&plan, &model()).is_err());
}

#[test]
fn per_step_latency_is_added_to_calling_steps_only() {
    let mut model = model();
    model.per_step_latency_ms = 100.0;
    let plan = json!({"changes": cluster_with_pools()});
    let bound = critical_path(&plan, &model).expect("bound");
    // rg, cluster, a, b each pay one round trip; the inline System pool none.
    assert_eq!(bound.serialised_ms, 780.0 + 400.0);
}

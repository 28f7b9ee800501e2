//! The Kubernetes version workflow (issue 13, version rows), against mock-arm: an auto-upgraded
//! version is a floor under a channel and an error without one; a minor skip is refused at plan
//! time with the path; one minor up is the control plane, then each pool (System first).

use serde_json::{json, Value};

use super::{change, edited_estate, plan_json};
use crate::apply::{apply, assert_converged, operations, plan_file, resources, run};
use crate::common;

const CLUSTER: &str = "cluster/aks-shared-prod";

fn cluster_id(mock: &mock_arm::MockArm) -> String {
    resources(mock)
        .into_iter()
        .find(|body| body["type"] == "Microsoft.ContainerService/managedClusters")
        .and_then(|body| body["id"].as_str().map(str::to_owned))
        .expect("the cluster")
}

fn auto_upgrade(mock: &mock_arm::MockArm, version: &str) -> Value {
    let cluster = cluster_id(mock);
    common::block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{}/_mock/auto-upgrade", mock.url()))
            .json(&json!({"cluster": cluster, "kubernetesVersion": version}))
            .send()
            .await
            .expect("control call");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "auto-upgrade refused: {status} {body}");
        body
    })
}

fn pool_versions(mock: &mock_arm::MockArm) -> Vec<(String, String)> {
    let mut versions: Vec<(String, String)> = resources(mock)
        .into_iter()
        .filter(|body| body["type"] == "Microsoft.ContainerService/managedClusters/agentPools")
        .map(|body| {
            (
                body["name"].as_str().unwrap_or_default().to_owned(),
                body["properties"]["currentOrchestratorVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    versions.sort();
    versions
}

#[test]
fn an_auto_upgraded_version_is_a_floor_under_a_channel() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    auto_upgrade(&mock, "1.34");

    let plan = run(
        &mock,
        &["plan", "-f", file.to_str().unwrap(), "--detailed-exitcode"],
    );
    assert_eq!(plan.code, 0, "{}", plan.describe());
    assert!(
        plan.stdout.contains("AKS moved kubernetesVersion to 1.34"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("is a floor"), "{}", plan.stdout);
    let drift = run(&mock, &["drift", "-f", file.to_str().unwrap()]);
    assert_eq!(
        drift.code,
        0,
        "drift must not report a floor: {}",
        drift.describe()
    );
}

#[test]
fn without_a_channel_a_live_version_above_the_declared_one_is_a_plan_time_error() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let file = edited_estate(directory.path(), &[("channel: stable", "channel: none")]);
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    // The world as if someone upgraded the cluster outside the estate.
    let mut state = common::state(&mock);
    for body in state["resources"].as_array_mut().unwrap() {
        if body["type"] == "Microsoft.ContainerService/managedClusters" {
            body["properties"]["kubernetesVersion"] = json!("1.34.1");
            body["properties"]["currentKubernetesVersion"] = json!("1.34.1");
        }
    }
    common::put_state(&mock, &state);
    let plan = run(&mock, &["plan", "-f", file.to_str().unwrap()]);
    assert_eq!(plan.code, 1, "{}", plan.describe());
    assert!(
        plan.stderr.contains("refuses downgrades"),
        "{}",
        plan.describe()
    );
    assert!(
        plan.stderr.contains("Declare \"1.34.1\""),
        "{}",
        plan.describe()
    );
}

#[test]
fn a_minor_skip_is_refused_at_plan_time_with_the_path() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let directory = tempfile::tempdir().unwrap();
    let skipping = edited_estate(
        directory.path(),
        &[("kubernetesVersion: \"1.33\"", "kubernetesVersion: \"1.35\"")],
    );
    let plan = run(&mock, &["plan", "-f", skipping.to_str().unwrap()]);
    assert_eq!(plan.code, 1, "{}", plan.describe());
    assert!(
        plan.stderr.contains("declare \"1.34\", then \"1.35\""),
        "{}",
        plan.describe()
    );
    let refused = apply(&mock, &skipping, &[]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        common::arm_requests(&mock)
            .iter()
            .filter(|request| request["method"] == "PUT")
            // The body only: the log's `time` and `duration_ms` are numbers that may read "1.35".
            .all(|request| !request["body"].to_string().contains("1.35")),
        "nothing may be written for a refused plan"
    );
}

/// (action, resource key) of the AKS operations, by start.
fn aks_operations(mock: &mock_arm::MockArm) -> Vec<(String, String)> {
    operations(mock)["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|operation| {
            let key = operation["resourceKey"].as_str()?.to_ascii_lowercase();
            key.contains("/managedclusters/").then(|| {
                (
                    operation["action"].as_str().unwrap_or_default().to_owned(),
                    key.rsplit('/').next().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn one_minor_up_without_a_channel_is_the_control_plane_then_each_pool_system_first() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let base = edited_estate(directory.path(), &[("channel: stable", "channel: none")]);
    let applied = apply(&mock, &base, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let upgraded_directory = tempfile::tempdir().unwrap();
    let upgraded = edited_estate(
        upgraded_directory.path(),
        &[
            ("channel: stable", "channel: none"),
            ("kubernetesVersion: \"1.33\"", "kubernetesVersion: \"1.34\""),
        ],
    );
    let (_, plan) = plan_json(&mock, &upgraded);
    let cluster = change(&plan, CLUSTER);
    assert!(
        cluster["steps"][0]["description"]
            .as_str()
            .unwrap()
            .contains("control plane 1.33 -> 1.34"),
        "{cluster:#}"
    );
    for pool in ["system", "workload", "batch"] {
        let pool_change = change(&plan, &format!("pool/aks-shared-prod/{pool}"));
        assert_eq!(pool_change["action"], "update", "{pool_change:#}");
        assert!(
            pool_change["steps"][0]["description"]
                .as_str()
                .unwrap()
                .contains("1.33 -> 1.34"),
            "{pool_change:#}"
        );
    }
    let text = run(&mock, &["plan", "-f", upgraded.to_str().unwrap()]).stdout;
    assert!(
        text.contains("cluster/aks-shared-prod control plane 1.33 -> 1.34"),
        "{text}"
    );
    assert!(
        text.contains("pool/aks-shared-prod/workload 1.33 -> 1.34"),
        "{text}"
    );

    let before = aks_operations(&mock).len();
    let applied = apply(&mock, &upgraded, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let order: Vec<String> = aks_operations(&mock)
        .into_iter()
        .skip(before)
        .map(|(_, name)| name)
        .collect();
    let position = |name: &str| order.iter().position(|n| n == name).unwrap_or(usize::MAX);
    assert!(
        position("aks-shared-prod") < position("system"),
        "{order:?}"
    );
    assert!(position("system") < position("workload"), "{order:?}");
    assert!(position("system") < position("batch"), "{order:?}");
    for (pool, version) in pool_versions(&mock) {
        assert!(version.starts_with("1.34."), "{pool} runs {version}");
    }
    assert_converged(&mock, &upgraded);
}

#[test]
fn one_minor_up_under_a_channel_moves_the_pools_in_the_same_operation() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let directory = tempfile::tempdir().unwrap();
    let upgraded = edited_estate(
        directory.path(),
        &[("kubernetesVersion: \"1.33\"", "kubernetesVersion: \"1.34\"")],
    );
    let (_, plan) = plan_json(&mock, &upgraded);
    let cluster = change(&plan, CLUSTER);
    assert!(
        cluster["steps"][0]["description"]
            .as_str()
            .unwrap()
            .contains("control plane and every pool 1.33 -> 1.34"),
        "{cluster:#}"
    );
    let applied = apply(&mock, &upgraded, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    for (pool, version) in pool_versions(&mock) {
        assert!(version.starts_with("1.34."), "{pool} runs {version}");
    }
    assert_converged(&mock, &upgraded);
}

//! Staged rollout across clusters (issue 13): `rollout:` on gitops-fleet (dev, then qa, then
//! prod) makes apply finish each stage's clusters before the next stage starts, and
//! `apply --stage NAME` applies only that stage's clusters (with what they need).

use crate::apply::{apply, operations, plan_file, resources};
use crate::common;

const ROLLOUT: &str = "
rollout:
  stages:
    - name: dev
      clusters: [aks-dev]
    - name: qa
      clusters: [aks-qa]
    - name: prod
      clusters: [aks-prod]
";

fn staged_estate(directory: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(plan_file("gitops-fleet.yaml")).unwrap() + ROLLOUT;
    let path = directory.join("gitops-fleet.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// (start, end) of the operations on each cluster (its pools included).
fn cluster_spans(mock: &mock_arm::MockArm, cluster: &str) -> (f64, f64) {
    let needle = format!("/managedclusters/{cluster}");
    let spans: Vec<(f64, f64)> = operations(mock)["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|operation| {
            operation["resourceKey"]
                .as_str()
                .is_some_and(|key| key.to_ascii_lowercase().contains(&needle))
        })
        .map(|operation| {
            let start = operation["startMs"].as_f64().unwrap();
            (start, start + operation["durationMs"].as_f64().unwrap())
        })
        .collect();
    assert!(!spans.is_empty(), "no operation on {cluster}");
    (
        spans.iter().map(|span| span.0).fold(f64::MAX, f64::min),
        spans.iter().map(|span| span.1).fold(0.0, f64::max),
    )
}

#[test]
fn stages_finish_in_order() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let file = staged_estate(directory.path());
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let dev = cluster_spans(&mock, "aks-dev");
    let qa = cluster_spans(&mock, "aks-qa");
    let prod = cluster_spans(&mock, "aks-prod");
    assert!(
        dev.1 <= qa.0 + 0.001,
        "qa started before dev finished: {dev:?} {qa:?}"
    );
    assert!(
        qa.1 <= prod.0 + 0.001,
        "prod started before qa finished: {qa:?} {prod:?}"
    );
    crate::apply::assert_converged(&mock, &file);
}

#[test]
fn one_stage_is_applied_alone() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let file = staged_estate(directory.path());
    let applied = apply(&mock, &file, &["--stage", "dev"]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let clusters: Vec<String> = resources(&mock)
        .into_iter()
        .filter(|body| body["type"] == "Microsoft.ContainerService/managedClusters")
        .filter_map(|body| body["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(clusters, vec!["aks-dev".to_owned()]);
    let unknown = apply(&mock, &file, &["--stage", "staging"]);
    assert_eq!(unknown.code, 1, "{}", unknown.describe());
    assert!(
        unknown.stderr.contains("no such stage"),
        "{}",
        unknown.describe()
    );
    assert!(
        unknown.stderr.contains("dev, qa, prod"),
        "{}",
        unknown.describe()
    );
}

#[test]
fn apply_of_one_stage_reads_live_state_once() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let file = staged_estate(directory.path());
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let reads = |args: &[&str]| {
        common::clear_requests(&mock);
        let done = crate::apply::run(&mock, args);
        assert_eq!(done.code, 0, "{}", done.describe());
        common::arm_requests(&mock)
            .iter()
            .filter(|request| request["method"] == "GET")
            .count()
    };
    let file = file.to_str().unwrap();
    let plan = reads(&["plan", "-f", file]);
    let stage = reads(&["apply", "--auto-approve", "--stage", "dev", "-f", file]);
    assert!(plan > 0);
    assert_eq!(stage, plan, "a staged apply reads what a plan reads, once");
}

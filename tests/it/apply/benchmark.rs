//! Benchmark: an apply of `plans/northwind.yaml` at mock-arm's default time scale against the
//! critical path of its dependency graph, using mock-arm's own duration table
//! (`GET /_mock/operations`). The achievable critical path honours ARM's rule of one operation
//! per cluster (a new cluster's System pools are created with it; its other pools one by one).
//! Timing-sensitive, so `#[ignore]`: run with
//! `cargo test --test it apply::benchmark -- --ignored --nocapture`.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::Value;

use super::{apply, operations, plan_file, run};
use crate::common;

/// Scaled milliseconds of (ARM type, action) from mock-arm's table.
fn duration_table(mock: &mock_arm::MockArm) -> HashMap<(String, String), f64> {
    operations(mock)["durations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|entry| {
            (
                (
                    entry["resourceType"]
                        .as_str()
                        .unwrap_or_default()
                        .to_ascii_lowercase(),
                    entry["action"].as_str().unwrap_or_default().to_owned(),
                ),
                entry["scaledMs"].as_f64().unwrap_or(0.0),
            )
        })
        .collect()
}

/// Longest path (ms) through the plan's creates, each weighted by its modelled duration, with
/// each cluster's pools created through the agent-pool API chained one after another.
fn critical_path_ms(plan: &Value, table: &HashMap<(String, String), f64>) -> f64 {
    let changes = plan["changes"].as_array().cloned().unwrap_or_default();
    let mut weight: HashMap<String, f64> = HashMap::new();
    let mut edges: HashMap<String, Vec<String>> = HashMap::new();
    let mut pools_by_cluster: HashMap<String, Vec<String>> = HashMap::new();
    for change in &changes {
        let address = change["address"].as_str().unwrap_or_default().to_owned();
        let kind = change["type"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let mut ms = table
            .get(&(kind.clone(), "create".to_owned()))
            .copied()
            .unwrap_or(0.0);
        if kind.ends_with("/agentpools") {
            let system = change["after"]["properties"]["mode"].as_str() == Some("System");
            let cluster = change["dependsOn"]
                .as_array()
                .and_then(|deps| {
                    deps.iter()
                        .filter_map(Value::as_str)
                        .find(|d| d.starts_with("cluster/"))
                })
                .unwrap_or_default()
                .to_owned();
            if system {
                ms = 0.0; // created inline with its cluster
            } else {
                pools_by_cluster
                    .entry(cluster)
                    .or_default()
                    .push(address.clone());
            }
        }
        weight.insert(address.clone(), ms);
        let deps = change["dependsOn"]
            .as_array()
            .map(|deps| {
                deps.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        edges.insert(address, deps);
    }
    for pools in pools_by_cluster.values() {
        for pair in pools.windows(2) {
            edges
                .entry(pair[1].clone())
                .or_default()
                .push(pair[0].clone());
        }
    }
    fn finish(
        address: &str,
        weight: &HashMap<String, f64>,
        edges: &HashMap<String, Vec<String>>,
        memo: &mut HashMap<String, f64>,
    ) -> f64 {
        if let Some(done) = memo.get(address) {
            return *done;
        }
        memo.insert(address.to_owned(), 0.0);
        let start = edges
            .get(address)
            .into_iter()
            .flatten()
            .map(|dep| finish(dep, weight, edges, memo))
            .fold(0.0, f64::max);
        let end = start + weight.get(address).copied().unwrap_or(0.0);
        memo.insert(address.to_owned(), end);
        end
    }
    let mut memo = HashMap::new();
    weight
        .keys()
        .map(|address| finish(address, &weight, &edges, &mut memo))
        .fold(0.0, f64::max)
}

/// `apply complete: ... in 12.3s (...)` or `in 1m05s` -> milliseconds.
fn reported_elapsed_ms(stdout: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|line| line.starts_with("apply complete"))
        .expect("report line");
    let text = line
        .split(" in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("elapsed");
    if let Some((minutes, seconds)) = text.split_once('m') {
        let seconds: f64 = seconds.trim_end_matches('s').parse().unwrap();
        minutes.parse::<f64>().unwrap() * 60_000.0 + seconds * 1000.0
    } else {
        text.trim_end_matches('s').parse::<f64>().unwrap() * 1000.0
    }
}

#[test]
#[ignore = "timing benchmark; run explicitly"]
#[allow(clippy::print_stdout)]
fn northwind_apply_is_within_ten_percent_of_its_critical_path() {
    let mock = common::start_mock_with(mock_arm::Config::default());
    let file = plan_file("northwind.yaml");
    let planned = run(&mock, &["plan", "-f", file.to_str().unwrap(), "-o", "json"]);
    assert_eq!(planned.code, 0, "{}", planned.describe());
    let plan: Value = serde_json::from_str(&planned.stdout).expect("plan JSON");
    let critical = critical_path_ms(&plan, &duration_table(&mock));
    let started = Instant::now();
    let applied = apply(&mock, &file, &["--parallelism", "16"]);
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let execution = reported_elapsed_ms(&applied.stdout);
    println!(
        "northwind: critical path {critical:.0} ms, execution {execution:.0} ms ({:.3}x), whole command {wall:.0} ms ({:.3}x)",
        execution / critical,
        wall / critical
    );
    assert!(
        execution <= critical * 1.10,
        "execution {execution:.0} ms > 1.10 x critical path {critical:.0} ms"
    );
}

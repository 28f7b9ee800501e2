//! Pool rotations (issue 13, first two rows): a pool field AKS cannot change in place (`vmSize`)
//! is changed by creating the new pool under a temporary name, waiting for it, deleting the old
//! one (AKS drains it), creating the declared name again and deleting the temporary pool. The
//! request order is asserted on mock-arm's operation log: the new pool's PUT completes before
//! the old pool's DELETE starts, and a Succeeded System pool exists at every point.

use serde_json::Value;

use super::{change, edited_estate, plan_json};
use crate::apply::{apply, assert_converged, operations, resources, Run};
use crate::common;

const SYSTEM: &str = "pool/aks-shared-prod/system";
const WORKLOAD: &str = "pool/aks-shared-prod/workload";

/// (action, pool name, start ms, end ms) of every pool operation, by start.
fn pool_operations(mock: &mock_arm::MockArm) -> Vec<(String, String, f64, f64)> {
    let mut found: Vec<(String, String, f64, f64)> = operations(mock)["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|operation| {
            let key = operation["resourceKey"].as_str()?.to_ascii_lowercase();
            let pool = key.split("/agentpools/").nth(1)?.to_owned();
            let start = operation["startMs"].as_f64()?;
            let end = start + operation["durationMs"].as_f64()?;
            Some((
                operation["action"].as_str()?.to_ascii_lowercase(),
                pool,
                start,
                end,
            ))
        })
        .collect();
    found.sort_by(|a, b| a.2.total_cmp(&b.2));
    found
}

fn operation<'a>(
    operations: &'a [(String, String, f64, f64)],
    action: &str,
    pool: &str,
) -> &'a (String, String, f64, f64) {
    operations
        .iter()
        .find(|(name, on, _, _)| name.contains(action) && on == pool)
        .unwrap_or_else(|| panic!("no {action} of pool {pool} in {operations:?}"))
}

fn pool_names(mock: &mock_arm::MockArm) -> Vec<String> {
    let mut names: Vec<String> = resources(mock)
        .into_iter()
        .filter(|body| {
            body["type"].as_str().is_some_and(|t| {
                t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters/agentPools")
            })
        })
        .filter_map(|body| body["name"].as_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

fn applied(mock: &mock_arm::MockArm, file: &std::path::Path, extra: &[&str]) -> Run {
    let run = apply(mock, file, extra);
    assert_eq!(run.code, 0, "{}", run.describe());
    run
}

#[test]
fn a_workload_pool_vm_size_change_is_a_gated_rotation_that_keeps_the_name() {
    let mock = common::start_mock();
    applied(&mock, &crate::apply::plan_file("shared-prod.yaml"), &[]);
    let directory = tempfile::tempdir().unwrap();
    let file = edited_estate(
        directory.path(),
        &[("vmSize: Standard_D8s_v5", "vmSize: Standard_D16s_v5")],
    );

    let (run, plan) = plan_json(&mock, &file);
    assert_eq!(run.code, 0, "{}", run.describe());
    let rotation = change(&plan, WORKLOAD);
    assert_eq!(rotation["action"], "replace");
    assert_eq!(rotation["replaceOrder"], "createBeforeDelete");
    assert_eq!(rotation["disruptive"], true);
    assert_eq!(rotation["requires"], serde_json::json!(["allow-replace"]));
    let steps: Vec<(String, String)> = rotation["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            (
                step["operation"].as_str().unwrap().to_owned(),
                step["address"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let temporary = "pool/aks-shared-prod/workloadrot";
    assert_eq!(
        steps,
        vec![
            ("create".to_owned(), temporary.to_owned()),
            ("delete".to_owned(), WORKLOAD.to_owned()),
            ("create".to_owned(), WORKLOAD.to_owned()),
            ("delete".to_owned(), temporary.to_owned()),
        ]
    );
    // Capacity at least the old pool's: the autoscale bounds are kept.
    let first = &rotation["steps"][0]["body"]["properties"];
    assert_eq!(first["vmSize"], "Standard_D16s_v5");
    assert!(first["minCount"].as_u64().unwrap() >= 3, "{first}");
    // Drained: the old pool's nodes, then the temporary pool's.
    let old_nodes = rotation["before"]["properties"]["count"].as_u64().unwrap();
    let temporary_nodes = first["count"].as_u64().unwrap();
    assert_eq!(
        rotation["drainedNodes"].as_u64(),
        Some(old_nodes + temporary_nodes),
        "{rotation}"
    );

    let text = run_text(&mock, &file);
    assert!(text.contains("will be rotated"), "{text}");
    assert!(
        text.contains("1. create pool/aks-shared-prod/workloadrot"),
        "{text}"
    );
    assert!(text.contains("needs --allow-replace"), "{text}");

    let refused = apply(&mock, &file, &[]);
    assert_ne!(refused.code, 0, "{}", refused.describe());
    assert!(
        refused.stderr.contains("--allow-replace") || refused.stdout.contains("--allow-replace"),
        "{}",
        refused.describe()
    );
    assert_eq!(pool_names(&mock), vec!["batch", "system", "workload"]);

    applied(&mock, &file, &["--allow-replace"]);
    let log = pool_operations(&mock);
    let temporary_create = operation(&log, "create", "workloadrot");
    let old_delete = operation(&log, "delete", "workload");
    assert!(
        temporary_create.3 <= old_delete.2,
        "the old pool's DELETE started before the new pool was Succeeded: {log:?}"
    );
    assert_eq!(pool_names(&mock), vec!["batch", "system", "workload"]);
    let workload = resources(&mock)
        .into_iter()
        .find(|body| body["name"] == "workload")
        .unwrap();
    assert_eq!(workload["properties"]["vmSize"], "Standard_D16s_v5");
    assert_converged(&mock, &file);
}

fn run_text(mock: &mock_arm::MockArm, file: &std::path::Path) -> String {
    crate::apply::run(mock, &["plan", "-f", file.to_str().unwrap()]).stdout
}

/// Whether a Succeeded System pool exists at every instant between the first and the last pool
/// operation: each System pool is available from the end of its create (or from the start, if
/// it existed before) until the start of its delete.
fn assert_system_pool_throughout(log: &[(String, String, f64, f64)], system_pools: &[&str]) {
    let first = log.iter().map(|entry| entry.2).fold(f64::MAX, f64::min);
    let last = log.iter().map(|entry| entry.3).fold(0.0, f64::max);
    let mut windows: Vec<(f64, f64)> = Vec::new();
    for pool in system_pools {
        let created = log
            .iter()
            .filter(|(action, on, _, _)| action.contains("create") && on == pool)
            .map(|entry| entry.3)
            .collect::<Vec<_>>();
        let deleted = log
            .iter()
            .filter(|(action, on, _, _)| action.contains("delete") && on == pool)
            .map(|entry| entry.2)
            .collect::<Vec<_>>();
        // Alternate availability windows: existed before (no create first) or after a create.
        let mut events: Vec<(f64, bool)> = created.iter().map(|&t| (t, true)).collect();
        events.extend(deleted.iter().map(|&t| (t, false)));
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut open = match events.first() {
            Some((_, true)) => None,
            _ => Some(first),
        };
        for (time, up) in events {
            match (up, open) {
                (true, None) => open = Some(time),
                (false, Some(since)) => {
                    windows.push((since, time));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(since) = open {
            windows.push((since, last));
        }
    }
    windows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut covered = first;
    for (start, end) in windows {
        assert!(
            start <= covered + 0.001,
            "no Succeeded System pool between {covered:.1} ms and {start:.1} ms: {log:?}"
        );
        covered = covered.max(end);
    }
    assert!(
        covered + 0.001 >= last,
        "no System pool after {covered:.1} ms: {log:?}"
    );
}

#[test]
fn a_system_pool_vm_size_change_keeps_a_system_pool_at_every_step() {
    let mock = common::start_mock();
    applied(&mock, &crate::apply::plan_file("shared-prod.yaml"), &[]);
    let directory = tempfile::tempdir().unwrap();
    let file = edited_estate(
        directory.path(),
        &[(
            "mode: System\n        vmSize: Standard_D4s_v5",
            "mode: System\n        vmSize: Standard_D8s_v5",
        )],
    );
    let (_, plan) = plan_json(&mock, &file);
    let rotation = change(&plan, SYSTEM);
    assert_eq!(
        rotation["steps"][0]["address"],
        "pool/aks-shared-prod/systemrot"
    );
    assert_eq!(rotation["steps"][0]["body"]["properties"]["mode"], "System");
    assert_eq!(rotation["drainedNodes"], 6, "{rotation}");

    applied(&mock, &file, &["--allow-replace"]);
    let log = pool_operations(&mock);
    let temporary_create = operation(&log, "create", "systemrot");
    let old_delete = operation(&log, "delete", "system");
    assert!(temporary_create.3 <= old_delete.2, "{log:?}");
    assert_system_pool_throughout(&log, &["system", "systemrot"]);
    assert_eq!(pool_names(&mock), vec!["batch", "system", "workload"]);
    assert_converged(&mock, &file);
}

/// The plan after an interrupted rotation finds the temporary pool and plans what is left.
#[test]
fn an_interrupted_rotation_is_finished_by_the_next_plan() {
    let mock = common::start_mock();
    applied(&mock, &crate::apply::plan_file("shared-prod.yaml"), &[]);
    let directory = tempfile::tempdir().unwrap();
    let file = edited_estate(
        directory.path(),
        &[("vmSize: Standard_D8s_v5", "vmSize: Standard_D16s_v5")],
    );
    // The world after step 2 (old pool deleted): only the temporary pool carries the workloads.
    let mut state = common::state(&mock);
    let items = state["resources"].as_array_mut().unwrap();
    let position = items
        .iter()
        .position(|body| body["name"] == "workload")
        .unwrap();
    let mut temporary: Value = items.remove(position);
    let id = temporary["id"]
        .as_str()
        .unwrap()
        .replace("/workload", "/workloadrot");
    temporary["id"] = Value::from(id);
    temporary["name"] = Value::from("workloadrot");
    temporary["properties"]["vmSize"] = Value::from("Standard_D16s_v5");
    items.push(temporary);
    for body in items.iter_mut() {
        if let Some(profiles) = body["properties"]["agentPoolProfiles"].as_array_mut() {
            for profile in profiles.iter_mut() {
                if profile["name"] == "workload" {
                    profile["name"] = Value::from("workloadrot");
                    profile["vmSize"] = Value::from("Standard_D16s_v5");
                }
            }
        }
    }
    common::put_state(&mock, &state);

    let (_, plan) = plan_json(&mock, &file);
    let remaining = change(&plan, WORKLOAD);
    let operations: Vec<&str> = remaining["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, vec!["create", "delete"], "{remaining:#}");
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["address"] != "pool/aks-shared-prod/workloadrot"),
        "the temporary pool must not be planned for deletion on its own: {plan:#}"
    );
    applied(&mock, &file, &["--allow-replace"]);
    assert_eq!(pool_names(&mock), vec!["batch", "system", "workload"]);
    assert_converged(&mock, &file);
}

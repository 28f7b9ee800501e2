//! `aksctl apply` / `destroy` / `--sandbox` against an in-process mock-arm: every estate in
//! `plans/` applies from empty, converges (a second plan has no changes), never overlaps writes on
//! a cluster or federated-credential writes on an identity, surfaces no 409/PrincipalNotFound and
//! creates nothing twice; faults (`faults`), gates, stale plans and ownership (`safety`), the
//! sandbox and Ctrl-C (`session`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use mock_arm::MockArm;
use serde_json::Value;

use crate::common::{self, block_on};

mod conflicts;
mod faults;
mod safety;
mod schedules;
mod session;
mod updates;

/// Every estate file in `plans/`, sorted.
pub(crate) fn plan_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo_path("plans"))
        .expect("plans/ exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no estate in plans/");
    files
}

pub(crate) fn plan_file(name: &str) -> PathBuf {
    common::repo_path(&format!("plans/{name}"))
}

/// What one `aksctl` run did.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `aksctl ARGS` against `mock` with stdin closed (not a terminal).
pub(crate) fn run(mock: &MockArm, args: &[&str]) -> Run {
    let output = common::aksctl(mock)
        .args(args)
        .output()
        .expect("aksctl runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub(crate) fn apply(mock: &MockArm, file: &Path, extra: &[&str]) -> Run {
    let path = file.to_str().unwrap();
    let mut args = vec!["apply", "-f", path, "--auto-approve", "--no-progress"];
    args.extend_from_slice(extra);
    run(mock, &args)
}

/// `plan --detailed-exitcode`: 0 in sync, 2 changes.
pub(crate) fn plan_exit(mock: &MockArm, file: &Path) -> Run {
    run(
        mock,
        &["plan", "-f", file.to_str().unwrap(), "--detailed-exitcode"],
    )
}

/// `POST /_mock/faults`.
pub(crate) fn add_fault(mock: &MockArm, spec: Value) {
    block_on(async {
        reqwest::Client::new()
            .post(format!("{}/_mock/faults", mock.url()))
            .json(&spec)
            .send()
            .await
            .and_then(|response| response.error_for_status())
            .expect("fault accepted");
    });
}

/// `DELETE /_mock/faults`.
pub(crate) fn clear_faults(mock: &MockArm) {
    block_on(async {
        reqwest::Client::new()
            .delete(format!("{}/_mock/faults", mock.url()))
            .send()
            .await
            .and_then(|response| response.error_for_status())
            .expect("faults cleared");
    });
}

/// How many times each fault rule fired.
pub(crate) fn faults_fired(mock: &MockArm) -> Vec<u64> {
    let rules: Value = block_on(async {
        reqwest::get(format!("{}/_mock/faults", mock.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let items = rules
        .as_array()
        .cloned()
        .or_else(|| rules["rules"].as_array().cloned())
        .unwrap_or_default();
    items
        .iter()
        .map(|rule| rule["fired"].as_u64().unwrap_or(0))
        .collect()
}

/// `GET /_mock/operations`.
pub(crate) fn operations(mock: &MockArm) -> Value {
    block_on(async {
        reqwest::get(format!("{}/_mock/operations", mock.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

/// Every resource body in the mock's world, except the seeded landing-zone networks.
pub(crate) fn resources(mock: &MockArm) -> Vec<Value> {
    let state = common::state(mock);
    let all = match &state["resources"] {
        Value::Array(items) => items.clone(),
        Value::Object(map) => map.values().cloned().collect(),
        _ => Vec::new(),
    };
    all.into_iter()
        .filter(|body| !common::is_landing_zone(body["id"].as_str().unwrap_or_default()))
        .collect()
}

fn lower(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_ascii_lowercase()
}

/// Write requests (PUT/PATCH/DELETE/POST) on ARM resources.
pub(crate) fn writes(mock: &MockArm) -> Vec<Value> {
    common::arm_requests(mock)
        .into_iter()
        .filter(|request| {
            matches!(
                request["method"].as_str(),
                Some("PUT" | "PATCH" | "DELETE" | "POST")
            ) && !request["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/checkNameAvailability"))
        })
        .collect()
}

/// The cluster a resource key belongs to (`…/managedclusters/<name>`), if any.
fn cluster_of(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    let at = lower.find("/managedclusters/")?;
    let rest = &lower[at + "/managedclusters/".len()..];
    // An extension resource of the cluster (`{cluster}/providers/...`: flux) belongs to another
    // resource provider, whose operations do not hold AKS's one-operation-per-cluster lock.
    if rest.contains("/providers/") {
        return None;
    }
    let name = rest.split('/').next()?;
    Some(format!(
        "{}{name}",
        &lower[..at + "/managedclusters/".len()]
    ))
}

/// Asserts the mock never had two operations at once on one cluster (pools included), using the
/// operations' modelled start and duration.
pub(crate) fn assert_one_operation_at_a_time_per_cluster(mock: &MockArm) {
    let operations = operations(mock);
    let mut by_cluster: BTreeMap<String, Vec<(f64, f64, String)>> = BTreeMap::new();
    for operation in operations["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let key = operation["resourceKey"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let Some(cluster) = cluster_of(&key) else {
            continue;
        };
        let start = operation["startMs"].as_f64().unwrap_or(0.0);
        let end = start + operation["durationMs"].as_f64().unwrap_or(0.0);
        let action = operation["action"].as_str().unwrap_or_default();
        by_cluster
            .entry(cluster)
            .or_default()
            .push((start, end, format!("{action} {key}")));
    }
    for (cluster, mut spans) in by_cluster {
        spans.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        for pair in spans.windows(2) {
            assert!(
                pair[1].0 >= pair[0].1 - 0.001,
                "overlapping operations on {cluster}: {} [{:.1}..{:.1}] and {} [{:.1}..{:.1}]",
                pair[0].2,
                pair[0].0,
                pair[0].1,
                pair[1].2,
                pair[1].0,
                pair[1].1
            );
        }
    }
}

/// Asserts no write was refused for a concurrency rule or a missing principal: no 409 on a
/// cluster, pool or federated credential, no 400 PrincipalNotFound, no 412.
pub(crate) fn assert_no_conflicts_in_log(mock: &MockArm) {
    for request in writes(mock) {
        let status = request["status"].as_u64().unwrap_or(0);
        let path = lower(&request["path"]);
        let concurrency_rule =
            path.contains("/managedclusters/") || path.contains("/federatedidentitycredentials/");
        assert!(
            !(status == 409 && concurrency_rule) && status != 412,
            "write refused by ARM's concurrency rules: {request}"
        );
        let text = request.to_string();
        assert!(
            !text.contains("PrincipalNotFound"),
            "PrincipalNotFound: {request}"
        );
    }
}

/// Asserts nothing exists twice: one cluster per name (ARM would refuse anyway) and one role
/// assignment per (scope, role, principal).
pub(crate) fn assert_nothing_duplicated(mock: &MockArm) {
    let mut assignments: HashMap<(String, String, String), Vec<String>> = HashMap::new();
    let mut clusters: HashMap<String, usize> = HashMap::new();
    for body in resources(mock) {
        let id = lower(&body["id"]);
        let kind = lower(&body["type"]);
        if kind == "microsoft.authorization/roleassignments" {
            let scope = id
                .split("/providers/microsoft.authorization/")
                .next()
                .unwrap_or_default()
                .to_owned();
            let role = lower(&body["properties"]["roleDefinitionId"])
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let principal = lower(&body["properties"]["principalId"]);
            assignments
                .entry((scope, role, principal))
                .or_default()
                .push(id);
        }
        if kind == "microsoft.containerservice/managedclusters" {
            *clusters.entry(lower(&body["name"])).or_default() += 1;
        }
    }
    for (key, ids) in assignments {
        assert_eq!(
            ids.len(),
            1,
            "role assignment {key:?} exists {} times: {ids:?}",
            ids.len()
        );
    }
    for (name, count) in clusters {
        assert_eq!(count, 1, "cluster {name} exists {count} times");
    }
}

/// Asserts the apply converged: exit 0, then a plan with no changes, and ARM's rules held.
pub(crate) fn assert_converged(mock: &MockArm, file: &Path) {
    let plan = plan_exit(mock, file);
    assert_eq!(
        plan.code,
        0,
        "plan after apply of {} has changes:\n{}",
        file.display(),
        plan.describe()
    );
    assert_nothing_duplicated(mock);
}

#[test]
fn every_plan_applies_from_empty_and_converges_within_arms_rules() {
    for file in plan_files() {
        let mock = common::start_mock();
        let applied = apply(&mock, &file, &[]);
        assert_eq!(
            applied.code,
            0,
            "apply of {}:\n{}",
            file.display(),
            applied.describe()
        );
        assert!(
            applied.stdout.contains("apply complete"),
            "{}",
            applied.describe()
        );
        assert_one_operation_at_a_time_per_cluster(&mock);
        assert_no_conflicts_in_log(&mock);
        assert_converged(&mock, &file);
        // A second apply finds nothing to do and writes nothing.
        common::clear_requests(&mock);
        let again = apply(&mock, &file, &[]);
        assert_eq!(again.code, 0, "{}", again.describe());
        assert!(
            writes(&mock).is_empty(),
            "second apply wrote: {:?}",
            writes(&mock)
        );
    }
}

#[test]
fn federated_credential_writes_are_one_at_a_time_per_identity() {
    let mock = common::start_mock_with(mock_arm::Config {
        time_scale: 0.002,
        ..mock_arm::Config::default()
    });
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &["--parallelism", "32"]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    // Requests on one identity's credentials never overlap in time.
    let mut by_identity: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for request in writes(&mock) {
        let path = lower(&request["path"]);
        let Some(at) = path.find("/federatedidentitycredentials/") else {
            continue;
        };
        let start = request["time"].as_f64().unwrap_or(0.0);
        let end = start + request["durationMs"].as_f64().unwrap_or(0.0);
        by_identity
            .entry(path[..at].to_owned())
            .or_default()
            .push((start, end));
    }
    assert!(
        by_identity.values().any(|writes| writes.len() >= 2),
        "the estate has an identity with several credentials"
    );
    for (identity, mut spans) in by_identity {
        spans.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        for pair in spans.windows(2) {
            assert!(
                pair[1].0 >= pair[0].1,
                "concurrent credential writes on {identity}: {pair:?}"
            );
        }
    }
    assert_no_conflicts_in_log(&mock);
}

//! The pool/control-plane version skew (issue 13, FACTS-AKS-DAY2 §4) refused at plan time, before
//! any write, with the versions, the pool's `file:line` and the fix; the fix, followed, applies
//! against mock-arm, which enforces the same skew.

use super::{change, edited_estate, plan_json};
use crate::apply::{apply, assert_converged, operations, run};
use crate::common;

const POOL: &str = "pool/aks-shared-prod/workload";
const WORKLOAD_SURGE: &str = "        maxSurge: \"33%\"";

/// `shared-prod.yaml` without an auto-upgrade channel, the cluster at `control_plane` and the
/// workload pool declaring `pool` (if any).
fn estate(
    directory: &std::path::Path,
    control_plane: &str,
    pool: Option<&str>,
) -> std::path::PathBuf {
    let cluster_version = format!("kubernetesVersion: \"{control_plane}\"");
    let pool_line = pool
        .map(|version| format!("{WORKLOAD_SURGE}\n        kubernetesVersion: \"{version}\""))
        .unwrap_or_else(|| WORKLOAD_SURGE.to_owned());
    edited_estate(
        directory,
        &[
            ("channel: stable", "channel: none"),
            ("kubernetesVersion: \"1.33\"", &cluster_version),
            (WORKLOAD_SURGE, &pool_line),
        ],
    )
}

fn line_of(file: &std::path::Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .expect("estate")
        .lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {}", file.display()))
}

fn puts(mock: &mock_arm::MockArm) -> Vec<String> {
    common::arm_requests(mock)
        .iter()
        .filter(|request| request["method"] == "PUT" || request["method"] == "DELETE")
        .map(|request| request["path"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn aksctl_uses_the_skew_mock_arm_enforces() {
    assert_eq!(
        aksctl::planner::skew::POOL_SKEW_MINORS,
        u64::from(mock_arm::POOL_SKEW_MINORS)
    );
}

#[test]
fn a_control_plane_upgrade_leaving_a_pool_outside_the_skew_is_refused_and_the_fix_applies() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    // The workload pool three minors behind the control plane: the most AKS allows (N-3).
    let base = estate(directory.path(), "1.33", Some("1.30"));
    let applied = apply(&mock, &base, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());

    // The control plane one minor up; the pool, no longer pinned, would follow it, but only
    // after the control plane moved alone, four minors ahead of it.
    let upgraded_directory = tempfile::tempdir().unwrap();
    let upgraded = estate(upgraded_directory.path(), "1.34", None);
    let plan = run(&mock, &["plan", "-f", upgraded.to_str().unwrap()]);
    assert_eq!(plan.code, 1, "{}", plan.describe());
    let line = line_of(&upgraded, "- name: workload");
    for expected in [
        format!("shared-prod.yaml:{line}:"),
        format!("{POOL} properties.orchestratorVersion 1.30"),
        "control plane 1.33 -> 1.34".to_owned(),
        "4 minor versions behind it".to_owned(),
        "at most 3 minors behind".to_owned(),
        "upgrade the pool first: declare its kubernetesVersion \"1.31\" or newer".to_owned(),
        "kept at \"1.33\", then declare \"1.34\"".to_owned(),
    ] {
        assert!(
            plan.stderr.contains(&expected),
            "{expected:?} in {}",
            plan.describe()
        );
    }
    common::clear_requests(&mock);
    let refused = apply(&mock, &upgraded, &[]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert_eq!(
        puts(&mock),
        Vec::<String>::new(),
        "nothing written for a refused plan"
    );

    // The fix: the pool first, under the running control plane; then the control plane.
    let pool_first_directory = tempfile::tempdir().unwrap();
    let pool_first = estate(pool_first_directory.path(), "1.33", Some("1.31"));
    let applied = apply(&mock, &pool_first, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let then_directory = tempfile::tempdir().unwrap();
    let then = estate(then_directory.path(), "1.34", Some("1.31"));
    let applied = apply(&mock, &then, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert_converged(&mock, &then);
}

#[test]
fn a_pool_declared_above_the_running_control_plane_is_refused_at_plan_time() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let base = estate(directory.path(), "1.33", None);
    let applied = apply(&mock, &base, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    // The estate leaves the control plane's version to ARM and pins the pool above it.
    let pinned_directory = tempfile::tempdir().unwrap();
    let pinned = edited_estate(
        pinned_directory.path(),
        &[
            ("channel: stable", "channel: none"),
            ("    kubernetesVersion: \"1.33\"\n", ""),
            (
                WORKLOAD_SURGE,
                &format!("{WORKLOAD_SURGE}\n        kubernetesVersion: \"1.34\""),
            ),
        ],
    );
    common::clear_requests(&mock);
    let plan = run(&mock, &["plan", "-f", pinned.to_str().unwrap()]);
    assert_eq!(plan.code, 1, "{}", plan.describe());
    let line = line_of(&pinned, "kubernetesVersion: \"1.34\"");
    for expected in [
        format!("shared-prod.yaml:{line}:"),
        format!("{POOL} properties.orchestratorVersion declared \"1.34\" under control plane 1.33"),
        "never newer than its control plane".to_owned(),
        "declare the pool's kubernetesVersion \"1.33\" or older".to_owned(),
    ] {
        assert!(
            plan.stderr.contains(&expected),
            "{expected:?} in {}",
            plan.describe()
        );
    }
    assert_eq!(puts(&mock), Vec::<String>::new());
}

#[test]
fn the_estate_check_uses_the_same_skew() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let file = estate(directory.path(), "1.34", Some("1.30"));
    let plan = run(&mock, &["plan", "-f", file.to_str().unwrap()]);
    assert_eq!(plan.code, 1, "{}", plan.describe());
    let line = line_of(&file, "kubernetesVersion: \"1.30\"");
    assert!(
        plan.stderr.contains(&format!("shared-prod.yaml:{line}:"))
            && plan.stderr.contains("within 3 minor versions"),
        "{}",
        plan.describe()
    );
}

/// The AKS operations (resource names) after the first `skip`, in start order.
fn aks_operations(mock: &mock_arm::MockArm, skip: usize) -> Vec<String> {
    operations(mock)["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|operation| {
            let key = operation["resourceKey"].as_str()?.to_ascii_lowercase();
            key.contains("/managedclusters/")
                .then(|| key.rsplit('/').next().unwrap_or_default().to_owned())
        })
        .skip(skip)
        .collect()
}

#[test]
fn a_pool_pinned_within_both_control_planes_is_upgraded_before_the_control_plane() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let base = estate(directory.path(), "1.33", Some("1.30"));
    let applied = apply(&mock, &base, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());

    // In one edit: the pool to 1.31 (fits 1.33 and 1.34), the control plane to 1.34.
    let upgraded_directory = tempfile::tempdir().unwrap();
    let upgraded = estate(upgraded_directory.path(), "1.34", Some("1.31"));
    let (planned, plan) = plan_json(&mock, &upgraded);
    assert_eq!(planned.code, 0, "{}", planned.describe());
    let pool = change(&plan, POOL);
    assert!(
        pool["steps"][0]["description"]
            .as_str()
            .unwrap()
            .contains("1.30 -> 1.31, before the control plane"),
        "{pool:#}"
    );
    let cluster = change(&plan, "cluster/aks-shared-prod");
    assert!(
        cluster["dependsOn"]
            .as_array()
            .is_some_and(|dependencies| dependencies.iter().any(|d| d == POOL)),
        "{cluster:#}"
    );
    let before = aks_operations(&mock, 0).len();
    let applied = apply(&mock, &upgraded, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let order = aks_operations(&mock, before);
    let position = |name: &str| order.iter().position(|n| n == name).unwrap_or(usize::MAX);
    assert!(
        position("workload") < position("aks-shared-prod"),
        "{order:?}"
    );
    assert!(
        position("aks-shared-prod") < position("system"),
        "{order:?}"
    );
    assert_converged(&mock, &upgraded);
}

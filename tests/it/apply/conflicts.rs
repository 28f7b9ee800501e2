//! ARM's transient conflicts (409 "another operation is in progress") are retried until the
//! step's deadline (its kind's descriptor timing), not a fixed number of tries, then fail with
//! ARM's code, message and request id and what to do. Against mock-arm's fault rules, through
//! the executor (so deadlines can be short); no wall-clock assertion.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aksctl::apply::events::SilentObserver;
use aksctl::apply::{execute, ExecutionGraph, ExecutionReport, ExecutorOptions, StepOutcome};
use aksctl::plan::Plan;
use aksctl::planner::{self, PlanOptions};
use serde_json::json;

use super::{add_fault, faults_fired, plan_file};
use crate::common::{self, block_on};
use crate::plan::{load_desired, seed};

const POOL: &str = "pool/aks-shared-prod/batch";
const MESSAGE: &str =
    "Operation is not allowed because there's an in progress update managed cluster operation";

/// `shared-prod.yaml` seeded into `mock`, and the estate with the batch pool's label changed
/// (one pool update).
fn seeded_with_a_pool_update(mock: &mock_arm::MockArm, directory: &Path) -> PathBuf {
    let base = plan_file("shared-prod.yaml");
    block_on(seed(&common::arm_client(mock), &load_desired(&base)));
    let text = std::fs::read_to_string(&base).expect("shared-prod.yaml");
    assert_eq!(text.matches("workload-class: batch").count(), 1);
    let path = directory.join("shared-prod.yaml");
    std::fs::write(
        &path,
        text.replace("workload-class: batch", "workload-class: nightly"),
    )
    .expect("write the estate");
    path
}

fn plan(mock: &mock_arm::MockArm, file: &Path) -> Plan {
    let desired = load_desired(file);
    let client = common::arm_client(mock);
    let live = block_on(aksctl::live::read(&client, &desired, &desired.estate)).expect("live");
    let plan = planner::build(&desired, &live, &PlanOptions::default()).expect("plan");
    let changing: Vec<&str> = plan
        .changes
        .iter()
        .filter(|change| change.action != aksctl::plan::Action::Noop)
        .map(|change| change.address.as_str())
        .collect();
    assert_eq!(changing, [POOL], "one pool update");
    plan
}

fn run(mock: &mock_arm::MockArm, plan: &Plan, deadline_scale: f64) -> ExecutionReport {
    let options = ExecutorOptions {
        initial_wait: std::time::Duration::from_millis(1),
        max_wait: std::time::Duration::from_millis(5),
        deadline_scale,
        ..ExecutorOptions::default()
    };
    let (_cancel_sender, cancel) = tokio::sync::watch::channel(false);
    block_on(execute(
        ExecutionGraph::from_plan(plan),
        Arc::new(common::arm_client(mock)),
        Arc::new(SilentObserver),
        options,
        cancel,
    ))
}

/// Answers every PUT of the batch pool with 409 `OperationNotAllowed` (`times`; 0: always),
/// asking to come back after a millisecond.
fn busy_pool(mock: &mock_arm::MockArm, times: u64) {
    add_fault(
        mock,
        json!({"method": "PUT", "path": "(?i)/agentPools/batch$", "status": 409,
               "code": "OperationNotAllowed", "message": MESSAGE, "retryAfter": 0.001,
               "times": times}),
    );
}

#[test]
fn conflicts_are_waited_out_for_as_many_tries_as_the_deadline_allows() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = seeded_with_a_pool_update(&mock, directory.path());
    let plan = plan(&mock, &file);
    // Far more conflicts than a fixed count of tries absorbs (10 tries of the step, each up to
    // 12 HTTP attempts), well within a pool's 30 minutes.
    busy_pool(&mock, 300);
    let report = run(&mock, &plan, 1.0);
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(faults_fired(&mock), vec![300]);
}

#[test]
fn a_conflict_outlasting_the_deadline_fails_with_arms_answer_and_what_to_do() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = seeded_with_a_pool_update(&mock, directory.path());
    let plan = plan(&mock, &file);
    busy_pool(&mock, 0);
    // A pool's 30 minutes scaled to about a third of a second.
    let report = run(&mock, &plan, 0.0002);
    assert!(!report.succeeded(), "{report:#?}");
    let failure = report
        .steps
        .iter()
        .find_map(|result| match &result.outcome {
            StepOutcome::Failed { failure, .. } if result.step.address == POOL => Some(failure),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{POOL} failed: {report:#?}"));
    assert_eq!(failure.code, "OperationNotAllowed");
    assert_eq!(failure.status, Some(409));
    assert!(failure.request_id.is_some(), "{failure:?}");
    assert!(failure.message.contains(MESSAGE), "{}", failure.message);
    assert!(
        failure
            .message
            .contains("still answered after retrying for 0.4 s, the deadline of a pool operation"),
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains(&format!(
            "another operation kept {POOL} busy; wait for it to finish"
        )) && failure.message.contains("run apply again"),
        "{}",
        failure.message
    );
    assert!(faults_fired(&mock)[0] > 1, "retried");
}

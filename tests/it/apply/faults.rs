//! Apply under injected faults: a 429 storm with Retry-After, a 5xx burst, a failing long-running
//! operation, a dropped connection mid-operation. Each run either converges or fails with a clear
//! report (ARM code and request id), and a re-run converges with nothing created twice.

use serde_json::json;

use super::{
    add_fault, apply, assert_converged, assert_nothing_duplicated, clear_faults, faults_fired,
    plan_file,
};
use crate::common;

const CLUSTER_PATH: &str = "(?i)/providers/Microsoft.ContainerService/managedClusters/[^/]+$";

#[test]
fn throttling_storm_with_retry_after_converges() {
    let mock = common::start_mock();
    add_fault(
        &mock,
        json!({"method": "*", "path": "(?i)^/subscriptions/", "status": 429, "code": "TooManyRequests",
               "message": "throttled", "retryAfter": 0.05, "times": 25, "after": 3}),
    );
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(faults_fired(&mock), vec![25]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert_converged(&mock, &file);
}

#[test]
fn server_error_burst_converges() {
    let mock = common::start_mock();
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)^/subscriptions/", "status": 503, "code": "ServiceUnavailable",
               "message": "try later", "times": 6, "after": 2}),
    );
    add_fault(
        &mock,
        json!({"method": "GET", "path": "(?i)^/subscriptions/", "status": 500, "code": "InternalServerError",
               "message": "oops", "times": 6, "after": 10}),
    );
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(faults_fired(&mock), vec![6, 6]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert_converged(&mock, &file);
}

#[test]
fn failing_cluster_operation_is_reported_and_a_rerun_converges() {
    let mock = common::start_mock();
    add_fault(
        &mock,
        json!({"method": "PUT", "path": CLUSTER_PATH, "action": "failLro", "times": 1}),
    );
    let file = plan_file("shared-prod.yaml");
    let failed = apply(&mock, &file, &[]);
    assert_eq!(failed.code, 1, "{}", failed.describe());
    assert!(
        failed.stdout.contains("apply failed"),
        "{}",
        failed.describe()
    );
    assert!(
        failed.stdout.contains("Failed:\n  + create cluster/"),
        "{}",
        failed.describe()
    );
    assert!(
        failed.stdout.contains("request id:"),
        "{}",
        failed.describe()
    );
    // Its dependants were skipped, naming the failure; independent work finished.
    assert!(failed.stdout.contains("Skipped:"), "{}", failed.describe());
    assert!(
        failed.stdout.contains("create of cluster/"),
        "{}",
        failed.describe()
    );
    assert!(
        failed.stdout.contains("+ registry/"),
        "{}",
        failed.describe()
    );
    clear_faults(&mock);
    let rerun = apply(&mock, &file, &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.describe());
    assert_converged(&mock, &file);
}

#[test]
fn dropped_connection_mid_operation_converges_on_rerun() {
    let mock = common::start_mock();
    // The cluster create is accepted, then its connection is dropped before the answer; later
    // a pool create's connection is dropped too.
    add_fault(
        &mock,
        json!({"method": "PUT", "path": CLUSTER_PATH, "action": "drop", "times": 1}),
    );
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/agentPools/[^/]+$", "action": "drop", "times": 1}),
    );
    let file = plan_file("shared-prod.yaml");
    let first = apply(&mock, &file, &[]);
    assert!(
        first.code == 0 || first.stdout.contains("Failed:"),
        "{}",
        first.describe()
    );
    clear_faults(&mock);
    if first.code != 0 {
        let rerun = apply(&mock, &file, &[]);
        assert_eq!(rerun.code, 0, "{}", rerun.describe());
    }
    assert_converged(&mock, &file);
    assert_nothing_duplicated(&mock);
}

#[test]
fn background_operation_conflict_is_waited_out() {
    let mock = common::start_mock();
    // AKS answers 409 OperationNotAllowed twice on a pool write (an internal operation).
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/agentPools/[^/]+$", "status": 409, "code": "OperationNotAllowed",
               "message": "Operation is not allowed because there's an in progress update managed cluster operation", "times": 2}),
    );
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(faults_fired(&mock), vec![2]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert_converged(&mock, &file);
}

#[test]
fn a_concurrent_clients_credential_write_and_principal_replication_are_retried() {
    let mock = common::start_mock();
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/federatedIdentityCredentials/[^/]+$", "status": 409,
               "code": "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
               "message": "Too many Federated Identity Credentials are written concurrently", "times": 2}),
    );
    add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/roleAssignments/[^/]+$", "status": 400, "code": "PrincipalNotFound",
               "message": "Principal does not exist in the directory", "times": 2}),
    );
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(faults_fired(&mock), vec![2, 2]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert_converged(&mock, &file);
}

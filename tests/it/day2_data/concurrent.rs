//! Two applies of one estate at once (two pipeline runs): the apply lease kept in ARM (a tag on
//! the estate's first resource group) lets the second see the first before writing; it stops
//! naming the holder (or waits with `--lease-wait`), an expired lease is taken over, the lease
//! is gone after the run, and ARM's "operation in progress" conflicts are never surfaced.

use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::{edited_shared_prod, run, seeded_shared_prod, writes};
use crate::common;

const LEASE_TAG: &str = "aksctl-apply-lease";
const GROUP: &str = "/resourceGroups/rg-shared-aks-prod";

fn group(state: &mut Value) -> &mut Value {
    state["resources"]
        .as_array_mut()
        .expect("resources")
        .iter_mut()
        .find(|r| {
            r["type"] == "Microsoft.Resources/resourceGroups"
                && r["id"].as_str().is_some_and(|id| id.ends_with(GROUP))
        })
        .expect("the estate's resource group")
}

fn with_lease_on_group(mock: &mock_arm::MockArm, value: &str) {
    let mut state = common::state(mock);
    group(&mut state)["tags"][LEASE_TAG] = json!(value);
    common::put_state(mock, &state);
}

#[test]
fn a_held_lease_stops_apply_before_any_write_naming_the_holder() {
    let mock = seeded_shared_prod();
    with_lease_on_group(&mock, "ci@runner-7 pid 4242 run 991|2999-01-01T00:00:00Z");
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    sku: Standard_LRS",
        "    sku: Standard_ZRS",
    );
    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(&mock, &["apply", "--auto-approve"], &file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("holds the lease: ci@runner-7 pid 4242 run 991")
            && stderr.contains("--lease-wait"),
        "{stderr}"
    );
    assert_eq!(writes(&common::arm_requests(&mock)), Vec::<String>::new());
}

#[test]
fn an_expired_lease_is_taken_over_and_released_after_the_run() {
    let mock = seeded_shared_prod();
    with_lease_on_group(&mock, "ci@runner-7 pid 4242|2020-01-01T00:00:00Z");
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    sku: Standard_LRS",
        "    sku: Standard_ZRS",
    );
    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(&mock, &["apply", "--auto-approve"], &file);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let writes = writes(&common::arm_requests(&mock));
    let group_writes: Vec<&String> = writes
        .iter()
        .filter(|w| w.ends_with(&format!("{GROUP}\"")))
        .collect();
    assert_eq!(group_writes.len(), 2, "taken, then released: {writes:?}");
    assert!(
        writes
            .first()
            .is_some_and(|w| w.ends_with(&format!("{GROUP}\""))),
        "the lease before any other write: {writes:?}"
    );
    assert!(
        writes
            .last()
            .is_some_and(|w| w.ends_with(&format!("{GROUP}\""))),
        "released last: {writes:?}"
    );
    let mut state = common::state(&mock);
    assert!(
        group(&mut state)["tags"].get(LEASE_TAG).is_none(),
        "released"
    );
    let (code, stdout, _) = run(&mock, &["plan", "--detailed-exitcode"], &file);
    assert_eq!(code, 0, "re-plan is empty: {stdout}");
}

#[test]
fn two_applies_of_northwind_started_together() {
    let mock = common::start_mock();
    let file = common::repo_path("plans/northwind.yaml");
    let binary = assert_cmd::cargo::cargo_bin("aksctl");
    let start = || {
        let mut command = Command::new(&binary);
        command.env_clear();
        for (name, value) in common::cli_environment(&mock) {
            command.env(name, value);
        }
        if let Ok(path) = std::env::var("PATH") {
            command.env("PATH", path);
        }
        command
            .args(["apply", "--auto-approve", "-f"])
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("aksctl starts")
    };
    let (first, second) = (start(), start());
    let mut succeeded = 0;
    for (which, child) in [("first", first), ("second", second)] {
        let output = child.wait_with_output().expect("aksctl ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        for code in ["OperationInProgress", "AnotherOperationInProgress"] {
            assert!(!stderr.contains(code), "{which} surfaced {code}: {stderr}");
        }
        match output.status.code() {
            Some(0) => succeeded += 1,
            Some(1) => assert!(
                stderr.contains("holds the lease: ") && stderr.contains("nothing was changed"),
                "{which} stopped without naming the holder:\n{stderr}"
            ),
            other => panic!("{which} apply exited {other:?}:\n{stderr}"),
        }
    }
    assert!(succeeded >= 1, "one of them applied");
    let mut state = common::state(&mock);
    let groups = state["resources"].as_array_mut().expect("resources");
    assert!(
        groups.iter().all(|r| r["tags"].get(LEASE_TAG).is_none()),
        "no lease left behind"
    );
    let output = common::aksctl(&mock)
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&file)
        .output()
        .expect("plan runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "re-plan is empty:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_held_lease_stops_destroy_before_any_delete_naming_the_holder() {
    let mock = seeded_shared_prod();
    with_lease_on_group(&mock, "ci@runner-7 pid 4242 run 991|2999-01-01T00:00:00Z");
    let file = common::repo_path("plans/shared-prod.yaml");
    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(
        &mock,
        &["destroy", "--allow-delete", "--auto-approve"],
        &file,
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("holds the lease: ci@runner-7 pid 4242 run 991")
            && stderr.contains("--lease-wait"),
        "{stderr}"
    );
    assert_eq!(writes(&common::arm_requests(&mock)), Vec::<String>::new());
}

/// `aksctl ARGS -f file` started in the background against `mock`.
fn spawn(mock: &mock_arm::MockArm, args: &[&str], file: &std::path::Path) -> std::process::Child {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("aksctl"));
    command.env_clear();
    for (name, value) in common::cli_environment(mock) {
        command.env(name, value);
    }
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command
        .args(args)
        .arg("-f")
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aksctl starts")
}

/// The lease value on the estate's group, if any.
fn lease_on_group(mock: &mock_arm::MockArm) -> Option<String> {
    let mut state = common::state(mock);
    group(&mut state)["tags"][LEASE_TAG]
        .as_str()
        .map(str::to_owned)
}

/// The lease value a logged group PUT writes (None: a PUT without the lease, a release).
fn lease_written(request: &Value) -> Option<Option<String>> {
    let is_group_put = request["method"] == "PUT"
        && request["path"]
            .as_str()
            .is_some_and(|path| path.ends_with(GROUP));
    is_group_put.then(|| {
        request["body"]["tags"][LEASE_TAG]
            .as_str()
            .map(str::to_owned)
    })
}

#[test]
fn a_destroy_and_an_apply_of_one_estate_never_run_at_once() {
    let mock = seeded_shared_prod();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "workload-class: batch",
        "workload-class: nightly",
    );
    // The apply's pool write is slow, so it holds the lease while the destroys start.
    crate::apply::add_fault(
        &mock,
        json!({"method": "PUT", "path": "(?i)/agentPools/batch$", "action": "delay", "delayMs": 4000}),
    );
    common::clear_requests(&mock);
    let applying = spawn(&mock, &["apply", "--auto-approve"], &file);
    let mut polls = 0;
    while lease_on_group(&mock).is_none() {
        polls += 1;
        assert!(polls < 6000, "the apply never took the lease");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }

    // A destroy meanwhile stops before deleting anything, naming the apply.
    let (code, stdout, stderr) = run(
        &mock,
        &["destroy", "--allow-delete", "--auto-approve"],
        &file,
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("holds the lease: ") && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    let deletes = |requests: &[Value]| {
        requests
            .iter()
            .filter(|request| request["method"] == "DELETE")
            .count()
    };
    assert_eq!(deletes(&common::arm_requests(&mock)), 0);

    // One that may wait, waits for the apply to finish, then destroys the estate.
    let (code, stdout, stderr) = run(
        &mock,
        &[
            "destroy",
            "--allow-delete",
            "--auto-approve",
            "--lease-wait",
            "120",
        ],
        &file,
    );
    let applied = applying.wait_with_output().expect("apply ends");
    assert_eq!(
        applied.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");

    // In the request log: the apply's lease, its release, then the destroy's lease and every
    // delete after it; no delete while the apply held the lease.
    let requests = common::arm_requests(&mock);
    let leases: Vec<(usize, Option<String>)> = requests
        .iter()
        .enumerate()
        .filter_map(|(index, request)| lease_written(request).map(|lease| (index, lease)))
        .collect();
    let holder = |lease: &Option<String>| {
        lease
            .as_deref()
            .and_then(|value| value.rsplit_once('|'))
            .map(|(holder, _)| holder.to_owned())
    };
    let apply_holder = holder(&leases.first().expect("the apply's lease").1).expect("a lease");
    let apply_released = leases
        .iter()
        .find(|(_, lease)| lease.is_none())
        .map(|(index, _)| *index)
        .expect("the apply released its lease");
    let destroy_taken = leases
        .iter()
        .find(|(_, lease)| holder(lease).is_some_and(|who| who != apply_holder))
        .map(|(index, _)| *index)
        .expect("the destroy took the lease");
    assert!(apply_released < destroy_taken, "{leases:?}");
    let first_delete = requests
        .iter()
        .position(|request| request["method"] == "DELETE")
        .expect("the destroy deleted");
    assert!(
        destroy_taken < first_delete,
        "{leases:?}, first delete {first_delete}"
    );
    assert!(
        common::state(&mock)["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .all(|resource| !resource["id"]
                .as_str()
                .is_some_and(|id| id.ends_with(GROUP))),
        "the estate's group is gone"
    );
}

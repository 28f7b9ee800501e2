//! The whole session a newcomer runs: `--sandbox` apply then plan with no Azure account (state
//! kept between commands), and Ctrl-C during an apply (in-flight operations reported, exit 1, a
//! re-run converges).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{apply, assert_converged, assert_nothing_duplicated, plan_file, writes};
use crate::common;

fn sandbox_command(directory: &std::path::Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("aksctl").unwrap();
    for variable in [
        "AKSCTL_ARM_ENDPOINT",
        "AZURE_SUBSCRIPTION_ID",
        "AZURE_CLIENT_SECRET",
        "AKSCTL_SANDBOX_TIME_SCALE",
    ] {
        command.env_remove(variable);
    }
    command
        .env("AKSCTL_SANDBOX_DIR", directory)
        .env("NO_COLOR", "1");
    command.timeout(Duration::from_secs(120));
    command
}

#[test]
fn sandbox_apply_then_plan_shows_no_changes() {
    let directory = tempfile::tempdir().unwrap();
    let file = plan_file("shared-prod.yaml");
    let path = file.to_str().unwrap();
    let started = Instant::now();
    let applied = sandbox_command(directory.path())
        .args([
            "apply",
            "--sandbox",
            "-f",
            path,
            "--auto-approve",
            "--no-progress",
        ])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&applied.stderr);
    let stdout = String::from_utf8_lossy(&applied.stdout);
    assert_eq!(applied.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("sandbox"), "{stderr}");
    assert!(
        stderr.contains("AZURE_SUBSCRIPTION_ID is not set"),
        "{stderr}"
    );
    assert!(directory.path().join("state.json").exists());
    assert!(
        elapsed < Duration::from_secs(30),
        "sandbox apply took {elapsed:?}"
    );
    let planned = sandbox_command(directory.path())
        .args(["plan", "--sandbox", "-f", path, "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(
        planned.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&planned.stdout)
    );
    let destroyed = sandbox_command(directory.path())
        .args([
            "destroy",
            "--sandbox",
            "-f",
            path,
            "--allow-delete",
            "--auto-approve",
            "--no-progress",
        ])
        .output()
        .unwrap();
    assert_eq!(
        destroyed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&destroyed.stdout)
    );
    let replanned = sandbox_command(directory.path())
        .args(["plan", "--sandbox", "-f", path, "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(
        replanned.status.code(),
        Some(2),
        "everything is to be created again"
    );
}

#[test]
fn ctrl_c_reports_in_flight_operations_and_a_rerun_converges() {
    // Slow enough that the cluster create is still running when the signal arrives.
    let mock = common::start_mock_with(mock_arm::Config {
        time_scale: 0.01,
        ..mock_arm::Config::default()
    });
    let file = plan_file("shared-prod.yaml");
    let binary = assert_cmd::cargo::cargo_bin("aksctl");
    let mut command = Command::new(binary);
    command
        .args([
            "apply",
            "-f",
            file.to_str().unwrap(),
            "--auto-approve",
            "--no-progress",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in common::cli_environment(&mock) {
        command.env(name, value);
    }
    let child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let cluster_started = writes(&mock).iter().any(|request| {
            request["path"]
                .as_str()
                .is_some_and(|p| p.to_ascii_lowercase().contains("/managedclusters/"))
        });
        if cluster_started {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the cluster create never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("apply interrupted"), "{stdout}");
    assert!(stdout.contains("In flight when interrupted:"), "{stdout}");
    assert!(stdout.contains("create cluster/"), "{stdout}");
    let rerun = apply(&mock, &file, &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.describe());
    assert_converged(&mock, &file);
    assert_nothing_duplicated(&mock);
}

#[test]
fn destroy_then_apply_recovers_soft_deleted_vaults_and_converges() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let path = file.to_str().unwrap();
    assert_eq!(apply(&mock, &file, &[]).code, 0);
    let destroyed = super::run(
        &mock,
        &[
            "destroy",
            "-f",
            path,
            "--allow-delete",
            "--auto-approve",
            "--no-progress",
        ],
    );
    assert_eq!(destroyed.code, 0, "{}", destroyed.describe());
    assert!(
        super::resources(&mock).is_empty(),
        "destroy left {:?}",
        super::resources(&mock)
    );
    // The vault name is now held by a soft-deleted vault: the plan recovers it.
    let reapplied = apply(&mock, &file, &[]);
    assert_eq!(reapplied.code, 0, "{}", reapplied.describe());
    assert!(
        reapplied.stdout.contains("recovered from soft delete"),
        "{}",
        reapplied.describe()
    );
    assert_converged(&mock, &file);
}

#[test]
fn target_applies_only_the_resource_and_what_it_needs() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &["--target", "registry/acrsharedprod"]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let types: Vec<String> = super::resources(&mock)
        .iter()
        .filter_map(|body| body["type"].as_str().map(str::to_ascii_lowercase))
        .collect();
    assert!(
        types.contains(&"microsoft.containerregistry/registries".to_owned()),
        "{types:?}"
    );
    // What the registry does not need is left alone.
    for unrelated in [
        "microsoft.keyvault/vaults",
        "microsoft.storage/storageaccounts",
    ] {
        assert!(
            !types.contains(&unrelated.to_owned()),
            "{unrelated} was created: {types:?}"
        );
    }
    let rest = apply(&mock, &file, &[]);
    assert_eq!(rest.code, 0, "{}", rest.describe());
    assert_converged(&mock, &file);
}

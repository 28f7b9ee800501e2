//! Crash-resume of a rotation (issue 13, must hold): aksctl is SIGKILLed at a seeded point of a
//! System pool rotation (the reliability suite's harness), then apply is re-run: it converges,
//! with no orphaned temporary pool and no pool twice.

use std::time::{Duration, Instant};

use super::edited_estate;
use crate::reliability::harness::{
    aksctl_command, apply_with, duplicates, plan_exit, request_count, resource_ids, start_mock,
    Seeded,
};

/// Seeds run by `cargo test`.
const SEEDS: u64 = 20;

/// What one seed did: killed before the apply finished, and whether a temporary pool was left.
fn crash_rotation_and_resume(seed: u64) -> (bool, bool) {
    let mock = start_mock();
    let base = crate::apply::plan_file("shared-prod.yaml");
    let clean = apply_with(&mock, &base, &[], &[]);
    assert_eq!(clean.code, 0, "{}", clean.describe());
    let reference = resource_ids(&mock);
    let directory = tempfile::tempdir().unwrap();
    let file = edited_estate(
        directory.path(),
        &[
            (
                "mode: System\n        vmSize: Standard_D4s_v5",
                "mode: System\n        vmSize: Standard_D8s_v5",
            ),
            (
                "vmSize: Standard_D8s_v5\n        autoscale",
                "vmSize: Standard_D16s_v5\n        autoscale",
            ),
        ],
    );
    let mut random = Seeded::new(seed.wrapping_mul(104_729).wrapping_add(3));
    let start = request_count(&mock);
    let threshold = start + random.between(2, 120) as usize;
    let mut command = aksctl_command(&mock);
    command
        .args([
            "apply",
            "-f",
            file.to_str().unwrap(),
            "--auto-approve",
            "--no-progress",
            "--allow-replace",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().expect("aksctl starts");
    let started = Instant::now();
    let mut finished = false;
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            finished = true;
            break;
        }
        if request_count(&mock) >= threshold {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "seed {seed}: stuck"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    if !finished {
        child.kill().expect("SIGKILL aksctl");
    }
    let _ = child.wait();
    let temporary_left = resource_ids(&mock)
        .iter()
        .any(|id| id.ends_with("/agentpools/systemrot") || id.ends_with("/agentpools/workloadrot"));
    let context = format!(
        "seed {seed}: killed after {} requests of the rotation (finished first: {finished})",
        request_count(&mock) - start
    );
    let mut runs = 0;
    loop {
        let outcome = apply_with(&mock, &file, &["--allow-replace"], &[]);
        runs += 1;
        if outcome.code == 0 {
            break;
        }
        assert!(
            runs < 3,
            "{context}: re-apply keeps failing:\n{}",
            outcome.describe()
        );
    }
    let plan = plan_exit(&mock, &file);
    assert_eq!(
        plan.code,
        0,
        "{context}: re-plan has changes:\n{}",
        plan.describe()
    );
    let duplicated = duplicates(&mock);
    assert!(
        duplicated.is_empty(),
        "{context}: duplicated {duplicated:?}"
    );
    let actual = resource_ids(&mock);
    let orphans: Vec<&String> = actual.difference(&reference).collect();
    let missing: Vec<&String> = reference.difference(&actual).collect();
    assert!(
        orphans.is_empty() && missing.is_empty(),
        "{context}: orphans {orphans:?}, missing {missing:?}"
    );
    (!finished, temporary_left)
}

#[test]
fn a_rotation_killed_at_any_point_resumes_without_orphans_or_duplicates() {
    let outcomes: Vec<(bool, bool)> = (0..SEEDS).map(crash_rotation_and_resume).collect();
    let killed = outcomes.iter().filter(|outcome| outcome.0).count();
    let mid_rotation = outcomes.iter().filter(|outcome| outcome.1).count();
    // The kill points must actually land inside rotations, some with a temporary pool alive.
    assert!(
        killed >= SEEDS as usize / 2,
        "only {killed} seeds were killed: {outcomes:?}"
    );
    assert!(
        mid_rotation >= 1,
        "no seed was killed with a temporary pool alive: {outcomes:?}"
    );
}

//! Issue 13, data services and concurrency: plan-time refusals of vault and storage changes ARM
//! would refuse (nothing written before a refusal), storage SKU changes through ARM's account
//! migration, and the global-name checks of creates, each against mock-arm with the request log
//! asserted.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;
use crate::plan::{load_desired, seed};

mod concurrent;
mod names;
mod storage;
mod vault;

/// A mock-arm with `plans/shared-prod.yaml` converged in it.
fn seeded_shared_prod() -> mock_arm::MockArm {
    let mock = common::start_mock();
    let desired = load_desired(&common::repo_path("plans/shared-prod.yaml"));
    common::block_on(seed(&common::arm_client(&mock), &desired));
    mock
}

/// `plans/shared-prod.yaml` with `from` replaced by `to` (exactly once), written to `directory`.
fn edited_shared_prod(directory: &Path, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(common::repo_path("plans/shared-prod.yaml"))
        .expect("shared-prod.yaml");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} once in shared-prod"
    );
    let path = directory.join("shared-prod.yaml");
    std::fs::write(&path, text.replace(from, to)).expect("write edited estate");
    path
}

/// The 1-based line of `needle` in `file`.
fn line_of(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .expect("estate")
        .lines()
        .position(|line| line.contains(needle))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {}", file.display()))
}

/// `aksctl <args> -f file`: exit code, stdout, stderr.
fn run(mock: &mock_arm::MockArm, args: &[&str], file: &Path) -> (i32, String, String) {
    let output = common::aksctl(mock)
        .args(args)
        .arg("-f")
        .arg(file)
        .output()
        .expect("aksctl runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The ARM requests that write (anything but GET and the name checks).
fn writes(requests: &[Value]) -> Vec<String> {
    requests
        .iter()
        .filter(|request| {
            let method = request["method"].as_str().unwrap_or_default();
            let path = request["path"].as_str().unwrap_or_default();
            method != "GET" && !path.ends_with("/checkNameAvailability")
        })
        .map(|request| format!("{} {}", request["method"], request["path"]))
        .collect()
}

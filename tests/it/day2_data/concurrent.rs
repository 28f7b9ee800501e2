//! Two applies of one estate started together (two pipeline runs): ARM's "operation in
//! progress" conflicts are waited out, never surfaced; both exit 0 and the re-plan is empty.

use std::process::{Command, Stdio};

use crate::common;

#[test]
fn two_applies_of_northwind_started_together_both_converge() {
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
    for (which, child) in [("first", first), ("second", second)] {
        let output = child.wait_with_output().expect("aksctl ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{which} apply:\n{stderr}");
        for code in ["OperationInProgress", "AnotherOperationInProgress"] {
            assert!(!stderr.contains(&format!("error: {code}")), "{which}: {stderr}");
        }
    }
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

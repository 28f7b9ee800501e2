//! Malformed ARM answers (`tests/bad-inputs/arm/*.case`): an interposer between aksctl and
//! mock-arm replaces or mangles chosen answers (HTML pages from a proxy, truncated JSON,
//! unexpected JSON types, empty or binary bodies, missing long-running-operation headers, error
//! bodies that are not ARM error objects). aksctl must never panic: it either reports a clear
//! error naming the request, or absorbs the fault; in both cases a fault-free re-run converges
//! with nothing duplicated.
//!
//! Case format: `# key: value` header lines (`what`, `method`, `path` regex, `times` (0 = every
//! matching request), `status` + `content-type` (replace the answer with the body) or `mangle:
//! truncate | strip-operation-headers`, `command: plan | apply | destroy`, `expect: fails |
//! FRAGMENT`, `expect: converges`, or `expect: fails-then-converges | FRAGMENT`), a `---` line,
//! then the raw body bytes.

use std::path::PathBuf;
use std::time::Duration;

use super::harness::{
    aksctl_command, apply, assert_converges, finish, plan_file, start_mock, writes, Outcome,
};
use super::interposer::{Interposer, Mangle, Rule};
use crate::common;

const TOKEN: &str = "malformed-suite-token";

struct Case {
    name: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Case {
    fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    fn required(&self, key: &str) -> &str {
        self.header(key)
            .unwrap_or_else(|| panic!("{}: no `# {key}:` line", self.name))
    }

    fn rule(&self) -> Rule {
        let method: Option<&'static str> = match self.header("method") {
            Some("GET") => Some("GET"),
            Some("PUT") => Some("PUT"),
            Some("DELETE") => Some("DELETE"),
            Some("POST") => Some("POST"),
            Some("PATCH") => Some("PATCH"),
            _ => None,
        };
        let times = self
            .header("times")
            .and_then(|value| value.parse().ok())
            .unwrap_or(1);
        let mangle = match self.header("mangle") {
            Some("truncate") => Mangle::TruncateBody,
            Some("strip-operation-headers") => Mangle::StripOperationHeaders,
            Some(other) => panic!("{}: unknown mangle {other}", self.name),
            None => Mangle::Replace {
                status: self.required("status").parse().expect("status"),
                content_type: match self.required("content-type") {
                    value if value.starts_with("text/html") => "text/html; charset=utf-8",
                    "text/plain" => "text/plain",
                    "application/octet-stream" => "application/octet-stream",
                    _ => "application/json",
                },
                body: self.body.clone(),
            },
        };
        Rule::new(method, self.required("path"), times, mangle)
    }
}

fn cases() -> Vec<Case> {
    let directory = common::repo_path("tests/bad-inputs/arm");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("tests/bad-inputs/arm exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "case"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("case readable");
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let split = bytes
                .windows(4)
                .position(|window| window == b"---\n")
                .or_else(|| bytes.ends_with(b"---").then(|| bytes.len() - 3))
                .unwrap_or_else(|| panic!("{name}: no `---` line"));
            let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
            let mut body = bytes[(split + 4).min(bytes.len())..].to_vec();
            if body.ends_with(b"\n") && !name.starts_with("binary") {
                body.pop();
            }
            let headers = head
                .lines()
                .filter_map(|line| line.strip_prefix("# "))
                .filter_map(|line| line.split_once(": "))
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .collect();
            Case {
                name,
                headers,
                body,
            }
        })
        .collect()
}

fn run_through(mock: &mock_arm::MockArm, interposer: &Interposer, args: &[&str]) -> Outcome {
    let mut command = aksctl_command(mock);
    command
        .env("AKSCTL_ARM_ENDPOINT", interposer.url())
        .env("AZURE_AUTHORITY_HOST", interposer.url())
        .env("AKSCTL_HTTP_TIMEOUT_MS", "3000")
        .args(args);
    finish(command, Duration::from_secs(120))
}

/// Runs one case; returns a failure description, if any.
fn check(case: &Case) -> Option<String> {
    let name = &case.name;
    let file = plan_file("shared-prod.yaml");
    let estate = file.to_str().expect("utf-8 path");
    let mock = start_mock();
    let command = case.required("command");
    if command == "destroy" {
        let applied = apply(&mock, &file);
        if applied.code != 0 {
            return Some(format!(
                "{name}: setup apply failed: {}",
                applied.describe()
            ));
        }
    }
    let interposer = Interposer::start(mock.url(), TOKEN);
    interposer.add(case.rule());
    common::clear_requests(&mock);
    let args: Vec<&str> = match command {
        "plan" => vec!["plan", "-f", estate],
        "apply" => vec!["apply", "-f", estate, "--auto-approve", "--no-progress"],
        "destroy" => vec![
            "destroy",
            "-f",
            estate,
            "--allow-delete",
            "--auto-approve",
            "--no-progress",
        ],
        other => return Some(format!("{name}: unknown command {other}")),
    };
    let outcome = run_through(&mock, &interposer, &args);
    let fired = interposer.fired();
    if fired.first().copied().unwrap_or(0) == 0 {
        return Some(format!(
            "{name}: the rule never fired (seen {:?})\n{}",
            interposer
                .seen()
                .iter()
                .map(|seen| format!("{} {}", seen.method, seen.target))
                .collect::<Vec<_>>(),
            outcome.describe()
        ));
    }
    if outcome.combined().contains("panicked") || !(outcome.code == 0 || outcome.code == 1) {
        return Some(format!("{name}: {}", outcome.describe()));
    }
    let expect = case.required("expect");
    let (verdict, fragment) = expect.split_once(" | ").unwrap_or((expect, ""));
    match verdict {
        "fails" | "fails-then-converges" => {
            let reported = outcome
                .stderr
                .lines()
                .chain(outcome.stdout.lines())
                .any(|line| {
                    line.contains(fragment)
                        && (line.contains("error")
                            || line.contains("GET ")
                            || line.contains("PUT "))
                });
            if outcome.code != 1 || !reported {
                return Some(format!(
                    "{name}: expected a failure reporting `{fragment}`:\n{}",
                    outcome.describe()
                ));
            }
            if verdict == "fails" && !writes(&mock).is_empty() {
                return Some(format!("{name}: a failed read still led to writes"));
            }
        }
        "converges" => {}
        other => return Some(format!("{name}: unknown expectation {other}")),
    }
    if outcome.code == 1 && !outcome.stderr.contains("error") && !outcome.stdout.contains("failed")
    {
        return Some(format!(
            "{name}: failed without a report: {}",
            outcome.describe()
        ));
    }
    drop(interposer);
    if command == "destroy" {
        let again = super::harness::run(
            &mock,
            &[
                "destroy",
                "-f",
                estate,
                "--allow-delete",
                "--auto-approve",
                "--no-progress",
            ],
        );
        let left = super::harness::resource_ids(&mock);
        if again.code != 0 || !left.is_empty() {
            return Some(format!(
                "{name}: destroy did not finish: {left:?}\n{}",
                again.describe()
            ));
        }
        return None;
    }
    let context = format!("{name} (after the malformed answers)");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_converges(&mock, &file, None, 2, &context);
    }));
    result.err().map(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| format!("{name}: convergence check panicked"))
    })
}

#[test]
fn malformed_arm_answers_give_clear_errors_not_panics() {
    let cases = cases();
    assert!(
        cases.len() >= 8,
        "only {} malformed-answer cases",
        cases.len()
    );
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} malformed-answer cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

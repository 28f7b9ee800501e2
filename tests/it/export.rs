//! `aksctl export` and `aksctl adopt` against mock-arm: estates made by other means (raw ARM
//! bodies as `az` leaves them, AKS defaults and extra tags included) export to a valid estate
//! whose plan shows only adoption notices; adopt adds ownership tags only (PATCH, nothing else),
//! after which plan shows no changes; every shipped plan round-trips apply -> export -> plan with
//! no changes; export reads one list per collection, and ~150 resources at 100 ms latency take
//! seconds.
//!
//! `az_world` seeds estates as `az` leaves them and adopts them; `round_trip` covers the shipped
//! plans and the request budget. This file holds the CLI helpers both use.

mod az_world;
mod round_trip;

use std::path::{Path, PathBuf};

use mock_arm::MockArm;
use serde_json::{json, Value};

use crate::common;

/// A finished CLI run.
pub(super) struct Run {
    pub(super) code: i32,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

impl Run {
    pub(super) fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub(super) fn run(mock: &MockArm, args: &[&str]) -> Run {
    let output = common::aksctl(mock)
        .args(args)
        .output()
        .expect("aksctl runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(common::SECRET_CANARY) && !run.stderr.contains(common::SECRET_CANARY),
        "the client secret leaked"
    );
    run
}

pub(super) fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

/// `aksctl export -g ... -o FILE`, asserted to succeed; returns the file's text.
pub(super) fn export(mock: &MockArm, groups: &[&str], file: &Path) -> String {
    let mut args = vec!["export".to_owned()];
    for group in groups {
        args.push("-g".to_owned());
        args.push((*group).to_owned());
    }
    args.push("-o".to_owned());
    args.push(path_arg(file));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let exported = run(mock, &args);
    assert_eq!(exported.code, 0, "export failed: {}", exported.describe());
    std::fs::read_to_string(file).expect("export wrote the file")
}

pub(super) fn validate(mock: &MockArm, file: &Path) {
    let validated = run(mock, &["validate", "-f", &path_arg(file)]);
    assert_eq!(
        validated.code,
        0,
        "the exported estate does not validate: {}\n--- file\n{}",
        validated.describe(),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

/// `aksctl plan -o json`: the plan as JSON.
pub(super) fn plan_json(mock: &MockArm, file: &Path) -> Value {
    let planned = run(mock, &["plan", "-f", &path_arg(file), "--output", "json"]);
    assert_eq!(planned.code, 0, "plan failed: {}", planned.describe());
    serde_json::from_str(&planned.stdout).unwrap_or_else(|error| {
        panic!("plan JSON does not parse ({error}): {}", planned.describe())
    })
}

/// Every change that is not a no-op, with its reasons, for assertion messages.
pub(super) fn changes(plan: &Value) -> Vec<String> {
    plan["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["action"] != "noop")
        .map(|change| {
            format!(
                "{} {}: {}",
                change["action"],
                change["address"],
                change["reasons"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|reason| reason["message"].as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect()
}

pub(super) fn count(plan: &Value, action: &str) -> u64 {
    plan["summary"][action].as_u64().unwrap_or(0)
}

pub(super) fn seed(mock: &MockArm, resources: Vec<Value>) {
    common::put_state(mock, &json!({"resources": resources}));
}

pub(super) fn temp_file(directory: &tempfile::TempDir, name: &str) -> PathBuf {
    directory.path().join(name)
}

/// The ARM write requests (method, path, body) the mock saw since the log was cleared.
pub(super) fn writes(mock: &MockArm) -> Vec<(String, String, Value)> {
    common::arm_requests(mock)
        .into_iter()
        .filter(|request| request["method"] != "GET" && request["method"] != "HEAD")
        .map(|request| {
            (
                request["method"].as_str().unwrap_or_default().to_owned(),
                request["path"].as_str().unwrap_or_default().to_owned(),
                request["body"].clone(),
            )
        })
        .collect()
}

pub(super) fn tags_of(mock: &MockArm, id_suffix: &str) -> Value {
    common::state(mock)["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|body| {
            body["id"].as_str().is_some_and(|id| {
                id.to_ascii_lowercase()
                    .ends_with(&id_suffix.to_ascii_lowercase())
            })
        })
        .map(|body| body["tags"].clone())
        .unwrap_or(Value::Null)
}

//! The reliability suite's shared harness (also compiled into the `soak` target): run the built
//! `aksctl` against a mock-arm with extra environment, drive mock-arm's fault rules, and check the
//! outcome of a run: converged (a re-plan has no changes), nothing created twice, no orphan (the
//! world holds exactly what a clean apply of the same estate creates), or a clear failure.

#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use mock_arm::{Config, MockArm};
use serde_json::Value;

use crate::common::{self, block_on};

/// What one `aksctl` run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// An estate file shipped in `plans/`.
pub fn plan_file(name: &str) -> PathBuf {
    common::repo_path(&format!("plans/{name}"))
}

/// A mock-arm whose operations are fast but still take some (modelled) time.
pub fn start_mock() -> MockArm {
    common::start_mock_with(Config {
        time_scale: 0.0005,
        ..Config::default()
    })
}

/// `aksctl` as a plain `std::process::Command` (so it can be spawned and killed), wired to the
/// ARM endpoint `endpoint` like `common::aksctl`, stdin closed.
pub fn aksctl_command(mock: &MockArm) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("aksctl"));
    for variable in [
        "AKSCTL_SANDBOX_DIR",
        "AKSCTL_CLOUD",
        "GITHUB_STEP_SUMMARY",
        "RUST_LOG",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "AKSCTL_HTTP_TIMEOUT_MS",
    ] {
        command.env_remove(variable);
    }
    for (name, value) in common::cli_environment(mock) {
        command.env(name, value);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `aksctl ARGS` against `mock` with extra environment variables; at most two minutes.
pub fn run_with(mock: &MockArm, args: &[&str], environment: &[(&str, &str)]) -> Outcome {
    let mut command = aksctl_command(mock);
    command.args(args);
    for (name, value) in environment {
        command.env(name, value);
    }
    finish(command, Duration::from_secs(120))
}

pub fn run(mock: &MockArm, args: &[&str]) -> Outcome {
    run_with(mock, args, &[])
}

/// Runs a prepared command to completion, killing it after `limit`.
pub fn finish(mut command: Command, limit: Duration) -> Outcome {
    let child = command.spawn().expect("aksctl starts");
    let (sender, receiver) = std::sync::mpsc::channel();
    let id = child.id();
    let waiter = std::thread::spawn(move || {
        let output = child.wait_with_output();
        let _ = sender.send(());
        output
    });
    if receiver.recv_timeout(limit).is_err() {
        // Hung: kill it by its own pid (it is our child) and report.
        let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
        let output = waiter.join().expect("waiter").expect("output");
        panic!(
            "aksctl did not finish within {limit:?}\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = waiter.join().expect("waiter").expect("output");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `apply -f FILE --auto-approve --no-progress EXTRA` with extra environment.
pub fn apply_with(
    mock: &MockArm,
    file: &Path,
    extra: &[&str],
    environment: &[(&str, &str)],
) -> Outcome {
    let path = file.to_str().expect("utf-8 path");
    let mut args = vec!["apply", "-f", path, "--auto-approve", "--no-progress"];
    args.extend_from_slice(extra);
    run_with(mock, &args, environment)
}

pub fn apply(mock: &MockArm, file: &Path) -> Outcome {
    apply_with(mock, file, &[], &[])
}

/// `plan --detailed-exitcode`: 0 in sync, 2 changes, 1 error.
pub fn plan_exit(mock: &MockArm, file: &Path) -> Outcome {
    run(
        mock,
        &[
            "plan",
            "-f",
            file.to_str().expect("utf-8 path"),
            "--detailed-exitcode",
        ],
    )
}

async fn control(
    mock: &MockArm,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> Value {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", mock.url()));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("mock control reachable");
    let status = response.status();
    let text = response.text().await.expect("control body");
    assert!(status.is_success(), "mock control {path}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// `POST /_mock/faults`.
pub fn add_fault(mock: &MockArm, rule: &Value) {
    block_on(control(
        mock,
        reqwest::Method::POST,
        "/_mock/faults",
        Some(rule),
    ));
}

/// `DELETE /_mock/faults`.
pub fn clear_faults(mock: &MockArm) {
    block_on(control(
        mock,
        reqwest::Method::DELETE,
        "/_mock/faults",
        None,
    ));
}

/// How many times each fault rule fired, in the order they were added.
pub fn faults_fired(mock: &MockArm) -> Vec<u64> {
    let rules = block_on(control(mock, reqwest::Method::GET, "/_mock/faults", None));
    let items = rules
        .as_array()
        .cloned()
        .or_else(|| rules["rules"].as_array().cloned())
        .unwrap_or_default();
    items
        .iter()
        .map(|rule| rule["fired"].as_u64().unwrap_or(0))
        .collect()
}

/// How many requests the mock has logged (any path).
pub fn request_count(mock: &MockArm) -> usize {
    common::requests(mock).len()
}

/// Write requests (PUT/PATCH/DELETE/POST) on ARM resources.
pub fn writes(mock: &MockArm) -> Vec<Value> {
    common::arm_requests(mock)
        .into_iter()
        .filter(|request| {
            matches!(
                request["method"].as_str(),
                Some("PUT" | "PATCH" | "DELETE" | "POST")
            ) && !request["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/checkNameAvailability"))
        })
        .collect()
}

/// Every resource body in the mock's world, except the seeded landing-zone networks.
pub fn resources(mock: &MockArm) -> Vec<Value> {
    let all = match common::state(mock)["resources"].clone() {
        Value::Array(items) => items,
        Value::Object(map) => map.into_values().collect(),
        _ => Vec::new(),
    };
    all.into_iter()
        .filter(|body| !common::is_landing_zone(body["id"].as_str().unwrap_or_default()))
        .collect()
}

fn lower(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_ascii_lowercase()
}

/// The lower-case ids of every resource in the mock's world.
pub fn resource_ids(mock: &MockArm) -> BTreeSet<String> {
    resources(mock)
        .iter()
        .map(|body| lower(&body["id"]))
        .collect()
}

/// What exists more than once: a role assignment (scope, role, principal) under two names, two
/// clusters of one name, two federated credentials with one issuer and subject on one identity.
pub fn duplicates(mock: &MockArm) -> Vec<String> {
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for body in resources(mock) {
        let id = lower(&body["id"]);
        let kind = lower(&body["type"]);
        let key = match kind.as_str() {
            "microsoft.authorization/roleassignments" => {
                let scope = id
                    .split("/providers/microsoft.authorization/")
                    .next()
                    .unwrap_or_default();
                let role = lower(&body["properties"]["roleDefinitionId"]);
                let role = role.rsplit('/').next().unwrap_or_default();
                let principal = lower(&body["properties"]["principalId"]);
                format!("role assignment {scope} {role} {principal}")
            }
            "microsoft.containerservice/managedclusters" => {
                format!("cluster {}", lower(&body["name"]))
            }
            "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials" => {
                let identity = id
                    .split("/federatedidentitycredentials/")
                    .next()
                    .unwrap_or_default();
                format!(
                    "federated credential {identity} {} {}",
                    lower(&body["properties"]["issuer"]),
                    lower(&body["properties"]["subject"])
                )
            }
            _ => continue,
        };
        seen.entry(key).or_default().push(id);
    }
    let mut found: Vec<String> = seen
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(key, ids)| format!("{key}: {ids:?}"))
        .collect();
    found.sort();
    found
}

/// The ids a clean apply of `file` creates on an empty mock (computed once per estate).
pub fn reference_ids(file: &Path) -> BTreeSet<String> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, BTreeSet<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(ids) = cache.lock().expect("cache").get(file) {
        return ids.clone();
    }
    let mock = start_mock();
    let applied = apply(&mock, file);
    assert_eq!(
        applied.code,
        0,
        "clean apply of {}:\n{}",
        file.display(),
        applied.describe()
    );
    let ids = resource_ids(&mock);
    cache
        .lock()
        .expect("cache")
        .insert(file.to_path_buf(), ids.clone());
    ids
}

/// Asserts the run did not panic and, when it failed, said why in a readable way.
pub fn assert_failed_clearly_or_succeeded(outcome: &Outcome, context: &str) {
    assert!(
        !outcome.combined().contains("panicked") && outcome.code != 101,
        "{context}: aksctl panicked:\n{}",
        outcome.describe()
    );
    assert!(
        outcome.code == 0 || outcome.code == 1,
        "{context}: unexpected exit code:\n{}",
        outcome.describe()
    );
    if outcome.code == 1 {
        let reported = outcome.stdout.contains("apply failed")
            || outcome.stderr.lines().any(|line| line.starts_with("error"));
        assert!(
            reported,
            "{context}: failed without a report:\n{}",
            outcome.describe()
        );
    }
}

/// After a (possibly failed or killed) run: with the faults cleared, re-runs apply until it
/// succeeds (at most `reruns` times), then asserts convergence, no duplicate and no orphan.
/// Returns how many re-runs were needed.
pub fn assert_converges(
    mock: &MockArm,
    file: &Path,
    first: Option<&Outcome>,
    reruns: usize,
    context: &str,
) -> usize {
    clear_faults(mock);
    let mut needed = 0;
    let mut last = first.cloned();
    while last.as_ref().is_none_or(|outcome| outcome.code != 0) {
        assert!(
            needed < reruns,
            "{context}: still failing after {needed} re-run(s):\n{}",
            last.map(|outcome| outcome.describe()).unwrap_or_default()
        );
        let outcome = apply(mock, file);
        assert_failed_clearly_or_succeeded(&outcome, context);
        last = Some(outcome);
        needed += 1;
    }
    let plan = plan_exit(mock, file);
    assert_eq!(
        plan.code,
        0,
        "{context}: re-plan after apply has changes:\n{}",
        plan.describe()
    );
    let duplicated = duplicates(mock);
    assert!(
        duplicated.is_empty(),
        "{context}: duplicated: {duplicated:#?}"
    );
    let expected = reference_ids(file);
    let actual = resource_ids(mock);
    let orphans: Vec<&String> = actual.difference(&expected).collect();
    let missing: Vec<&String> = expected.difference(&actual).collect();
    assert!(
        orphans.is_empty() && missing.is_empty(),
        "{context}: world differs from a clean apply: orphans {orphans:#?}, missing {missing:#?}"
    );
    needed
}

/// A small deterministic generator (SplitMix64), so a seed reproduces a scenario exactly.
#[derive(Debug, Clone)]
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(seed ^ 0x5DEE_CE66_D1CE_5EED)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

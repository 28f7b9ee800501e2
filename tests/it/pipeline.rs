//! The CI pipeline step through the built binary against mock-arm: the example workflows in
//! `examples/` parse and every `aksctl` command they run works (with workload-identity
//! federation: a token file exchanged at the mock's Entra endpoint); exit codes 0/1/2 of `plan`
//! and `drift` in each situation; the markdown and JSON outputs (snapshots, GUIDs and URLs
//! filtered); a stale saved plan fails the merge job clearly and writes nothing; `drift --since`
//! separates what changed in Azure from what changed in the estate.

mod comment;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use aksctl::arm::WriteOptions;
use aksctl::id::ResourceId;
use aksctl::kind::Kind;

use crate::common::{self, SUBSCRIPTION};

/// `plans/` copied into a fresh directory, as a repository checkout the workflows run in.
fn checkout() -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("tempdir");
    copy_tree(&common::repo_path("plans"), &directory.path().join("plans"));
    directory
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}

/// Every shell script of a workflow: GitHub `run:`, Azure Pipelines `script:`/`bash:` and the
/// AzureCLI task's `inlineScript:`.
fn scripts(node: &Value, found: &mut Vec<String>) {
    match node {
        Value::Object(members) => {
            for (key, value) in members {
                match (key.as_str(), value) {
                    ("run" | "script" | "bash" | "inlineScript", Value::String(script)) => {
                        found.push(script.clone())
                    }
                    _ => scripts(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| scripts(item, found)),
        _ => {}
    }
}

/// The `aksctl` command lines of a workflow (continuations joined), each as arguments up to the
/// first shell operator; `$since` is the drift step's optional `--since` argument.
fn aksctl_commands(workflow: &Value, since: &[&str]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    scripts(workflow, &mut found);
    let mut commands = Vec::new();
    for script in found {
        let joined = script.replace("\\\n", " ");
        for line in joined.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("aksctl ") else {
                continue;
            };
            let mut arguments = Vec::new();
            for word in rest.split_whitespace() {
                if [">", ">>", "|", "||", "&&", ";", "2>"].contains(&word) {
                    break;
                }
                if word == "$since" {
                    arguments.extend(since.iter().map(|s| (*s).to_owned()));
                    continue;
                }
                assert!(
                    !word.starts_with('$'),
                    "unexpected shell variable in `{line}`"
                );
                arguments.push(word.trim_matches('"').to_owned());
            }
            commands.push(arguments);
        }
    }
    commands
}

fn workflow(relative: &str) -> Value {
    let text = std::fs::read_to_string(common::repo_path(relative)).expect("example exists");
    serde_saphyr::from_str(&text).unwrap_or_else(|error| panic!("{relative}: {error}"))
}

/// `aksctl` for `mock` authenticating like CI: a federated token file, no secret.
fn ci_aksctl(mock: &mock_arm::MockArm, workdir: &Path, token_file: &Path) -> assert_cmd::Command {
    let mut command = common::aksctl(mock);
    command
        .current_dir(workdir)
        .env_remove("AZURE_CLIENT_SECRET")
        .env("AKSCTL_CREDENTIAL", "workload-identity")
        .env("AZURE_FEDERATED_TOKEN_FILE", token_file)
        .env("AKSCTL_SANDBOX_TIME_SCALE", "0.001");
    command
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(mut command: assert_cmd::Command, arguments: &[String]) -> Ran {
    let output = command.args(arguments).output().expect("aksctl runs");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn by_subcommand<'a>(commands: &'a [Vec<String>], name: &str) -> Vec<&'a Vec<String>> {
    commands
        .iter()
        .filter(|command| command.first().is_some_and(|first| first == name))
        .collect()
}

/// Runs one workflow's commands in CI order against a fresh mock: PR plan (exit 2, markdown in
/// the step summary), merge apply of the saved plan, verify, outputs, drift (in sync), the DR
/// rehearsals; returns how many commands ran.
fn exercise(workflow_path: &str) -> usize {
    let document = workflow(workflow_path);
    let commands = aksctl_commands(&document, &["--since", "baseline/plan.json"]);
    assert!(commands.len() >= 5, "{workflow_path}: {commands:?}");
    let mock = common::start_mock();
    let workdir = checkout();
    let token = workdir.path().join("oidc-token");
    std::fs::write(
        &token,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm53L3BsYXRmb3JtIn0.c2ln",
    )
    .expect("token");
    let summary = workdir.path().join("step-summary.md");
    let command = || {
        let mut command = ci_aksctl(&mock, workdir.path(), &token);
        command.env("GITHUB_STEP_SUMMARY", &summary);
        command
    };
    let mut ran = 0;
    for plan in by_subcommand(&commands, "plan") {
        let result = run(command(), plan);
        assert_eq!(
            result.code, 2,
            "{plan:?}: changes to review\n{}",
            result.stderr
        );
        assert!(
            result.stdout.starts_with("### aksctl plan"),
            "{}",
            result.stdout
        );
        ran += 1;
    }
    assert!(
        workdir.path().join("plan.json").exists(),
        "the plan step saves plan.json"
    );
    if workflow_path.contains("github") {
        let written = std::fs::read_to_string(&summary).expect("step summary written");
        assert!(
            written.contains("### aksctl plan: `northwind-prod`"),
            "{written}"
        );
    }
    for apply in by_subcommand(&commands, "apply") {
        assert!(
            apply.contains(&"plan.json".to_owned()) && apply.contains(&"--auto-approve".to_owned())
        );
        let result = run(command(), apply);
        assert_eq!(
            result.code, 0,
            "{apply:?}\n{}\n{}",
            result.stdout, result.stderr
        );
        ran += 1;
    }
    for dr in by_subcommand(&commands, "dr") {
        let result = run(command(), dr);
        assert_eq!(
            result.code, 0,
            "{dr:?}\n{}\n{}",
            result.stdout, result.stderr
        );
        ran += 1;
    }
    for outputs in by_subcommand(&commands, "outputs") {
        let result = run(command(), outputs);
        assert_eq!(result.code, 0, "{outputs:?}\n{}", result.stderr);
        if outputs.contains(&"serviceaccounts".to_owned()) {
            // 28 services and Velero.
            assert_eq!(result.stdout.matches("kind: ServiceAccount").count(), 29);
        } else {
            let parsed: Value = serde_json::from_str(&result.stdout).expect("outputs JSON");
            assert_eq!(parsed["clusters"].as_array().map(Vec::len), Some(2));
        }
        ran += 1;
    }
    std::fs::create_dir_all(workdir.path().join("baseline")).expect("mkdir");
    for drift in by_subcommand(&commands, "drift") {
        let first = drift
            .iter()
            .filter(|argument| {
                argument.as_str() != "--since" && argument.as_str() != "baseline/plan.json"
            })
            .cloned()
            .collect::<Vec<_>>();
        let result = run(command(), &first);
        assert_eq!(
            result.code, 0,
            "{first:?}: in sync after apply\n{}{}",
            result.stdout, result.stderr
        );
        let out = first
            .iter()
            .position(|argument| argument == "--out")
            .and_then(|index| first.get(index + 1))
            .expect("the drift step saves its plan");
        std::fs::copy(
            workdir.path().join(out),
            workdir.path().join("baseline/plan.json"),
        )
        .expect("baseline");
        if drift.contains(&"--since".to_owned()) {
            let result = run(command(), drift);
            assert_eq!(
                result.code, 0,
                "{drift:?}\n{}{}",
                result.stdout, result.stderr
            );
        }
        if drift.contains(&"markdown".to_owned()) {
            let written = std::fs::read_to_string(&summary).expect("step summary written");
            assert!(
                written.contains("### aksctl drift: `northwind-prod`"),
                "{written}"
            );
        }
        ran += 1;
    }
    assert!(
        by_subcommand(&commands, "dr")
            .iter()
            .any(|command| command.get(1).is_some_and(|sub| sub == "rehearse")),
        "{workflow_path} rehearses DR on a schedule"
    );
    ran
}

#[test]
fn github_actions_example_runs_against_mock_arm() {
    let document = workflow("examples/github-actions/aksctl.yml");
    assert_eq!(
        document["permissions"]["id-token"], "write",
        "OIDC federation"
    );
    for job in ["plan", "apply", "drift", "dr-rehearsal"] {
        assert!(document["jobs"][job].is_object(), "job {job}");
    }
    assert_eq!(document["jobs"]["apply"]["environment"], "production");
    assert!(exercise("examples/github-actions/aksctl.yml") >= 8);
}

#[test]
fn azure_pipelines_example_runs_against_mock_arm() {
    let document = workflow("examples/azure-pipelines/aksctl.yml");
    let stages: Vec<&str> = document["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|stage| stage["stage"].as_str())
        .collect();
    assert_eq!(stages, vec!["Plan", "Apply", "Drift", "Rehearse"]);
    assert!(exercise("examples/azure-pipelines/aksctl.yml") >= 6);
}

// --- Exit codes, outputs, stale plans and drift on a small estate.

const REGISTRY: &str = "acrsharedprod";

fn shared_prod() -> PathBuf {
    common::repo_path("plans/shared-prod.yaml")
}

fn aksctl_in(mock: &mock_arm::MockArm, workdir: &Path, arguments: &[&str]) -> Ran {
    let mut command = common::aksctl(mock);
    command.current_dir(workdir);
    run(
        command,
        &arguments
            .iter()
            .map(|a| (*a).to_owned())
            .collect::<Vec<_>>(),
    )
}

fn registry_id() -> ResourceId {
    ResourceId::new(format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-shared-aks-prod/providers/Microsoft.ContainerRegistry/registries/{REGISTRY}"
    ))
}

/// Someone turns on the registry's admin user in the portal (the estate declares it off).
fn change_registry_out_of_band(mock: &mock_arm::MockArm) {
    let client = common::arm_client(mock);
    let api = Kind::ContainerRegistry.api_version();
    common::block_on(async {
        let body = client
            .get(&registry_id(), api)
            .await
            .expect("read")
            .expect("exists");
        let put = json!({"location": body["location"], "sku": body["sku"], "tags": body["tags"],
            "properties": {"adminUserEnabled": true}});
        client
            .put(&registry_id(), api, &put, &WriteOptions::default())
            .await
            .expect("out-of-band change");
    });
}

/// An estate change: the vault gets a new tag.
fn estate_overlay(directory: &Path) -> PathBuf {
    let path = directory.join("reviewed.yaml");
    std::fs::write(
        &path,
        "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nkeyVaults:\n  - name: kv-shared-prod\n    tags: {reviewed: \"2026-11\"}\n",
    )
    .expect("write overlay");
    path
}

fn filtered(text: &str) -> String {
    let guid = regex::Regex::new(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    )
    .expect("regex");
    let url = regex::Regex::new(r"https?://[^\s`|)]+").expect("regex");
    let hash = regex::Regex::new(r"sha256:[0-9a-f]{64}").expect("regex");
    let text = url.replace_all(text, "[URL]");
    let text = guid.replace_all(&text, "[GUID]");
    hash.replace_all(&text, "sha256:[HASH]").into_owned()
}

#[test]
fn exit_codes_outputs_stale_plans_and_drift_origins() {
    let mock = common::start_mock();
    let workdir = tempfile::tempdir().expect("tempdir");
    let dir = workdir.path();
    let estate = shared_prod();
    let estate = estate.to_str().expect("utf-8 path");
    let overlay = estate_overlay(dir);
    let overlay = overlay.to_str().expect("utf-8 path");

    // Empty world: plan exits 2 with --detailed-exitcode, 0 without; drift exits 2.
    let plan = aksctl_in(&mock, dir, &["plan", "-f", estate, "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert_eq!(aksctl_in(&mock, dir, &["plan", "-f", estate]).code, 0);
    assert_eq!(aksctl_in(&mock, dir, &["drift", "-f", estate]).code, 2);
    // Errors exit 1: an unreadable estate, an unreachable ARM.
    for arguments in [
        vec!["plan", "-f", "missing.yaml", "--detailed-exitcode"],
        vec!["drift", "-f", "missing.yaml"],
        vec!["drift", "-f", estate, "--since", "missing-plan.json"],
    ] {
        let ran = aksctl_in(&mock, dir, &arguments);
        assert_eq!(ran.code, 1, "{arguments:?}: {}", ran.stderr);
    }
    let unreachable = {
        let mut command = common::aksctl(&mock);
        command
            .current_dir(dir)
            .env("AKSCTL_ARM_ENDPOINT", "http://127.0.0.1:9");
        run(command, &["drift".into(), "-f".into(), estate.into()])
    };
    assert_eq!(unreachable.code, 1, "{}", unreachable.stderr);

    // Applied: plan and drift exit 0; the drift baseline is saved.
    let applied = aksctl_in(
        &mock,
        dir,
        &["apply", "-f", estate, "--auto-approve", "--no-progress"],
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert_eq!(
        aksctl_in(&mock, dir, &["plan", "-f", estate, "--detailed-exitcode"]).code,
        0
    );
    let baseline = aksctl_in(
        &mock,
        dir,
        &["drift", "-f", estate, "--out", "baseline.json"],
    );
    assert_eq!(baseline.code, 0, "{}{}", baseline.stdout, baseline.stderr);
    assert!(baseline.stdout.contains("In sync"), "{}", baseline.stdout);

    // A reviewed PR plan (the estate change), saved; then Azure changes under it.
    let markdown = aksctl_in(
        &mock,
        dir,
        &[
            "plan",
            "-f",
            estate,
            "-f",
            overlay,
            "--detailed-exitcode",
            "--out",
            "plan.json",
            "--output",
            "markdown",
        ],
    );
    assert_eq!(markdown.code, 2, "{}", markdown.stderr);
    insta::assert_snapshot!("pipeline_plan_markdown", filtered(&markdown.stdout));
    change_registry_out_of_band(&mock);

    // Drift: exit 2, the registry is an Azure change, the vault an estate change.
    let drift = aksctl_in(
        &mock,
        dir,
        &[
            "drift",
            "-f",
            estate,
            "-f",
            overlay,
            "--since",
            "baseline.json",
            "--output",
            "json",
        ],
    );
    assert_eq!(drift.code, 2, "{}", drift.stderr);
    let report: Value = serde_json::from_str(&drift.stdout).expect("drift JSON");
    let origin = |address: &str| {
        report["items"]
            .as_array()
            .and_then(|items| items.iter().find(|item| item["address"] == address))
            .map(|item| item["origin"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(origin(&format!("registry/{REGISTRY}")), "azureChanged");
    assert_eq!(origin("keyVault/kv-shared-prod"), "estateChanged");
    assert_eq!(
        report["items"].as_array().map(Vec::len),
        Some(2),
        "{report:#}"
    );
    insta::assert_snapshot!("pipeline_drift_json", filtered(&drift.stdout));
    let drift_markdown = aksctl_in(
        &mock,
        dir,
        &[
            "drift",
            "-f",
            estate,
            "-f",
            overlay,
            "--since",
            "baseline.json",
            "--output",
            "markdown",
        ],
    );
    assert_eq!(drift_markdown.code, 2);
    insta::assert_snapshot!("pipeline_drift_markdown", filtered(&drift_markdown.stdout));
    // Read-only: drift never writes.
    common::clear_requests(&mock);
    assert_eq!(aksctl_in(&mock, dir, &["drift", "-f", estate]).code, 2);
    assert!(common::arm_requests(&mock)
        .iter()
        .all(|r| r["method"] == "GET"));

    // The merge job: the saved plan is stale (the registry changed since), so apply refuses it
    // with a clear message, exit 1, and writes nothing.
    common::clear_requests(&mock);
    let merge = aksctl_in(
        &mock,
        dir,
        &["apply", "plan.json", "--auto-approve", "--no-progress"],
    );
    assert_eq!(merge.code, 1, "{}{}", merge.stdout, merge.stderr);
    assert!(
        merge.stderr.contains("stale")
            && merge.stderr.contains(REGISTRY)
            && merge.stderr.contains("nothing was changed"),
        "{}",
        merge.stderr
    );
    assert!(
        common::arm_requests(&mock)
            .iter()
            .all(|r| r["method"] == "GET"),
        "a stale plan writes nothing"
    );
    // Re-planned, it applies; then everything is in sync again.
    let replanned = aksctl_in(
        &mock,
        dir,
        &["plan", "-f", estate, "-f", overlay, "--out", "plan.json"],
    );
    assert_eq!(replanned.code, 0, "{}", replanned.stderr);
    let merge = aksctl_in(
        &mock,
        dir,
        &["apply", "plan.json", "--auto-approve", "--no-progress"],
    );
    assert_eq!(merge.code, 0, "{}{}", merge.stdout, merge.stderr);
    assert_eq!(
        aksctl_in(&mock, dir, &["drift", "-f", estate, "-f", overlay]).code,
        0
    );
}

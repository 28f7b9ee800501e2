//! The examples' pull-request reporting, run for real: the GitHub Actions comment step (its own
//! bash, with a stand-in `gh` that keeps comments in a directory) posts the markdown plan once and
//! then edits that same comment, leaving other comments alone; the Azure Pipelines plan step
//! publishes the markdown file it writes as the run's summary.

use std::path::Path;

use serde_json::Value;

use crate::common::{self, start_mock};

/// `gh api` as the comment step calls it: comments are `comment-<id>` files; listing prints what
/// the step's `--jq` expression prints (id, tab, first line of the body).
const STAND_IN_GH: &str = r#"#!/bin/sh
set -eu
state="$FAKE_GH_STATE"
[ "$1" = api ] || { echo "unexpected: gh $*" >&2; exit 2; }
shift
method=GET; path=""; body=""
while [ $# -gt 0 ]; do
  case "$1" in
    --method) method="$2"; shift 2 ;;
    --paginate) shift ;;
    --jq) shift 2 ;;
    -f) body="${2#body=}"; shift 2 ;;
    *) path="$1"; shift ;;
  esac
done
echo "$method $path" >> "$state/calls"
case "$method" in
  GET)
    for file in "$state"/comment-*; do
      [ -e "$file" ] || continue
      printf '%s\t%s\n' "${file##*/comment-}" "$(head -n 1 "$file")"
    done ;;
  POST)
    id=$(( $(ls "$state" | grep -c '^comment-') + 1 ))
    printf '%s' "$body" > "$state/comment-$id"
    echo '{}' ;;
  PATCH)
    printf '%s' "$body" > "$state/comment-${path##*/}"
    echo '{}' ;;
esac
"#;

fn workflow(relative: &str) -> Value {
    let text = std::fs::read_to_string(common::repo_path(relative)).expect("example exists");
    serde_saphyr::from_str(&text).unwrap_or_else(|error| panic!("{relative}: {error}"))
}

/// The `run` script of the step of `job` named `name`.
fn step_script(document: &Value, job: &str, name: &str) -> String {
    document["jobs"][job]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|step| step["name"] == name)
        .and_then(|step| step["run"].as_str())
        .unwrap_or_else(|| panic!("job {job} has a step `{name}` with a script"))
        .to_owned()
}

/// Runs the workflow's plan command with its stdout redirected to `plan.md` as the step does.
fn write_plan_markdown(workdir: &Path, mock: &mock_arm::MockArm) {
    let output = common::aksctl(mock)
        .current_dir(workdir)
        .args([
            "plan",
            "-f",
            common::repo_path("plans/northwind.yaml")
                .to_str()
                .expect("utf-8"),
            "--detailed-exitcode",
            "--output",
            "markdown",
        ])
        .output()
        .expect("aksctl runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::write(workdir.join("plan.md"), &output.stdout).expect("plan.md");
}

fn run_comment_step(script: &str, workdir: &Path, state: &Path, bin: &Path) {
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(workdir)
        .env("PATH", path)
        .env("FAKE_GH_STATE", state)
        .env("GH_TOKEN", "not-a-token")
        .env("GITHUB_REPOSITORY", "contoso/platform")
        .env("PR_NUMBER", "7")
        .status()
        .expect("bash runs");
    assert!(status.success(), "the comment step fails: {status}");
}

#[test]
fn the_github_plan_comment_is_posted_once_then_updated_in_place() {
    use std::os::unix::fs::PermissionsExt;
    let document = workflow("examples/github-actions/aksctl.yml");
    let plan = step_script(
        &document,
        "plan",
        "Plan (markdown to plan.md and the job summary)",
    );
    assert!(plan.contains("--output markdown > plan.md"), "{plan}");
    assert_eq!(
        document["jobs"]["plan"]["permissions"]["pull-requests"],
        "write"
    );
    assert_eq!(document["jobs"]["apply"]["environment"], "production");
    let comment = step_script(&document, "plan", "Post or update the plan comment");

    let workdir = tempfile::tempdir().expect("tempdir");
    let state = workdir.path().join("github");
    let bin = workdir.path().join("bin");
    std::fs::create_dir_all(&state).expect("state");
    std::fs::create_dir_all(&bin).expect("bin");
    std::fs::write(bin.join("gh"), STAND_IN_GH).expect("gh");
    std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    std::fs::write(state.join("comment-1"), "LGTM, but see the plan")
        .expect("a reviewer's comment");

    let mock = start_mock();
    write_plan_markdown(workdir.path(), &mock);
    run_comment_step(&comment, workdir.path(), &state, &bin);
    let posted = std::fs::read_to_string(state.join("comment-2")).expect("the plan comment");
    assert!(
        posted.starts_with(
            "<!-- aksctl-plan: plans/northwind.yaml -->\n### aksctl plan: `northwind-prod`"
        ),
        "{posted}"
    );
    assert!(posted.contains("<details><summary>"), "{posted}");

    // The next push: the plan changed (a tag only the new run knows about).
    let updated_plan = format!(
        "{}\nupdated by the next push\n",
        std::fs::read_to_string(workdir.path().join("plan.md")).expect("plan.md")
    );
    std::fs::write(workdir.path().join("plan.md"), updated_plan).expect("plan.md");
    run_comment_step(&comment, workdir.path(), &state, &bin);
    let comments = std::fs::read_dir(&state)
        .expect("state")
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("comment-"))
        .count();
    assert_eq!(comments, 2, "updated, not duplicated");
    let edited = std::fs::read_to_string(state.join("comment-2")).expect("the plan comment");
    assert!(edited.ends_with("updated by the next push"), "{edited}");
    assert_eq!(
        std::fs::read_to_string(state.join("comment-1")).expect("untouched"),
        "LGTM, but see the plan"
    );
    let calls = std::fs::read_to_string(state.join("calls")).expect("calls");
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "GET repos/contoso/platform/issues/7/comments",
            "POST repos/contoso/platform/issues/7/comments",
            "GET repos/contoso/platform/issues/7/comments",
            "PATCH repos/contoso/platform/issues/comments/2",
        ]
    );
}

#[test]
fn the_azure_pipelines_plan_is_published_as_the_run_summary() {
    let document = workflow("examples/azure-pipelines/aksctl.yml");
    let script = document["stages"][0]["jobs"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find_map(|step| step["inputs"]["inlineScript"].as_str())
        .expect("the plan step's script")
        .to_owned();
    assert!(script.contains("--output markdown > plan.md"), "{script}");
    assert!(
        script.contains("##vso[task.uploadsummary]$PWD/plan.md"),
        "{script}"
    );
}

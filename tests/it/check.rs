//! `aksctl check` through the built binary: the shipped estates pass the production profile
//! (gitops-fleet's dev cluster under the dev profile), findings carry rule, severity, address
//! and `file:line:col`, `--fail-on` and unreasoned ignores decide the exit code, SARIF output
//! validates against the SARIF 2.1.0 schema, `docs/checks.md` is the generated rule table, and
//! `plan` shows findings as notices (blocking only with `--check-fail-on`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The subscription given to plans that read `${AZURE_SUBSCRIPTION_ID}`.
const SUBSCRIPTION: &str = "11111111-2222-4333-8444-555555555555";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn aksctl() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("aksctl"));
    command
        .current_dir(repo_root())
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .env("NO_COLOR", "1");
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(arguments: &[&str]) -> Run {
    let output = aksctl()
        .arg("check")
        .args(arguments)
        .output()
        .expect("aksctl runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn check_json(arguments: &[&str]) -> (i32, Value) {
    let mut all = arguments.to_vec();
    all.extend(["-o", "json"]);
    let run = check(&all);
    let report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}\n{}", run.stdout, run.stderr));
    (run.code, report)
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings")
}

fn write(directory: &Path, name: &str, text: &str) -> String {
    let path = directory.join(name);
    std::fs::write(&path, text).expect("write estate");
    path.display().to_string()
}

/// The compliant estate with one change: `from` -> `to` (which must occur).
fn compliant_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(repo_root().join("tests/data/check-compliant.yaml"))
        .expect("compliant estate");
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn shipped_estates_have_no_error_under_the_production_profile() {
    for file in [
        "plans/northwind.yaml",
        "plans/shared-prod.yaml",
        "plans/gitops-fleet.yaml",
    ] {
        let (code, report) = check_json(&["-f", file, "--profile", "production"]);
        assert_eq!(code, 0, "{file}: {report:#}");
        assert_eq!(report["profile"], "production");
        assert_eq!(report["summary"]["error"], 0, "{file}: {report:#}");
    }
}

#[test]
fn gitops_fleet_checks_its_dev_cluster_under_the_dev_profile() {
    let (_, report) = check_json(&["-f", "plans/gitops-fleet.yaml"]);
    let dev: Vec<&Value> = findings(&report)
        .iter()
        .filter(|finding| {
            let resource = finding["resource"].as_str().unwrap_or_default();
            resource == "cluster/aks-dev" || resource.starts_with("pool/aks-dev/")
        })
        .collect();
    assert!(!dev.is_empty());
    assert!(
        dev.iter().all(|finding| finding["profile"] == "dev"),
        "{dev:#?}"
    );
    // The free-tier dev cluster is an error in production, info in dev.
    assert!(dev
        .iter()
        .any(|finding| finding["rule"] == "AKS008" && finding["severity"] == "info"));
    assert!(findings(&report)
        .iter()
        .filter(|finding| finding["resource"] == "cluster/aks-prod")
        .all(|finding| finding["profile"] == "production"));
    assert_eq!(report["ignored"], 2, "the two reasoned vault ignores");
}

#[test]
fn text_findings_name_rule_severity_address_location_why_and_fix() {
    let directory = tempfile::tempdir().expect("temp dir");
    let file = write(
        directory.path(),
        "estate.yaml",
        &compliant_with("    tier: Standard\n", "    tier: Free\n"),
    );
    let run = check(&["-f", &file]);
    assert_eq!(run.code, 1, "an error fails by default: {}", run.stdout);
    let text = std::fs::read_to_string(&file).expect("estate");
    let line = text
        .lines()
        .position(|line| line == "    tier: Free")
        .expect("tier line")
        + 1;
    let expected = format!("error[AKS008] cluster/aks-check at {file}:{line}:11");
    assert!(run.stdout.contains(&expected), "{expected}\n{}", run.stdout);
    assert!(
        run.stdout
            .contains("why: Seed 001 layers: the Standard tier"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fix: Set `tier: Standard`."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 finding(s): 1 error(s)"),
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_decides_the_exit_code() {
    let directory = tempfile::tempdir().expect("temp dir");
    // A warning only (AKS012: egress through the load balancer).
    let file = write(
        directory.path(),
        "estate.yaml",
        &compliant_with("      outboundType: managedNATGateway\n", ""),
    );
    assert_eq!(check(&["-f", &file]).code, 0);
    assert_eq!(check(&["-f", &file, "--fail-on", "warning"]).code, 1);
    assert_eq!(check(&["-f", &file, "--fail-on", "info"]).code, 1);
    let compliant = repo_root().join("tests/data/check-compliant.yaml");
    let compliant = compliant.display().to_string();
    assert_eq!(check(&["-f", &compliant, "--fail-on", "info"]).code, 0);
}

#[test]
fn an_ignore_without_a_reason_is_an_error_and_ignores_nothing() {
    let directory = tempfile::tempdir().expect("temp dir");
    let base = write(
        directory.path(),
        "estate.yaml",
        &compliant_with("    tier: Standard\n", "    tier: Free\n"),
    );
    let overlay = |reason: &str| {
        format!(
            "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nchecks:\n  ignore:\n    - rule: AKS008\n      resource: cluster/aks-check\n{reason}"
        )
    };
    let unreasoned = write(directory.path(), "unreasoned.yaml", &overlay(""));
    let (code, report) = check_json(&["-f", &base, "-f", &unreasoned]);
    assert_eq!(code, 1);
    let rules: Vec<&str> = findings(&report)
        .iter()
        .filter_map(|finding| finding["rule"].as_str())
        .collect();
    assert_eq!(rules, vec!["AKS008", "AKS900"], "{report:#}");
    let ignore = findings(&report)
        .iter()
        .find(|finding| finding["rule"] == "AKS900")
        .expect("AKS900");
    assert_eq!(
        ignore["location"]["file"],
        unreasoned.as_str(),
        "points at the overlay"
    );

    let reasoned = write(
        directory.path(),
        "reasoned.yaml",
        &overlay("      reason: a cost experiment until the next quarter\n"),
    );
    let (code, report) = check_json(&["-f", &base, "-f", &reasoned]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["ignored"], 1);
    assert_eq!(findings(&report), &Vec::<Value>::new());
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/data/sarif-schema-2.1.0.json"))
            .expect("vendored SARIF schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("SARIF schema compiles");
    for file in [
        "plans/gitops-fleet.yaml",
        "plans/shared-prod.yaml",
        "tests/data/check-compliant.yaml",
    ] {
        let run = check(&["-f", file, "-o", "sarif"]);
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        let run_log = &sarif["runs"][0];
        assert_eq!(sarif["version"], "2.1.0");
        assert_eq!(
            run_log["tool"]["driver"]["rules"].as_array().map(Vec::len),
            Some(48),
            "every rule's metadata"
        );
        for result in run_log["results"].as_array().expect("results") {
            let physical = &result["locations"][0]["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uri"], file, "{result:#}");
            assert!(
                physical["region"]["startLine"].as_u64() > Some(0),
                "{result:#}"
            );
            assert!(
                physical["region"]["startColumn"].as_u64() > Some(0),
                "{result:#}"
            );
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(
                run_log["tool"]["driver"]["rules"][index]["id"],
                result["ruleId"]
            );
        }
    }
    // And the schema does reject a broken log (the validation can fail).
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(!validator.is_valid(&broken));
}

#[test]
fn docs_checks_md_is_the_generated_rule_table() {
    let run = check(&["--list-rules", "-o", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let committed =
        std::fs::read_to_string(repo_root().join("docs/checks.md")).expect("docs/checks.md");
    assert!(
        committed == run.stdout,
        "docs/checks.md is out of date: run `cargo run -- check --list-rules -o markdown > docs/checks.md`"
    );
    for id in ["AKS001", "AKS016", "AKS900"] {
        assert!(committed.contains(&format!("| {id} |")), "{id}");
    }
    for item in [
        "PodDisruptionBudgets",
        "HPA",
        "requests and limits",
        "signed images",
    ] {
        assert!(committed.contains(item), "out-of-scope item {item}");
    }
}

#[test]
fn the_estate_schema_describes_the_checks_block() {
    let output = aksctl().arg("schema").output().expect("aksctl schema");
    let schema: Value = serde_json::from_slice(&output.stdout).expect("schema is JSON");
    assert_eq!(schema["properties"]["checks"]["$ref"], "#/$defs/Checks");
    assert_eq!(
        schema["$defs"]["CheckIgnore"]["required"],
        serde_json::json!(["rule"])
    );
    let directory = tempfile::tempdir().expect("temp dir");
    let file = write(
        directory.path(),
        "estate.yaml",
        &compliant_with(
            "roleAssignments:",
            "checks:\n  profile: staging\nroleAssignments:",
        ),
    );
    let run = check(&["-f", &file]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("checks.profile"), "{}", run.stderr);
}

fn plan(mock: &mock_arm::MockArm, arguments: &[&str]) -> Run {
    let output = crate::common::aksctl(mock)
        .current_dir(repo_root())
        .arg("plan")
        .args(arguments)
        .output()
        .expect("aksctl plan runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn plan_shows_findings_and_their_errors_as_notices_without_blocking() {
    let mock = crate::common::start_mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let file = write(
        directory.path(),
        "estate.yaml",
        &compliant_with("    tier: Standard\n", "    tier: Free\n").replacen(
            "      outboundType: managedNATGateway\n",
            "",
            1,
        ),
    );
    let run = plan(&mock, &["-f", &file, "-o", "json"]);
    assert_eq!(
        run.code, 0,
        "findings never block by default: {}",
        run.stderr
    );
    let planned: Value = serde_json::from_str(&run.stdout).expect("plan JSON");
    let notices: Vec<&str> = planned["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notices.contains(&"aksctl check (production profile): 2 finding(s), 1 error(s); run `aksctl check -f <estate files>` for locations and fixes."),
        "{notices:#?}"
    );
    assert!(
        notices
            .iter()
            .any(|notice| notice.starts_with("check AKS008 error on cluster/aks-check:")),
        "{notices:#?}"
    );
    assert!(
        !notices
            .iter()
            .any(|notice| notice.starts_with("check AKS012")),
        "warnings are counted, not listed: {notices:#?}"
    );

    let markdown = plan(&mock, &["-f", &file, "-o", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("- check AKS008 error on cluster/aks-check"),
        "{}",
        markdown.stdout
    );
}

#[test]
fn plan_check_fail_on_refuses_before_saving() {
    let mock = crate::common::start_mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let saved = directory.path().join("plan.json");
    let saved_arg = saved.display().to_string();
    // shared-prod has warnings only.
    let run = plan(
        &mock,
        &[
            "-f",
            "plans/shared-prod.yaml",
            "--check-fail-on",
            "error",
            "--out",
            &saved_arg,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(saved.exists());
    std::fs::remove_file(&saved).expect("remove plan");

    let run = plan(
        &mock,
        &[
            "-f",
            "plans/shared-prod.yaml",
            "--check-fail-on",
            "warning",
            "--out",
            &saved_arg,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(!saved.exists(), "nothing saved");
    assert!(
        run.stderr.contains("nothing was planned or saved"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning[AKS012] cluster/aks-shared-prod at plans/shared-prod.yaml:"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_github_actions_example_uploads_check_sarif() {
    let workflow = std::fs::read_to_string(repo_root().join("examples/github-actions/aksctl.yml"))
        .expect("example workflow");
    assert!(workflow.contains("uses: github/codeql-action/upload-sarif@v3"));
    assert!(workflow.contains("security-events: write"));
    let line = workflow
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("aksctl check "))
        .expect("the example runs aksctl check");
    let arguments: Vec<&str> = line
        .split_whitespace()
        .skip(2)
        .take_while(|word| *word != ">")
        .collect();
    assert!(line.ends_with("> aksctl-check.sarif"), "{line}");
    let run = check(&arguments);
    assert_eq!(run.code, 0, "{line}: {}", run.stderr);
    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF");
    assert_eq!(sarif["version"], "2.1.0");
}

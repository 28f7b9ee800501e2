//! The estate format through the built binary: every shipped plan validates, renders and
//! re-validates; a table of bad documents (`tests/bad-inputs/*.yaml`) each fails with its expected
//! message at its expected `file:line:col`; several files merge; `aksctl schema` is a JSON Schema
//! the shipped plans satisfy (checked by an independent mini validator below).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The subscription the tests give plans that read `${AZURE_SUBSCRIPTION_ID}`.
const SUBSCRIPTION: &str = "11111111-2222-4333-8444-555555555555";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn aksctl() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("aksctl"));
    command
        .current_dir(repo_root())
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .env_remove("AKSCTL_TEST_UNSET_VARIABLE");
    command
}

fn shipped_plans() -> Vec<PathBuf> {
    let mut plans: Vec<PathBuf> = std::fs::read_dir(repo_root().join("plans"))
        .expect("plans/ exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    plans.sort();
    assert!(
        plans.len() >= 3,
        "expected the shipped plans, found {plans:?}"
    );
    plans
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Output {
    let output = aksctl().args(args).output().expect("aksctl runs");
    Output {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn every_shipped_plan_validates() {
    for plan in shipped_plans() {
        let plan = relative(&plan);
        let output = run(&["validate", "-f", &plan]);
        assert_eq!(output.code, Some(0), "{plan}: {}", output.stderr);
        assert!(
            output.stdout.starts_with("ok: "),
            "{plan}: {}",
            output.stdout
        );
        assert!(output.stderr.is_empty(), "{plan}: {}", output.stderr);
    }
}

#[test]
fn every_shipped_plan_renders_to_an_estate_that_validates_and_renders_the_same() {
    let directory = tempfile::tempdir().expect("tempdir");
    for plan in shipped_plans() {
        let name = plan
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        let first = run(&["render", "-f", &relative(&plan)]);
        assert_eq!(first.code, Some(0), "{name}: {}", first.stderr);
        let rendered = directory.path().join(&name);
        std::fs::write(&rendered, &first.stdout).expect("write rendered");
        let rendered = rendered.display().to_string();
        let again = run(&["validate", "-f", &rendered]);
        assert_eq!(
            again.code,
            Some(0),
            "{name} rendered:\n{}\n{}",
            again.stderr,
            first.stdout
        );
        let second = run(&["render", "-f", &rendered]);
        assert_eq!(
            first.stdout, second.stdout,
            "{name}: rendering is not a fixed point"
        );
    }
}

#[test]
fn northwind_expands_each_service_credential_onto_both_clusters() {
    let output = run(&["render", "-f", "plans/northwind.yaml"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let estate: Value = serde_saphyr::from_str(&output.stdout).expect("rendered YAML parses");
    let identities = estate["identities"].as_array().expect("identities");
    // 28 services and Velero.
    assert_eq!(identities.len(), 29);
    for identity in identities {
        let credentials = identity["federatedCredentials"]
            .as_array()
            .expect("credentials");
        let clusters: Vec<&str> = credentials
            .iter()
            .filter_map(|c| c["cluster"].as_str())
            .collect();
        assert_eq!(
            clusters,
            ["aks-northwind-eastus2", "aks-northwind-centralus"],
            "{identity}"
        );
        let first = credentials[0]["name"].as_str().expect("name");
        assert_eq!(
            credentials[1]["name"].as_str(),
            Some(format!("{first}-aks-northwind-centralus").as_str())
        );
    }
    let clusters = estate["clusters"].as_array().expect("clusters");
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[1]["location"], "centralus");
}

/// One case of the bad-input table: `# expect: LINE:COL | fragment` (or `- | fragment` when the
/// problem has no place in a file) and an optional `# args: ...` line (`{file}`, `{dir}`).
struct Case {
    path: PathBuf,
    location: Option<String>,
    fragment: String,
    args: Vec<String>,
}

fn bad_input_cases() -> Vec<Case> {
    let directory = repo_root().join("tests/bad-inputs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("tests/bad-inputs exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("case readable");
            let text = String::from_utf8_lossy(&bytes);
            let mut lines = text.lines();
            let expect = lines
                .next()
                .and_then(|line| line.strip_prefix("# expect: "))
                .unwrap_or_else(|| panic!("{} lacks a `# expect:` first line", path.display()));
            let (location, fragment) = expect.split_once(" | ").expect("`LOCATION | fragment`");
            let file = relative(&path);
            let dir = relative(&directory);
            let args = match lines.next().and_then(|line| line.strip_prefix("# args: ")) {
                Some(args) => args
                    .split_whitespace()
                    .map(|arg| arg.replace("{file}", &file).replace("{dir}", &dir))
                    .collect(),
                None => vec!["validate".to_string(), "-f".to_string(), file.clone()],
            };
            Case {
                location: (location != "-").then(|| format!("{file}:{location}")),
                fragment: fragment.to_string(),
                path,
                args,
            }
        })
        .collect()
}

#[test]
fn every_bad_input_fails_with_its_message_at_its_location() {
    let cases = bad_input_cases();
    assert!(cases.len() >= 40, "only {} bad-input cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let output = run(&args);
        let name = case
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if output.code != Some(1) {
            failures.push(format!(
                "{name}: exit {:?}, stderr:\n{}",
                output.code, output.stderr
            ));
            continue;
        }
        if output.stderr.contains("panicked") {
            failures.push(format!("{name}: panicked:\n{}", output.stderr));
            continue;
        }
        let matching_line = output.stderr.lines().find(|line| {
            line.starts_with("error: ")
                && line.contains(&case.fragment)
                && case
                    .location
                    .as_ref()
                    .is_none_or(|location| line.contains(&format!("{location}:")))
        });
        let hint_matches = output
            .stderr
            .lines()
            .any(|line| line.trim_start().starts_with("hint:") && line.contains(&case.fragment));
        let location_matches = case
            .location
            .as_ref()
            .is_none_or(|location| output.stderr.contains(&format!("error: {location}:")));
        if matching_line.is_none() && !(hint_matches && location_matches) {
            failures.push(format!(
                "{name}: expected `{}` at {:?}, got:\n{}",
                case.fragment, case.location, output.stderr
            ));
        }
        let problems = output
            .stderr
            .lines()
            .filter(|line| {
                line.starts_with("error: ") && !line.contains("in the estate; nothing was sent")
            })
            .count();
        let hints = output
            .stderr
            .lines()
            .filter(|line| line.starts_with("  hint: "))
            .count();
        if problems != hints {
            failures.push(format!(
                "{name}: {problems} problems but {hints} hints:\n{}",
                output.stderr
            ));
        }
        if !output.stdout.is_empty() {
            failures.push(format!(
                "{name}: printed to stdout on failure:\n{}",
                output.stdout
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let output = run(&[
        "validate",
        "-f",
        "tests/bad-inputs/overlays/base.yaml",
        "-f",
        "tests/bad-inputs/overlays/many-problems.yaml",
    ]);
    assert_eq!(output.code, Some(1), "{}", output.stderr);
    let errors = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("error: tests/"))
        .count();
    assert!(errors >= 4, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("error: 4 problems in the estate; nothing was sent to Azure"),
        "{}",
        output.stderr
    );
}

#[test]
fn later_files_change_add_and_remove_resources() {
    let output = run(&[
        "render",
        "-f",
        "tests/bad-inputs/overlays/base.yaml",
        "-f",
        "tests/bad-inputs/overlays/overlay.yaml",
    ]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let estate: Value = serde_saphyr::from_str(&output.stdout).expect("rendered YAML parses");
    assert_eq!(estate["location"], "westus2");
    let cluster = &estate["clusters"][0];
    assert_eq!(cluster["tier"], "Standard");
    let pools: Vec<&str> = cluster["pools"]
        .as_array()
        .expect("pools")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(pools, ["system", "apps"]);
    assert_eq!(cluster["pools"][0]["count"], 5);
    assert_eq!(estate["keyVaults"][0]["name"], "kv-overlay-test");
    assert!(
        estate.get("registries").is_none(),
        "registry removed: {}",
        output.stdout
    );
}

#[test]
fn a_problem_in_an_overlay_points_at_the_overlay() {
    let output = run(&[
        "validate",
        "-f",
        "tests/bad-inputs/overlays/base.yaml",
        "-f",
        "tests/bad-inputs/overlays/bad-overlay.yaml",
    ]);
    assert_eq!(output.code, Some(1), "{}", output.stderr);
    assert!(
        output.stderr.contains("error: tests/bad-inputs/overlays/bad-overlay.yaml:7:31: clusters[0].pools[0].count: count 0 is out of range for a System pool"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_missing_file_argument_is_a_usage_error() {
    // Exit 1, not clap's 2: 2 means "changes present" to `plan --detailed-exitcode` callers.
    let output = run(&["validate"]);
    assert_eq!(output.code, Some(1), "{}", output.stderr);
    assert!(output.stderr.contains("--file"), "{}", output.stderr);
}

#[test]
fn schema_is_a_draft_2020_12_json_schema_and_the_plans_satisfy_it() {
    let output = run(&["schema"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let schema: Value = serde_json::from_str(&output.stdout).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let mut problems = Vec::new();
    meta_check(&schema, &schema, "#", &mut problems);
    assert!(problems.is_empty(), "schema problems: {problems:#?}");
    for plan in shipped_plans() {
        let text = std::fs::read_to_string(&plan).expect("plan readable");
        let document: Value = serde_saphyr::from_str(&text).expect("plan parses");
        let mut problems = Vec::new();
        instance_check(&schema, &schema, &document, "$", &mut problems);
        assert!(problems.is_empty(), "{}: {problems:#?}", plan.display());
    }
    let mut problems = Vec::new();
    let wrong: Value = serde_json::json!({"apiVersion": "aksctl.dev/v1alpha1", "kind": "Estate", "metadata": {"name": "x"}, "subscription": "s", "location": "l", "clusterz": []});
    instance_check(&schema, &schema, &wrong, "$", &mut problems);
    assert_eq!(
        problems,
        vec!["$: unexpected property `clusterz`".to_string()]
    );
}

/// The keywords the schema may use, and that every `$ref` resolves.
fn meta_check(root: &Value, schema: &Value, at: &str, problems: &mut Vec<String>) {
    const KNOWN: &[&str] = &[
        "$schema",
        "$id",
        "$defs",
        "$ref",
        "title",
        "description",
        "type",
        "const",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minimum",
        "maximum",
        "oneOf",
        "allOf",
    ];
    const TYPES: &[&str] = &[
        "string", "integer", "number", "boolean", "object", "array", "null",
    ];
    let Some(map) = schema.as_object() else {
        problems.push(format!("{at}: not a schema object"));
        return;
    };
    for (key, value) in map {
        let here = format!("{at}/{key}");
        match key.as_str() {
            k if !KNOWN.contains(&k) => problems.push(format!("{here}: unexpected keyword")),
            "$ref" => {
                let target = value
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .and_then(|name| root["$defs"].get(name));
                if target.is_none() {
                    problems.push(format!("{here}: dangling {value}"));
                }
            }
            "type" => {
                let names: Vec<&Value> = match value {
                    Value::Array(names) => names.iter().collect(),
                    other => vec![other],
                };
                if !names
                    .iter()
                    .all(|name| name.as_str().is_some_and(|n| TYPES.contains(&n)))
                {
                    problems.push(format!("{here}: bad type {value}"));
                }
            }
            "$defs" | "properties" => {
                for (name, child) in value.as_object().into_iter().flatten() {
                    meta_check(root, child, &format!("{here}/{name}"), problems);
                }
            }
            "items" => meta_check(root, value, &here, problems),
            "additionalProperties" if value.is_object() => meta_check(root, value, &here, problems),
            "oneOf" | "allOf" => {
                for (index, child) in value.as_array().into_iter().flatten().enumerate() {
                    meta_check(root, child, &format!("{here}/{index}"), problems);
                }
            }
            "required" | "enum" if !value.is_array() => {
                problems.push(format!("{here}: must be an array"))
            }
            _ => {}
        }
    }
}

/// A small, independent JSON Schema validator for the keywords `meta_check` allows.
fn instance_check(
    root: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    problems: &mut Vec<String>,
) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return instance_check(root, &root["$defs"][name], value, at, problems);
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            problems.push(format!("{at}: expected {constant}"));
        }
    }
    if let Some(types) = schema.get("type") {
        let matches = |name: &str| match name {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "null" => value.is_null(),
            _ => false,
        };
        let ok = match types {
            Value::Array(names) => names.iter().filter_map(Value::as_str).any(matches),
            other => other.as_str().is_some_and(matches),
        };
        if !ok {
            problems.push(format!("{at}: expected type {types}, found {value}"));
            return;
        }
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(value) {
            problems.push(format!("{at}: {value} not in enum"));
        }
    }
    if let (Some(minimum), Some(number)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if number < minimum {
            problems.push(format!("{at}: below minimum"));
        }
    }
    if let (Some(maximum), Some(number)) = (
        schema.get("maximum").and_then(Value::as_f64),
        value.as_f64(),
    ) {
        if number > maximum {
            problems.push(format!("{at}: above maximum"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, child) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(child_schema) => {
                    instance_check(root, child_schema, child, &format!("{at}.{key}"), problems)
                }
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    problems.push(format!("{at}: unexpected property `{key}`"));
                }
                None => {
                    if let Some(additional) =
                        schema.get("additionalProperties").filter(|a| a.is_object())
                    {
                        instance_check(root, additional, child, &format!("{at}.{key}"), problems);
                    }
                }
            }
        }
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(name) {
                problems.push(format!("{at}: missing `{name}`"));
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            instance_check(root, items, item, &format!("{at}[{index}]"), problems);
        }
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        instance_check(root, part, value, at, problems);
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let passing = branches
            .iter()
            .filter(|branch| {
                let mut scratch = Vec::new();
                instance_check(root, branch, value, at, &mut scratch);
                scratch.is_empty()
            })
            .count();
        if passing != 1 {
            problems.push(format!("{at}: {passing} oneOf branches match"));
        }
    }
}

//! CLI misuse (`tests/bad-inputs/cli/*.yaml`, format in its README): every case exits 1 with the
//! expected message on an `error` line (at its location when it has one), does not panic, and
//! sends no write request to ARM (no request at all unless the case allows reads). Also counts
//! the whole bad-input corpus (invalid estates + CLI misuses) against the floor of 50.

use std::path::{Path, PathBuf};

use super::harness::{apply, run, start_mock, writes};
use crate::common;

struct Case {
    name: String,
    location: Option<String>,
    fragment: String,
    args: Vec<String>,
    reads_allowed: bool,
    /// `# setup: apply`: the estate exists before the case runs (in a mock of its own).
    setup_apply: bool,
}

fn relative(path: &Path) -> String {
    path.strip_prefix(common::repo_path(""))
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn cases() -> Vec<Case> {
    let directory = common::repo_path("tests/bad-inputs/cli");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("tests/bad-inputs/cli exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("case readable");
            let header = |key: &str| {
                text.lines()
                    .take_while(|line| line.starts_with('#'))
                    .find_map(|line| line.strip_prefix(&format!("# {key}: ")))
                    .map(str::to_owned)
            };
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let expect = header("expect").unwrap_or_else(|| panic!("{name}: no `# expect:`"));
            let (location, fragment) = expect
                .split_once(" | ")
                .unwrap_or_else(|| panic!("{name}: `# expect: LOCATION | fragment`"));
            let args = header("args").unwrap_or_else(|| panic!("{name}: no `# args:`"));
            let args = args
                .split_whitespace()
                .map(|arg| {
                    arg.replace("{file}", &relative(&path))
                        .replace("{dir}", "tests/bad-inputs/cli")
                        .replace("{bad}", "tests/bad-inputs")
                        .replace("{estate}", "plans/shared-prod.yaml")
                })
                .collect();
            Case {
                location: (location != "-").then(|| location.to_owned()),
                fragment: fragment.to_owned(),
                args,
                reads_allowed: header("reads").is_some_and(|value| value == "allowed"),
                setup_apply: header("setup").is_some_and(|value| value == "apply"),
                name,
            }
        })
        .collect()
}

#[test]
fn every_cli_misuse_exits_1_with_a_clear_error_and_writes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 25, "only {} CLI misuse cases", cases.len());
    let empty = start_mock();
    let applied = start_mock();
    let setup = apply(&applied, &common::repo_path("plans/shared-prod.yaml"));
    assert_eq!(setup.code, 0, "{}", setup.describe());
    let mut failures = Vec::new();
    for case in &cases {
        let mock = if case.setup_apply { &applied } else { &empty };
        common::clear_requests(mock);
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let outcome = run(mock, &args);
        let name = &case.name;
        if outcome.code != 1 || outcome.combined().contains("panicked") {
            failures.push(format!("{name}: {}", outcome.describe()));
            continue;
        }
        let located = outcome.stderr.lines().any(|line| {
            line.starts_with("error")
                && line.contains(&case.fragment)
                && case
                    .location
                    .as_ref()
                    .is_none_or(|location| line.starts_with(&format!("error: {location}")))
        });
        if !located {
            failures.push(format!(
                "{name}: expected an error line with `{}` at {:?}:\n{}",
                case.fragment,
                case.location,
                outcome.describe()
            ));
        }
        let written = writes(mock);
        if !written.is_empty() {
            failures.push(format!("{name}: wrote to ARM: {written:?}"));
        }
        if !case.reads_allowed {
            let requests = common::requests(mock);
            if !requests.is_empty() {
                failures.push(format!("{name}: contacted the mock: {requests:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} CLI misuse cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_bad_input_corpus_has_at_least_50_estates_and_misuses() {
    let count = |relative: &str, extension: &str| {
        std::fs::read_dir(common::repo_path(relative))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|entry| entry.path().extension().is_some_and(|ext| ext == extension))
                    .count()
            })
            .unwrap_or(0)
    };
    let estates = count("tests/bad-inputs", "yaml");
    let misuses = count("tests/bad-inputs/cli", "yaml");
    let answers = count("tests/bad-inputs/arm", "case");
    assert!(estates >= 50, "{estates} invalid estates");
    assert!(misuses >= 25, "{misuses} CLI misuses");
    assert!(answers >= 8, "{answers} malformed ARM answers");
}

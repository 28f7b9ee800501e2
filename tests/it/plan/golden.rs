//! The JSON plans of the shipped estates, pinned as golden files: from an empty world (every
//! resource created) and from the world `apply` leaves (every resource a no-op). Generated from
//! the code before the kind-descriptor refactor, so the refactor is proven not to change a plan.
//! Values ARM generates (GUIDs, timestamps, eTags) are replaced by placeholders; everything else is
//! compared byte for byte. `AKSCTL_BLESS_GOLDEN=1` rewrites the files instead of comparing.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;

/// `tests/it/plan/golden/<estate>.<phase>.json`.
fn golden_path(estate: &Path, phase: &str) -> PathBuf {
    let stem = estate
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .expect("estate file name");
    common::repo_path(&format!("tests/it/plan/golden/{stem}.{phase}.json"))
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit())
        })
}

/// Every GUID inside `text` that is not a stable one, replaced by `<guid>`.
fn replace_guids(text: &str, stable: &[String]) -> String {
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let candidate = rest.get(..36).filter(|window| is_guid(window));
        match candidate {
            Some(guid) if !stable.iter().any(|kept| kept.eq_ignore_ascii_case(guid)) => {
                result.push_str("<guid>");
                rest = &rest[36..];
            }
            Some(guid) => {
                result.push_str(guid);
                rest = &rest[36..];
            }
            None => {
                let next = rest.chars().next().map_or(1, char::len_utf8);
                result.push_str(&rest[..next]);
                rest = &rest[next..];
            }
        }
    }
    result
}

fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 19
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[0..4].iter().all(u8::is_ascii_digit)
}

/// Keys whose values the mock generates per run (random host names, unique ids, eTags).
const VOLATILE_KEYS: &[&str] = &[
    "etag",
    "eTag",
    "fingerprint",
    "fqdn",
    "privateFQDN",
    "azurePortalFQDN",
    "resourceUID",
];

/// Replaces the values the mock generates per run; GUIDs the estate itself declares (the
/// subscription, the tenant, role definitions) are stable and kept.
fn normalise(value: &mut Value, stable: &[String]) {
    match value {
        Value::String(text) => {
            if is_timestamp(text) {
                *text = "<timestamp>".to_owned();
            } else {
                *text = replace_guids(text, stable);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| normalise(item, stable)),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if VOLATILE_KEYS.contains(&key.as_str()) {
                    if let Value::String(text) = item {
                        if text != "absent" {
                            *text = "<volatile>".to_owned();
                        }
                    }
                    continue;
                }
                normalise(item, stable);
            }
        }
        _ => {}
    }
}

fn plan_json(mock: &mock_arm::MockArm, estate: &Path) -> Value {
    let output = common::aksctl(mock)
        .arg("plan")
        .arg("-f")
        .arg(estate)
        .args(["--output", "json"])
        .output()
        .expect("aksctl runs");
    assert!(
        output.status.success(),
        "{}: plan failed: {}",
        estate.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{}: plan JSON: {error}", estate.display()))
}

fn check(estate: &Path, phase: &str, mut plan: Value) {
    let stable: Vec<String> = vec![common::SUBSCRIPTION.to_owned(), common::tenant()];
    normalise(&mut plan, &stable);
    let text = serde_json::to_string_pretty(&plan).expect("plan serialises") + "\n";
    let path = golden_path(estate, phase);
    if std::env::var_os("AKSCTL_BLESS_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("golden dir");
        std::fs::write(&path, &text).expect("golden written");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    if expected != text {
        let first = expected
            .lines()
            .zip(text.lines())
            .position(|(left, right)| left != right)
            .unwrap_or(expected.lines().count().min(text.lines().count()));
        panic!(
            "{} differs from {} at line {}:\n  golden: {}\n  now:    {}",
            estate.display(),
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            text.lines().nth(first).unwrap_or("<end>")
        );
    }
}

#[test]
fn shipped_estates_plan_exactly_as_the_golden_files_from_empty_and_after_apply() {
    for estate in super::plan_files() {
        let mock = common::start_mock();
        check(&estate, "empty", plan_json(&mock, &estate));
        let applied = common::aksctl(&mock)
            .arg("apply")
            .arg("-f")
            .arg(&estate)
            .args(["--auto-approve", "--no-progress"])
            .output()
            .expect("aksctl runs");
        assert!(
            applied.status.success(),
            "{}: apply failed: {}",
            estate.display(),
            String::from_utf8_lossy(&applied.stderr)
        );
        check(&estate, "applied", plan_json(&mock, &estate));
    }
}

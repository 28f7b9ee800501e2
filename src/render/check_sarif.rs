//! `aksctl check -o sarif`: the report as SARIF 2.1.0 for GitHub code scanning: one run whose
//! driver lists every rule (id, title, rationale, fix, default level, area tag), and one result
//! per finding with its physical location (estate file, line, column) and its plan address as a
//! logical location.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::check::{all_rules, Finding, Report};
use crate::render::check_rules::{pretty, sarif_level};

/// Where the SARIF 2.1.0 schema is published.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as a SARIF 2.1.0 log.
pub fn render(report: &Report) -> String {
    pretty(&sarif(report))
}

/// The SARIF log as JSON.
pub fn sarif(report: &Report) -> Value {
    let rules = all_rules();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.title,
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.rationale},
                "help": {
                    "text": format!("{} Fix: {}", rule.rationale, rule.fix),
                    "markdown": format!("{}\n\n**Fix:** {}", rule.rationale, rule.fix),
                },
                "defaultConfiguration": {"level": sarif_level(rule.severity)},
                "properties": {"tags": [rule.area.title()], "relaxedInDev": rule.relaxed_in_dev},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let index = rules.iter().position(|rule| rule.id == finding.rule);
            result(finding, index)
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "aksctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "properties": {"profile": report.profile, "ignored": report.ignored},
            "results": results,
        }],
    })
}

fn result(finding: &Finding, rule_index: Option<usize>) -> Value {
    let mut location = json!({
        "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
    });
    if let (Some(at), Some(object)) = (&finding.location, location.as_object_mut()) {
        object.insert(
            "physicalLocation".into(),
            json!({
                "artifactLocation": {"uri": artifact_uri(&at.file)},
                "region": {"startLine": at.line, "startColumn": at.column},
            }),
        );
    }
    let mut value = json!({
        "ruleId": finding.rule,
        "level": sarif_level(finding.severity),
        "message": {"text": format!("{} ({})", finding.message, finding.resource)},
        "locations": [location],
        "partialFingerprints": {"aksctlFinding/v1": fingerprint(finding)},
    });
    if let (Some(index), Some(object)) = (rule_index, value.as_object_mut()) {
        object.insert("ruleIndex".into(), json!(index));
    }
    value
}

/// A path as a SARIF URI reference: relative paths stay relative to the repository (what
/// code scanning expects), with `/` separators and no leading `./`.
fn artifact_uri(file: &str) -> String {
    let forward = file.replace('\\', "/");
    let relative = forward.trim_start_matches("./");
    if relative.starts_with('/') {
        format!("file://{relative}")
    } else {
        relative.to_string()
    }
}

/// Stable across line moves: rule and resource, not position.
fn fingerprint(finding: &Finding) -> String {
    let digest = Sha256::digest(format!("{}\n{}", finding.rule, finding.resource).as_bytes());
    digest
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

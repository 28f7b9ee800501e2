//! `aksctl check -o json`: the report as JSON (each finding with its rule's metadata).

use serde_json::json;

use crate::check::rules::rule;
use crate::check::{Report, Severity};
use crate::render::check_rules::pretty;

/// The report as pretty JSON.
pub fn render(report: &Report) -> String {
    let findings: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|finding| {
            let mut value = serde_json::to_value(finding).unwrap_or_default();
            if let (Some(object), Some(rule)) = (value.as_object_mut(), rule(finding.rule)) {
                object.insert("title".into(), json!(rule.title));
                object.insert("rationale".into(), json!(rule.rationale));
                object.insert("fix".into(), json!(rule.fix));
            }
            value
        })
        .collect();
    pretty(&json!({
        "profile": report.profile,
        "rulesEvaluated": report.rules_evaluated,
        "ignored": report.ignored,
        "summary": {
            "error": report.count_of(Severity::Error),
            "warning": report.count_of(Severity::Warning),
            "info": report.count_of(Severity::Info),
        },
        "findings": findings,
    }))
}

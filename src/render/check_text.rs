//! `aksctl check` findings for people: text for the terminal (rule, severity, address,
//! `file:line:col`, what, why, fix) and markdown for a pull-request comment.

use crate::check::rules::rule;
use crate::check::{Finding, Report, Severity};

fn location(finding: &Finding) -> String {
    finding.location.as_ref().map_or_else(
        || "-".to_string(),
        |location| format!("{}:{}:{}", location.file, location.line, location.column),
    )
}

/// `3 findings: 1 error, 1 warning, 1 info (production profile, 48 rules, 2 ignored)`.
pub fn summary(report: &Report) -> String {
    format!(
        "{} finding(s): {} error(s), {} warning(s), {} info ({} profile, {} rules, {} ignored)",
        report.findings.len(),
        report.count_of(Severity::Error),
        report.count_of(Severity::Warning),
        report.count_of(Severity::Info),
        report.profile,
        report.rules_evaluated,
        report.ignored
    )
}

/// The findings as text.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&format!(
            "{}[{}] {} at {}\n  {}\n",
            finding.severity,
            finding.rule,
            finding.resource,
            location(finding),
            finding.message
        ));
        if let Some(rule) = rule(finding.rule) {
            out.push_str(&format!("  why: {}\n  fix: {}\n", rule.rationale, rule.fix));
        }
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// The findings as a markdown table.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("**aksctl check**: {}\n\n", summary(report));
    if report.findings.is_empty() {
        return out;
    }
    out.push_str(
        "| Severity | Rule | Resource | Where | Finding | Fix |\n|---|---|---|---|---|---|\n",
    );
    for finding in &report.findings {
        let fix = rule(finding.rule).map_or("", |rule| rule.fix);
        out.push_str(&format!(
            "| {} | {} | `{}` | `{}` | {} | {} |\n",
            finding.severity,
            finding.rule,
            finding.resource,
            location(finding),
            finding.message.replace('|', "\\|"),
            fix.replace('|', "\\|")
        ));
    }
    out
}

/// Prints rendered findings on stdout.
pub fn print(rendered: &str) {
    print!("{rendered}");
}

/// `plan --check-fail-on`: why the plan stops.
pub fn print_blocked(report: &Report, level: Severity) {
    eprintln!(
        "error: aksctl check found {} finding(s) at or above `{level}`; nothing was planned or saved.",
        report.count_at_least(level)
    );
    eprint!("{}", text(report));
}

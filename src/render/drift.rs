//! Prints `aksctl drift`: text for a terminal or log, JSON for tools, markdown for
//! `$GITHUB_STEP_SUMMARY`; grouped by where each difference comes from (Azure changed, the estate
//! changed, both, already pending) when a previous plan was given.

use crate::outputs::drift::{DriftItem, DriftOrigin, DriftReport};
use crate::render::outputs::json_text;

/// Groups in display order.
const ORIGINS: [DriftOrigin; 5] = [
    DriftOrigin::AzureChanged,
    DriftOrigin::EstateChanged,
    DriftOrigin::Both,
    DriftOrigin::AlreadyPending,
    DriftOrigin::Unknown,
];

fn heading(origin: DriftOrigin) -> &'static str {
    match origin {
        DriftOrigin::AzureChanged => "Azure changed (someone changed ARM since the previous plan)",
        DriftOrigin::EstateChanged => {
            "The estate changed (the files differ from the previous plan)"
        }
        DriftOrigin::Both => "Both Azure and the estate changed",
        DriftOrigin::AlreadyPending => "Already pending (in the previous plan, still not applied)",
        DriftOrigin::Unknown => "ARM differs from the estate",
    }
}

fn verdict(report: &DriftReport) -> String {
    if report.in_sync() {
        return "In sync: ARM matches the estate.".to_owned();
    }
    let mut counts = Vec::new();
    for origin in ORIGINS {
        let count = report.of_origin(origin).len();
        if count > 0 && report.compared_with_previous_plan {
            counts.push(format!("{count} {}", origin.describe()));
        }
    }
    let total = report.items.len();
    let noun = if total == 1 { "resource" } else { "resources" };
    if counts.is_empty() {
        format!("Drift: {total} {noun} differ from the estate.")
    } else {
        format!(
            "Drift: {total} {noun} differ from the estate ({}).",
            counts.join(", ")
        )
    }
}

fn item_line(item: &DriftItem) -> String {
    format!(
        "{} {} ({})",
        item.action.symbol(),
        item.address,
        item.reasons.join("; ")
    )
}

/// The report as text.
pub fn render_text(report: &DriftReport) -> String {
    let mut out = format!(
        "aksctl drift for estate {} (subscription {})\n",
        report.estate, report.subscription
    );
    for origin in ORIGINS {
        let items = report.of_origin(origin);
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{}:\n", heading(origin)));
        for item in items {
            out.push_str(&format!("  {}\n", item_line(item)));
        }
    }
    if !report.changed_in_sync.is_empty() {
        out.push_str(&format!(
            "\nChanged in Azure since the previous plan but matching the estate: {}\n",
            report.changed_in_sync.len()
        ));
    }
    out.push_str(&format!("\n{}\n", verdict(report)));
    out
}

/// The report as GitHub-flavoured markdown.
pub fn render_markdown(report: &DriftReport) -> String {
    let mut out = format!(
        "### aksctl drift: `{}`\n\n**{}**\n",
        report.estate,
        verdict(report)
    );
    for origin in ORIGINS {
        let items = report.of_origin(origin);
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n#### {}\n\n| Action | Resource | Why |\n|---|---|---|\n",
            heading(origin)
        ));
        for item in items {
            out.push_str(&format!(
                "| `{}` | `{}` | {} |\n",
                item.action.symbol(),
                item.address.replace('|', "\\|"),
                item.reasons
                    .iter()
                    .map(|reason| reason.replace('|', "\\|").replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join("<br>")
            ));
        }
    }
    out
}

pub fn print_text(report: &DriftReport) {
    print!("{}", render_text(report));
}

pub fn print_json(report: &DriftReport) {
    print!("{}", json_text(report));
}

pub fn print_markdown(report: &DriftReport) {
    print!("{}", render_markdown(report));
}

//! The end-of-run report of apply/destroy (done, failed with ARM code/message/request id,
//! skipped because a dependency failed, interrupted with operation URLs; elapsed time, ARM
//! request count), and the messages apply prints before touching anything: blocked destructive
//! changes, stale saved plans, notices, the confirmation prompt.

use std::io::{BufRead, Write};

use crate::apply::events::{ExecutionReport, StepOperation, StepOutcome};
use crate::apply::gates::{BlockedChange, StaleResource};
use crate::render::progress::format_elapsed;

fn symbol(operation: StepOperation) -> &'static str {
    match operation {
        StepOperation::Create => "+",
        StepOperation::Update => "~",
        StepOperation::Delete => "-",
    }
}

/// The report as text (what `print_report` writes).
pub fn report_text(report: &ExecutionReport, command: &str) -> String {
    let mut out = String::new();
    let (done, failed, skipped) = (report.done(), report.failed(), report.skipped());
    let interrupted = report
        .steps
        .iter()
        .filter(|r| matches!(r.outcome, StepOutcome::Interrupted { .. }))
        .count();
    let verdict = if report.succeeded() {
        "complete"
    } else if report.interrupted {
        "interrupted"
    } else {
        "failed"
    };
    out.push_str(&format!(
        "\n{command} {verdict}: {done} done, {failed} failed, {skipped} skipped{} in {} ({} ARM requests)\n",
        if interrupted > 0 {
            format!(", {interrupted} interrupted")
        } else {
            String::new()
        },
        format_elapsed(report.elapsed),
        report.arm_requests
    ));
    let done_lines: Vec<String> = report
        .steps
        .iter()
        .filter_map(|result| match &result.outcome {
            StepOutcome::Done { note, elapsed } => Some(format!(
                "  {} {} ({}{})",
                symbol(result.step.operation),
                result.step.address,
                format_elapsed(*elapsed),
                note.as_ref().map(|n| format!(", {n}")).unwrap_or_default()
            )),
            _ => None,
        })
        .collect();
    if !done_lines.is_empty() {
        out.push_str("\nDone:\n");
        out.push_str(&done_lines.join("\n"));
        out.push('\n');
    }
    let mut failed_lines = Vec::new();
    for result in &report.steps {
        if let StepOutcome::Failed { failure, elapsed } = &result.outcome {
            failed_lines.push(format!(
                "  {} {} {} (after {})\n    code:       {}{}\n    message:    {}\n    request id: {}",
                symbol(result.step.operation),
                result.step.operation.verb(),
                result.step.address,
                format_elapsed(*elapsed),
                failure.code,
                failure.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
                failure.message,
                failure.request_id.as_deref().unwrap_or("-")
            ));
        }
    }
    if !failed_lines.is_empty() {
        out.push_str("\nFailed:\n");
        out.push_str(&failed_lines.join("\n"));
        out.push('\n');
    }
    let skipped_lines: Vec<String> = report
        .steps
        .iter()
        .filter_map(|result| match &result.outcome {
            StepOutcome::Skipped { because } => Some(format!(
                "  {} {} {}: {because}",
                symbol(result.step.operation),
                result.step.operation.verb(),
                result.step.address
            )),
            _ => None,
        })
        .collect();
    if !skipped_lines.is_empty() {
        out.push_str("\nSkipped:\n");
        out.push_str(&skipped_lines.join("\n"));
        out.push('\n');
    }
    let interrupted_lines: Vec<String> = report
        .steps
        .iter()
        .filter_map(|result| match &result.outcome {
            StepOutcome::Interrupted { operation_url } => Some(format!(
                "  {} {}: {}",
                result.step.operation.verb(),
                result.step.address,
                operation_url
                    .as_deref()
                    .map(|url| format!("may still be running in Azure, operation {url}"))
                    .unwrap_or_else(|| format!(
                        "may still be running in Azure ({})",
                        result.step.id
                    ))
            )),
            _ => None,
        })
        .collect();
    if !interrupted_lines.is_empty() {
        out.push_str("\nIn flight when interrupted:\n");
        out.push_str(&interrupted_lines.join("\n"));
        out.push('\n');
    }
    if !report.succeeded() {
        out.push_str(&format!(
            "\nNothing is recorded locally: fix the cause and run `aksctl {}` again; it re-reads Azure and continues from there.\n",
            if command == "destroy" { "destroy" } else { "plan` / `aksctl apply" }
        ));
    }
    out
}

/// Prints the report on stdout.
pub fn print_report(report: &ExecutionReport, command: &str) {
    print!("{}", report_text(report, command));
    let _ = std::io::stdout().flush();
}

/// Destructive changes refused for lack of a flag; nothing was written.
pub fn print_blocked(blocked: &[BlockedChange]) {
    eprintln!(
        "error: the plan has destructive changes that were not allowed; nothing was changed."
    );
    for change in blocked {
        eprintln!(
            "  {} {} needs {}: {}",
            change.action.symbol(),
            change.address,
            change.flag,
            change.why
        );
    }
    let mut flags: Vec<&str> = blocked.iter().map(|b| b.flag).collect();
    flags.sort_unstable();
    flags.dedup();
    eprintln!(
        "Review the plan, then re-run with {} to allow them.",
        flags.join(" and ")
    );
}

/// A saved plan whose resources changed in ARM since it was made.
pub fn print_stale(stale: &[StaleResource]) {
    eprintln!(
        "error: the saved plan is stale: {} resource(s) changed in Azure since it was made; nothing was changed.",
        stale.len()
    );
    for resource in stale {
        eprintln!(
            "  {} (planned {}, now {})",
            resource.id, resource.planned, resource.now
        );
    }
    eprintln!("Run `aksctl plan --out PLANFILE` again and review the new plan.");
}

/// A one-line note on stderr.
pub fn print_note(message: &str) {
    eprintln!("note: {message}");
}

/// A line on stdout (e.g. "No changes.").
pub fn print_line(message: &str) {
    println!("{message}");
}

/// Asks `question` on stderr and reads the answer from stdin; only `yes` confirms.
pub fn confirm(question: &str) -> bool {
    eprint!("{question} Only 'yes' will be accepted: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    match std::io::stdin().lock().read_line(&mut answer) {
        Ok(_) => answer.trim() == "yes",
        Err(_) => false,
    }
}

/// Asks `question` and accepts only `expected` typed exactly (destroy without `--allow-delete`).
pub fn confirm_by_name(question: &str, expected: &str) -> bool {
    eprint!("{question} ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    match std::io::stdin().lock().read_line(&mut answer) {
        Ok(_) => answer.trim() == expected,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::events::{ArmFailureReport, StepLabel, StepResult};
    use crate::id::ResourceId;
    use crate::kind::Kind;
    use std::time::Duration;

    fn label(index: usize, address: &str, operation: StepOperation) -> StepLabel {
        StepLabel {
            index,
            address: address.into(),
            kind: Kind::ManagedCluster,
            id: ResourceId::new(format!("/x/{address}")),
            operation,
        }
    }

    #[test]
    fn failed_report_names_code_message_request_id_and_skips() {
        let report = ExecutionReport {
            steps: vec![
                StepResult {
                    step: label(0, "cluster/aks", StepOperation::Create),
                    outcome: StepOutcome::Failed {
                        failure: ArmFailureReport {
                            status: Some(400),
                            code: "QuotaExceeded".into(),
                            message: "not enough cores".into(),
                            request_id: Some("req-9".into()),
                        },
                        elapsed: Duration::from_secs(3),
                    },
                },
                StepResult {
                    step: label(1, "pool/aks/user", StepOperation::Create),
                    outcome: StepOutcome::Skipped {
                        because: "create of cluster/aks failed".into(),
                    },
                },
                StepResult {
                    step: label(2, "registry/acr", StepOperation::Create),
                    outcome: StepOutcome::Done {
                        note: None,
                        elapsed: Duration::from_millis(1500),
                    },
                },
            ],
            elapsed: Duration::from_secs(65),
            arm_requests: 42,
            interrupted: false,
        };
        let text = report_text(&report, "apply");
        assert!(
            text.contains("apply failed: 1 done, 1 failed, 1 skipped in 1m05s (42 ARM requests)")
        );
        assert!(text.contains("QuotaExceeded (HTTP 400)"));
        assert!(text.contains("request id: req-9"));
        assert!(text.contains("pool/aks/user: create of cluster/aks failed"));
        assert!(text.contains("+ registry/acr (1.5s)"));
    }
}

//! `aksctl drift -f FILE... [--since PLANFILE]`: the read-only scheduled check. Plans, and
//! reports every difference between ARM and the estate; with a previous plan, separates what
//! changed in Azure from what changed in the estate (`outputs::drift`). Exit 0 in sync, 2 drift,
//! 1 error. `--out` saves this check's plan as the next baseline. Never writes to ARM.

use std::path::Path;

use crate::cli::{DriftArgs, OutputFormat};
use crate::commands::plan::{append_step_summary, prepare, save};
use crate::commands::{CommandError, ExitStatus};
use crate::outputs::drift::classify;
use crate::plan::{Plan, FORMAT_VERSION};
use crate::render::drift as render_drift;

/// Runs `aksctl drift`.
pub async fn run(args: &DriftArgs) -> Result<ExitStatus, CommandError> {
    let previous = match &args.since {
        Some(path) => Some(read_previous(path).map_err(CommandError::Invalid)?),
        None => None,
    };
    let prepared = prepare(
        &args.files.files,
        &args.arm,
        &[],
        crate::live::MAX_PARALLEL_READS,
    )
    .await?;
    let plan = &prepared.plan;
    if let Some(previous) = previous
        .as_ref()
        .filter(|previous| previous.estate != plan.estate)
    {
        return Err(CommandError::Usage(format!(
            "--since is a plan of estate {}, these files declare estate {}",
            previous.estate, plan.estate
        )));
    }
    if let Some(path) = &args.out {
        save(plan, path)?;
    }
    let report = classify(plan, previous.as_ref());
    match args.output {
        OutputFormat::Text => render_drift::print_text(&report),
        OutputFormat::Json => render_drift::print_json(&report),
        OutputFormat::Markdown => {
            render_drift::print_markdown(&report);
            append_step_summary(&render_drift::render_markdown(&report))?;
        }
    }
    if report.in_sync() {
        Ok(ExitStatus::Success)
    } else {
        Ok(ExitStatus::Changes)
    }
}

/// Reads the baseline plan; a plan of another estate or format is refused.
fn read_previous(path: &Path) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read --since {}: {error}", path.display()))?;
    let plan: Plan = serde_json::from_str(&text).map_err(|error| {
        format!(
            "--since {} is not a plan saved by `aksctl plan --out` or `aksctl drift --out`: {error}",
            path.display()
        )
    })?;
    if plan.format_version != FORMAT_VERSION {
        return Err(format!(
            "--since {} has plan format version {}, this aksctl reads version {FORMAT_VERSION}",
            path.display(),
            plan.format_version
        ));
    }
    Ok(plan)
}

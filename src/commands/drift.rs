//! `aksctl drift -f FILE... [--since PLANFILE]`: the read-only scheduled check. Plans, and
//! reports every difference between ARM and the estate; with a previous plan, separates what
//! changed in Azure from what changed in the estate (`outputs::drift`). Exit 0 in sync, 2 drift,
//! 1 error. `--out` saves this check's plan as the next baseline. Never writes to ARM.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{DriftArgs, OutputFormat};
use crate::commands::outputs::{block_on, fail};
use crate::commands::plan::{prepare, save};
use crate::commands::{logging, ExitStatus};
use crate::outputs::drift::{classify, DriftReport};
use crate::plan::{Plan, FORMAT_VERSION};
use crate::render::drift as render_drift;

/// The environment variable GitHub Actions points at the job summary file.
const STEP_SUMMARY_VARIABLE: &str = "GITHUB_STEP_SUMMARY";

/// Runs `aksctl drift`.
pub fn run(args: &DriftArgs, verbose: u8) -> ExitStatus {
    logging::init(verbose);
    let previous = match &args.since {
        Some(path) => match read_previous(path) {
            Ok(plan) => Some(plan),
            Err(message) => {
                render_drift::print_error(&message);
                return ExitStatus::Failure;
            }
        },
        None => None,
    };
    let prepared = match block_on(prepare(&args.files.files, &args.arm, &[])) {
        Ok(prepared) => prepared,
        Err(failure) => return fail(&failure),
    };
    let plan = &prepared.plan;
    if let Some(previous) = previous
        .as_ref()
        .filter(|previous| previous.estate != plan.estate)
    {
        render_drift::print_error(&format!(
            "--since is a plan of estate {}, these files declare estate {}",
            previous.estate, plan.estate
        ));
        return ExitStatus::Failure;
    }
    if let Some(path) = &args.out {
        if let Err(failure) = save(plan, path) {
            return fail(&failure);
        }
    }
    let report = classify(plan, previous.as_ref());
    match args.output {
        OutputFormat::Text => render_drift::print_text(&report),
        OutputFormat::Json => render_drift::print_json(&report),
        OutputFormat::Markdown => {
            render_drift::print_markdown(&report);
            if let Err(message) = append_step_summary(&report) {
                render_drift::print_error(&message);
                return ExitStatus::Failure;
            }
        }
    }
    if report.in_sync() {
        ExitStatus::Success
    } else {
        ExitStatus::Changes
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

/// Appends the markdown report to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it.
fn append_step_summary(report: &DriftReport) -> Result<(), String> {
    let Some(path) = std::env::var_os(STEP_SUMMARY_VARIABLE).filter(|value| !value.is_empty())
    else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(render_drift::render_markdown(report).as_bytes()))
        .map_err(|error| format!("cannot append to {}: {error}", path.display()))
}

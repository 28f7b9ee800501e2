//! `aksctl plan -f FILE...`: load and lower the estate, read live ARM state (one list per
//! collection), build the plan, render it (text, JSON or markdown), optionally save it for
//! `aksctl apply PLANFILE`. Exit 0 (no changes, or success), 1 (error), 2 (changes, with
//! `--detailed-exitcode`). Needs only read permission.
//!
//! `prepare` is the shared pipeline (estate -> desired -> live -> plan) that apply, destroy and
//! drift reuse.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::arm::ArmClient;
use crate::check;
use crate::cli::{ArmArgs, OutputFormat, PlanArgs};
use crate::commands::estate::{load_and_connect, Connected};
use crate::commands::{CommandError, ExitStatus};
use crate::desired::{self, DesiredState};
use crate::live::{self, LiveError, LiveState};
use crate::plan::Plan;
use crate::planner::{self, PlanOptions};
use crate::render::{check_text, plan_json, plan_markdown, plan_text};
use crate::sandbox::Connection;

/// The environment variable GitHub Actions points at the job summary file.
pub(crate) const STEP_SUMMARY_VARIABLE: &str = "GITHUB_STEP_SUMMARY";

/// Everything a plan was built from, for commands that go on to apply it.
pub(crate) struct Prepared {
    pub plan: Plan,
    /// `aksctl check` of the estate (offline): `plan` shows it as notices.
    pub check_report: check::Report,
    pub desired: DesiredState,
    /// The ARM client (and, with `--sandbox`, the server behind it: keep it alive).
    pub connection: Connection,
}

/// Loads, lowers, reads live state and plans.
pub(crate) async fn prepare(
    files: &[PathBuf],
    arm: &ArmArgs,
    targets: &[String],
    max_concurrency: usize,
) -> Result<Prepared, CommandError> {
    prepare_stage(files, arm, targets, None, max_concurrency).await
}

/// `prepare`, targeted at one stage of the estate's `rollout:` when `stage` names one (its
/// clusters, with what they contain and depend on). The stages come from the estate, so live
/// state is read once either way.
pub(crate) async fn prepare_stage(
    files: &[PathBuf],
    arm: &ArmArgs,
    targets: &[String],
    stage: Option<&str>,
    max_concurrency: usize,
) -> Result<Prepared, CommandError> {
    let Connected {
        loaded,
        desired,
        connection,
    } = load_and_connect(files, arm, max_concurrency).await?;
    let stages = planner::rollout::stages(loaded.estate.rollout.as_ref(), &desired)?;
    let targets = match stage {
        Some(stage) => planner::rollout::stage_targets(&stages, stage)?,
        None => targets.to_vec(),
    };
    let live = read_live(&connection.client, &desired).await?;
    let mut plan = planner::build(&desired, &live, &PlanOptions { targets })?;
    plan.stages = stages;
    plan.notices
        .extend(desired::unlowered_fields(&loaded.estate));
    review_data_services(&connection.client, &mut plan, &live, &loaded).await?;
    Ok(Prepared {
        check_report: check::check(&loaded, &check::CheckOptions::default()),
        plan,
        desired,
        connection,
    })
}

/// Plan-time refusals (`planner::refusals`, the version skew of `planner::skew`) and the
/// global-name checks of creates (`planner::names`): both fail the plan before anything is
/// written.
async fn review_data_services(
    client: &ArmClient,
    plan: &mut Plan,
    live: &LiveState,
    loaded: &crate::spec::LoadedEstate,
) -> Result<(), CommandError> {
    let locator = check::locate::Locator::new(&loaded.sources);
    let mut refusals = planner::refusals::review(
        plan,
        live,
        &loaded.estate,
        &locator,
        time::OffsetDateTime::now_utc(),
    );
    refusals.extend(planner::skew::review(plan, &locator));
    if !refusals.is_empty() {
        return Err(planner::PlanError::RefusedByArm { refusals }.into());
    }
    let names = planner::names::check(client, plan, &locator).await;
    plan.notices.extend(names.notices);
    if !names.taken.is_empty() {
        return Err(planner::PlanError::GlobalNamesTaken {
            subscription: plan.subscription.clone(),
            taken: names.taken,
        }
        .into());
    }
    Ok(())
}

async fn read_live(client: &ArmClient, desired: &DesiredState) -> Result<LiveState, LiveError> {
    let before = client.request_count();
    let live = live::read(client, desired, &desired.estate).await?;
    let requests = client.request_count().saturating_sub(before);
    tracing::info!(
        requests,
        resources = desired.resources.len(),
        collections = live.collections_read(),
        "read live state"
    );
    Ok(live)
}

/// Runs `aksctl plan`.
pub async fn run(args: &PlanArgs) -> Result<ExitStatus, CommandError> {
    let mut prepared = prepare(
        &args.files.files,
        &args.arm,
        &args.target,
        crate::live::MAX_PARALLEL_READS,
    )
    .await?;
    if let Some(level) = args.check_fail_on {
        if prepared.check_report.fails(level) {
            check_text::print_blocked(&prepared.check_report, level);
            return Ok(ExitStatus::Failure);
        }
    }
    let check_notices = check::plan_notices(&prepared.check_report);
    prepared.plan.notices.extend(check_notices);
    let plan = &prepared.plan;
    if let Some(path) = &args.out {
        save(plan, path)?;
    }
    match args.output {
        OutputFormat::Text => plan_text::print(plan),
        OutputFormat::Json => plan_json::print(plan),
        OutputFormat::Markdown => {
            plan_markdown::print(plan);
            append_step_summary(&plan_markdown::render(plan))?;
        }
    }
    if let Some(path) = &args.out {
        if args.output == OutputFormat::Text {
            plan_text::print_note(&format!(
                "Saved the plan to {}: apply exactly this with `aksctl apply {}`.",
                path.display(),
                path.display()
            ));
        }
    }
    if args.detailed_exitcode && plan.has_changes() {
        Ok(ExitStatus::Changes)
    } else {
        Ok(ExitStatus::Success)
    }
}

/// Writes the plan as JSON next to `path` and renames it into place, so a reader never sees a
/// half-written plan.
pub(crate) fn save(plan: &Plan, path: &Path) -> Result<(), CommandError> {
    let failure = |source| CommandError::Write {
        path: path.to_path_buf(),
        source,
    };
    let json = serde_json::to_string_pretty(plan)
        .map_err(|error| failure(std::io::Error::other(error)))?;
    write_atomically(path, &format!("{json}\n")).map_err(failure)
}

/// Writes next to `path` and renames into place, so a reader never sees half a file.
pub(crate) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "aksctl-output".to_owned());
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(())
}

/// Appends markdown to `$GITHUB_STEP_SUMMARY` when GitHub Actions (or a pipeline imitating it)
/// sets it.
pub(crate) fn append_step_summary(markdown: &str) -> Result<(), CommandError> {
    let Some(path) = std::env::var_os(STEP_SUMMARY_VARIABLE).filter(|value| !value.is_empty())
    else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(markdown.as_bytes()))
        .map_err(|source| CommandError::Write { path, source })
}

//! `aksctl apply`: converge ARM to the estate (`-f FILE...`: plan, show, confirm) or to a saved
//! plan (`PLANFILE`: refused when ARM changed since), within the destructive-change gates; then
//! execute with progress and Ctrl-C handling, and print the report.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::watch;

use crate::apply::gates::{blocked_changes, stale_resources};
use crate::apply::{execute, ExecutionGraph, ExecutorOptions};
use crate::cli::{ApplyArgs, ArmArgs, ExecutionArgs};
use crate::commands::estate::describe_sandbox;
use crate::commands::plan::prepare_stage;
use crate::commands::{CommandError, ExitStatus};
use crate::id::ResourceId;
use crate::plan::{Plan, FORMAT_VERSION};
use crate::render::plan_redact::REDACTED;
use crate::render::progress::ApplyProgress;
use crate::render::{plan_text, report};
use crate::sandbox::{self, Connection};

/// Runs `aksctl apply`.
pub async fn run(args: &ApplyArgs) -> Result<ExitStatus, CommandError> {
    let (plan, connection) = match &args.plan_file {
        Some(path) => saved_plan(path, args).await?,
        None if args.files.is_empty() => {
            return Err(CommandError::Usage(
                "give the estate with `-f FILE` (plan, confirm, apply) or a saved plan: `aksctl apply PLANFILE`".to_owned(),
            ))
        }
        None => {
            // With `--stage`, targeted at the stage's clusters (from the estate; one live read).
            let prepared = prepare_stage(
                &args.files,
                &args.arm,
                &args.target,
                args.stage.as_deref(),
                max_concurrency(&args.execution),
            )
            .await?;
            plan_text::print(&prepared.plan);
            (prepared.plan, prepared.connection)
        }
    };
    if !plan.has_changes() {
        if args.plan_file.is_some() {
            report::print_line("No changes. ARM matches the estate.");
        }
        return Ok(ExitStatus::Success);
    }
    let blocked = blocked_changes(
        &plan,
        args.execution.allow_delete,
        args.execution.allow_replace,
    );
    if !blocked.is_empty() {
        return Err(CommandError::Blocked(blocked));
    }
    // A saved plan was reviewed when it was made (as with Terraform); a fresh one is confirmed.
    if args.plan_file.is_none() && !args.execution.auto_approve {
        if !std::io::stdin().is_terminal() {
            return Err(CommandError::Refused(
                "stdin is not a terminal, so apply cannot ask for confirmation: review the plan and pass --auto-approve (or save it with `aksctl plan --out PLANFILE` and run `aksctl apply PLANFILE`); nothing was changed".to_owned(),
            ));
        }
        if !report::confirm("Apply these changes to Azure?") {
            report::print_line("Apply cancelled; nothing was changed.");
            return Ok(ExitStatus::Failure);
        }
    }
    let mut plan = plan;
    let lease = take_lease(&connection, &mut plan, &args.execution).await?;
    let status = run_plan(&connection, plan, &args.execution, "apply").await;
    release_lease(lease).await;
    Ok(status)
}

/// Releases the apply lease an apply or a destroy took; a lease that cannot be released is a
/// note, not a failure (it expires on its own).
pub(crate) async fn release_lease(lease: Option<crate::apply::lease::Lease>) {
    let Some(lease) = lease else { return };
    let group = lease.group().to_string();
    if let Err(error) = lease.release().await {
        report::print_note(&format!(
            "could not release the apply lease on {group} ({error}); it expires on its own"
        ));
    }
}

/// Takes the estate's apply lease (`apply::lease`). When another run held it and this one
/// waited, the plan is re-checked like a saved plan: if the other run changed what it
/// observed, nothing is written and apply asks for a fresh plan.
async fn take_lease(
    connection: &Connection,
    plan: &mut Plan,
    execution: &ExecutionArgs,
) -> Result<Option<crate::apply::lease::Lease>, CommandError> {
    use crate::apply::lease::{acquire, this_holder, LeaseOptions};
    let options = LeaseOptions {
        wait: std::time::Duration::from_secs(execution.lease_wait),
        ..LeaseOptions::default()
    };
    let Some(lease) = acquire(&connection.client, plan, &this_holder(), options).await? else {
        return Ok(None);
    };
    let Some(other) = lease.waited_for.clone() else {
        return Ok(Some(lease));
    };
    let ids: Vec<ResourceId> = plan
        .observed
        .iter()
        .map(|observation| observation.id.clone())
        .filter(|id| id != lease.group())
        .collect();
    let live = match crate::live::read_ids(&connection.client, &ids).await {
        Ok(live) => live,
        Err(error) => {
            let _ = lease.release().await;
            return Err(CommandError::Recheck(error));
        }
    };
    let current: HashMap<ResourceId, String> = ids
        .iter()
        .map(|id| (id.clone(), live.fingerprint(id)))
        .collect();
    let observed: Vec<_> = plan
        .observed
        .iter()
        .filter(|observation| &observation.id != lease.group())
        .cloned()
        .collect();
    let stale = stale_resources(&observed, &current);
    if stale.is_empty() {
        report::print_note(&format!(
            "waited for the apply lease held by {other}; nothing it did changes this plan"
        ));
        return Ok(Some(lease));
    }
    let _ = lease.release().await;
    report::print_note(&format!(
        "waited for the apply lease held by {other}, which changed resources this plan observed: run apply again for a fresh plan"
    ));
    Err(CommandError::Stale(stale))
}

/// Requests in flight at once for apply and destroy: enough for `--parallelism` writes in each
/// lane, and never fewer than a plan's reads.
pub(crate) fn max_concurrency(execution: &ExecutionArgs) -> usize {
    (usize::from(execution.parallelism) * 2).max(crate::live::MAX_PARALLEL_READS)
}

/// Reads a saved plan and refuses it when any resource it observed changed since.
async fn saved_plan(path: &Path, args: &ApplyArgs) -> Result<(Plan, Connection), CommandError> {
    if !args.target.is_empty() {
        return Err(CommandError::Usage(
            "--target cannot be combined with a saved plan: targets were fixed when the plan was made".to_owned(),
        ));
    }
    if args.stage.is_some() {
        return Err(CommandError::Usage(
            "--stage cannot be combined with a saved plan: plan the stage's clusters with `aksctl plan --target cluster/NAME --out PLANFILE`".to_owned(),
        ));
    }
    let connection = connect(&args.arm, &args.execution)?;
    let plan = read_plan_file(path)?;
    let ids: Vec<ResourceId> = plan.observed.iter().map(|o| o.id.clone()).collect();
    let live = crate::live::read_ids(&connection.client, &ids)
        .await
        .map_err(CommandError::Recheck)?;
    let current: HashMap<ResourceId, String> = ids
        .iter()
        .map(|id| (id.clone(), live.fingerprint(id)))
        .collect();
    let stale = stale_resources(&plan.observed, &current);
    if !stale.is_empty() {
        return Err(CommandError::Stale(stale));
    }
    Ok((plan, connection))
}

/// Executes `plan` with progress, Ctrl-C handling and the final report (apply and destroy).
pub(crate) async fn run_plan(
    connection: &Connection,
    plan: Plan,
    execution: &ExecutionArgs,
    command: &str,
) -> ExitStatus {
    let progress = Arc::new(ApplyProgress::new(execution.no_progress));
    let (cancel_sender, cancel) = watch::channel(false);
    let interrupt = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = cancel_sender.send(true);
        }
    });
    let mut options = ExecutorOptions {
        parallelism: usize::from(execution.parallelism),
        ..ExecutorOptions::default()
    };
    if let Some(sandbox) = &connection.sandbox {
        // Azure's minutes are the sandbox's seconds: deadlines and first waits shrink with them.
        options.deadline_scale = sandbox.time_scale().max(0.01);
        options.initial_wait = options.initial_wait.mul_f64(sandbox.time_scale().max(0.05));
    }
    let outcome = execute(
        ExecutionGraph::from_plan(&plan),
        Arc::new(connection.client.clone()),
        progress.clone(),
        options,
        cancel,
    )
    .await;
    interrupt.abort();
    progress.finish();
    report::print_report(&outcome, command);
    if outcome.succeeded() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// Connects to the sandbox or ARM, saying where the sandbox is.
fn connect(arm: &ArmArgs, execution: &ExecutionArgs) -> Result<Connection, CommandError> {
    let connection = sandbox::connect(arm, max_concurrency(execution))?;
    describe_sandbox(&connection);
    Ok(connection)
}

fn read_plan_file(path: &Path) -> Result<Plan, CommandError> {
    read_plan_text(path).map_err(CommandError::Invalid)
}

fn read_plan_text(path: &Path) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the plan file {}: {error}", path.display()))?;
    let not_a_plan = |error: serde_json::Error| {
        format!(
            "{} is not a plan saved by `aksctl plan --out`: {error}",
            path.display()
        )
    };
    let document: serde_json::Value = serde_json::from_str(&text).map_err(not_a_plan)?;
    // The version first: another format version may lack (or rename) fields of this one.
    if let Some(version) = document
        .get("formatVersion")
        .and_then(serde_json::Value::as_str)
    {
        if version != FORMAT_VERSION {
            return Err(format!(
                "{} has plan format version {version}, this aksctl reads version {FORMAT_VERSION}: plan again with this version",
                path.display()
            ));
        }
    }
    let plan: Plan = serde_json::from_value(document).map_err(not_a_plan)?;
    if plan.format_version != FORMAT_VERSION {
        return Err(format!(
            "{} has plan format version {}, this aksctl reads version {FORMAT_VERSION}: plan again with this version",
            path.display(),
            plan.format_version
        ));
    }
    if let Some(change) = plan
        .changes
        .iter()
        .find(|change| change.after.as_ref().is_some_and(holds_redacted_value))
    {
        return Err(format!(
            "{} holds a masked value ({REDACTED}) in {}: a rendered plan cannot be applied; save it with `aksctl plan --out`",
            path.display(),
            change.address
        ));
    }
    Ok(plan)
}

/// Whether a body carries the renderer's mask instead of a real value.
fn holds_redacted_value(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => text == REDACTED,
        serde_json::Value::Array(items) => items.iter().any(holds_redacted_value),
        serde_json::Value::Object(members) => members.values().any(holds_redacted_value),
        _ => false,
    }
}

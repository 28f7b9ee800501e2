//! `aksctl destroy -f FILE...`: delete every resource this estate owns (ownership tag on tracked
//! resources, children through their owned parent, role assignments by deterministic name),
//! children first; never anything untagged or owned by another estate. Needs `--allow-delete`
//! (with `--auto-approve` when not interactive) or the estate name typed at the prompt. Takes
//! the estate's apply lease first, as apply does (`--lease-wait`), and releases it at the end.

use std::io::IsTerminal;

use crate::apply::lease::{acquire, this_holder, Lease, LeaseOptions};
use crate::apply::ownership::destroy_plan;
use crate::cli::{DestroyArgs, ExecutionArgs};
use crate::commands::apply::{max_concurrency, release_lease, run_plan};
use crate::commands::plan::prepare;
use crate::commands::{CommandError, ExitStatus};
use crate::desired::DesiredState;
use crate::plan::Plan;
use crate::render::{plan_text, report};
use crate::sandbox::Connection;

/// Runs `aksctl destroy`.
pub async fn run(args: &DestroyArgs) -> Result<ExitStatus, CommandError> {
    let prepared = prepare(
        &args.files.files,
        &args.arm,
        &[],
        max_concurrency(&args.execution),
    )
    .await?;
    let connection = prepared.connection;
    let desired = &prepared.desired;
    let live = crate::live::read(&connection.client, desired, &desired.estate)
        .await
        .map_err(CommandError::Live)?;
    let plan = destroy_plan(desired, &|id| {
        live.get(id).map(|resource| resource.body.clone())
    });
    plan_text::print(&plan);
    if plan.changes.is_empty() {
        report::print_line("Nothing to destroy: no resource of this estate exists.");
        return Ok(ExitStatus::Success);
    }
    let execution = &args.execution;
    let interactive = std::io::stdin().is_terminal();
    let count = plan.changes.len();
    let confirmed = match (execution.allow_delete, execution.auto_approve, interactive) {
        (true, true, _) => true,
        (true, false, true) => report::confirm(&format!(
            "Delete these {count} resources of estate {}?",
            plan.estate
        )),
        (false, _, true) => report::confirm_by_name(
            &format!(
                "This deletes {count} resources of estate {}. Type the estate name to confirm:",
                plan.estate
            ),
            &plan.estate,
        ),
        (_, _, false) => {
            return Err(CommandError::Refused(format!(
                "destroy would delete {count} resources and stdin is not a terminal: pass --allow-delete --auto-approve to confirm; nothing was deleted"
            )));
        }
    };
    if !confirmed {
        report::print_line("Destroy cancelled; nothing was deleted.");
        return Ok(ExitStatus::Failure);
    }
    let mut plan = plan;
    let lease = take_lease(&connection, desired, &mut plan, execution).await?;
    let status = run_plan(&connection, plan, execution, "destroy").await;
    release_lease(lease).await;
    Ok(status)
}

/// Takes the estate's apply lease (`apply::lease`) as apply does, so a destroy and an apply of
/// one estate never run at once. When another run held it and this one waited, what exists is
/// read again: the destroy goes on (with the fresh plan) only if it deletes the same resources
/// that were confirmed; otherwise nothing is deleted and destroy asks to be run again.
async fn take_lease(
    connection: &Connection,
    desired: &DesiredState,
    plan: &mut Plan,
    execution: &ExecutionArgs,
) -> Result<Option<Lease>, CommandError> {
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
    let live = match crate::live::read(&connection.client, desired, &desired.estate).await {
        Ok(live) => live,
        Err(error) => {
            let _ = lease.release().await;
            return Err(CommandError::Live(error));
        }
    };
    let fresh = destroy_plan(desired, &|id| {
        live.get(id).map(|resource| resource.body.clone())
    });
    let addresses = |plan: &Plan| {
        let mut addresses: Vec<String> = plan
            .changes
            .iter()
            .map(|change| change.address.clone())
            .collect();
        addresses.sort();
        addresses
    };
    if addresses(&fresh) == addresses(plan) {
        report::print_note(&format!(
            "waited for the apply lease held by {other}; this destroy still deletes the same resources"
        ));
        *plan = fresh;
        return Ok(Some(lease));
    }
    let _ = lease.release().await;
    Err(CommandError::Refused(format!(
        "waited for the apply lease held by {other}, which changed which resources of the estate exist; nothing was deleted: run destroy again to review what it deletes"
    )))
}

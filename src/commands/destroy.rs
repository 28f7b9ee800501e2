//! `aksctl destroy -f FILE...`: delete every resource this estate owns (ownership tag on tracked
//! resources, children through their owned parent, role assignments by deterministic name),
//! children first; never anything untagged or owned by another estate. Needs `--allow-delete`
//! (with `--auto-approve` when not interactive) or the estate name typed at the prompt.

use std::io::IsTerminal;

use crate::apply::ownership::destroy_plan;
use crate::cli::DestroyArgs;
use crate::commands::apply::{max_concurrency, run_plan};
use crate::commands::plan::prepare;
use crate::commands::{CommandError, ExitStatus};
use crate::render::{plan_text, report};

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
    Ok(run_plan(&connection, plan, execution, "destroy").await)
}

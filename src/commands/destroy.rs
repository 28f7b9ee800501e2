//! `aksctl destroy -f FILE...`: delete every resource this estate owns (ownership tag on tracked
//! resources, children through their owned parent, role assignments by deterministic name),
//! children first; never anything untagged or owned by another estate. Needs `--allow-delete`
//! (with `--auto-approve` when not interactive) or the estate name typed at the prompt.

use std::io::IsTerminal;

use crate::apply::ownership::destroy_plan;
use crate::cli::DestroyArgs;
use crate::commands::apply::{describe_sandbox, plan_failed, run_plan};
use crate::commands::plan::prepare;
use crate::commands::{logging, ExitStatus};
use crate::render::{plan_text, report};

/// Runs `aksctl destroy`.
pub fn run(args: &DestroyArgs, verbose: u8) -> ExitStatus {
    logging::init(verbose);
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(destroy(args)),
        Err(error) => {
            report::print_error(&format!("cannot start the async runtime: {error}"));
            ExitStatus::Failure
        }
    }
}

async fn destroy(args: &DestroyArgs) -> ExitStatus {
    let prepared = match prepare(&args.files.files, &args.arm, &[]).await {
        Ok(prepared) => prepared,
        Err(failure) => return plan_failed(&failure),
    };
    describe_sandbox(&prepared.connection);
    let connection = prepared.connection;
    let desired = &prepared.desired;
    let live = match crate::live::read(&connection.client, desired, &desired.estate).await {
        Ok(live) => live,
        Err(error) => {
            report::print_error(&format!("cannot read what the estate owns: {error}"));
            return ExitStatus::Failure;
        }
    };
    let plan = destroy_plan(desired, &|id| {
        live.get(id).map(|resource| resource.body.clone())
    });
    plan_text::print(&plan);
    if plan.changes.is_empty() {
        report::print_line("Nothing to destroy: no resource of this estate exists.");
        return ExitStatus::Success;
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
            report::print_error(&format!(
                "destroy would delete {count} resources and stdin is not a terminal: pass --allow-delete --auto-approve to confirm; nothing was deleted"
            ));
            return ExitStatus::Failure;
        }
    };
    if !confirmed {
        report::print_line("Destroy cancelled; nothing was deleted.");
        return ExitStatus::Failure;
    }
    run_plan(&connection, plan, execution, "destroy").await
}

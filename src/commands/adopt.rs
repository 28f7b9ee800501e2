//! `aksctl adopt -f FILE... [KIND/NAME...]`: make the estate own the declared resources that
//! exist without ownership tags. Plans exactly as `aksctl plan` does and takes the planner's
//! "exists, not managed" resources (refusing anything tagged for another estate), shows the
//! tag-only adoption plan and what `plan` will show afterwards, asks for confirmation like apply
//! (no terminal and no `--auto-approve`: exit 1), re-checks that ARM did not change since, then
//! PATCHes the tags. Exit 0 when adopted (or nothing to adopt), 1 on error or refusal.

use std::io::IsTerminal;

use crate::arm::ArmClient;
use crate::cli::AdoptArgs;
use crate::commands::estate::{load_and_connect, Connected};
use crate::commands::{CommandError, ExitStatus};
use crate::export::adopt::{adoption_plan, apply_tags, candidates, live_after_adoption};
use crate::live;
use crate::plan::{Action, Plan};
use crate::planner::{self, PlanOptions};
use crate::render::diagnostics::print_error_message;
use crate::render::{plan_text, report};

/// Runs `aksctl adopt`.
pub async fn run(args: &AdoptArgs) -> Result<ExitStatus, CommandError> {
    let Connected {
        desired,
        connection,
        ..
    } = load_and_connect(&args.files.files, &args.arm, usize::from(args.parallelism)).await?;
    let client = &connection.client;
    let live_state = live::read(client, &desired, &desired.estate).await?;
    // The planner's ownership rules decide: untagged resources are candidates, resources tagged
    // for another estate refuse the whole adoption.
    let plan = planner::build(&desired, &live_state, &PlanOptions::default())
        .map_err(|error| CommandError::Refused(format!("refusing to adopt: {error}")))?;
    let chosen = candidates(&plan, &args.addresses)?;
    if chosen.is_empty() {
        report::print_line(&format!(
            "Nothing to adopt: every declared resource that exists is already tagged for estate `{}`.",
            plan.estate
        ));
        return Ok(ExitStatus::Success);
    }
    let adoption = adoption_plan(&plan, &chosen);
    plan_text::print(&adoption);
    match planner::build(
        &desired,
        &live_after_adoption(&live_state, &chosen),
        &PlanOptions::default(),
    ) {
        Ok(after) => describe_after(&after),
        Err(error) => {
            report::print_note(&format!("cannot preview the plan after adoption: {error}"))
        }
    }
    if !args.auto_approve {
        if !std::io::stdin().is_terminal() {
            return Err(CommandError::Refused(
                "stdin is not a terminal, so adopt cannot ask for confirmation: review the adoption plan and pass --auto-approve; nothing was changed".to_owned(),
            ));
        }
        if !report::confirm("Add these ownership tags?") {
            report::print_line("Adoption cancelled; nothing was changed.");
            return Ok(ExitStatus::Failure);
        }
    }
    check_unchanged(client, &adoption).await?;
    let outcomes = apply_tags(client, &chosen, usize::from(args.parallelism)).await;
    let mut failed = 0usize;
    for outcome in &outcomes {
        match &outcome.result {
            Ok(()) => report::print_line(&format!("{}: adopted", outcome.address)),
            Err(error) => {
                failed += 1;
                print_error_message(&format!("{}: adopting failed: {error}", outcome.address));
            }
        }
    }
    let adopted = outcomes.len() - failed;
    if failed > 0 || outcomes.len() != chosen.len() {
        report::print_line(&format!(
            "Adopted {adopted} of {} resources for estate `{}`; run `aksctl adopt` again for the rest.",
            chosen.len(),
            plan.estate
        ));
        return Ok(ExitStatus::Failure);
    }
    report::print_line(&format!(
        "Adopted {adopted} resources for estate `{}`: `aksctl plan` now manages them.",
        plan.estate
    ));
    Ok(ExitStatus::Success)
}

/// What `aksctl plan` will show once adopted: adoption changes only tags, so differences between
/// the estate and ARM show up there (and are the user's to review before applying).
fn describe_after(after: &Plan) {
    report::print_note(&format!(
        "after adoption, `aksctl plan` will show: {}",
        plan_text::summary_line(after)
    ));
    let pending: Vec<String> = after
        .changes
        .iter()
        .filter(|change| change.action != Action::Noop)
        .map(|change| {
            let action = format!("{:?}", change.action).to_lowercase();
            format!("{} ({action})", change.address)
        })
        .collect();
    if !pending.is_empty() {
        report::print_note(&format!(
            "the estate and ARM differ for {}: adoption leaves them as they are; review them with `aksctl plan` before applying",
            pending.join(", ")
        ));
    }
}

/// Refuses when a resource to adopt changed since it was read (its tags would be overwritten).
async fn check_unchanged(client: &ArmClient, adoption: &Plan) -> Result<(), CommandError> {
    let ids: Vec<_> = adoption.observed.iter().map(|o| o.id.clone()).collect();
    let now = live::read_ids(client, &ids).await.map_err(|error| {
        CommandError::Refused(format!(
            "cannot re-check the resources before adopting: {error}; nothing was changed"
        ))
    })?;
    let changed: Vec<String> = adoption
        .observed
        .iter()
        .filter(|observation| now.fingerprint(&observation.id) != observation.fingerprint)
        .map(|observation| observation.id.to_string())
        .collect();
    if changed.is_empty() {
        Ok(())
    } else {
        Err(CommandError::Refused(format!(
            "ARM changed since the adoption plan was made ({}); run `aksctl adopt` again; nothing was changed",
            changed.join(", ")
        )))
    }
}

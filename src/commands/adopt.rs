//! `aksctl adopt -f FILE... [KIND/NAME...]`: make the estate own the declared resources that
//! exist without ownership tags. Plans exactly as `aksctl plan` does and takes the planner's
//! "exists, not managed" resources (refusing anything tagged for another estate), shows the
//! tag-only adoption plan and what `plan` will show afterwards, asks for confirmation like apply
//! (no terminal and no `--auto-approve`: exit 1), re-checks that ARM did not change since, then
//! PATCHes the tags. Exit 0 when adopted (or nothing to adopt), 1 on error or refusal.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::arm::ArmClient;
use crate::cli::AdoptArgs;
use crate::commands::{logging, ExitStatus};
use crate::desired::{self, LowerContext};
use crate::export::adopt::{adoption_plan, apply_tags, candidates, live_after_adoption};
use crate::live;
use crate::plan::{Action, Plan};
use crate::planner::{self, PlanOptions};
use crate::render::diagnostics::print_diagnostics;
use crate::render::{plan_text, report};
use crate::sandbox;
use crate::spec;

/// Runs `aksctl adopt`.
pub fn run(args: &AdoptArgs, verbose: u8) -> ExitStatus {
    logging::init(verbose);
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(adopt(args)),
        Err(error) => {
            report::print_error(&format!("cannot start the async runtime: {error}"));
            ExitStatus::Failure
        }
    }
}

async fn adopt(args: &AdoptArgs) -> ExitStatus {
    let lookup = sandbox::environment_lookup(args.arm.sandbox);
    let loaded = match spec::load_inputs(inputs(&args.files.files), &lookup) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            return ExitStatus::Failure;
        }
    };
    let context = LowerContext {
        tenant_id: lookup("AZURE_TENANT_ID").or_else(|| {
            args.arm
                .sandbox
                .then(|| mock_arm::Config::default().tenant_id)
        }),
        subscription: args.arm.subscription.clone(),
    };
    let desired = match desired::lower(&loaded.estate, &context) {
        Ok(desired) => desired,
        Err(error) => {
            return fail(&format!(
                "cannot lower the estate to ARM resources: {error}"
            ))
        }
    };
    let connection = match sandbox::connect(&args.arm, usize::from(args.parallelism)) {
        Ok(connection) => connection,
        Err(error) => return fail(&error.to_string()),
    };
    let client = &connection.client;
    let live_state = match live::read(client, &desired, &desired.estate).await {
        Ok(live_state) => live_state,
        Err(error) => return fail(&format!("cannot read live state from ARM: {error}")),
    };
    // The planner's ownership rules decide: untagged resources are candidates, resources tagged
    // for another estate refuse the whole adoption.
    let plan = match planner::build(&desired, &live_state, &PlanOptions::default()) {
        Ok(plan) => plan,
        Err(error) => return fail(&format!("refusing to adopt: {error}")),
    };
    let chosen = match candidates(&plan, &args.addresses) {
        Ok(chosen) => chosen,
        Err(error) => return fail(&error.to_string()),
    };
    if chosen.is_empty() {
        report::print_line(&format!(
            "Nothing to adopt: every declared resource that exists is already tagged for estate `{}`.",
            plan.estate
        ));
        return ExitStatus::Success;
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
            return fail(
                "stdin is not a terminal, so adopt cannot ask for confirmation: review the adoption plan and pass --auto-approve; nothing was changed",
            );
        }
        if !report::confirm("Add these ownership tags?") {
            report::print_line("Adoption cancelled; nothing was changed.");
            return ExitStatus::Failure;
        }
    }
    if let Err(message) = check_unchanged(client, &adoption).await {
        return fail(&message);
    }
    let outcomes = apply_tags(client, &chosen, usize::from(args.parallelism)).await;
    let mut failed = 0usize;
    for outcome in &outcomes {
        match &outcome.result {
            Ok(()) => report::print_line(&format!("{}: adopted", outcome.address)),
            Err(error) => {
                failed += 1;
                report::print_error(&format!("{}: adopting failed: {error}", outcome.address));
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
        return ExitStatus::Failure;
    }
    report::print_line(&format!(
        "Adopted {adopted} resources for estate `{}`: `aksctl plan` now manages them.",
        plan.estate
    ));
    ExitStatus::Success
}

fn inputs(files: &[PathBuf]) -> Vec<spec::Input> {
    files
        .iter()
        .map(|path| spec::Input {
            name: path.display().to_string(),
            bytes: std::fs::read(path).map_err(|error| error.to_string()),
        })
        .collect()
}

fn fail(message: &str) -> ExitStatus {
    report::print_error(message);
    ExitStatus::Failure
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
async fn check_unchanged(client: &ArmClient, adoption: &Plan) -> Result<(), String> {
    let ids: Vec<_> = adoption.observed.iter().map(|o| o.id.clone()).collect();
    let now = live::read_ids(client, &ids).await.map_err(|error| {
        format!("cannot re-check the resources before adopting: {error}; nothing was changed")
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
        Err(format!(
            "ARM changed since the adoption plan was made ({}); run `aksctl adopt` again; nothing was changed",
            changed.join(", ")
        ))
    }
}

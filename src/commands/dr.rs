//! `aksctl dr verify` (every federated credential trusts its cluster's current OIDC issuer, every
//! declared cluster exists: exit 0, else 1) and `aksctl dr rehearse` (the whole recovery in a
//! throwaway in-memory sandbox: provision the estate, lose a cluster, plan and check the plan is
//! exactly the recreate set, apply, verify, and report the recovery time measured at the sandbox
//! time scale and modelled at real ARM durations).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::apply::events::SilentObserver;
use crate::apply::{execute, ExecutionGraph, ExecutorOptions};
use crate::arm::{ArmClient, WriteOptions};
use crate::cli::{DrArgs, DrCommand, DrRehearseArgs, DrVerifyArgs, OutputFormat};
use crate::commands::estate::load;
use crate::commands::outputs::load_outputs;
use crate::commands::{CommandError, ExitStatus};
use crate::desired::{self, DesiredState, LowerContext};
use crate::outputs::rehearsal::{self, RehearsalReport};
use crate::outputs::{self, Outputs};
use crate::plan::Plan;
use crate::planner::{self, PlanOptions};
use crate::render::outputs as render_outputs;
use crate::sandbox;

/// Runs `aksctl dr ...`.
pub async fn run(args: &DrArgs) -> Result<ExitStatus, CommandError> {
    match &args.command {
        DrCommand::Verify(verify) => run_verify(verify).await,
        DrCommand::Rehearse(rehearse) => run_rehearse(rehearse).await,
    }
}

async fn run_verify(args: &DrVerifyArgs) -> Result<ExitStatus, CommandError> {
    let outputs = load_outputs(&args.files.files, &args.arm).await?;
    match args.output {
        OutputFormat::Json => render_outputs::print_json(&outputs),
        _ => render_outputs::print_verification(&outputs),
    }
    Ok(verdict(&outputs))
}

fn verdict(outputs: &Outputs) -> ExitStatus {
    if outputs.problems().is_empty() && outputs.missing_clusters().is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

async fn run_rehearse(args: &DrRehearseArgs) -> Result<ExitStatus, CommandError> {
    let report = match rehearse(args).await {
        Ok(report) => report,
        Err(RehearsalError::Prepare(failure)) => return Err(failure),
        Err(other) => return Err(CommandError::Invalid(other.to_string())),
    };
    match args.output {
        OutputFormat::Json => {
            render_outputs::print_line(render_outputs::json_text(&report).trim_end())
        }
        _ => render_outputs::print_line(&render_outputs::render_rehearsal(&report)),
    }
    if report.passed {
        Ok(ExitStatus::Success)
    } else {
        Ok(ExitStatus::Failure)
    }
}

/// Why a rehearsal could not run (as opposed to running and failing).
#[derive(Debug, thiserror::Error)]
enum RehearsalError {
    #[error(transparent)]
    Prepare(#[from] CommandError),
    #[error("the estate declares no cluster{}", named(.0))]
    NoCluster(Option<String>),
    #[error("provisioning the estate in the rehearsal sandbox failed: {0}")]
    Provision(String),
    #[error("deleting {0} in the rehearsal sandbox failed: {1}")]
    Delete(String, String),
}

fn named(name: &Option<String>) -> String {
    name.as_ref()
        .map(|name| format!(" named {name}"))
        .unwrap_or_default()
}

async fn rehearse(args: &DrRehearseArgs) -> Result<RehearsalReport, RehearsalError> {
    let loaded = load(&args.files.files, true)?;
    let time_scale = sandbox::time_scale().map_err(CommandError::from)?;
    let server = mock_arm::MockArm::start(mock_arm::Config {
        time_scale,
        ..mock_arm::Config::default()
    })
    .map_err(sandbox::ConnectError::from)
    .map_err(CommandError::from)?;
    let client = ArmClient::for_loopback(server.url(), "rehearsal")
        .map_err(sandbox::ConnectError::from)
        .map_err(CommandError::from)?;
    let route_tables = rehearsal_networks(server.url(), &client, &loaded).await?;
    let desired = lower_for_sandbox(&loaded, route_tables)?;
    let options = executor_options(args, time_scale);
    let cluster = rehearsal::chosen_cluster(&desired, args.cluster.as_deref())
        .ok_or_else(|| RehearsalError::NoCluster(args.cluster.clone()))?
        .clone();

    render_outputs::print_progress(&format!(
        "rehearse: provisioning {} in a throwaway sandbox (time scale {time_scale})",
        desired.estate
    ));
    let started = Instant::now();
    let setup = plan_live(&client, &desired).await?;
    let provisioned = run_plan(&client, &setup, options.clone()).await;
    if !provisioned.succeeded() {
        return Err(RehearsalError::Provision(format!(
            "{} of {} steps did not finish",
            provisioned
                .steps
                .iter()
                .filter(|step| !matches!(step.outcome, crate::apply::StepOutcome::Done { .. }))
                .count(),
            provisioned.steps.len()
        )));
    }
    let provision_seconds = started.elapsed().as_secs_f64();

    render_outputs::print_progress(&format!(
        "rehearse: deleting {} (the loss)",
        cluster.address
    ));
    client
        .delete(
            &cluster.id,
            cluster.kind.api_version(),
            &WriteOptions {
                deadline: Some(Duration::from_secs(600)),
                ..WriteOptions::default()
            },
        )
        .await
        .map_err(|error| RehearsalError::Delete(cluster.address.clone(), error.to_string()))?;

    render_outputs::print_progress("rehearse: recovering (plan, apply, verify)");
    let recovery = Instant::now();
    let plan = plan_live(&client, &desired).await?;
    let plan_seconds = recovery.elapsed().as_secs_f64();
    let expected = rehearsal::expected_recreate_set(&desired, &cluster.address);
    let deviations = rehearsal::deviations(&plan, &expected);
    let apply_started = Instant::now();
    let applied = run_plan(&client, &plan, options).await;
    let apply_seconds = apply_started.elapsed().as_secs_f64();
    let verify_started = Instant::now();
    let live = crate::live::read(&client, &desired, &desired.estate)
        .await
        .map_err(CommandError::from)?;
    let verified = outputs::collect(&desired, &live);
    let verify_seconds = verify_started.elapsed().as_secs_f64();
    let recovery_seconds = recovery.elapsed().as_secs_f64();

    let stale_credentials: Vec<String> = verified
        .problems()
        .iter()
        .map(|credential| credential.address.clone())
        .collect();
    let passed = deviations.is_empty()
        && applied.succeeded()
        && stale_credentials.is_empty()
        && verified.missing_clusters().is_empty();
    Ok(RehearsalReport {
        estate: desired.estate.clone(),
        cluster: cluster.id.name().to_owned(),
        time_scale,
        provision_seconds,
        plan_seconds,
        apply_seconds,
        verify_seconds,
        recovery_seconds,
        modelled_azure_seconds: rehearsal::modelled_seconds(&plan),
        scaled_apply_seconds: apply_seconds / time_scale,
        plan_summary: plan.summary,
        deviations,
        apply_succeeded: applied.succeeded(),
        stale_credentials,
        arm_requests: applied.arm_requests,
        passed,
    })
}

/// The estate as the sandbox sees it: `${AZURE_SUBSCRIPTION_ID}` falls back to the sandbox
/// subscription, the tenant is the mock's, route tables as the rehearsal world's subnets hold them.
fn lower_for_sandbox(
    loaded: &crate::spec::LoadedEstate,
    subnet_route_tables: std::collections::BTreeMap<String, String>,
) -> Result<DesiredState, CommandError> {
    let context = LowerContext {
        tenant_id: Some(mock_arm::Config::default().tenant_id),
        subscription: None,
        subnet_route_tables,
    };
    Ok(desired::lower(&loaded.estate, &context)?)
}

/// Seeds the rehearsal world with the networks the estate names (a landing zone holds them),
/// then reads them as a plan does: the subnets' route tables.
async fn rehearsal_networks(
    url: &str,
    client: &ArmClient,
    loaded: &crate::spec::LoadedEstate,
) -> Result<std::collections::BTreeMap<String, String>, CommandError> {
    let references = crate::live::networks::network_references(&loaded.estate);
    if references.is_empty() {
        return Ok(Default::default());
    }
    let world = serde_json::json!({
        "resources": crate::sandbox_networks::networks_for(&loaded.estate, &loaded.estate.subscription)
    });
    let seeded = reqwest::Client::new()
        .put(format!("{url}/_mock/state"))
        .json(&world)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status);
    if let Err(error) = seeded {
        return Err(CommandError::Refused(format!(
            "cannot seed the rehearsal sandbox with the estate's networks: {error}"
        )));
    }
    let found = crate::live::networks::read_referenced(
        client,
        &references,
        crate::live::MAX_PARALLEL_READS,
    )
    .await
    .map_err(|error| CommandError::Refused(error.to_string()))?;
    Ok(found.route_tables)
}

async fn plan_live(client: &ArmClient, desired: &DesiredState) -> Result<Plan, CommandError> {
    let live = crate::live::read(client, desired, &desired.estate).await?;
    Ok(planner::build(desired, &live, &PlanOptions::default())?)
}

fn executor_options(args: &DrRehearseArgs, time_scale: f64) -> ExecutorOptions {
    let mut options = ExecutorOptions {
        parallelism: usize::from(args.parallelism),
        ..ExecutorOptions::default()
    };
    options.deadline_scale = time_scale.max(0.01);
    options.initial_wait = options.initial_wait.mul_f64(time_scale.max(0.05));
    options
}

async fn run_plan(
    client: &ArmClient,
    plan: &Plan,
    options: ExecutorOptions,
) -> crate::apply::ExecutionReport {
    let (_cancel_sender, cancel) = watch::channel(false);
    execute(
        ExecutionGraph::from_plan(plan),
        Arc::new(client.clone()),
        Arc::new(SilentObserver),
        options,
        cancel,
    )
    .await
}

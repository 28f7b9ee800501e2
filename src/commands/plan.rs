//! `aksctl plan -f FILE...`: load and lower the estate, read live ARM state (one list per
//! collection), build the plan, render it (text, JSON or markdown), optionally save it for
//! `aksctl apply PLANFILE`. Exit 0 (no changes, or success), 1 (error), 2 (changes, with
//! `--detailed-exitcode`). Needs only read permission.
//!
//! `prepare` is the shared pipeline (estate -> desired -> live -> plan) that apply and destroy
//! reuse.

// `PlanFailure` carries ARM and connection errors with everything needed to explain them; it is
// the cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::arm::ArmClient;
use crate::check;
use crate::cli::{ArmArgs, OutputFormat, PlanArgs};
use crate::commands::{logging, ExitStatus};
use crate::desired::{self, DesiredState, LowerContext, LowerError};
use crate::live::{self, LiveError, LiveState};
use crate::plan::Plan;
use crate::planner::{self, PlanError, PlanOptions};
use crate::render::diagnostics::print_diagnostics;
use crate::render::{check_text, plan_json, plan_markdown, plan_text};
use crate::sandbox::{self, ConnectError, Connection};
use crate::spec::{self, Diagnostics};

/// The environment variable GitHub Actions points at the job summary file.
const STEP_SUMMARY_VARIABLE: &str = "GITHUB_STEP_SUMMARY";

/// Why `plan` (or the planning part of apply/destroy) could not finish.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PlanFailure {
    #[error("the estate files have problems")]
    Load(Diagnostics),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("cannot lower the estate to ARM resources: {0}")]
    Lower(#[from] LowerError),
    #[error("cannot read live state from ARM: {0}")]
    Live(#[from] LiveError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("cannot write the plan to {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// Everything a plan was built from, for commands that go on to apply it.
pub(crate) struct Prepared {
    pub plan: Plan,
    /// `aksctl check` of the estate (offline): `plan` shows it as notices.
    pub check_report: check::Report,
    pub desired: DesiredState,
    /// The ARM client (and, with `--sandbox`, the server behind it: keep it alive).
    pub connection: Connection,
}

/// The estate declared in some files, lowered, with a connection to the ARM that holds it.
pub(crate) struct Connected {
    pub loaded: spec::LoadedEstate,
    pub desired: DesiredState,
    /// The ARM client (and, with `--sandbox`, the server behind it: keep it alive).
    pub connection: Connection,
}

/// Loads and lowers the estate in `files`, then connects to ARM (or starts the sandbox).
pub(crate) fn load_and_connect(files: &[PathBuf], arm: &ArmArgs) -> Result<Connected, PlanFailure> {
    let lookup = sandbox::environment_lookup(arm.sandbox);
    let inputs = files
        .iter()
        .map(|path| spec::Input {
            name: path.display().to_string(),
            bytes: std::fs::read(path).map_err(|error| error.to_string()),
        })
        .collect();
    let loaded = spec::load_inputs(inputs, &lookup).map_err(PlanFailure::Load)?;
    let tenant_id = lookup("AZURE_TENANT_ID")
        .or_else(|| arm.sandbox.then(|| mock_arm::Config::default().tenant_id));
    let context = LowerContext {
        tenant_id,
        subscription: arm.subscription.clone(),
    };
    let desired = desired::lower(&loaded.estate, &context)?;
    let connection = sandbox::connect(arm, crate::live::MAX_PARALLEL_READS)?;
    Ok(Connected {
        loaded,
        desired,
        connection,
    })
}

/// Loads, lowers, reads live state and plans.
pub(crate) async fn prepare(
    files: &[PathBuf],
    arm: &ArmArgs,
    targets: &[String],
) -> Result<Prepared, PlanFailure> {
    let Connected {
        loaded,
        desired,
        connection,
    } = load_and_connect(files, arm)?;
    let live = read_live(&connection.client, &desired).await?;
    let mut plan = planner::build(
        &desired,
        &live,
        &PlanOptions {
            targets: targets.to_vec(),
        },
    )?;
    plan.notices
        .extend(desired::unlowered_fields(&loaded.estate));
    Ok(Prepared {
        check_report: check::check(&loaded, &check::CheckOptions::default()),
        plan,
        desired,
        connection,
    })
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
pub fn run(args: &PlanArgs, verbose: u8) -> ExitStatus {
    logging::init(verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&PlanFailure::Runtime(error)),
    };
    let prepared = runtime.block_on(prepare(&args.files.files, &args.arm, &args.target));
    let mut prepared = match prepared {
        Ok(prepared) => prepared,
        Err(failure) => return fail(&failure),
    };
    if let Some(level) = args.check_fail_on {
        if prepared.check_report.fails(level) {
            check_text::print_blocked(&prepared.check_report, level);
            return ExitStatus::Failure;
        }
    }
    let check_notices = check::plan_notices(&prepared.check_report);
    prepared.plan.notices.extend(check_notices);
    if sandbox::uses_sandbox_subscription(args.arm.sandbox) {
        plan_text::print_note(&format!(
            "sandbox: AZURE_SUBSCRIPTION_ID is unset, using the sandbox subscription {}",
            sandbox::SANDBOX_SUBSCRIPTION
        ));
    }
    let plan = &prepared.plan;
    if let Some(path) = &args.out {
        if let Err(failure) = save(plan, path) {
            return fail(&failure);
        }
    }
    match args.output {
        OutputFormat::Text => plan_text::print(plan),
        OutputFormat::Json => plan_json::print(plan),
        OutputFormat::Markdown => {
            plan_markdown::print(plan);
            if let Err(failure) = append_step_summary(plan) {
                return fail(&failure);
            }
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
    let changes = plan.has_changes();
    drop(prepared);
    if args.detailed_exitcode && changes {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

fn fail(failure: &PlanFailure) -> ExitStatus {
    match failure {
        PlanFailure::Load(diagnostics) => print_diagnostics(diagnostics),
        other => plan_text::print_error(other),
    }
    ExitStatus::Failure
}

/// Writes the plan as JSON next to `path` and renames it into place, so a reader never sees a
/// half-written plan.
pub(crate) fn save(plan: &Plan, path: &Path) -> Result<(), PlanFailure> {
    let failure = |source| PlanFailure::Write {
        path: path.to_path_buf(),
        source,
    };
    let json = serde_json::to_string_pretty(plan)
        .map_err(|error| failure(std::io::Error::other(error)))?;
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan.json".to_owned());
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(json.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()
    });
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(failure(error));
    }
    Ok(())
}

/// Appends the markdown plan to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it.
fn append_step_summary(plan: &Plan) -> Result<(), PlanFailure> {
    let Some(path) = std::env::var_os(STEP_SUMMARY_VARIABLE).filter(|value| !value.is_empty())
    else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(plan_markdown::render(plan).as_bytes()))
        .map_err(|source| PlanFailure::Write { path, source })
}

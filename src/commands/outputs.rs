//! `aksctl outputs -f FILE...`: read live ARM for the declared estate and print what apply learned
//! that other tools need (cluster OIDC issuers, kubelet identities, identity client/principal ids,
//! registry login servers, vault URIs, each federated credential's issuer against its cluster's)
//! as JSON, or the workload-identity ServiceAccount manifests. Read-only. `load_outputs` is shared
//! with `aksctl dr verify`.

// `PlanFailure` is the cold path; its size does not matter.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use crate::cli::{ArmArgs, OutputsArgs, OutputsFormat};
use crate::commands::plan::PlanFailure;
use crate::commands::{logging, ExitStatus};
use crate::desired::{self, LowerContext};
use crate::outputs::{self, Outputs};
use crate::render::diagnostics::print_diagnostics;
use crate::render::outputs as render_outputs;
use crate::render::plan_text;
use crate::sandbox;
use crate::spec;

/// Loads and lowers the estate, reads live ARM for it, and collects the outputs.
pub(crate) async fn load_outputs(files: &[PathBuf], arm: &ArmArgs) -> Result<Outputs, PlanFailure> {
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
    let live = crate::live::read(&connection.client, &desired, &desired.estate).await?;
    Ok(outputs::collect(&desired, &live))
}

/// Runs a future on a fresh runtime, or reports why none could start.
pub(crate) fn block_on<T>(
    future: impl std::future::Future<Output = Result<T, PlanFailure>>,
) -> Result<T, PlanFailure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(PlanFailure::Runtime)?
        .block_on(future)
}

/// Prints why the estate or ARM could not be read.
pub(crate) fn fail(failure: &PlanFailure) -> ExitStatus {
    match failure {
        PlanFailure::Load(diagnostics) => print_diagnostics(diagnostics),
        other => plan_text::print_error(other),
    }
    ExitStatus::Failure
}

/// Runs `aksctl outputs`.
pub fn run(args: &OutputsArgs, verbose: u8) -> ExitStatus {
    logging::init(verbose);
    let outputs = match block_on(load_outputs(&args.files.files, &args.arm)) {
        Ok(outputs) => outputs,
        Err(failure) => return fail(&failure),
    };
    match args.format {
        OutputsFormat::Json => render_outputs::print_json(&outputs),
        OutputsFormat::Serviceaccounts => {
            let accounts = outputs::service_accounts(&outputs);
            let unknown: std::collections::BTreeSet<&str> = accounts
                .iter()
                .filter(|account| account.client_id.is_none())
                .map(|account| account.identity.as_str())
                .collect();
            if !unknown.is_empty() {
                render_outputs::print_error(&format!(
                    "these identities do not exist yet, so their client ids are unknown: {}; run `aksctl apply` first",
                    unknown.into_iter().collect::<Vec<_>>().join(", ")
                ));
                return ExitStatus::Failure;
            }
            render_outputs::print_service_accounts(&accounts);
        }
    }
    ExitStatus::Success
}

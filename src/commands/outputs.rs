//! `aksctl outputs -f FILE...`: read live ARM for the declared estate and print what apply learned
//! that other tools need (cluster OIDC issuers, kubelet identities, identity client/principal ids,
//! registry login servers, vault URIs, each federated credential's issuer against its cluster's)
//! as JSON, or the workload-identity ServiceAccount manifests. Read-only. `load_outputs` is shared
//! with `aksctl dr verify`.

// `PlanFailure` is the cold path; its size does not matter.
#![allow(clippy::result_large_err)]

use std::path::PathBuf;

use crate::cli::{ArmArgs, OutputsArgs, OutputsFormat};
use crate::commands::plan::{load_and_connect, Connected, PlanFailure};
use crate::commands::{logging, ExitStatus};
use crate::outputs::{self, Outputs};
use crate::render::diagnostics::print_diagnostics;
use crate::render::outputs as render_outputs;
use crate::render::plan_text;

/// Loads and lowers the estate, reads live ARM for it, and collects the outputs.
pub(crate) async fn load_outputs(files: &[PathBuf], arm: &ArmArgs) -> Result<Outputs, PlanFailure> {
    let Connected {
        desired,
        connection,
        ..
    } = load_and_connect(files, arm)?;
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

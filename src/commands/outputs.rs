//! `aksctl outputs -f FILE...`: read live ARM for the declared estate and print what apply learned
//! that other tools need (cluster OIDC issuers, kubelet identities, identity client/principal ids,
//! registry login servers, vault URIs, each federated credential's issuer against its cluster's)
//! as JSON, or the workload-identity ServiceAccount manifests. Read-only. `load_outputs` is shared
//! with `aksctl dr verify`.

use std::path::PathBuf;

use crate::cli::{ArmArgs, OutputsArgs, OutputsFormat};
use crate::commands::estate::{load_and_connect, Connected};
use crate::commands::{CommandError, ExitStatus};
use crate::outputs::{self, Outputs};
use crate::render::outputs as render_outputs;

/// Loads and lowers the estate, reads live ARM for it, and collects the outputs.
pub(crate) async fn load_outputs(
    files: &[PathBuf],
    arm: &ArmArgs,
) -> Result<Outputs, CommandError> {
    let Connected {
        desired,
        connection,
        ..
    } = load_and_connect(files, arm, crate::live::MAX_PARALLEL_READS).await?;
    let live = crate::live::read(&connection.client, &desired, &desired.estate).await?;
    Ok(outputs::collect(&desired, &live))
}

/// Runs `aksctl outputs`.
pub async fn run(args: &OutputsArgs) -> Result<ExitStatus, CommandError> {
    let outputs = load_outputs(&args.files.files, &args.arm).await?;
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
                return Err(CommandError::Invalid(format!(
                    "these identities do not exist yet, so their client ids are unknown: {}; run `aksctl apply` first",
                    unknown.into_iter().collect::<Vec<_>>().join(", ")
                )));
            }
            render_outputs::print_service_accounts(&accounts);
        }
    }
    Ok(ExitStatus::Success)
}

//! `aksctl export -g RG [-g RG...] [-o FILE]`: read existing resource groups from ARM (one list
//! per collection) and write the estate file that declares them, ready for `aksctl plan` and
//! `aksctl adopt`. Needs only read permission. Exit 0 on success, 1 on error.

use std::time::Instant;

use crate::cli::ExportArgs;
use crate::commands::plan::write_atomically;
use crate::commands::{CommandError, ExitStatus};
use crate::export::{self, ExportOptions};
use crate::render::estate::print_estate_yaml;
use crate::render::report;
use crate::sandbox;

/// Reads in flight at once: export is read-only and ARM's read budget is generous.
const MAX_PARALLEL_READS: usize = 16;

/// Runs `aksctl export`.
pub async fn run(args: &ExportArgs) -> Result<ExitStatus, CommandError> {
    let Some(subscription) = args
        .arm
        .subscription
        .clone()
        .or_else(|| sandbox::environment_variable(sandbox::SUBSCRIPTION_VARIABLE))
        .or_else(|| sandbox::subscription_fallback(args.arm.sandbox).map(str::to_owned))
    else {
        return Err(CommandError::Usage(
            "give the subscription to export from with --subscription (or set AZURE_SUBSCRIPTION_ID)".to_owned(),
        ));
    };
    let connection = sandbox::connect(&args.arm, MAX_PARALLEL_READS)?;
    let started = Instant::now();
    let requests_before = connection.client.request_count();
    let options = ExportOptions {
        subscription,
        resource_groups: args.resource_groups.clone(),
        name: args.name.clone(),
        max_parallel: MAX_PARALLEL_READS,
    };
    let exported = export::export(&connection.client, &options).await?;
    let yaml = export::export_yaml(&exported)?;
    let requests = connection
        .client
        .request_count()
        .saturating_sub(requests_before);
    match &args.output {
        Some(path) => {
            write_atomically(path, &yaml).map_err(|source| CommandError::Write {
                path: path.clone(),
                source,
            })?;
        }
        None => print_estate_yaml(&yaml),
    }
    let estate = &exported.estate;
    let declared = estate.resource_groups.len()
        + estate.registries.len()
        + estate.key_vaults.len()
        + estate.storage_accounts.len()
        + estate.clusters.len()
        + estate.clusters.iter().map(|c| c.pools.len()).sum::<usize>()
        + estate.identities.len()
        + estate
            .identities
            .iter()
            .map(|i| i.federated_credentials.len())
            .sum::<usize>()
        + estate.role_assignments.len()
        + estate
            .clusters
            .iter()
            .map(|c| c.acr_pull.len())
            .sum::<usize>();
    let destination = args
        .output
        .as_ref()
        .map(|path| format!(" to {}", path.display()))
        .unwrap_or_default();
    report::print_note(&format!(
        "exported estate `{}`{destination}: {declared} resources declared, {} not exported (listed at the top), {} collections read in {requests} requests, {:.1}s",
        estate.metadata.name,
        exported.skipped.len(),
        exported.collections_read,
        started.elapsed().as_secs_f64()
    ));
    if !exported.owned_elsewhere.is_empty() {
        report::print_note(&format!(
            "{} resources are tagged for another estate; `aksctl adopt` will refuse them",
            exported.owned_elsewhere.len()
        ));
    }
    Ok(ExitStatus::Success)
}

//! `aksctl export -g RG [-g RG...] [-o FILE]`: read existing resource groups from ARM (one list
//! per collection) and write the estate file that declares them, ready for `aksctl plan` and
//! `aksctl adopt`. Needs only read permission. Exit 0 on success, 1 on error.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::cli::ExportArgs;
use crate::commands::{logging, ExitStatus};
use crate::export::{self, ExportOptions};
use crate::render::estate::print_estate_yaml;
use crate::render::report;
use crate::sandbox;

/// Reads in flight at once: export is read-only and ARM's read budget is generous.
const MAX_PARALLEL_READS: usize = 16;

/// Runs `aksctl export`.
pub fn run(args: &ExportArgs, verbose: u8) -> ExitStatus {
    logging::init(verbose);
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(export_groups(args)),
        Err(error) => {
            report::print_error(&format!("cannot start the async runtime: {error}"));
            ExitStatus::Failure
        }
    }
}

async fn export_groups(args: &ExportArgs) -> ExitStatus {
    let lookup = sandbox::environment_lookup(args.arm.sandbox);
    let Some(subscription) = args
        .arm
        .subscription
        .clone()
        .or_else(|| lookup("AZURE_SUBSCRIPTION_ID"))
    else {
        report::print_error(
            "give the subscription to export from with --subscription (or set AZURE_SUBSCRIPTION_ID)",
        );
        return ExitStatus::Failure;
    };
    let connection = match sandbox::connect(&args.arm, MAX_PARALLEL_READS) {
        Ok(connection) => connection,
        Err(error) => {
            report::print_error(&error.to_string());
            return ExitStatus::Failure;
        }
    };
    let started = Instant::now();
    let requests_before = connection.client.request_count();
    let options = ExportOptions {
        subscription,
        resource_groups: args.resource_groups.clone(),
        name: args.name.clone(),
        max_parallel: MAX_PARALLEL_READS,
    };
    let exported = match export::export(&connection.client, &options).await {
        Ok(exported) => exported,
        Err(error) => {
            report::print_error(&format!("export failed: {error}"));
            return ExitStatus::Failure;
        }
    };
    let yaml = match export::export_yaml(&exported) {
        Ok(yaml) => yaml,
        Err(error) => {
            report::print_error(&error.to_string());
            return ExitStatus::Failure;
        }
    };
    let requests = connection
        .client
        .request_count()
        .saturating_sub(requests_before);
    match &args.output {
        Some(path) => {
            if let Err(error) = write_atomically(path, &yaml) {
                report::print_error(&format!("cannot write {}: {error}", path.display()));
                return ExitStatus::Failure;
            }
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
    ExitStatus::Success
}

/// Writes next to `path` and renames into place, so a reader never sees half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "estate.yaml".to_owned());
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error);
    }
    Ok(())
}

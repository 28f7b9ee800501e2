//! The estate side every ARM command shares: check the ARM settings (no estate or network work
//! yet), load the estate files, lower them, and connect; the subscription's tenant is asked from
//! ARM only when a resource needs one that neither the files nor `AZURE_TENANT_ID` give.

use std::path::PathBuf;

use crate::arm::subscription_tenant;
use crate::cli::ArmArgs;
use crate::commands::CommandError;
use crate::desired::{self, DesiredState, LowerContext, LowerError};
use crate::live::networks;
use crate::render::report;
use crate::sandbox::{
    self, environment_variable, Connection, SANDBOX_SUBSCRIPTION, SUBSCRIPTION_VARIABLE,
};
use crate::spec::{self, environment::reports_unset, Diagnostic, LoadedEstate};

/// The estate declared in some files, lowered, with a connection to the ARM that holds it.
pub(crate) struct Connected {
    pub loaded: LoadedEstate,
    pub desired: DesiredState,
    /// The ARM client (and, with `--sandbox`, the server behind it: keep it alive).
    pub connection: Connection,
}

/// Connects (the endpoint and credential settings are checked before anything else), loads the
/// estate in `files` and lowers it.
pub(crate) async fn load_and_connect(
    files: &[PathBuf],
    arm: &ArmArgs,
    max_concurrency: usize,
) -> Result<Connected, CommandError> {
    let connection = sandbox::connect(arm, max_concurrency)?;
    describe_sandbox(&connection);
    let loaded = load(files, arm.sandbox)?;
    let desired = lower(&loaded, arm, &connection).await?;
    if arm.sandbox && environment_variable(SUBSCRIPTION_VARIABLE).is_none() {
        let whose = if desired.subscription == SANDBOX_SUBSCRIPTION {
            "the sandbox's own"
        } else {
            "the estate's"
        };
        report::print_note(&format!(
            "AZURE_SUBSCRIPTION_ID is not set: the sandbox uses subscription {} ({whose})",
            desired.subscription
        ));
    }
    Ok(Connected {
        loaded,
        desired,
        connection,
    })
}

/// Reads and loads the estate files, `${VAR}` from the environment. With `sandbox`, an unset
/// `${AZURE_SUBSCRIPTION_ID}` without a default in the files becomes the sandbox's subscription;
/// a default in the files wins, so `validate` and the sandbox report the same subscription.
pub(crate) fn load(files: &[PathBuf], sandbox: bool) -> Result<LoadedEstate, CommandError> {
    let inputs: Vec<spec::Input> = files
        .iter()
        .map(|path| spec::Input {
            name: path.display().to_string(),
            bytes: std::fs::read(path).map_err(|error| error.to_string()),
        })
        .collect();
    let loaded = spec::load_inputs(inputs.clone(), &environment_variable);
    let fallback = sandbox::subscription_fallback(sandbox);
    match (loaded, fallback) {
        (Err(problems), Some(subscription))
            if problems
                .items
                .iter()
                .any(|problem| reports_unset(problem, SUBSCRIPTION_VARIABLE)) =>
        {
            let lookup = |name: &str| {
                environment_variable(name)
                    .or_else(|| (name == SUBSCRIPTION_VARIABLE).then(|| subscription.to_owned()))
            };
            spec::load_inputs(inputs, &lookup).map_err(CommandError::Estate)
        }
        (loaded, _) => loaded.map_err(CommandError::Estate),
    }
}

/// Lowers the estate. The tenant a resource falls back to (after its own and the estate's
/// `tenantId`) is `AZURE_TENANT_ID`, else the sandbox's, else the subscription's tenant as ARM
/// reports it: asked once, and only when lowering without it finds a resource that needs it.
async fn lower(
    loaded: &LoadedEstate,
    arm: &ArmArgs,
    connection: &Connection,
) -> Result<DesiredState, CommandError> {
    let mut context = LowerContext {
        tenant_id: environment_variable("AZURE_TENANT_ID")
            .or_else(|| arm.sandbox.then(|| mock_arm::Config::default().tenant_id)),
        subscription: arm.subscription.clone(),
        subnet_route_tables: referenced_networks(loaded, arm, connection).await?,
    };
    match desired::lower(&loaded.estate, &context) {
        Err(LowerError::MissingTenant { .. }) if context.tenant_id.is_none() => {
            let subscription = context
                .subscription
                .clone()
                .unwrap_or_else(|| loaded.estate.subscription.clone());
            let tenant = subscription_tenant(&connection.client, &subscription).await?;
            tracing::debug!(%subscription, %tenant, "using the subscription's tenant");
            context.tenant_id = Some(tenant);
            Ok(desired::lower(&loaded.estate, &context)?)
        }
        lowered => Ok(lowered?),
    }
}

/// Reads every subnet and VNet the estate names (one GET per distinct id, in parallel): a
/// missing one is an estate problem at the field naming it; returns the subnets' route tables.
async fn referenced_networks(
    loaded: &LoadedEstate,
    arm: &ArmArgs,
    connection: &Connection,
) -> Result<std::collections::BTreeMap<String, String>, CommandError> {
    let references = networks::network_references(&loaded.estate);
    if references.is_empty() {
        return Ok(Default::default());
    }
    let found = networks::read_referenced(
        &connection.client,
        &references,
        crate::live::MAX_PARALLEL_READS,
    )
    .await
    .map_err(|error| match error {
        networks::NetworkReadError::Read {
            noun,
            id,
            path,
            source,
        } => CommandError::Arm {
            context: format!("reading {noun} {id} (named at {path})"),
            source: *source,
        },
        networks::NetworkReadError::Task(reason) => {
            CommandError::Live(crate::live::LiveError::Task(reason))
        }
    })?;
    tracing::info!(reads = found.reads, "read the referenced networks");
    if !found.missing.is_empty() {
        // A subscription that does not exist (or the credential cannot see) hides every
        // network in it: say so rather than listing each network.
        let subscription = arm
            .subscription
            .clone()
            .unwrap_or_else(|| loaded.estate.subscription.clone());
        subscription_tenant(&connection.client, &subscription).await?;
        let problems = found
            .missing
            .iter()
            .map(|missing| {
                Diagnostic::at_path(
                    missing.path.clone(),
                    format!(
                        "{} `{}` does not exist in Azure (read at plan time)",
                        missing.what.noun(),
                        missing.id
                    ),
                )
                .with_hint(format!(
                    "create the {} first, or correct the id (subscription, resource group and names)",
                    missing.what.noun()
                ))
            })
            .collect();
        return Err(CommandError::Estate(loaded.located(problems)));
    }
    Ok(found.route_tables)
}

/// With `--sandbox`: where the simulated Azure is.
pub(crate) fn describe_sandbox(connection: &Connection) {
    let Some(sandbox) = &connection.sandbox else {
        return;
    };
    report::print_note(&format!(
        "sandbox: simulated Azure (mock-arm, time scale {}), world kept in {}",
        sandbox.time_scale(),
        sandbox.state_file().display()
    ));
}

//! `lower`: the entry point that turns a loaded estate into a `DesiredState`, its inputs
//! (`LowerContext`) and errors (`LowerError`), and the list of declared fields it cannot lower.

use crate::desired::context::Lowering;
use crate::desired::{
    cluster, field_mapped, identity, maintenance, network, order, platform, replication, role,
    storage, DesiredState,
};
use crate::spec::types::Estate;

/// What lowering needs beyond the estate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LowerContext {
    /// The tenant of the credential aksctl runs with: a Key Vault's `properties.tenantId` when
    /// neither the vault nor the estate sets `tenantId`.
    pub tenant_id: Option<String>,
    /// Overrides the estate's `subscription` (the `--subscription` flag).
    pub subscription: Option<String>,
    /// The route table of each subnet the estate names (lower-case subnet id -> route table id),
    /// from the plan-time subnet reads: a `userDefinedRouting` cluster's control plane is
    /// granted `Network Contributor` on it.
    pub subnet_route_tables: std::collections::BTreeMap<String, String>,
}

/// Why an estate cannot be lowered. A validated estate only hits `MissingTenant` (the tenant is
/// not in the files and no credential tenant was given); the others guard against an estate that
/// skipped validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    #[error(
        "key vault `{vault}` needs a tenant id (ARM requires `properties.tenantId`): set \
         `keyVaults[].tenantId` or the estate's `tenantId`, or log in so aksctl can use your \
         credential's tenant"
    )]
    MissingTenant { vault: String },
    #[error(
        "{address}: `{reference}` refers to {kind} `{name}`, which the estate does not declare"
    )]
    UnknownReference {
        address: String,
        reference: String,
        kind: &'static str,
        name: String,
    },
    #[error("{address}: {reason}")]
    Invalid { address: String, reason: String },
    #[error("`{address}` is declared twice")]
    DuplicateAddress { address: String },
    #[error("{first} and {second} are the same ARM resource `{id}`")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error("dependency cycle between {}", addresses.join(", "))]
    Cycle { addresses: Vec<String> },
}

/// Lowers a loaded (merged, defaulted, validated) estate to one ARM resource per declared or
/// implied resource, parents before children, in a deterministic order.
pub fn lower(estate: &Estate, context: &LowerContext) -> Result<DesiredState, LowerError> {
    let mut lowering = Lowering::new(estate, context);
    platform::lower_resource_groups(&mut lowering);
    platform::lower_registries(&mut lowering)?;
    replication::lower_replications(&mut lowering)?;
    platform::lower_key_vaults(&mut lowering)?;
    storage::lower_storage_accounts(&mut lowering)?;
    field_mapped::lower_field_mapped(&mut lowering)?;
    network::lower_private_dns_zones(&mut lowering)?;
    network::lower_private_endpoints(&mut lowering)?;
    identity::lower_identities(&mut lowering)?;
    cluster::lower_clusters(&mut lowering)?;
    maintenance::lower_maintenance_configurations(&mut lowering);
    crate::desired::gitops::lower_flux(&mut lowering)?;
    let whole_child_lists = crate::desired::diagnostics::lower_diagnostic_settings(&mut lowering)?;
    identity::lower_federated_credentials(&mut lowering)?;
    role::lower_role_assignments(&mut lowering)?;
    let subscription = lowering.subscription.clone();
    let resources = order::parents_first(lowering.into_resources())?;
    Ok(DesiredState {
        estate: estate.name().to_string(),
        subscription,
        whole_child_lists,
        resources,
    })
}

/// Declared estate fields that lowering does not turn into ARM resources, as estate paths with
/// the reason, so a command can show them as notices. Every field the estate format has is
/// lowered today (geo-replicas and maintenance windows included), so this is empty; it stays
/// the one place a future unmanaged field is reported.
pub fn unlowered_fields(_estate: &Estate) -> Vec<String> {
    Vec::new()
}

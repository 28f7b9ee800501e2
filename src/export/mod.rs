//! Taking over what exists: `export` reads resource groups from ARM (one list per collection)
//! and writes the estate that declares them, with logical references and without defaults or
//! server-populated fields; `adopt` plans and applies the ownership tags that make an estate own
//! the resources it declares which exist untagged (tags only).
//!
//! Export is split in reading (`inventory`: the collections, two concurrent rounds) and
//! converting ARM bodies to estate types (`services`, `cluster`, `access`), sharing the
//! workspace in `context`. Converting is pure, so it is unit-tested on raw bodies.
//!
//! What export leaves out, on purpose:
//! - what AKS makes for itself: the node resource group (`MC_*`) and its content, add-on
//!   identities and their grants, the AKS-managed kubelet identity (referred to as
//!   `principal: {clusterKubelet: <cluster>}`, never declared);
//! - fields equal to ARM's (or aksctl's) default, and read-only fields: a field the estate omits
//!   is not compared by `plan`, so leaving defaults out never causes a change;
//! - resource types the estate format has no kind for: listed as `# not exported:` comments at
//!   the top of the file, never dropped silently.

mod access;
pub mod adopt;
mod cluster;
mod cluster_settings;
mod context;
mod diagnostics;
mod field_mapped;
mod gitops;
mod inventory;
mod network;
mod schedules;
mod services;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::export::context::{canonical_location, common_tags, owner_of, str_at, Exporting};
use crate::live::{ArmReader, ReadFailure};
use crate::render::estate::estate_yaml;
use crate::spec::types::{Estate, Metadata, API_VERSION, KIND};

pub use inventory::{read_inventory, Inventory, GENERIC_RESOURCES_API_VERSION};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("resource group `{group}` does not exist in subscription {subscription}")]
    ResourceGroupNotFound { subscription: String, group: String },
    #[error("reading {path} failed: {source}")]
    Read {
        path: String,
        #[source]
        source: ReadFailure,
    },
    #[error("an export read task failed: {0}")]
    Task(String),
    #[error("cannot write the estate as YAML: {0}")]
    Yaml(String),
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    pub subscription: String,
    pub resource_groups: Vec<String>,
    /// The estate name; default: the estate that owns the resources (their `aksctl-estate` tag)
    /// when they agree, else the first resource group's name.
    pub name: Option<String>,
    /// At most this many reads in flight.
    pub max_parallel: usize,
}

/// A resource found in the groups and not declared in the exported estate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub arm_type: String,
    pub id: String,
    pub reason: String,
}

/// The result of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub estate: Estate,
    /// Resources found but not exported, with why.
    pub skipped: Vec<Skipped>,
    /// Things to review (as comments in the file).
    pub notes: Vec<String>,
    /// How many collections were read.
    pub collections_read: usize,
    /// How many declared resources carry an `aksctl-estate` tag for another estate.
    pub owned_elsewhere: Vec<String>,
}

/// Reads the groups and converts them to an estate.
pub async fn export<R: ArmReader>(
    reader: &R,
    options: &ExportOptions,
) -> Result<Exported, ExportError> {
    let inventory = read_inventory(
        reader,
        &options.subscription,
        &options.resource_groups,
        options.max_parallel,
    )
    .await?;
    Ok(build_estate(&inventory, options.name.as_deref()))
}

/// Converts what was read to an estate (pure).
pub fn build_estate(inventory: &Inventory, name: Option<&str>) -> Exported {
    let without_node_groups = cluster::without_node_resource_group_content(inventory);
    let inventory = &without_node_groups;
    let mut exporting = Exporting::new(inventory);
    exporting.location = most_common_location(inventory);
    // Identities and vaults carry their tenant.
    exporting.tenant = inventory
        .resources
        .iter()
        .find_map(|body| str_at(body, "/properties/tenantId"))
        .map(str::to_owned);

    let mut resource_groups = services::export_groups(&mut exporting);
    cluster::skip_node_resource_groups(&mut exporting, &mut resource_groups);
    let mut registries = services::export_registries(&mut exporting);
    let mut key_vaults = services::export_key_vaults(&mut exporting);
    let mut storage_accounts = services::export_storage_accounts(&mut exporting);
    let field_mapped = field_mapped::export_field_mapped(&mut exporting);
    let private_dns_zones = network::export_private_dns_zones(&mut exporting);
    network::attach_private_endpoints(
        &mut exporting,
        &mut registries,
        &mut key_vaults,
        &mut storage_accounts,
    );
    let mut identities = access::export_identities(&mut exporting);
    cluster::cluster_facts(&mut exporting);
    access::export_federated_credentials(&mut exporting, &mut identities);
    access::group_multi_cluster_credentials(&mut identities);
    let mut clusters = cluster::export_clusters(&mut exporting);
    let (role_assignments, acr_pulls) = access::export_role_assignments(&mut exporting);
    for grant in acr_pulls {
        if let Some(cluster) = clusters.iter_mut().find(|c| c.name == grant.cluster) {
            if !cluster.acr_pull.contains(&grant.registry) {
                cluster.acr_pull.push(grant.registry);
            }
        }
    }
    for (arm_type, id) in &inventory.others {
        if !exporting.in_node_resource_group(id) {
            exporting.skip(arm_type, id, "the estate format has no kind for this type");
        }
    }
    if let Some(error) = &inventory.role_assignments_unreadable {
        exporting.notes.push(format!(
            "could not list the subscription's role assignments ({error}): none are exported; \
             reading them needs `Microsoft.Authorization/roleAssignments/read` (Reader has it)"
        ));
    }
    for (group, error) in &inventory.unlisted_groups {
        exporting.notes.push(format!(
            "could not list the other resources of resource group `{group}` ({error}): \
             resources of types the estate format lacks are not listed here"
        ));
    }

    // The estate the groups already belong to (a re-export), else the first group's name.
    let estate_name = name
        .map(str::to_owned)
        .or_else(|| inventory.groups.first().and_then(owner_of))
        .or_else(|| {
            resource_groups
                .first()
                .map(|group| estate_name_from(&group.name))
        })
        .unwrap_or_else(|| "exported".to_owned());
    let owned_elsewhere: Vec<String> = tracked_bodies(inventory)
        .filter(|body| owner_of(body).is_some_and(|owner| owner != estate_name))
        .filter_map(|body| str_at(body, "/id").map(str::to_owned))
        .collect();
    for body in tracked_bodies(inventory) {
        if let (Some(manager), Some(id)) = (adopt::previous_manager(body), str_at(body, "/id")) {
            exporting.notes.push(format!(
                "{id} is tagged managed-by={manager}: make sure that tool stops managing it before `aksctl adopt`"
            ));
        }
    }

    let mut estate = Estate {
        api_version: API_VERSION.to_owned(),
        kind: KIND.to_owned(),
        metadata: Metadata { name: estate_name },
        subscription: inventory.subscription.clone(),
        tenant_id: exporting.tenant.clone(),
        location: exporting.location.clone(),
        tags: Default::default(),
        resource_groups,
        registries,
        key_vaults,
        storage_accounts,
        private_dns_zones,
        clusters,
        identities,
        role_assignments,
        checks: None,
        rollout: None,
        ..field_mapped
    };
    hoist_common_tags(&mut estate);
    Exported {
        estate,
        skipped: exporting.skipped,
        notes: exporting.notes,
        collections_read: inventory.collections_read,
        owned_elsewhere,
    }
}

/// The exported estate as YAML: a header saying what it is, the resources not exported and the
/// notes as comments, then the estate (the spec's emitter, as `aksctl render` writes it).
pub fn export_yaml(exported: &Exported) -> Result<String, ExportError> {
    let rendered =
        estate_yaml(&exported.estate).map_err(|error| ExportError::Yaml(error.to_string()))?;
    // The emitter's own header line says "rendered"; this file says "exported".
    let body = rendered
        .split_once('\n')
        .filter(|(first, _)| first.starts_with('#'))
        .map_or(rendered.as_str(), |(_, rest)| rest);
    let mut text = format!(
        "# Exported by aksctl from subscription {} (resource groups: {}).\n\
         # Review it, then `aksctl plan -f FILE` (adoption notices only) and `aksctl adopt -f FILE`.\n",
        exported.estate.subscription,
        exported
            .estate
            .resource_groups
            .iter()
            .map(|group| group.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for skipped in &exported.skipped {
        text.push_str(&format!(
            "# not exported: {} {} ({})\n",
            skipped.arm_type,
            skipped.id,
            one_line(&skipped.reason)
        ));
    }
    for note in &exported.notes {
        text.push_str(&format!("# note: {}\n", one_line(note)));
    }
    for id in &exported.owned_elsewhere {
        text.push_str(&format!(
            "# note: {id} is tagged for another estate: `aksctl adopt` will refuse it\n"
        ));
    }
    text.push_str(body);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A valid estate name from a resource group name: 1-63 letters, digits, `-`, `_` or `.`,
/// starting with a letter or digit (group names may also hold `(`, `)`).
fn estate_name_from(group: &str) -> String {
    let name: String = group
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .skip_while(|c| !c.is_ascii_alphanumeric())
        .take(63)
        .collect();
    if name.is_empty() {
        "exported".to_owned()
    } else {
        name
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every tracked body read (groups included).
fn tracked_bodies(inventory: &Inventory) -> impl Iterator<Item = &serde_json::Value> {
    inventory.groups.iter().chain(inventory.resources.iter())
}

/// The location most exported resources are in (ties: the first group's), canonical.
fn most_common_location(inventory: &Inventory) -> String {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (position, body) in tracked_bodies(inventory).enumerate() {
        if let Some(location) = str_at(body, "/location") {
            let entry = counts
                .entry(canonical_location(location))
                .or_insert((0, position));
            entry.0 += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|(_, (count_a, first_a)), (_, (count_b, first_b))| {
            count_a.cmp(count_b).then(first_b.cmp(first_a))
        })
        .map(|(location, _)| location)
        .unwrap_or_else(|| "eastus".to_owned())
}

/// Moves tags every tracked resource carries with the same value up to the estate's `tags`.
fn hoist_common_tags(estate: &mut Estate) {
    let common = common_tags(estate.tracked_mut().into_iter().map(|r| r.tags()));
    if common.is_empty() {
        return;
    }
    for resource in estate.tracked_mut() {
        resource
            .tags_mut()
            .retain(|key, _| !common.contains_key(key));
    }
    estate.tags = common;
}

//! The networks an estate names but does not own (pool subnets, private-endpoint subnets, the
//! VNets private DNS zones link to): each distinct VNet is read once (its GET lists its subnets
//! inline), all in parallel, before the plan is built. A missing one is a problem at the estate field that names it; a subnet's route
//! table is what a `userDefinedRouting` cluster's control plane must be granted.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::arm::{ArmClient, ArmError};
use crate::id::ResourceId;
use crate::spec::types::Estate;

/// The pinned api-version of `Microsoft.Network/virtualNetworks[/subnets]` GETs
/// (`../shared/arm/api-versions.json`).
pub const NETWORK_API_VERSION: &str = "2025-09-01";

/// One subnet or VNet id the estate names, at its estate field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkReference {
    pub id: String,
    /// `clusters[0].pools[1].subnet.id`.
    pub path: String,
    pub what: NetworkKind,
}

/// What a referenced id must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    Subnet,
    VirtualNetwork,
}

impl NetworkKind {
    pub fn noun(self) -> &'static str {
        match self {
            NetworkKind::Subnet => "subnet",
            NetworkKind::VirtualNetwork => "virtual network",
        }
    }
}

/// What the reads found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferencedNetworks {
    /// References whose id ARM does not know (404), in estate order.
    pub missing: Vec<NetworkReference>,
    /// Lower-case subnet id -> the id of its route table, for subnets that have one.
    pub route_tables: BTreeMap<String, String>,
    /// How many GETs were sent (one per distinct VNet).
    pub reads: usize,
}

/// A network read that failed for another reason than absence.
#[derive(Debug, thiserror::Error)]
pub enum NetworkReadError {
    #[error("reading {noun} {id} (named at {path}) failed: {source}")]
    Read {
        noun: &'static str,
        id: String,
        path: String,
        #[source]
        source: Box<ArmError>,
    },
    #[error("a network read task failed: {0}")]
    Task(String),
}

/// Every subnet and VNet id the estate names, in estate order (duplicates kept: each place that
/// names a missing id is reported).
pub fn network_references(estate: &Estate) -> Vec<NetworkReference> {
    let mut references = Vec::new();
    let mut add = |id: &str, path: String, what: NetworkKind| {
        references.push(NetworkReference {
            id: id.to_owned(),
            path,
            what,
        });
    };
    for (index, cluster) in estate.clusters.iter().enumerate() {
        for (pool_index, pool) in cluster.pools.iter().enumerate() {
            if let Some(subnet) = &pool.subnet {
                add(
                    &subnet.id,
                    format!("clusters[{index}].pools[{pool_index}].subnet.id"),
                    NetworkKind::Subnet,
                );
            }
        }
    }
    let endpoints = [
        (
            "registries",
            estate
                .registries
                .iter()
                .map(|r| r.private_endpoint.as_ref())
                .collect::<Vec<_>>(),
        ),
        (
            "keyVaults",
            estate
                .key_vaults
                .iter()
                .map(|v| v.private_endpoint.as_ref())
                .collect(),
        ),
        (
            "storageAccounts",
            estate
                .storage_accounts
                .iter()
                .map(|a| a.private_endpoint.as_ref())
                .collect(),
        ),
    ];
    for (list, items) in endpoints {
        for (index, endpoint) in items.into_iter().enumerate() {
            if let Some(endpoint) = endpoint {
                add(
                    &endpoint.subnet,
                    format!("{list}[{index}].privateEndpoint.subnet"),
                    NetworkKind::Subnet,
                );
            }
        }
    }
    for (index, zone) in estate.private_dns_zones.iter().enumerate() {
        for (link_index, link) in zone.virtual_network_links.iter().enumerate() {
            add(
                &link.virtual_network,
                format!(
                    "privateDnsZones[{index}].virtualNetworkLinks[{link_index}].virtualNetwork"
                ),
                NetworkKind::VirtualNetwork,
            );
        }
    }
    references
}

/// The VNet id of a subnet id (`.../virtualNetworks/<v>/subnets/<s>` -> `.../virtualNetworks/<v>`);
/// a VNet id is its own.
fn network_of(id: &str) -> String {
    let lower = id.trim_end_matches('/').to_ascii_lowercase();
    match lower.rfind("/subnets/") {
        Some(at) => lower[..at].to_owned(),
        None => lower,
    }
}

/// GETs each distinct VNet once (at most `max_parallel` at a time): ARM's VNet GET carries the
/// current subnets inline, so one read answers for the VNet and every subnet of it the estate
/// names.
pub async fn read_referenced(
    client: &ArmClient,
    references: &[NetworkReference],
    max_parallel: usize,
) -> Result<ReferencedNetworks, NetworkReadError> {
    let mut distinct: BTreeMap<String, &NetworkReference> = BTreeMap::new();
    for reference in references {
        distinct
            .entry(network_of(&reference.id))
            .or_insert(reference);
    }
    let semaphore = Arc::new(Semaphore::new(max_parallel.max(1)));
    let mut tasks = JoinSet::new();
    for (network, reference) in &distinct {
        let client = client.clone();
        let semaphore = Arc::clone(&semaphore);
        let network = network.clone();
        let reference = (*reference).clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let outcome = client
                .get(&ResourceId::new(network.clone()), NETWORK_API_VERSION)
                .await;
            (network, reference, outcome)
        });
    }
    // Lower-case id -> the body of every VNet and subnet found.
    let mut found: BTreeMap<String, Value> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (network, reference, outcome) =
            joined.map_err(|error| NetworkReadError::Task(error.to_string()))?;
        let body = outcome.map_err(|source| NetworkReadError::Read {
            noun: NetworkKind::VirtualNetwork.noun(),
            id: network.clone(),
            path: reference.path.clone(),
            source: Box::new(source),
        })?;
        let Some(body) = body else { continue };
        let subnets = body
            .pointer("/properties/subnets")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for subnet in subnets {
            let name = subnet
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = subnet
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .unwrap_or_else(|| format!("{network}/subnets/{}", name.to_ascii_lowercase()));
            found.insert(id, subnet);
        }
        found.insert(network, body);
    }
    let mut result = ReferencedNetworks {
        reads: distinct.len(),
        ..ReferencedNetworks::default()
    };
    for reference in references {
        let key = reference.id.trim_end_matches('/').to_ascii_lowercase();
        match found.get(&key) {
            Some(body) => {
                if let Some(table) = body
                    .pointer("/properties/routeTable/id")
                    .and_then(Value::as_str)
                {
                    result.route_tables.insert(key, table.to_owned());
                }
            }
            None => result.missing.push(reference.clone()),
        }
    }
    Ok(result)
}

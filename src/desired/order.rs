//! Final checks and order of the lowered resources: addresses and ARM ids are unique, and every
//! resource comes after what it depends on, otherwise in lowering order (deterministic: the
//! estate's declaration order within each kind).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::id::ResourceId;

/// Checks uniqueness, then orders dependencies first (a stable topological sort: among the ready
/// resources, the one lowered first goes first). Dependencies outside the estate are ignored.
pub fn parents_first(resources: Vec<DesiredResource>) -> Result<Vec<DesiredResource>, LowerError> {
    check_unique(&resources)?;
    let position: HashMap<&str, usize> = resources
        .iter()
        .enumerate()
        .map(|(index, resource)| (resource.address.as_str(), index))
        .collect();
    let mut waiting_on: Vec<BTreeSet<usize>> = Vec::with_capacity(resources.len());
    let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); resources.len()];
    for (index, resource) in resources.iter().enumerate() {
        let dependencies: BTreeSet<usize> = resource
            .depends_on
            .iter()
            .filter_map(|address| position.get(address.as_str()).copied())
            .filter(|&dependency| dependency != index)
            .collect();
        for &dependency in &dependencies {
            dependants[dependency].push(index);
        }
        waiting_on.push(dependencies);
    }
    let mut ready: BTreeSet<usize> = (0..resources.len())
        .filter(|&index| waiting_on[index].is_empty())
        .collect();
    let mut order = Vec::with_capacity(resources.len());
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &dependant in &dependants[next] {
            waiting_on[dependant].remove(&next);
            if waiting_on[dependant].is_empty() {
                ready.insert(dependant);
            }
        }
    }
    if order.len() < resources.len() {
        let placed: BTreeSet<usize> = order.iter().copied().collect();
        let addresses = (0..resources.len())
            .filter(|index| !placed.contains(index))
            .map(|index| resources[index].address.clone())
            .collect();
        return Err(LowerError::Cycle { addresses });
    }
    let mut slots: Vec<Option<DesiredResource>> = resources.into_iter().map(Some).collect();
    Ok(order
        .into_iter()
        .filter_map(|index| slots[index].take())
        .collect())
}

fn check_unique(resources: &[DesiredResource]) -> Result<(), LowerError> {
    let mut addresses: HashSet<&str> = HashSet::new();
    let mut ids: HashMap<&ResourceId, &str> = HashMap::new();
    for resource in resources {
        if !addresses.insert(&resource.address) {
            return Err(LowerError::DuplicateAddress {
                address: resource.address.clone(),
            });
        }
        if let Some(first) = ids.insert(&resource.id, &resource.address) {
            return Err(LowerError::DuplicateId {
                id: resource.id.to_string(),
                first: first.to_string(),
                second: resource.address.clone(),
            });
        }
    }
    Ok(())
}

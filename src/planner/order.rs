//! Deterministic dependency order: a topological sort on `depends_on` (parents first) with ties
//! broken by address, so the same inputs always give the same plan.

use std::collections::{BTreeMap, BTreeSet};

/// Sorts `nodes` (address, dependencies) parents first; dependencies outside `nodes` are ignored.
/// Nodes caught in a cycle (the estate's validation forbids them) come last, by address.
pub fn topological(nodes: &[(String, Vec<String>)]) -> Vec<String> {
    let known: BTreeSet<&str> = nodes.iter().map(|(address, _)| address.as_str()).collect();
    let mut waiting_on: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut dependants: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (address, depends_on) in nodes {
        let entry = waiting_on.entry(address.as_str()).or_default();
        for dependency in depends_on {
            if dependency != address && known.contains(dependency.as_str()) {
                entry.insert(dependency.as_str());
                dependants
                    .entry(dependency.as_str())
                    .or_default()
                    .push(address.as_str());
            }
        }
    }
    let mut ready: BTreeSet<&str> = waiting_on
        .iter()
        .filter(|(_, dependencies)| dependencies.is_empty())
        .map(|(address, _)| *address)
        .collect();
    let mut ordered = Vec::with_capacity(nodes.len());
    while let Some(next) = ready.pop_first() {
        ordered.push(next.to_owned());
        waiting_on.remove(next);
        for dependant in dependants.get(next).into_iter().flatten() {
            if let Some(dependencies) = waiting_on.get_mut(dependant) {
                dependencies.remove(next);
                if dependencies.is_empty() {
                    ready.insert(dependant);
                }
            }
        }
    }
    ordered.extend(waiting_on.keys().map(|address| (*address).to_owned()));
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(address: &str, depends_on: &[&str]) -> (String, Vec<String>) {
        (
            address.to_owned(),
            depends_on.iter().map(|d| (*d).to_owned()).collect(),
        )
    }

    #[test]
    fn parents_first_ties_by_address() {
        let nodes = vec![
            node("pool/aks/user", &["cluster/aks"]),
            node("cluster/aks", &["resourceGroup/rg", "identity/id-aks"]),
            node("identity/id-aks", &["resourceGroup/rg"]),
            node("pool/aks/system", &["cluster/aks"]),
            node("resourceGroup/rg", &[]),
            node(
                "registry/acr",
                &["resourceGroup/rg", "resourceGroup/missing"],
            ),
        ];
        assert_eq!(
            topological(&nodes),
            vec![
                "resourceGroup/rg",
                "identity/id-aks",
                "cluster/aks",
                "pool/aks/system",
                "pool/aks/user",
                "registry/acr"
            ]
        );
    }

    #[test]
    fn cycles_do_not_lose_nodes() {
        let nodes = vec![node("a", &["b"]), node("b", &["a"]), node("c", &[])];
        assert_eq!(topological(&nodes), vec!["c", "a", "b"]);
    }
}

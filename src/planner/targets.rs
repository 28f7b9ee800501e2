//! `--target KIND/NAME`: plan only the named resources, what sits below them in ARM (a cluster's
//! pools), and everything they depend on.

use std::collections::BTreeSet;

use crate::desired::DesiredState;
use crate::planner::PlanError;

/// The addresses to plan: all of the estate without targets, otherwise the targets, their ARM
/// descendants and the transitive closure of their dependencies.
pub fn select(desired: &DesiredState, targets: &[String]) -> Result<BTreeSet<String>, PlanError> {
    if targets.is_empty() {
        return Ok(desired
            .resources
            .iter()
            .map(|resource| resource.address.clone())
            .collect());
    }
    let mut selected = BTreeSet::new();
    for target in targets {
        let target = target.trim();
        let Some(resource) = desired
            .resources
            .iter()
            .find(|resource| resource.address.eq_ignore_ascii_case(target))
        else {
            return Err(PlanError::UnknownTarget {
                target: target.to_owned(),
                suggestions: suggestions(desired, target),
            });
        };
        selected.insert(resource.address.clone());
        for candidate in &desired.resources {
            let mut parent = candidate.id.parent();
            while let Some(id) = parent {
                if id == resource.id {
                    selected.insert(candidate.address.clone());
                    break;
                }
                parent = id.parent();
            }
        }
    }
    let mut pending: Vec<String> = selected.iter().cloned().collect();
    while let Some(address) = pending.pop() {
        if let Some(resource) = desired.by_address(&address) {
            for dependency in &resource.depends_on {
                if desired.by_address(dependency).is_some() && selected.insert(dependency.clone()) {
                    pending.push(dependency.clone());
                }
            }
            for deferred in &resource.deferred {
                if desired.by_address(&deferred.source).is_some()
                    && selected.insert(deferred.source.clone())
                {
                    pending.push(deferred.source.clone());
                }
            }
        }
    }
    Ok(selected)
}

/// Up to three declared addresses that share the target's kind prefix or name.
fn suggestions(desired: &DesiredState, target: &str) -> Vec<String> {
    let (prefix, name) = target.split_once('/').unwrap_or(("", target));
    let name = name.to_ascii_lowercase();
    desired
        .resources
        .iter()
        .map(|resource| resource.address.clone())
        .filter(|address| {
            let lower = address.to_ascii_lowercase();
            (!prefix.is_empty() && lower.starts_with(&format!("{}/", prefix.to_ascii_lowercase())))
                || (!name.is_empty() && lower.contains(&name))
        })
        .take(3)
        .collect()
}

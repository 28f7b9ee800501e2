//! The Kubernetes version workflow (`ChangeClass::Monotonic` and `ServerMoved` on a cluster's
//! `kubernetesVersion`, FACTS-AKS-DAY2 §4-5):
//! - with an auto-upgrade channel, the declared version is a floor: a live version AKS moved
//!   above it is no change (a notice says so), and a write never sends the older declared value;
//! - without a channel, a live version above the declared one is a plan-time error (ARM refuses
//!   downgrades), with the fix;
//! - a minor skip (1.33 -> 1.35) is refused at plan time with the path (1.34, then 1.35);
//! - one minor up without a channel: the control plane alone (the cluster PUT keeps the pools'
//!   versions), then each pool that does not declare its own version follows it, one at a time,
//!   System pools first; a pool the control plane would leave outside the skew whose declared
//!   version fits both control planes is upgraded before it; under a channel AKS refuses
//!   control-plane-only upgrades, so the one cluster PUT moves the pools too (`apply::body`).

use serde_json::Value;

use crate::plan::{ChangeStep, Reason, ReasonCode, ResourceChange, StepOperationKind};
use crate::planner::skew::{within_skew, POOL_SKEW_MINORS};
use crate::planner::PlanError;

const VERSION: &str = "/properties/kubernetesVersion";
pub(super) const POOL_VERSION: &str = "/properties/orchestratorVersion";

/// A live pool's running version: `currentOrchestratorVersion`, else its `orchestratorVersion`.
pub(super) fn live_pool_version(before: &Value) -> Option<&str> {
    before
        .pointer("/properties/currentOrchestratorVersion")
        .or_else(|| before.pointer(POOL_VERSION))
        .and_then(Value::as_str)
}

/// `1.33` or `1.33.5` as (major, minor).
pub fn minor_of(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Whether the live cluster body has an auto-upgrade channel other than `none`.
pub fn upgrade_channel(cluster: &Value) -> Option<&str> {
    cluster
        .pointer("/properties/autoUpgradeProfile/upgradeChannel")
        .and_then(Value::as_str)
        .filter(|channel| !channel.eq_ignore_ascii_case("none"))
}

/// The version a live cluster runs: `currentKubernetesVersion`, else `kubernetesVersion`.
fn running(cluster: &Value) -> Option<&str> {
    cluster
        .pointer("/properties/currentKubernetesVersion")
        .or_else(|| cluster.pointer(VERSION))
        .and_then(Value::as_str)
}

/// Applies the version workflow to the planned changes (cluster and pool changes of one plan).
pub fn shape(changes: &mut [ResourceChange], notices: &mut Vec<String>) -> Result<(), PlanError> {
    pool_floors(changes, notices)?;
    let clusters: Vec<usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, change)| change.kind.is_cluster() && change.before.is_some())
        .map(|(index, _)| index)
        .collect();
    for index in clusters {
        let change = &mut changes[index];
        let (Some(before), Some(after)) = (change.before.clone(), change.after.as_mut()) else {
            continue;
        };
        let Some(declared) = after
            .pointer(VERSION)
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        let Some(live) = running(&before).map(str::to_owned) else {
            continue;
        };
        let (Some(wanted), Some(current)) = (minor_of(&declared), minor_of(&live)) else {
            continue;
        };
        let channel = upgrade_channel(&before).map(str::to_owned);
        if current > wanted {
            let Some(channel) = channel else {
                return Err(PlanError::VersionDowngrade {
                    address: change.address.clone(),
                    declared,
                    live,
                });
            };
            // A floor: keep what AKS moved it to, in any write of the cluster.
            if let Some(live_declared) = before.pointer(VERSION).cloned() {
                if let Some(slot) = after.pointer_mut(VERSION) {
                    *slot = live_declared;
                }
            }
            change
                .reasons
                .retain(|reason| reason.path.as_deref() != Some(VERSION));
            if change.reasons.is_empty() {
                change.action = crate::plan::Action::Noop;
            }
            notices.push(format!(
                "{}: AKS moved kubernetesVersion to {live} (auto-upgrade channel {channel}); the declared \"{declared}\" is a floor, nothing is planned. Declare \"{}.{}\" to record it.",
                change.address, current.0, current.1
            ));
            continue;
        }
        if current.0 != wanted.0 || wanted.1 > current.1 + 1 {
            let path: Vec<String> = (current.1 + 1..=wanted.1)
                .map(|minor| format!("{}.{minor}", wanted.0))
                .collect();
            return Err(PlanError::MinorSkip {
                address: change.address.clone(),
                declared,
                live,
                path,
            });
        }
        if wanted.1 != current.1 + 1 {
            continue;
        }
        let from = format!("{}.{}", current.0, current.1);
        let to = format!("{}.{}", wanted.0, wanted.1);
        let description = match &channel {
            None => format!("{} control plane {from} -> {to} (its pools keep their version)", change.address),
            Some(channel) => format!(
                "{} control plane and every pool {from} -> {to} in one operation (auto-upgrade channel {channel}: AKS refuses control-plane-only upgrades)",
                change.address
            ),
        };
        change.procedure.steps = vec![ChangeStep {
            operation: StepOperationKind::Update,
            address: change.address.clone(),
            id: change.id.clone(),
            description,
            body: change.after.clone(),
        }];
        if channel.is_none() {
            pools_first(changes, index, current, wanted);
            follow_control_plane(changes, index, &to);
        }
    }
    Ok(())
}

/// Pools whose live version the control plane's step would leave outside the skew, but whose
/// declared version fits both the running and the new control plane, are upgraded first: the
/// cluster's change waits for them (and `apply::graph` then lets them go before their parent).
fn pools_first(
    changes: &mut [ResourceChange],
    cluster: usize,
    running: (u64, u64),
    wanted: (u64, u64),
) {
    let cluster_id = changes[cluster].id.clone();
    let cluster_address = changes[cluster].address.clone();
    let mut first: Vec<String> = Vec::new();
    for pool in changes.iter_mut().filter(|change| {
        change.kind.is_node_pool()
            && change.action == crate::plan::Action::Update
            && change.procedure.steps.is_empty()
            && change.id.parent().as_ref() == Some(&cluster_id)
    }) {
        let live = pool
            .before
            .as_ref()
            .and_then(live_pool_version)
            .map(str::to_owned);
        let declared = pool
            .after
            .as_ref()
            .and_then(|after| after.pointer(POOL_VERSION))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let (Some(live), Some(declared)) = (live, declared) else {
            continue;
        };
        let (Some(live_minor), Some(declared_minor)) = (minor_of(&live), minor_of(&declared))
        else {
            continue;
        };
        if within_skew(wanted, live_minor)
            || !within_skew(running, declared_minor)
            || !within_skew(wanted, declared_minor)
        {
            continue;
        }
        pool.depends_on
            .retain(|dependency| dependency != &cluster_address);
        pool.procedure.steps = vec![ChangeStep {
            operation: StepOperationKind::Update,
            address: pool.address.clone(),
            id: pool.id.clone(),
            description: format!(
                "{} {}.{} -> {declared}, before the control plane (a pool stays within {POOL_SKEW_MINORS} minors of it: {}.{})",
                pool.address, live_minor.0, live_minor.1, wanted.0, wanted.1
            ),
            body: pool.after.clone(),
        }];
        first.push(pool.address.clone());
    }
    let cluster = &mut changes[cluster];
    for address in first {
        if !cluster.depends_on.contains(&address) {
            cluster.depends_on.push(address);
        }
    }
}

/// A pool whose live version is above its declared one: a floor under the cluster's auto-upgrade
/// channel (AKS moved it), else a plan-time error (ARM refuses downgrades).
fn pool_floors(changes: &mut [ResourceChange], notices: &mut Vec<String>) -> Result<(), PlanError> {
    let channels: Vec<(crate::id::ResourceId, Option<String>)> = changes
        .iter()
        .filter(|change| change.kind.is_cluster())
        .map(|change| {
            let channel = change
                .before
                .as_ref()
                .and_then(|before| upgrade_channel(before))
                .map(str::to_owned);
            (change.id.clone(), channel)
        })
        .collect();
    for pool in changes
        .iter_mut()
        .filter(|change| change.kind.is_node_pool())
    {
        let (Some(before), Some(after)) = (pool.before.as_ref(), pool.after.as_mut()) else {
            continue;
        };
        let Some(declared) = after
            .pointer(POOL_VERSION)
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            continue;
        };
        let Some(live) = live_pool_version(before).map(str::to_owned) else {
            continue;
        };
        if minor_of(&live) <= minor_of(&declared) {
            continue;
        }
        let channel = channels
            .iter()
            .find(|(id, _)| pool.id.parent().as_ref() == Some(id))
            .and_then(|(_, channel)| channel.clone());
        let Some(channel) = channel else {
            return Err(PlanError::VersionDowngrade {
                address: pool.address.clone(),
                declared,
                live,
            });
        };
        if let (Some(live_declared), Some(slot)) = (
            before.pointer(POOL_VERSION).cloned(),
            after.pointer_mut(POOL_VERSION),
        ) {
            *slot = live_declared;
        }
        pool.reasons
            .retain(|reason| reason.path.as_deref() != Some(POOL_VERSION));
        if pool.reasons.is_empty() {
            pool.action = crate::plan::Action::Noop;
        }
        notices.push(format!(
            "{}: AKS moved orchestratorVersion to {live} (auto-upgrade channel {channel}); the declared \"{declared}\" is a floor, nothing is planned.",
            pool.address
        ));
    }
    Ok(())
}

/// Pools of the cluster at `cluster` that declare no version and run an older minor follow the
/// control plane to `to`, one at a time (they share the cluster's lock), System pools first.
fn follow_control_plane(changes: &mut [ResourceChange], cluster: usize, to: &str) {
    let cluster_id = changes[cluster].id.clone();
    let Some(target) = minor_of(to) else {
        return;
    };
    let mut system_pools: Vec<String> = Vec::new();
    let mut followers: Vec<usize> = Vec::new();
    for (index, pool) in changes.iter().enumerate() {
        if !pool.kind.is_node_pool() || pool.id.parent().as_ref() != Some(&cluster_id) {
            continue;
        }
        let Some(before) = &pool.before else { continue };
        let declares = pool
            .after
            .as_ref()
            .and_then(|after| after.pointer(POOL_VERSION))
            .is_some();
        let live = live_pool_version(before).and_then(minor_of);
        let is_system = before
            .pointer("/properties/mode")
            .and_then(Value::as_str)
            .is_some_and(|mode| mode.eq_ignore_ascii_case("System"));
        if is_system {
            system_pools.push(pool.address.clone());
        }
        if !declares && pool.procedure.steps.is_empty() && live.is_some_and(|live| live < target) {
            followers.push(index);
        }
    }
    for index in followers {
        let pool = &mut changes[index];
        let from = pool
            .before
            .as_ref()
            .and_then(|before| before.pointer(POOL_VERSION))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        if let Some(properties) = pool
            .after
            .as_mut()
            .and_then(|after| after.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            properties.insert("orchestratorVersion".to_owned(), Value::from(to));
        }
        pool.action = pool.action.max(crate::plan::Action::Update);
        pool.reasons.push(Reason {
            code: ReasonCode::FieldChanged,
            message: format!(
                "properties.orchestratorVersion: \"{from}\" -> \"{to}\" (undeclared: follows the control plane)"
            ),
            path: Some(POOL_VERSION.to_owned()),
        });
        pool.procedure.steps = vec![ChangeStep {
            operation: StepOperationKind::Update,
            address: pool.address.clone(),
            id: pool.id.clone(),
            description: format!("{} {from} -> {to}, after the control plane", pool.address),
            body: pool.after.clone(),
        }];
        let cluster_address = changes[cluster].address.clone();
        let pool = &mut changes[index];
        if !pool.depends_on.contains(&cluster_address) {
            pool.depends_on.push(cluster_address);
        }
        if !system_pools.contains(&pool.address) {
            for system in &system_pools {
                if !pool.depends_on.contains(system) {
                    pool.depends_on.push(system.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minors_are_parsed_from_aliases_and_full_versions() {
        assert_eq!(minor_of("1.33"), Some((1, 33)));
        assert_eq!(minor_of("1.34.1"), Some((1, 34)));
        assert_eq!(minor_of("v1.35.0"), Some((1, 35)));
        assert_eq!(minor_of("latest"), None);
    }
}

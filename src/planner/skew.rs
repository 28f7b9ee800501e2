//! The pool/control-plane version skew, checked at plan time (FACTS-AKS-DAY2 §4): a pool runs the
//! control plane's major version, never a newer minor, and at most [`POOL_SKEW_MINORS`] minors
//! behind it. ARM refuses a cluster PUT that would leave a pool outside the skew and a pool PUT
//! outside it (`InvalidParameter` on `orchestratorVersion`), so a plan that would reach such a
//! state fails before any write, with the versions, the pool's `file:line` and the fix. Checked
//! at two points: when the control plane moves alone (its pools keep their version until their
//! own steps, which come after it), and in the state the plan converges to. Under an
//! auto-upgrade channel the control plane and the pools move in one operation, so only a pool
//! declared above the control plane is refused there (the floors of `versions` stand).

use serde_json::Value;

use crate::check::locate::{FieldPath, Locator};
use crate::plan::{Action, Plan, ResourceChange};
use crate::planner::refusals::Refusal;
use crate::planner::versions::{live_pool_version, minor_of, upgrade_channel, POOL_VERSION};

pub use crate::kind::POOL_SKEW_MINORS;

const VERSION: &str = "/properties/kubernetesVersion";
/// The estate's field of a pool's version (`clusters[].pools[].kubernetesVersion`).
const POOL_VERSION_FIELD: &str = "kubernetesVersion";

/// Whether a pool at `pool` fits a control plane at `plane` (major, minor).
pub fn within_skew(plane: (u64, u64), pool: (u64, u64)) -> bool {
    pool.0 == plane.0 && pool.1 <= plane.1 && plane.1 - pool.1 <= POOL_SKEW_MINORS
}

/// The refusals of every pool of `plan` that the plan would take outside its control plane's
/// skew (`versions::shape` has run: followers carry their new version).
pub fn review(plan: &Plan, locator: &Locator<'_>) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    for cluster in plan
        .changes
        .iter()
        .filter(|change| change.kind.is_cluster() && change.action != Action::Delete)
    {
        refusals.extend(review_cluster(plan, cluster, locator));
    }
    refusals
}

/// The control plane of one cluster: where it runs, where the plan takes it, and how.
struct ControlPlane {
    /// The running minor (none for a cluster the plan creates).
    running: Option<(u64, u64)>,
    /// The minor the plan converges to.
    planned: (u64, u64),
    /// The auto-upgrade channel, when one is set (pools move with the control plane).
    channel: Option<String>,
}

fn control_plane(cluster: &ResourceChange) -> Option<ControlPlane> {
    let before = cluster.before.as_ref();
    let running = before
        .and_then(|body| {
            body.pointer("/properties/currentKubernetesVersion")
                .or_else(|| body.pointer(VERSION))
        })
        .and_then(Value::as_str)
        .and_then(minor_of);
    let declared = cluster
        .after
        .as_ref()
        .and_then(|after| after.pointer(VERSION))
        .and_then(Value::as_str)
        .and_then(minor_of);
    Some(ControlPlane {
        running,
        planned: declared.or(running)?,
        channel: before
            .and_then(|body| upgrade_channel(body))
            .map(str::to_owned),
    })
}

fn review_cluster(plan: &Plan, cluster: &ResourceChange, locator: &Locator<'_>) -> Vec<Refusal> {
    let Some(plane) = control_plane(cluster) else {
        return Vec::new();
    };
    let moves_alone = plane.channel.is_none()
        && plane
            .running
            .is_some_and(|running| running != plane.planned);
    let mut refusals = Vec::new();
    for pool in plan.changes.iter().filter(|change| {
        change.kind.is_node_pool()
            && change.action != Action::Delete
            && change.id.parent().as_ref() == Some(&cluster.id)
    }) {
        if pool.action == Action::Noop && cluster.action == Action::Noop {
            continue;
        }
        let declared = pool
            .after
            .as_ref()
            .and_then(|after| after.pointer(POOL_VERSION))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let live = pool
            .before
            .as_ref()
            .and_then(live_pool_version)
            .map(str::to_owned);
        // The pool's version where it declares one, else the pool itself.
        let location = || {
            let item = FieldPath::pool(cluster.id.name(), pool.id.name());
            locator
                .locate(&item.clone().key(POOL_VERSION_FIELD))
                .or_else(|| locator.locate(&item))
        };
        // The control plane moves alone: the pool then runs its live version, or its declared
        // one when the plan upgrades it first (`versions::pools_first`).
        let upgraded_first = cluster.depends_on.contains(&pool.address);
        let at_the_step = if upgraded_first {
            declared.as_deref()
        } else {
            live.as_deref()
        };
        if let (true, Some(live), Some(running)) = (moves_alone, at_the_step, plane.running) {
            if let Some(pool_minor) =
                minor_of(live).filter(|minor| !within_skew(plane.planned, *minor))
            {
                refusals.push(left_behind(
                    cluster,
                    pool,
                    live,
                    pool_minor,
                    running,
                    plane.planned,
                    location(),
                ));
                continue;
            }
        }
        // The state the plan converges to.
        let (version, declared_here) = match (&declared, &live) {
            (Some(declared), _) => (declared.as_str(), true),
            // Under a channel the cluster's one operation moves undeclared pools with it.
            (None, _) if plane.channel.is_some() => continue,
            (None, Some(live)) if !matches!(pool.action, Action::Create | Action::Replace) => {
                (live.as_str(), false)
            }
            // A new pool without a version takes the control plane's.
            _ => continue,
        };
        let Some(pool_minor) = minor_of(version) else {
            continue;
        };
        if within_skew(plane.planned, pool_minor)
            || (plane.channel.is_some() && pool_minor < plane.planned)
        {
            continue;
        }
        refusals.push(outside_skew(
            cluster,
            pool,
            version,
            declared_here,
            pool_minor,
            plane.planned,
            location(),
        ));
    }
    refusals
}

fn minor_text(minor: (u64, u64)) -> String {
    format!("{}.{}", minor.0, minor.1)
}

/// The oldest minor a pool may run under a control plane at `plane`.
fn oldest_allowed(plane: (u64, u64)) -> (u64, u64) {
    (plane.0, plane.1.saturating_sub(POOL_SKEW_MINORS))
}

/// A pool the control plane's own step would leave more than the skew behind.
fn left_behind(
    cluster: &ResourceChange,
    pool: &ResourceChange,
    live: &str,
    pool_minor: (u64, u64),
    running: (u64, u64),
    planned: (u64, u64),
    location: Option<crate::check::SourceLocation>,
) -> Refusal {
    let oldest = minor_text(oldest_allowed(planned));
    Refusal {
        address: pool.address.clone(),
        field: "properties.orchestratorVersion".to_owned(),
        change: format!(
            "{live} (control plane {} -> {})",
            minor_text(running),
            minor_text(planned)
        ),
        location,
        reason: format!(
            "{} moves its control plane to {} first, alone (its pools follow in later steps), and this pool would then be {} minor versions behind it; AKS keeps pools of the control plane's major version at most {POOL_SKEW_MINORS} minors behind (N-{POOL_SKEW_MINORS} since Kubernetes 1.28), so ARM would refuse the control-plane upgrade (InvalidParameter on orchestratorVersion)",
            cluster.address,
            minor_text(planned),
            planned.1.saturating_sub(pool_minor.1),
        ),
        fix: format!(
            "upgrade the pool first: declare its kubernetesVersion \"{oldest}\" or newer, up to \"{}\" (the plan then upgrades it before the control plane), or apply that with the cluster's kubernetesVersion kept at \"{}\", then declare \"{}\"",
            minor_text(running),
            minor_text(running),
            minor_text(planned),
        ),
    }
}

/// A pool whose planned version does not fit the planned control plane.
fn outside_skew(
    cluster: &ResourceChange,
    pool: &ResourceChange,
    version: &str,
    declared: bool,
    pool_minor: (u64, u64),
    plane: (u64, u64),
    location: Option<crate::check::SourceLocation>,
) -> Refusal {
    let plane_text = minor_text(plane);
    let whose = if declared { "declared" } else { "running" };
    let (why, fix) = if pool_minor.0 != plane.0 {
        (
            format!("a pool runs the control plane's major version ({})", plane.0),
            format!("declare the pool's kubernetesVersion as a {} minor from \"{}\" to \"{plane_text}\", or remove it to follow the control plane", plane.0, minor_text(oldest_allowed(plane))),
        )
    } else if pool_minor > plane {
        (
            "a pool is never newer than its control plane".to_owned(),
            format!("declare the pool's kubernetesVersion \"{plane_text}\" or older (or remove it to follow the control plane), or upgrade the control plane first: the cluster's kubernetesVersion one minor at a time up to \"{}\", then the pool", minor_text(pool_minor)),
        )
    } else {
        (
            format!("a pool is at most {POOL_SKEW_MINORS} minors behind its control plane (N-{POOL_SKEW_MINORS} since Kubernetes 1.28)"),
            format!("declare the pool's kubernetesVersion \"{}\" or newer (up to \"{plane_text}\"), or remove it to follow the control plane", minor_text(oldest_allowed(plane))),
        )
    };
    Refusal {
        address: pool.address.clone(),
        field: "properties.orchestratorVersion".to_owned(),
        change: format!("{whose} {version:?} under control plane {plane_text}"),
        location,
        reason: format!(
            "{} would run Kubernetes {plane_text} and {why}, so ARM would refuse the write (InvalidParameter on orchestratorVersion)",
            cluster.address
        ),
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skew_is_same_major_never_newer_and_at_most_three_minors_behind() {
        assert!(within_skew((1, 34), (1, 34)));
        assert!(within_skew((1, 34), (1, 31)));
        assert!(!within_skew((1, 34), (1, 30)));
        assert!(!within_skew((1, 33), (1, 34)));
        assert!(!within_skew((2, 1), (1, 33)));
    }
}

//! Upgrades: the "pet cluster" that never upgrades (seed 001): an auto-upgrade channel, a
//! stable cadence, a maintenance window, node OS patching, surge, and versions aksctl would
//! fight the channel over.

use crate::check::context::Context;
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::spec::{NodeOsUpgradeChannel, UpgradeChannel};

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS050",
        area: Area::Upgrades,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Clusters follow an auto-upgrade channel",
        rationale: "Seed 001 anti-patterns: the pet cluster that never upgrades sits out of support; with an upgrade channel upgrades are routine.",
        fix: "Set `autoUpgrade.channel: stable` (or `patch`).",
        evaluate: upgrade_channel,
    },
    Rule {
        id: "AKS051",
        area: Area::Upgrades,
        severity: Severity::Warning,
        relaxed_in_dev: true,
        title: "Production clusters upgrade on the stable or patch channel",
        rationale: "Seed 001 anti-patterns: zones, PDBs, surge upgrades and a stable channel make upgrades routine; rapid is for dev clusters.",
        fix: "Set `autoUpgrade.channel: stable`.",
        evaluate: stable_channel,
    },
    Rule {
        id: "AKS052",
        area: Area::Upgrades,
        severity: Severity::Error,
        relaxed_in_dev: true,
        title: "Auto-upgrading clusters have a maintenance window",
        rationale: "Seed 001 anti-patterns (the pet cluster): stable channel plus a maintenance window, so upgrades land when the team is ready, not mid-peak.",
        fix: "Add `maintenanceWindow: {day: Sunday, startTime: \"01:00\", durationHours: 4}`.",
        evaluate: maintenance_window,
    },
    Rule {
        id: "AKS053",
        area: Area::Upgrades,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Node images are patched automatically",
        rationale: "Seed 001 layers: routine upgrades include node OS security patches; `None`/`Unmanaged` leaves nodes unpatched.",
        fix: "Set `autoUpgrade.nodeOsChannel: NodeImage` (or `SecurityPatch`).",
        evaluate: node_os_channel,
    },
    Rule {
        id: "AKS054",
        area: Area::Upgrades,
        severity: Severity::Warning,
        relaxed_in_dev: true,
        title: "Regular user pools set an upgrade surge",
        rationale: "Seed 002 ops checklist: autoscaler and max surge tuned; seed 001: surge upgrades keep capacity while nodes are replaced.",
        fix: "Set `maxSurge: \"33%\"` on the pool.",
        evaluate: max_surge,
    },
    Rule {
        id: "AKS055",
        area: Area::Upgrades,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Pools run the control plane's version",
        rationale: "Seed 001 anti-patterns: a pool pinned behind the control plane is a pet that blocks the next upgrade (AKS allows limited skew).",
        fix: "Remove the pool's `kubernetesVersion` so it follows the cluster's.",
        evaluate: pool_version_skew,
    },
    Rule {
        id: "AKS056",
        area: Area::Upgrades,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Versions are pinned at minor level when a channel upgrades patches",
        rationale: "Seed 001 anti-patterns: with an upgrade channel on, a pinned patch version makes every plan fight the channel (a drift back to the old patch).",
        fix: "Write `kubernetesVersion: \"1.33\"` (minor only) and let the channel pick the patch.",
        evaluate: patch_pinned,
    },
];

fn channel(cluster: &crate::spec::Cluster) -> Option<UpgradeChannel> {
    cluster
        .auto_upgrade
        .as_ref()
        .and_then(|upgrade| upgrade.channel)
}

fn upgrade_channel(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if matches!(channel(cluster), None | Some(UpgradeChannel::None)) {
            hits.push(Hit::cluster(
                cluster,
                Some("autoUpgrade"),
                format!("cluster `{}` never upgrades by itself", cluster.name),
            ));
        }
    }
}

fn stable_channel(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if let Some(found @ (UpgradeChannel::Rapid | UpgradeChannel::NodeImage)) = channel(cluster)
        {
            hits.push(Hit::cluster(
                cluster,
                Some("autoUpgrade"),
                format!(
                    "cluster `{}` upgrades on the `{found}` channel",
                    cluster.name
                ),
            ));
        }
    }
}

fn maintenance_window(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let upgrading = !matches!(channel(cluster), None | Some(UpgradeChannel::None));
        if upgrading && cluster.maintenance_window.is_none() {
            hits.push(Hit::cluster(
                cluster,
                Some("autoUpgrade"),
                format!("cluster `{}` may upgrade at any hour", cluster.name),
            ));
        }
    }
}

fn node_os_channel(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let node_os = cluster
            .auto_upgrade
            .as_ref()
            .and_then(|upgrade| upgrade.node_os_channel);
        if matches!(
            node_os,
            Some(NodeOsUpgradeChannel::None | NodeOsUpgradeChannel::Unmanaged)
        ) || (node_os.is_none() && channel(cluster).is_none())
        {
            hits.push(Hit::cluster(
                cluster,
                Some("autoUpgrade"),
                format!("cluster `{}` does not patch node images", cluster.name),
            ));
        }
    }
}

fn max_surge(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        for pool in crate::check::context::regular_user_pools(cluster) {
            if pool.max_surge.is_none() {
                hits.push(Hit::pool(
                    cluster,
                    pool,
                    None,
                    format!("pool `{}` upgrades one node at a time", pool.name),
                ));
            }
        }
    }
}

/// `1.33.2` -> `1.33`.
fn minor(version: &str) -> &str {
    match version.match_indices('.').nth(1) {
        Some((at, _)) => &version[..at],
        None => version,
    }
}

fn pool_version_skew(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let Some(control_plane) = cluster.kubernetes_version.as_deref() else {
            continue;
        };
        for pool in &cluster.pools {
            let Some(version) = pool.kubernetes_version.as_deref() else {
                continue;
            };
            if minor(version) != minor(control_plane) {
                hits.push(Hit::pool(
                    cluster,
                    pool,
                    Some("kubernetesVersion"),
                    format!(
                        "pool `{}` runs {version} under a {control_plane} control plane",
                        pool.name
                    ),
                ));
            }
        }
    }
}

fn patch_pinned(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let patching = matches!(
            channel(cluster),
            Some(UpgradeChannel::Patch | UpgradeChannel::Stable | UpgradeChannel::Rapid)
        );
        if let Some(version) = cluster.kubernetes_version.as_deref() {
            if patching && minor(version) != version {
                hits.push(Hit::cluster(
                    cluster,
                    Some("kubernetesVersion"),
                    format!(
                        "cluster `{}` pins {version} but its channel upgrades patches",
                        cluster.name
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::{case, pool_named};
    vec![
        case("AKS050", |estate| {
            estate.clusters[0].auto_upgrade = None;
        }),
        case("AKS051", |estate| {
            if let Some(upgrade) = estate.clusters[0].auto_upgrade.as_mut() {
                upgrade.channel = Some(UpgradeChannel::Rapid);
            }
        }),
        case("AKS052", |estate| {
            estate.clusters[0].maintenance_window = None;
        }),
        case("AKS053", |estate| {
            if let Some(upgrade) = estate.clusters[0].auto_upgrade.as_mut() {
                upgrade.node_os_channel = Some(NodeOsUpgradeChannel::Unmanaged);
            }
        }),
        case("AKS054", |estate| {
            pool_named(estate, "general").max_surge = None;
        }),
        case("AKS055", |estate| {
            pool_named(estate, "general").kubernetes_version = Some("1.32".into());
        }),
        case("AKS056", |estate| {
            estate.clusters[0].kubernetes_version = Some("1.33.2".into());
        }),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn minor_cuts_the_patch() {
        assert_eq!(super::minor("1.33.2"), "1.33");
        assert_eq!(super::minor("1.33"), "1.33");
    }
}

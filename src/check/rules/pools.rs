//! Node pools and availability: system/user separation, zones, autoscaler floors, spot
//! capacity, control-plane tier (seed 003 "Production Checklist", seed 001 layers).

use crate::check::context::{minimum_nodes, regular_user_pools, Context};
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::spec::{ClusterTier, PoolMode};

/// The taint `criticalAddonsOnly: true` adds.
const SYSTEM_TAINT: &str = "CriticalAddonsOnly";

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS001",
        area: Area::Pools,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "System pools carry the CriticalAddonsOnly taint",
        rationale: "Seed 003 Production Checklist: system and user node pools separated, system taint applied, so application pods never starve CoreDNS and the metrics server.",
        fix: "Set `criticalAddonsOnly: true` on every `mode: System` pool.",
        evaluate: system_pool_tainted,
    },
    Rule {
        id: "AKS002",
        area: Area::Pools,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Every cluster has a user pool for workloads",
        rationale: "Seed 003 Production Checklist: system and user node pools separated; workloads run on user pools.",
        fix: "Add a pool with `mode: User` (the default mode) for workloads.",
        evaluate: has_user_pool,
    },
    Rule {
        id: "AKS003",
        area: Area::Pools,
        severity: Severity::Warning,
        relaxed_in_dev: true,
        title: "Regular pools span availability zones 1, 2 and 3",
        rationale: "Seed 003 Production Checklist: zone-redundant node pools (AZs 1, 2, 3) survive the loss of a datacenter.",
        fix: "Set `zones: [1, 2, 3]` on the pool (create-only: a new pool, then drain the old one).",
        evaluate: zonal_pools,
    },
    Rule {
        id: "AKS004",
        area: Area::Pools,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Regular user pools use the cluster autoscaler",
        rationale: "Seed 003 Production Checklist and seed 002 ops checklist: cluster autoscaler on, tuned to the load.",
        fix: "Replace `count: N` with `autoscale: {min: N, max: M}`.",
        evaluate: autoscaled_user_pools,
    },
    Rule {
        id: "AKS005",
        area: Area::Pools,
        severity: Severity::Error,
        relaxed_in_dev: true,
        title: "At least 2 regular user nodes at all times",
        rationale: "Seed 003 Production Checklist: cluster autoscaler with min 2 nodes, never scale to 0 user nodes.",
        fix: "Raise `autoscale.min` (or `count`) of the regular user pools to a total of 2 or more.",
        evaluate: user_node_floor,
    },
    Rule {
        id: "AKS006",
        area: Area::Pools,
        severity: Severity::Warning,
        relaxed_in_dev: true,
        title: "System pools keep at least 3 nodes",
        rationale: "Seed 000 lab (`--node-count 3`) and seed 001 reference example (a 3-node zonal system pool): the cluster's own add-ons stay up through a zone loss or an upgrade.",
        fix: "Set `count: 3` (or `autoscale.min: 3`) on the system pool.",
        evaluate: system_pool_size,
    },
    Rule {
        id: "AKS007",
        area: Area::Pools,
        severity: Severity::Info,
        relaxed_in_dev: false,
        title: "A spot pool takes batch and non-critical work",
        rationale: "Seed 003 Production Checklist: spot node pool for batch and non-critical workloads.",
        fix: "Add a pool with `spot: {evictionPolicy: Delete}` and `autoscale: {min: 0, max: N}`.",
        evaluate: has_spot_pool,
    },
    Rule {
        id: "AKS008",
        area: Area::Pools,
        severity: Severity::Error,
        relaxed_in_dev: true,
        title: "Production clusters use the Standard or Premium tier",
        rationale: "Seed 001 layers: the Standard tier gives the control plane an uptime SLA and scales the API server; Free has neither.",
        fix: "Set `tier: Standard`.",
        evaluate: paid_tier,
    },
];

fn system_pool_tainted(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        for pool in &cluster.pools {
            let tainted = pool.critical_addons_only == Some(true)
                || pool
                    .taints
                    .iter()
                    .any(|taint| taint.starts_with(SYSTEM_TAINT));
            if pool.effective_mode() == PoolMode::System && !tainted {
                hits.push(Hit::pool(
                    cluster,
                    pool,
                    Some("criticalAddonsOnly"),
                    format!("system pool `{}` takes application pods", pool.name),
                ));
            }
        }
    }
}

fn has_user_pool(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if !cluster
            .pools
            .iter()
            .any(|pool| pool.effective_mode() == PoolMode::User)
        {
            hits.push(Hit::cluster(
                cluster,
                Some("pools"),
                format!("cluster `{}` has only system pools", cluster.name),
            ));
        }
    }
}

fn zonal_pools(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        for pool in cluster.pools.iter().filter(|pool| !pool.is_spot()) {
            if ![1, 2, 3].iter().all(|zone| pool.zones.contains(zone)) {
                hits.push(Hit::pool(
                    cluster,
                    pool,
                    Some("zones"),
                    format!("pool `{}` is not spread over zones 1, 2 and 3", pool.name),
                ));
            }
        }
    }
}

fn autoscaled_user_pools(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        for pool in regular_user_pools(cluster).filter(|pool| pool.autoscale.is_none()) {
            hits.push(Hit::pool(
                cluster,
                pool,
                Some("count"),
                format!("user pool `{}` has a fixed node count", pool.name),
            ));
        }
    }
}

fn user_node_floor(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let floor: u32 = regular_user_pools(cluster).map(minimum_nodes).sum();
        if floor < 2 {
            hits.push(Hit::cluster(
                cluster,
                Some("pools"),
                format!(
                    "cluster `{}` can scale down to {floor} regular user node(s)",
                    cluster.name
                ),
            ));
        }
    }
}

fn system_pool_size(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        for pool in &cluster.pools {
            let nodes = minimum_nodes(pool);
            if pool.effective_mode() == PoolMode::System && nodes < 3 {
                let key = if pool.autoscale.is_some() {
                    "autoscale"
                } else {
                    "count"
                };
                hits.push(Hit::pool(
                    cluster,
                    pool,
                    Some(key),
                    format!("system pool `{}` can run on {nodes} node(s)", pool.name),
                ));
            }
        }
    }
}

fn has_spot_pool(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if !cluster.pools.iter().any(|pool| pool.is_spot()) {
            hits.push(Hit::cluster(
                cluster,
                Some("pools"),
                format!("cluster `{}` has no spot pool", cluster.name),
            ));
        }
    }
}

fn paid_tier(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        if !matches!(
            cluster.tier,
            Some(ClusterTier::Standard | ClusterTier::Premium)
        ) {
            hits.push(Hit::cluster(
                cluster,
                Some("tier"),
                format!(
                    "cluster `{}` runs on the {} tier",
                    cluster.name,
                    cluster.tier.unwrap_or(ClusterTier::Free)
                ),
            ));
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::{case, pool_named};
    use crate::spec::Autoscale;
    vec![
        case("AKS001", |estate| {
            pool_named(estate, "system").critical_addons_only = None;
        }),
        case("AKS002", |estate| {
            estate.clusters[0]
                .pools
                .retain(|pool| pool.mode == Some(PoolMode::System));
        }),
        case("AKS003", |estate| {
            pool_named(estate, "general").zones = vec![1, 2];
        }),
        case("AKS004", |estate| {
            let pool = pool_named(estate, "general");
            pool.autoscale = None;
            pool.count = Some(3);
        }),
        case("AKS005", |estate| {
            pool_named(estate, "general").autoscale = Some(Autoscale { min: 1, max: 10 });
        }),
        case("AKS006", |estate| {
            pool_named(estate, "system").count = Some(2);
        }),
        case("AKS007", |estate| {
            estate.clusters[0].pools.retain(|pool| pool.spot.is_none());
        }),
        case("AKS008", |estate| {
            estate.clusters[0].tier = Some(ClusterTier::Free);
        }),
    ]
}

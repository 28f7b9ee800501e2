//! Rules of the cluster and pool settings of issue 14: Defender's workspace (declared, one form),
//! image cleaner interval, autoscaler durations, pool upgrade ranges, pod subnet ids, kubelet
//! thresholds and maintenance blackout dates.

use crate::spec::types::{Cluster, Estate, NodePool};
use crate::spec::validate::{field, item, Problems};

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    for (index, cluster) in estate.clusters.iter().enumerate() {
        let path = item("clusters", index);
        cluster_settings(estate, cluster, &path, problems);
        for (position, pool) in cluster.pools.iter().enumerate() {
            pool_settings(pool, &item(&field(&path, "pools"), position), problems);
        }
    }
}

fn cluster_settings(estate: &Estate, cluster: &Cluster, path: &str, problems: &mut Problems) {
    if let Some(defender) = &cluster.defender {
        let defender_path = field(path, "defender");
        if let Some(workspace) = &defender.workspace {
            super::references::workspace_must_exist(
                estate,
                workspace,
                &field(&defender_path, "workspace"),
                problems,
            );
        }
        match (&defender.workspace, &defender.log_analytics_workspace_id) {
            (Some(_), Some(_)) => problems.add(
                field(&defender_path, "logAnalyticsWorkspaceId"),
                "`workspace` and `logAnalyticsWorkspaceId` both name Defender's workspace",
                "keep `workspace` for a workspace of this estate, `logAnalyticsWorkspaceId` for one outside it",
            ),
            (None, None) if defender.enabled != Some(false) => problems.add(
                defender_path.clone(),
                "Defender needs a Log Analytics workspace",
                "set `workspace: <name in logAnalyticsWorkspaces>` (ARM: \"When Microsoft Defender is enabled, this field is required\")",
            ),
            (None, Some(id)) if !is_workspace_id(id) => problems.add(
                field(&defender_path, "logAnalyticsWorkspaceId"),
                format!("`{id}` is not a Log Analytics workspace id"),
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}",
            ),
            _ => {}
        }
    }
    if let Some(hours) = cluster
        .image_cleaner
        .as_ref()
        .and_then(|c| c.interval_hours)
    {
        if !(24..=2160).contains(&hours) {
            problems.add(
                field(&field(path, "imageCleaner"), "intervalHours"),
                format!("an image cleaner interval of {hours} hours is out of range"),
                "24-2160 hours (1 to 90 days)",
            );
        }
    }
    if let Some(profile) = &cluster.autoscaler_profile {
        let profile_path = field(path, "autoscalerProfile");
        for (key, value, units) in [
            ("scanInterval", &profile.scan_interval, "s"),
            (
                "maxNodeProvisionTime",
                &profile.max_node_provision_time,
                "m",
            ),
            (
                "scaleDownDelayAfterAdd",
                &profile.scale_down_delay_after_add,
                "m",
            ),
            (
                "scaleDownUnneededTime",
                &profile.scale_down_unneeded_time,
                "m",
            ),
        ] {
            let Some(value) = value else { continue };
            let ok = value.strip_suffix(units).is_some_and(|digits| {
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            });
            if !ok {
                problems.add(
                    field(&profile_path, key),
                    format!("`{value}` is not a duration in `{units}`"),
                    format!("an integer followed by `{units}`, e.g. `10{units}` (ARM accepts only this unit here)"),
                );
            }
        }
        if let Some(threshold) = &profile.scale_down_utilization_threshold {
            if !threshold
                .parse::<f64>()
                .is_ok_and(|t| (0.0..=1.0).contains(&t))
            {
                problems.add(
                    field(&profile_path, "scaleDownUtilizationThreshold"),
                    format!("`{threshold}` is not a fraction between 0 and 1"),
                    "e.g. `\"0.5\"`",
                );
            }
        }
    }
    if let Some(window) = &cluster.maintenance_window {
        let dates_path = field(&field(path, "maintenanceWindow"), "blackoutDates");
        for (index, dates) in window.blackout_dates.iter().enumerate() {
            let span_path = item(&dates_path, index);
            let start_ok = is_date(&dates.start);
            let end_ok = is_date(&dates.end);
            for (ok, key, value) in [
                (start_ok, "start", &dates.start),
                (end_ok, "end", &dates.end),
            ] {
                if !ok {
                    problems.add(
                        field(&span_path, key),
                        format!("`{value}` is not a date"),
                        "write `YYYY-MM-DD`, quoted: `\"2026-12-24\"`",
                    );
                }
            }
            if start_ok && end_ok && dates.end < dates.start {
                problems.add(
                    field(&span_path, "end"),
                    format!(
                        "blackout ends ({}) before it starts ({})",
                        dates.end, dates.start
                    ),
                    "swap `start` and `end`",
                );
            }
        }
    }
}

fn pool_settings(pool: &NodePool, path: &str, problems: &mut Problems) {
    if let Some(upgrade) = &pool.upgrade {
        let upgrade_path = field(path, "upgrade");
        if upgrade.max_surge.is_some() && pool.max_surge.is_some() {
            problems.add(
                field(&upgrade_path, "maxSurge"),
                "`maxSurge` and `upgrade.maxSurge` both set the surge",
                "keep `upgrade.maxSurge`",
            );
        }
        for (key, value, zero_ok) in [
            ("maxSurge", &upgrade.max_surge, false),
            ("maxUnavailable", &upgrade.max_unavailable, true),
        ] {
            let Some(value) = value else { continue };
            if !count_or_percent(value, zero_ok) {
                problems.add(
                    field(&upgrade_path, key),
                    format!("{key} `{value}` is not valid"),
                    "a node count such as `\"3\"` or a percentage such as `\"33%\"` (quoted)",
                );
            }
        }
        if let Some(minutes) = upgrade.drain_timeout_minutes {
            if !(1..=1440).contains(&minutes) {
                problems.add(
                    field(&upgrade_path, "drainTimeoutMinutes"),
                    format!("a drain timeout of {minutes} minutes is out of range"),
                    "1-1440 minutes (AKS's default is 30)",
                );
            }
        }
        if let Some(minutes) = upgrade.node_soak_duration_minutes {
            if minutes > 30 {
                problems.add(
                    field(&upgrade_path, "nodeSoakDurationMinutes"),
                    format!("a node soak of {minutes} minutes is out of range"),
                    "0-30 minutes",
                );
            }
        }
    }
    if let Some(subnet) = &pool.pod_subnet {
        if !is_subnet_id(&subnet.id) {
            problems.add(
                field(&field(path, "podSubnet"), "id"),
                format!("`{}` is not a subnet id", subnet.id),
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}",
            );
        }
    }
    if let Some(kubelet) = &pool.kubelet_config {
        let kubelet_path = field(path, "kubeletConfig");
        for (key, value) in [
            ("imageGcHighThreshold", kubelet.image_gc_high_threshold),
            ("imageGcLowThreshold", kubelet.image_gc_low_threshold),
        ] {
            if value.is_some_and(|percent| percent > 100) {
                problems.add(
                    field(&kubelet_path, key),
                    format!("{key} is a percentage of disk use"),
                    "0-100",
                );
            }
        }
        if let (Some(high), Some(low)) = (
            kubelet.image_gc_high_threshold,
            kubelet.image_gc_low_threshold,
        ) {
            if low > high {
                problems.add(
                    field(&kubelet_path, "imageGcLowThreshold"),
                    format!("imageGcLowThreshold {low} is above imageGcHighThreshold {high}"),
                    "the low threshold must not exceed the high one",
                );
            }
        }
        if kubelet
            .container_log_max_files
            .is_some_and(|files| files < 2)
        {
            problems.add(
                field(&kubelet_path, "containerLogMaxFiles"),
                "containerLogMaxFiles must be at least 2",
                "the kubelet keeps the current file and at least one rotated one",
            );
        }
    }
}

fn count_or_percent(value: &str, zero_ok: bool) -> bool {
    let least = u32::from(!zero_ok);
    match value.strip_suffix('%') {
        Some(percent) => percent
            .parse::<u32>()
            .is_ok_and(|p| (least..=100).contains(&p)),
        None => value.parse::<u32>().is_ok_and(|count| count >= least),
    }
}

/// `/subscriptions/.../virtualNetworks/{vnet}/subnets/{subnet}`.
pub(crate) fn is_subnet_id(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    id.starts_with("/subscriptions/")
        && id.contains("/providers/microsoft.network/virtualnetworks/")
        && id.contains("/subnets/")
}

/// `/subscriptions/.../Microsoft.OperationalInsights/workspaces/{name}`.
pub(crate) fn is_workspace_id(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    id.starts_with("/subscriptions/")
        && id.contains("/providers/microsoft.operationalinsights/workspaces/")
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |part: &str, digits: usize| {
        (part.len() == digits && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [year, month, day] => {
            number(year, 4).is_some()
                && number(month, 2).is_some_and(|m| (1..=12).contains(&m))
                && number(day, 2).is_some_and(|d| (1..=31).contains(&d))
        }
        _ => false,
    }
}

/// Flux rules: configuration and kustomization names, URL schemes, `dependsOn` within the
/// configuration, the token variable's name and its pairing with `httpsUser`.
pub(super) fn check_flux(estate: &Estate, problems: &mut Problems) {
    for (index, cluster) in estate.clusters.iter().enumerate() {
        let Some(flux) = &cluster.flux else { continue };
        let configurations_path = field(&field(&item("clusters", index), "flux"), "configurations");
        let mut seen: Vec<&str> = Vec::new();
        for (position, configuration) in flux.configurations.iter().enumerate() {
            let path = item(&configurations_path, position);
            if !flux_name_ok(&configuration.name) {
                problems.add(
                    field(&path, "name"),
                    format!(
                        "`{}` is not a valid flux configuration name",
                        configuration.name
                    ),
                    "1-63 lowercase letters, digits, `-` and `.`, alphanumeric at both ends",
                );
            }
            if seen.contains(&configuration.name.as_str()) {
                problems.add(
                    field(&path, "name"),
                    format!(
                        "flux configuration `{}` is declared twice on this cluster",
                        configuration.name
                    ),
                    "give each configuration its own name",
                );
            }
            seen.push(&configuration.name);
            let url = configuration.url.to_ascii_lowercase();
            let https = url.starts_with("https://") || url.starts_with("http://");
            if !(https || url.starts_with("ssh://") || url.starts_with("git@")) {
                problems.add(
                    field(&path, "url"),
                    format!(
                        "`{}` is not a Git repository URL Flux can fetch",
                        configuration.url
                    ),
                    "use `https://host/org/repo`, `ssh://git@host/org/repo` or `git@host:org/repo`",
                );
            }
            if let Some(variable) = &configuration.https_key_variable {
                if !variable_name_ok(variable) {
                    problems.add(
                        field(&path, "httpsKeyVariable"),
                        format!("`{variable}` is not an environment variable name"),
                        "the name only, without `$`, `${` or `}`: e.g. `FLUX_GIT_TOKEN`",
                    );
                }
                if !https {
                    problems.add(
                        field(&path, "httpsKeyVariable"),
                        "`httpsKeyVariable` is a token for an `https://` repository",
                        "use an `https://` URL, or an in-cluster secret for ssh",
                    );
                }
                if configuration.https_user.is_none() {
                    problems.add(
                        field(&path, "httpsKeyVariable"),
                        "a repository token needs `httpsUser`",
                        "set `httpsUser` (e.g. `git` for a GitHub token)",
                    );
                }
            }
            let names: Vec<&str> = configuration
                .kustomizations
                .iter()
                .map(|k| k.name.as_str())
                .collect();
            for (number, kustomization) in configuration.kustomizations.iter().enumerate() {
                let kustomization_path = item(&field(&path, "kustomizations"), number);
                if !flux_name_ok(&kustomization.name) {
                    problems.add(
                        field(&kustomization_path, "name"),
                        format!("`{}` is not a valid kustomization name", kustomization.name),
                        "1-63 lowercase letters, digits, `-` and `.`, alphanumeric at both ends",
                    );
                }
                if names
                    .iter()
                    .filter(|name| **name == kustomization.name)
                    .count()
                    > 1
                {
                    problems.add(
                        field(&kustomization_path, "name"),
                        format!(
                            "kustomization `{}` is declared twice in this configuration",
                            kustomization.name
                        ),
                        "kustomization names are unique within a configuration",
                    );
                }
                for (at, dependency) in kustomization.depends_on.iter().enumerate() {
                    if dependency == &kustomization.name || !names.contains(&dependency.as_str()) {
                        problems.add(
                            item(&field(&kustomization_path, "dependsOn"), at),
                            format!("kustomization `{}` depends on `{dependency}`, which is not another kustomization of this configuration", kustomization.name),
                            format!("name one of: {}", names.iter().filter(|name| **name != kustomization.name).copied().collect::<Vec<_>>().join(", ")),
                        );
                    }
                }
            }
        }
    }
}

fn flux_name_ok(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
}

fn variable_name_ok(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

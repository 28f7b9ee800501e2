//! Cluster rules: Kubernetes versions, pools (System pool present, spot not System, counts and
//! autoscale ranges, taints, labels, surge, disks), workload identity and OIDC, Entra and local
//! accounts, maintenance window and add-on settings. Networking is in `network`.

use crate::kind::POOL_SKEW_MINORS;
use crate::spec::types::{Cluster, Estate, NodePool, OsSku, OsType, PoolMode};
use crate::spec::validate::{check_guid, field, item, network, Problems};

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    for (index, cluster) in estate.clusters.iter().enumerate() {
        let path = item("clusters", index);
        let control_plane = cluster.kubernetes_version.as_deref().and_then(|version| {
            checked_version(version, &field(&path, "kubernetesVersion"), problems)
        });
        pools(cluster, &path, control_plane, problems);
        identity_and_access(cluster, &path, problems);
        network::check(cluster, &path, problems);
        maintenance_and_addons(cluster, &path, problems);
    }
}

/// A Kubernetes version: `major.minor` or `major.minor.patch`.
pub(crate) fn parse_version(version: &str) -> Option<(u32, u32, Option<u32>)> {
    let parts: Vec<&str> = version.split('.').collect();
    let number = |text: &str| -> Option<u32> {
        (!text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit())
            && (text == "0" || !text.starts_with('0')))
        .then(|| text.parse().ok())
        .flatten()
    };
    match parts.as_slice() {
        [major, minor] => Some((number(major)?, number(minor)?, None)),
        [major, minor, patch] => Some((number(major)?, number(minor)?, Some(number(patch)?))),
        _ => None,
    }
    .filter(|(major, _, _)| *major == 1)
}

fn checked_version(
    version: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<(u32, u32, Option<u32>)> {
    let parsed = parse_version(version);
    if parsed.is_none() {
        problems.add(
            path,
            format!("`{version}` is not a Kubernetes version"),
            "write `major.minor` or `major.minor.patch` without a `v`, quoted: `\"1.33\"` or `\"1.33.2\"`",
        );
    }
    parsed
}

fn pools(
    cluster: &Cluster,
    path: &str,
    control_plane: Option<(u32, u32, Option<u32>)>,
    problems: &mut Problems,
) {
    let pools_path = field(path, "pools");
    if cluster.pools.is_empty() {
        problems.add(
            &pools_path,
            format!("cluster `{}` has no node pools", cluster.name),
            "add a pool with `mode: System`",
        );
        return;
    }
    if !cluster
        .pools
        .iter()
        .any(|pool| pool.effective_mode() == PoolMode::System)
    {
        problems.add(
            &pools_path,
            format!("cluster `{}` has no System pool", cluster.name),
            "set `mode: System` on one pool (Linux, at least 2 vCPUs and 4 GB); AKS needs one for its system pods",
        );
    }
    for (index, pool) in cluster.pools.iter().enumerate() {
        let pool_path = item(&pools_path, index);
        pool_rules(pool, &pool_path, control_plane, problems);
    }
}

fn pool_rules(
    pool: &NodePool,
    path: &str,
    control_plane: Option<(u32, u32, Option<u32>)>,
    problems: &mut Problems,
) {
    let size_ok = pool
        .vm_size
        .get(..9)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("Standard_"))
        && pool.vm_size.len() > 9
        && pool
            .vm_size
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !size_ok {
        problems.add(
            field(path, "vmSize"),
            format!("`{}` is not a VM size", pool.vm_size),
            "AKS VM sizes look like `Standard_D4s_v5`",
        );
    }
    let system = pool.effective_mode() == PoolMode::System;
    let windows = pool.os_type == Some(OsType::Windows)
        || matches!(
            pool.os_sku,
            Some(OsSku::Windows2019 | OsSku::Windows2022 | OsSku::Windows2025)
        );
    if pool.is_spot() && system {
        problems.add(
            field(path, "spot"),
            format!("spot pool `{}` cannot be a System pool", pool.name),
            "spot nodes can be evicted at any time; use `mode: User` for spot pools",
        );
    }
    if windows && system {
        problems.add(
            field(path, "mode"),
            format!("Windows pool `{}` cannot be a System pool", pool.name),
            "System pools run Linux; make this pool `mode: User`",
        );
    }
    if let Some(sku) = pool.os_sku {
        let windows_sku = matches!(
            sku,
            OsSku::Windows2019 | OsSku::Windows2022 | OsSku::Windows2025
        );
        if pool
            .os_type
            .is_some_and(|os| (os == OsType::Windows) != windows_sku)
        {
            problems.add(
                field(path, "osSku"),
                format!(
                    "OS SKU `{sku}` does not match osType `{}`",
                    pool.os_type.map(|os| os.as_str()).unwrap_or_default()
                ),
                "use a Windows SKU with `osType: Windows` and a Linux SKU otherwise",
            );
        }
    }
    let (minimum, kind) = if system { (1, "System") } else { (0, "User") };
    if let Some(count) = pool.count {
        if count < minimum || count > 1000 {
            problems.add(
                field(path, "count"),
                format!("count {count} is out of range for a {kind} pool"),
                format!("{kind} pools take {minimum}-1000 nodes"),
            );
        }
    }
    if let Some(autoscale) = pool.autoscale {
        let autoscale_path = field(path, "autoscale");
        if autoscale.min > autoscale.max {
            problems.add(
                &autoscale_path,
                format!(
                    "autoscale min {} is greater than max {}",
                    autoscale.min, autoscale.max
                ),
                "set `min` <= `max`",
            );
        }
        if autoscale.min < minimum || autoscale.min > 1000 {
            problems.add(
                field(&autoscale_path, "min"),
                format!(
                    "autoscale min {} is out of range for a {kind} pool",
                    autoscale.min
                ),
                format!("{kind} pools take {minimum}-1000 nodes"),
            );
        }
        if autoscale.max < 1 || autoscale.max > 1000 {
            problems.add(
                field(&autoscale_path, "max"),
                format!("autoscale max {} is out of range", autoscale.max),
                "max is 1-1000 nodes",
            );
        }
    }
    let mut zones = pool.zones.clone();
    zones.sort_unstable();
    zones.dedup();
    if zones.len() != pool.zones.len() {
        problems.add(
            field(path, "zones"),
            "a zone is listed twice",
            "list each of 1, 2, 3 at most once",
        );
    }
    if let Some(size) = pool.os_disk_size_gb {
        if !(30..=2048).contains(&size) {
            problems.add(
                field(path, "osDiskSizeGb"),
                format!("OS disk size {size} GB is out of range"),
                "30-2048 GB, or leave it out for the VM size's default",
            );
        }
    }
    if let Some(max_pods) = pool.max_pods {
        if !(10..=250).contains(&max_pods) {
            problems.add(
                field(path, "maxPods"),
                format!("maxPods {max_pods} is out of range"),
                "10-250 pods per node",
            );
        }
    }
    if let Some(spot) = &pool.spot {
        if let Some(price) = spot.max_price {
            if price != -1.0 && price <= 0.0 {
                problems.add(
                    field(&field(path, "spot"), "maxPrice"),
                    format!("spot maxPrice {price} is not valid"),
                    "a positive USD/hour price, or -1 for up to the on-demand price",
                );
            }
        }
    }
    if pool.critical_addons_only == Some(true) && !system {
        problems.add(
            field(path, "criticalAddonsOnly"),
            "criticalAddonsOnly only applies to System pools",
            "drop it, or set `mode: System`",
        );
    }
    for (index, taint) in pool.taints.iter().enumerate() {
        if let Err(reason) = check_taint(taint) {
            problems.add(item(&field(path, "taints"), index), format!("taint `{taint}` is not valid: {reason}"), "write `key=value:Effect` or `key:Effect`, Effect one of NoSchedule, PreferNoSchedule, NoExecute");
        }
    }
    for name in pool.labels.keys() {
        if name.starts_with("kubernetes.azure.com/") {
            problems.add(
                field(&field(path, "labels"), name),
                format!("label `{name}` is reserved by AKS"),
                "use your own prefix",
            );
        } else if !label_key_ok(name) {
            problems.add(field(&field(path, "labels"), name), format!("label key `{name}` is not valid"), "optional `prefix/` plus 1-63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends");
        }
    }
    if let Some(surge) = &pool.max_surge {
        if !surge_ok(surge) {
            problems.add(
                field(path, "maxSurge"),
                format!("maxSurge `{surge}` is not valid"),
                "a node count such as `\"3\"` or a percentage 1-100 such as `\"33%\"`",
            );
        }
    }
    if let Some(subnet) = &pool.subnet {
        let id = subnet.id.to_ascii_lowercase();
        if !id.starts_with("/subscriptions/")
            || !id.contains("/providers/microsoft.network/virtualnetworks/")
            || !id.contains("/subnets/")
        {
            problems.add(field(&field(path, "subnet"), "id"), format!("`{}` is not a subnet id", subnet.id), "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}");
        }
    }
    if let Some(version) = &pool.kubernetes_version {
        let version_path = field(path, "kubernetesVersion");
        if let (Some(pool_version), Some(control_plane)) = (
            checked_version(version, &version_path, problems),
            control_plane,
        ) {
            let (pool_minor, plane_minor) = (u64::from(pool_version.1), u64::from(control_plane.1));
            if pool_version.0 != control_plane.0
                || pool_minor > plane_minor
                || plane_minor - pool_minor > POOL_SKEW_MINORS
            {
                problems.add(version_path, format!("pool version `{version}` must be at most the control plane's, of its major version, and within {POOL_SKEW_MINORS} minor versions of it (FACTS-AKS-DAY2 §4)"), "match the cluster's `kubernetesVersion`, or upgrade pools after the control plane");
            }
        }
    }
}

fn check_taint(taint: &str) -> Result<(), String> {
    let (key_value, effect) = taint.rsplit_once(':').ok_or("missing `:Effect`")?;
    if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
        return Err(format!("unknown effect `{effect}`"));
    }
    let key = key_value.split_once('=').map_or(key_value, |(key, _)| key);
    if key.starts_with("kubernetes.azure.com/") {
        return Err("`kubernetes.azure.com/` taints are set by AKS".to_string());
    }
    if !label_key_ok(key) {
        return Err(format!("`{key}` is not a valid key"));
    }
    Ok(())
}

fn label_key_ok(key: &str) -> bool {
    let name = key.rsplit_once('/').map_or(key, |(prefix, name)| {
        if prefix.is_empty() || prefix.len() > 253 {
            ""
        } else {
            name
        }
    });
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn surge_ok(surge: &str) -> bool {
    match surge.strip_suffix('%') {
        Some(percent) => percent.parse::<u32>().is_ok_and(|p| (1..=100).contains(&p)),
        None => surge.parse::<u32>().is_ok_and(|count| count >= 1),
    }
}

fn identity_and_access(cluster: &Cluster, path: &str, problems: &mut Problems) {
    if cluster.workload_identity == Some(true) && cluster.oidc_issuer == Some(false) {
        problems.add(
            field(path, "workloadIdentity"),
            "workload identity needs the OIDC issuer",
            "set `oidcIssuer: true` (or drop it: aksctl turns it on with workload identity)",
        );
    }
    if cluster.local_accounts == Some(false) && cluster.entra.is_none() {
        problems.add(
            field(path, "localAccounts"),
            "local accounts can only be disabled with Entra integration",
            "add `entra: {azureRbac: true, adminGroupObjectIds: [...]}`",
        );
    }
    if let Some(entra) = &cluster.entra {
        let entra_path = field(path, "entra");
        for (index, group) in entra.admin_group_object_ids.iter().enumerate() {
            check_guid(
                group,
                &item(&field(&entra_path, "adminGroupObjectIds"), index),
                "group object id",
                problems,
            );
        }
        if let Some(tenant) = &entra.tenant_id {
            check_guid(
                tenant,
                &field(&entra_path, "tenantId"),
                "tenant id",
                problems,
            );
        }
    }
}

fn maintenance_and_addons(cluster: &Cluster, path: &str, problems: &mut Problems) {
    if let Some(window) = &cluster.maintenance_window {
        let window_path = field(path, "maintenanceWindow");
        if !clock_ok(&window.start_time) {
            problems.add(
                field(&window_path, "startTime"),
                format!("`{}` is not a time of day", window.start_time),
                "write `HH:MM` in 24-hour form, quoted: `\"02:00\"`",
            );
        }
        if !(4..=24).contains(&window.duration_hours) {
            problems.add(
                field(&window_path, "durationHours"),
                format!("a {}-hour window is out of range", window.duration_hours),
                "AKS maintenance windows last 4-24 hours",
            );
        }
        if let Some(offset) = &window.utc_offset {
            let sign_ok = offset.starts_with(['+', '-']);
            if !sign_ok || !clock_ok(&offset[1..]) {
                problems.add(
                    field(&window_path, "utcOffset"),
                    format!("`{offset}` is not a UTC offset"),
                    "write `+HH:MM` or `-HH:MM`, e.g. `\"+00:00\"`",
                );
            }
        }
        if let Some(weeks) = window.interval_weeks {
            if !(1..=4).contains(&weeks) {
                problems.add(
                    field(&window_path, "intervalWeeks"),
                    format!("every {weeks} weeks is out of range"),
                    "1-4 weeks",
                );
            }
        }
    }
    let Some(addons) = &cluster.addons else {
        return;
    };
    let addons_path = field(path, "addons");
    if let Some(monitoring) = &addons.monitoring {
        let monitoring_path = field(&addons_path, "monitoring");
        if monitoring.workspace.is_some() && monitoring.log_analytics_workspace_id.is_some() {
            problems.add(
                field(&monitoring_path, "logAnalyticsWorkspaceId"),
                "`workspace` and `logAnalyticsWorkspaceId` both name the workspace",
                "keep `workspace` for a workspace of this estate, `logAnalyticsWorkspaceId` for one outside it",
            );
        }
    }
    if let Some(workspace) = addons
        .monitoring
        .as_ref()
        .and_then(|m| m.log_analytics_workspace_id.as_ref())
    {
        let lower = workspace.to_ascii_lowercase();
        if !lower.starts_with("/subscriptions/")
            || !lower.contains("/providers/microsoft.operationalinsights/workspaces/")
        {
            problems.add(field(&field(&addons_path, "monitoring"), "logAnalyticsWorkspaceId"), format!("`{workspace}` is not a Log Analytics workspace id"), "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}");
        }
    }
    if let Some(interval) = addons
        .key_vault_secrets_provider
        .as_ref()
        .and_then(|p| p.rotation_interval.as_ref())
    {
        let digits = interval.strip_suffix(['s', 'm', 'h']);
        if !digits
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        {
            problems.add(
                field(
                    &field(&addons_path, "keyVaultSecretsProvider"),
                    "rotationInterval",
                ),
                format!("`{interval}` is not a duration"),
                "e.g. `2m`, `30s`, `1h`",
            );
        }
    }
    if let Some(istio) = &addons.istio {
        for (index, revision) in istio.revisions.iter().enumerate() {
            let ok = revision
                .strip_prefix("asm-")
                .and_then(|rest| rest.split_once('-'))
                .is_some_and(|(major, minor)| {
                    !major.is_empty()
                        && !minor.is_empty()
                        && major
                            .bytes()
                            .chain(minor.bytes())
                            .all(|b| b.is_ascii_digit())
                });
            if !ok {
                problems.add(
                    item(&field(&field(&addons_path, "istio"), "revisions"), index),
                    format!("`{revision}` is not an Istio revision"),
                    "AKS revisions look like `asm-1-25`",
                );
            }
        }
        if istio.revisions.len() > 2 {
            problems.add(
                field(&field(&addons_path, "istio"), "revisions"),
                "at most two Istio revisions (during a canary upgrade)",
                "keep the current and the next revision",
            );
        }
    }
}

fn clock_ok(text: &str) -> bool {
    let Some((hours, minutes)) = text.split_once(':') else {
        return false;
    };
    hours.len() == 2
        && minutes.len() == 2
        && hours.parse::<u32>().is_ok_and(|h| h < 24)
        && minutes.parse::<u32>().is_ok_and(|m| m < 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.33"), Some((1, 33, None)));
        assert_eq!(parse_version("1.33.2"), Some((1, 33, Some(2))));
        for bad in ["v1.33", "1", "1.33.", "2.1", "1.033", "1.33.2.1", "latest"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn taints_and_surge() {
        assert!(check_taint("CriticalAddonsOnly=true:NoSchedule").is_ok());
        assert!(check_taint("gpu:NoExecute").is_ok());
        assert!(check_taint("workload=true").is_err());
        assert!(check_taint("a=b:Sometimes").is_err());
        assert!(check_taint("kubernetes.azure.com/scalesetpriority=spot:NoSchedule").is_err());
        assert!(surge_ok("33%") && surge_ok("1") && !surge_ok("0%") && !surge_ok("lots"));
    }
}

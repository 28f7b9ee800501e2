//! Storage account, key vault and registry settings: retention ranges, lifecycle rules (an action,
//! increasing day counts, prefixes naming declared containers), container public access vs the
//! account switch, and Premium-only registry features.

use crate::spec::types::{ContainerPublicAccess, Estate, PublicNetworkAccess, RegistrySku, Switch};
use crate::spec::validate::{check_guid, field, item, Problems};

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    for (index, vault) in estate.key_vaults.iter().enumerate() {
        let path = item("keyVaults", index);
        if let Some(days) = vault.soft_delete_retention_days {
            if !(7..=90).contains(&days) {
                problems.add(
                    field(&path, "softDeleteRetentionDays"),
                    format!("{days} days of soft-delete retention is out of range"),
                    "Key Vault keeps deleted vaults 7-90 days",
                );
            }
        }
        if let Some(tenant) = &vault.tenant_id {
            check_guid(tenant, &field(&path, "tenantId"), "tenant id", problems);
        }
    }
    for (index, registry) in estate.registries.iter().enumerate() {
        let path = item("registries", index);
        let premium = registry.sku == RegistrySku::Premium;
        if !premium && !registry.geo_replications.is_empty() {
            problems.add(
                field(&path, "geoReplications"),
                "geo-replication needs the Premium SKU",
                "set `sku: Premium`",
            );
        }
        if !premium && registry.zone_redundancy == Some(Switch::Enabled) {
            problems.add(
                field(&path, "zoneRedundancy"),
                "zone redundancy needs the Premium SKU",
                "set `sku: Premium`",
            );
        }
        if !premium && registry.public_network_access == Some(PublicNetworkAccess::Disabled) {
            problems.add(
                field(&path, "publicNetworkAccess"),
                "disabling public network access needs the Premium SKU",
                "set `sku: Premium`",
            );
        }
        let home =
            estate.effective_location(registry.location.as_deref(), &registry.resource_group);
        for (position, location) in registry.geo_replications.iter().enumerate() {
            if location == home {
                problems.add(
                    item(&field(&path, "geoReplications"), position),
                    format!("`{location}` is the registry's home region"),
                    "list only the extra regions",
                );
            }
        }
    }
    for (index, account) in estate.storage_accounts.iter().enumerate() {
        let path = item("storageAccounts", index);
        for (name, days) in [
            ("blobSoftDeleteDays", account.blob_soft_delete_days),
            (
                "containerSoftDeleteDays",
                account.container_soft_delete_days,
            ),
        ] {
            if let Some(days) = days {
                if !(1..=365).contains(&days) {
                    problems.add(
                        field(&path, name),
                        format!("{days} days is out of range"),
                        "soft delete keeps 1-365 days",
                    );
                }
            }
        }
        for (position, container) in account.containers.iter().enumerate() {
            let public = container
                .public_access
                .is_some_and(|access| access != ContainerPublicAccess::None);
            if public && account.allow_blob_public_access != Some(true) {
                problems.add(
                    field(&item(&field(&path, "containers"), position), "publicAccess"),
                    format!(
                        "container `{}` asks for public access but the account does not allow it",
                        container.name
                    ),
                    "set `allowBlobPublicAccess: true` on the account, or `publicAccess: None`",
                );
            }
        }
        for (position, rule) in account.lifecycle_rules.iter().enumerate() {
            let rule_path = item(&field(&path, "lifecycleRules"), position);
            let steps = [
                ("tierToCoolAfterDays", rule.tier_to_cool_after_days),
                ("tierToArchiveAfterDays", rule.tier_to_archive_after_days),
                ("deleteAfterDays", rule.delete_after_days),
            ];
            if steps.iter().all(|(_, days)| days.is_none()) {
                problems.add(
                    &rule_path,
                    format!("lifecycle rule `{}` has no action", rule.name),
                    "set `tierToCoolAfterDays`, `tierToArchiveAfterDays` and/or `deleteAfterDays`",
                );
            }
            let declared: Vec<(&str, u32)> = steps
                .iter()
                .filter_map(|(name, days)| days.map(|days| (*name, days)))
                .collect();
            for pair in declared.windows(2) {
                if pair[0].1 >= pair[1].1 {
                    problems.add(
                        field(&rule_path, pair[1].0),
                        format!(
                            "{} ({}) must come after {} ({})",
                            pair[1].0, pair[1].1, pair[0].0, pair[0].1
                        ),
                        "blobs move cool -> archive -> deleted, with increasing day counts",
                    );
                }
            }
            for (prefix_index, prefix) in rule.prefixes.iter().enumerate() {
                let container = prefix.split('/').next().unwrap_or_default();
                if !account
                    .containers
                    .iter()
                    .any(|declared| declared.name == container)
                {
                    problems.add(
                        item(&field(&rule_path, "prefixes"), prefix_index),
                        format!("prefix `{prefix}` starts with container `{container}`, which this account does not declare"),
                        "a prefix is `container/` or `container/blob-prefix`; declare the container under `containers`",
                    );
                }
            }
        }
    }
}

//! Azure naming rules per kind (as ARM enforces them, see FACTS.md), per-resource tags and
//! locations, and duplicate names within each kind.

use std::collections::BTreeMap;

use crate::spec::suggest::closest;
use crate::spec::types::{Estate, OsType, Tags, TrackedResource};
use crate::spec::validate::{check_location, check_tags, field, item, Problems};

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    let own_tags = |tags: &Tags| -> Tags {
        tags.iter()
            .filter(|(name, value)| estate.tags.get(*name) != Some(*value))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    };
    let check_common =
        |path: &str, location: Option<&String>, tags: &Tags, problems: &mut Problems| {
            if let Some(location) = location {
                check_location(location, &field(path, "location"), problems);
            }
            check_tags(&own_tags(tags), &field(path, "tags"), problems);
        };

    for (index, group) in estate.resource_groups.iter().enumerate() {
        let path = item("resourceGroups", index);
        name_rule(
            &group.name,
            &path,
            "resource group",
            resource_group_name_ok,
            RESOURCE_GROUP_RULE,
            problems,
        );
        check_common(&path, group.location.as_ref(), &group.tags, problems);
    }
    for (index, registry) in estate.registries.iter().enumerate() {
        let path = item("registries", index);
        name_rule(
            &registry.name,
            &path,
            "registry",
            registry_name_ok,
            "5-50 letters or digits, no hyphens; globally unique",
            problems,
        );
        check_common(&path, registry.location.as_ref(), &registry.tags, problems);
        for (position, location) in registry.geo_replications.iter().enumerate() {
            check_location(
                location,
                &item(&field(&path, "geoReplications"), position),
                problems,
            );
        }
    }
    for (index, vault) in estate.key_vaults.iter().enumerate() {
        let path = item("keyVaults", index);
        name_rule(&vault.name, &path, "key vault", key_vault_name_ok, "3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no `--`; globally unique", problems);
        check_common(&path, vault.location.as_ref(), &vault.tags, problems);
    }
    for (index, account) in estate.storage_accounts.iter().enumerate() {
        let path = item("storageAccounts", index);
        name_rule(
            &account.name,
            &path,
            "storage account",
            storage_name_ok,
            "3-24 lower-case letters or digits; globally unique",
            problems,
        );
        check_common(&path, account.location.as_ref(), &account.tags, problems);
        for (position, container) in account.containers.iter().enumerate() {
            let container_path = item(&field(&path, "containers"), position);
            name_rule(&container.name, &container_path, "blob container", container_name_ok, "3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit", problems);
        }
        duplicates(
            account.containers.iter().map(|c| c.name.as_str()),
            &field(&path, "containers"),
            "container",
            problems,
        );
        for (position, rule) in account.lifecycle_rules.iter().enumerate() {
            let rule_path = item(&field(&path, "lifecycleRules"), position);
            name_rule(
                &rule.name,
                &rule_path,
                "lifecycle rule",
                lifecycle_rule_name_ok,
                "1-256 letters or digits",
                problems,
            );
        }
        duplicates(
            account.lifecycle_rules.iter().map(|r| r.name.as_str()),
            &field(&path, "lifecycleRules"),
            "lifecycle rule",
            problems,
        );
    }
    // The kinds whose descriptor states their naming rule.
    for (list, items) in estate.tracked_lists() {
        let Some(rule) = list.kind.descriptor().naming else {
            continue;
        };
        for (index, resource) in items.into_iter().enumerate() {
            let path = item(list.key, index);
            if !rule.allows(resource.name()) {
                problems.add(
                    field(&path, "name"),
                    format!(
                        "`{}` is not a valid {} name",
                        resource.name(),
                        list.kind.descriptor().noun
                    ),
                    rule.hint,
                );
            }
            if let Some(location) = resource.location() {
                check_location(location, &field(&path, "location"), problems);
            }
            check_tags(&own_tags(resource.tags()), &field(&path, "tags"), problems);
        }
    }
    for (index, cluster) in estate.clusters.iter().enumerate() {
        let path = item("clusters", index);
        name_rule(
            &cluster.name,
            &path,
            "cluster",
            cluster_name_ok,
            "1-63 letters, digits, `-` or `_`, starting and ending with a letter or digit",
            problems,
        );
        check_common(&path, cluster.location.as_ref(), &cluster.tags, problems);
        if let Some(prefix) = &cluster.dns_prefix {
            if !dns_prefix_ok(prefix) {
                problems.add(
                    field(&path, "dnsPrefix"),
                    format!("`{prefix}` is not a valid DNS prefix"),
                    "1-54 letters, digits and hyphens, starting and ending with a letter or digit (set `dnsPrefix` when the cluster name has `_`)",
                );
            }
        }
        for (position, pool) in cluster.pools.iter().enumerate() {
            let pool_path = item(&field(&path, "pools"), position);
            let windows = pool.os_type == Some(OsType::Windows);
            let (ok, rule): (fn(&str) -> bool, &str) = if windows {
                (
                    windows_pool_name_ok,
                    "Windows pools: 1-6 lower-case letters or digits, starting with a letter",
                )
            } else {
                (
                    linux_pool_name_ok,
                    "1-12 lower-case letters or digits, starting with a letter (no hyphens)",
                )
            };
            name_rule(&pool.name, &pool_path, "node pool", ok, rule, problems);
        }
        duplicates(
            cluster.pools.iter().map(|p| p.name.as_str()),
            &field(&path, "pools"),
            "node pool",
            problems,
        );
    }
    for (index, identity) in estate.identities.iter().enumerate() {
        let path = item("identities", index);
        name_rule(
            &identity.name,
            &path,
            "identity",
            identity_name_ok,
            "3-128 letters, digits, `-` or `_`, starting with a letter or digit",
            problems,
        );
        check_common(&path, identity.location.as_ref(), &identity.tags, problems);
        for (position, credential) in identity.federated_credentials.iter().enumerate() {
            let credential_path = item(&field(&path, "federatedCredentials"), position);
            name_rule(&credential.name, &credential_path, "federated credential", credential_name_ok, "3-120 letters, digits, `-` or `_`, starting with a letter or digit (a `clusters:` list appends `-{cluster}` to all but the first)", problems);
        }
        duplicates(
            identity
                .federated_credentials
                .iter()
                .map(|c| c.name.as_str()),
            &field(&path, "federatedCredentials"),
            "federated credential",
            problems,
        );
    }
    for (index, assignment) in estate.role_assignments.iter().enumerate() {
        if let Some(name) = &assignment.name {
            if name.is_empty() || name.contains(['/', ' ']) {
                problems.add(
                    field(&item("roleAssignments", index), "name"),
                    format!("role assignment name `{name}` is not valid"),
                    "a logical name without `/` or spaces, e.g. `orders-reads-vault`",
                );
            }
        }
    }
    duplicates(
        estate.resource_groups.iter().map(|r| r.name.as_str()),
        "resourceGroups",
        "resource group",
        problems,
    );
    for (list, items) in estate.tracked_lists() {
        duplicates(
            items.into_iter().map(TrackedResource::name),
            list.key,
            list.kind.descriptor().noun,
            problems,
        );
    }
    duplicates(
        estate
            .role_assignments
            .iter()
            .map(|r| r.name.as_deref().unwrap_or_default()),
        "roleAssignments",
        "role assignment",
        problems,
    );
}

const RESOURCE_GROUP_RULE: &str =
    "1-90 letters, digits, `-`, `_`, `.`, `(` or `)`, not ending with `.`";

fn name_rule(
    name: &str,
    path: &str,
    kind: &str,
    ok: fn(&str) -> bool,
    rule: &str,
    problems: &mut Problems,
) {
    if !ok(name) {
        problems.add(
            field(path, "name"),
            format!("`{name}` is not a valid {kind} name"),
            rule,
        );
    }
}

/// Reports every name that repeats (case-insensitively, as ARM compares names) in one list.
fn duplicates<'a>(
    names: impl Iterator<Item = &'a str>,
    list: &str,
    kind: &str,
    problems: &mut Problems,
) {
    let mut first_seen: BTreeMap<String, usize> = BTreeMap::new();
    for (index, name) in names.enumerate() {
        if name.is_empty() {
            continue;
        }
        match first_seen.get(&name.to_ascii_lowercase()) {
            Some(first) => problems.add(
                field(&item(list, index), "name"),
                format!("duplicate {kind} name `{name}` (first declared at {})", item(list, *first)),
                if kind == "role assignment" {
                    "role assignment names (given, or derived from principal, role and scope) are unique; set an explicit `name:` on one"
                } else {
                    "names are unique per kind (Azure compares them case-insensitively); rename or remove one"
                },
            ),
            None => {
                first_seen.insert(name.to_ascii_lowercase(), index);
            }
        }
    }
}

fn length_between(name: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&name.chars().count())
}

fn resource_group_name_ok(name: &str) -> bool {
    length_between(name, 1, 90)
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

fn registry_name_ok(name: &str) -> bool {
    length_between(name, 5, 50) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn key_vault_name_ok(name: &str) -> bool {
    length_between(name, 3, 24)
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("--")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn storage_name_ok(name: &str) -> bool {
    length_between(name, 3, 24)
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn container_name_ok(name: &str) -> bool {
    length_between(name, 3, 63)
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn lifecycle_rule_name_ok(name: &str) -> bool {
    length_between(name, 1, 256) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn cluster_name_ok(name: &str) -> bool {
    length_between(name, 1, 63)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

fn dns_prefix_ok(prefix: &str) -> bool {
    length_between(prefix, 1, 54)
        && prefix.starts_with(|c: char| c.is_ascii_alphanumeric())
        && prefix.ends_with(|c: char| c.is_ascii_alphanumeric())
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn linux_pool_name_ok(name: &str) -> bool {
    length_between(name, 1, 12)
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn windows_pool_name_ok(name: &str) -> bool {
    linux_pool_name_ok(name) && name.len() <= 6
}

fn identity_name_ok(name: &str) -> bool {
    length_between(name, 3, 128)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

fn credential_name_ok(name: &str) -> bool {
    length_between(name, 3, 120)
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// "Did you mean" over a list of logical names, as a hint sentence (empty if nothing is close).
pub(super) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates)
        .first()
        .map(|best| format!("did you mean `{best}`?"))
}

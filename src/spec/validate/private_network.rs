//! Private networking rules: private DNS zone names (1-63 characters, 2-34 labels of letters,
//! digits, `_` and `-`), the zone each endpoint's group id needs (`privatelink.azurecr.io` for
//! `registry`, ...), group ids per target kind, endpoint and link names, subnet and VNet ids that
//! are ids, zone references that are declared, and a private cluster's logically named zone
//! (`privatelink.<region>.azmk8s.io` or a subzone of it).

use crate::kind::descriptor::PrivateLink;
use crate::kind::Kind;
use crate::spec::types::{Estate, PrivateEndpoint};
use crate::spec::validate::{field, item, Problems};

/// Every private-networking problem of `estate`.
pub fn check(estate: &Estate, problems: &mut Problems) {
    for (index, zone) in estate.private_dns_zones.iter().enumerate() {
        let path = item("privateDnsZones", index);
        if !valid_zone_name(&zone.name) {
            problems.add(
                field(&path, "name"),
                format!("`{}` is not a valid private DNS zone name", zone.name),
                "1-63 characters, 2-34 dot-separated labels of letters, digits, `_` and `-`, e.g. `privatelink.vaultcore.azure.net`",
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for (link_index, link) in zone.virtual_network_links.iter().enumerate() {
            let link_path = item(&field(&path, "virtualNetworkLinks"), link_index);
            check_network_id(
                &link.virtual_network,
                &field(&link_path, "virtualNetwork"),
                false,
                problems,
            );
            let name = link.effective_name();
            if !valid_network_name(&name) {
                problems.add(
                    field(&link_path, "name"),
                    format!("`{name}` is not a valid virtual network link name"),
                    "1-80 letters, digits, `_`, `.` or `-`, starting with a letter or digit and ending with one or `_`",
                );
            }
            if seen.iter().any(|other| other.eq_ignore_ascii_case(&name)) {
                problems.add(
                    field(&link_path, "name"),
                    format!("link `{name}` is declared twice in zone `{}`", zone.name),
                    "give each link its own `name`",
                );
            }
            seen.push(name);
        }
    }
    for target in estate.private_endpoint_targets() {
        let kind = target.resource.kind();
        if let Some(link) = kind.descriptor().private_link {
            let path = field(&item(target.list.key, target.index), "privateEndpoint");
            check_endpoint(estate, kind, &link, target.endpoint, &path, problems);
        }
    }
    for (index, registry) in estate.registries.iter().enumerate() {
        if registry.private_endpoint.is_some()
            && registry.sku != crate::spec::types::RegistrySku::Premium
        {
            problems.add(
                field(&item("registries", index), "privateEndpoint"),
                format!(
                    "registry `{}` is {}: private endpoints need Premium",
                    registry.name, registry.sku
                ),
                "set `sku: Premium`, or drop `privateEndpoint`",
            );
        }
    }
    for (index, cluster) in estate.clusters.iter().enumerate() {
        let Some(zone) = cluster
            .api_server
            .as_ref()
            .and_then(|api| api.private_dns_zone.as_deref())
        else {
            continue;
        };
        if zone.starts_with('/') || !zone.contains('.') {
            continue;
        }
        let path = field(
            &field(&item("clusters", index), "apiServer"),
            "privateDnsZone",
        );
        if !estate
            .private_dns_zones
            .iter()
            .any(|declared| declared.name.eq_ignore_ascii_case(zone))
        {
            problems.add(
                path.clone(),
                format!("private DNS zone `{zone}` is not declared in `privateDnsZones`"),
                "declare it under `privateDnsZones`, or give the zone's resource id",
            );
        }
        if !is_cluster_zone(zone) {
            problems.add(
                path,
                format!("`{zone}` is not a private AKS API server zone"),
                "`privatelink.<region>.azmk8s.io` or `<subzone>.privatelink.<region>.azmk8s.io`",
            );
        }
    }
}

fn check_endpoint(
    estate: &Estate,
    kind: Kind,
    link: &PrivateLink,
    endpoint: &PrivateEndpoint,
    path: &str,
    problems: &mut Problems,
) {
    check_network_id(&endpoint.subnet, &field(path, "subnet"), true, problems);
    let group = endpoint.group_id.as_deref().unwrap_or(link.default_group);
    let Some((_, expected_zone)) = link
        .groups
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(group))
    else {
        let known: Vec<&str> = link.groups.iter().map(|(g, _)| *g).collect();
        problems.add(
            field(path, "groupId"),
            format!(
                "`{group}` is not a private link group id of a {}",
                kind.descriptor().noun
            ),
            format!("one of: {}", known.join(", ")),
        );
        return;
    };
    if let Some(name) = &endpoint.name {
        if !valid_network_name(name) {
            problems.add(
                field(path, "name"),
                format!("`{name}` is not a valid private endpoint name"),
                "1-80 letters, digits, `_`, `.` or `-`, starting with a letter or digit and ending with one or `_`",
            );
        }
    }
    let zone = endpoint.dns_zone.as_str();
    if zone.starts_with('/') {
        let lower = zone.to_ascii_lowercase();
        if !(lower.starts_with("/subscriptions/")
            && lower.contains("/providers/microsoft.network/privatednszones/"))
        {
            problems.add(
                field(path, "dnsZone"),
                format!("`{zone}` is not a private DNS zone id"),
                "`/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Network/privateDnsZones/<zone>`, or the name of a zone in `privateDnsZones`",
            );
            return;
        }
    } else if !estate
        .private_dns_zones
        .iter()
        .any(|declared| declared.name.eq_ignore_ascii_case(zone))
    {
        problems.add(
            field(path, "dnsZone"),
            format!("private DNS zone `{zone}` is not declared in `privateDnsZones`"),
            "declare it under `privateDnsZones`, or give the zone's resource id",
        );
        return;
    }
    let zone_name = zone.rsplit('/').next().unwrap_or(zone);
    if !zone_name.eq_ignore_ascii_case(expected_zone) {
        problems.add(
            field(path, "dnsZone"),
            format!(
                "a `{group}` endpoint registers its records in `{expected_zone}`, not `{zone_name}`"
            ),
            format!(
                "use the `{expected_zone}` zone (clients resolve the resource's name through it)"
            ),
        );
    }
}

/// A subnet id (`.../virtualNetworks/<v>/subnets/<s>`) or a VNet id.
fn check_network_id(id: &str, path: &str, subnet: bool, problems: &mut Problems) {
    let segments: Vec<&str> = id.trim_end_matches('/').split('/').collect();
    let shape_ok = match segments.as_slice() {
        ["", subscriptions, _, groups, _, providers, namespace, networks, _, rest @ ..] => {
            subscriptions.eq_ignore_ascii_case("subscriptions")
                && groups.eq_ignore_ascii_case("resourceGroups")
                && providers.eq_ignore_ascii_case("providers")
                && namespace.eq_ignore_ascii_case("Microsoft.Network")
                && networks.eq_ignore_ascii_case("virtualNetworks")
                && match rest {
                    [] => !subnet,
                    [subnets, name] => {
                        subnet && subnets.eq_ignore_ascii_case("subnets") && !name.is_empty()
                    }
                    _ => false,
                }
        }
        _ => false,
    };
    if !shape_ok {
        let (what, example) = if subnet {
            (
                "subnet",
                "/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
            )
        } else {
            (
                "virtual network",
                "/subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Network/virtualNetworks/<vnet>",
            )
        };
        problems.add(
            path,
            format!("`{id}` is not a {what} id"),
            format!("give the full id: {example}"),
        );
    }
}

/// Zone names (docs: resource-name-rules): 1-63 characters, 2-34 labels of letters, digits, `_`
/// and `-`.
pub fn valid_zone_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    (1..=63).contains(&name.len())
        && (2..=34).contains(&labels.len())
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Network resource names: 1-80 of letters, digits, `_`, `.`, `-`; start with a letter or digit,
/// end with one or `_`.
fn valid_network_name(name: &str) -> bool {
    let first = name.chars().next();
    let last = name.chars().last();
    (1..=80).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && first.is_some_and(|c| c.is_ascii_alphanumeric())
        && last.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `privatelink.<region>.azmk8s.io` or `<subzone>.privatelink.<region>.azmk8s.io`.
pub fn is_cluster_zone(zone: &str) -> bool {
    let lower = zone.to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    match labels.as_slice() {
        ["privatelink", region, "azmk8s", "io"] => !region.is_empty(),
        [subzone, "privatelink", region, "azmk8s", "io"] => {
            !subzone.is_empty() && !region.is_empty()
        }
        _ => false,
    }
}

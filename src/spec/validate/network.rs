//! Cluster networking rules: plugin/mode/policy/dataplane combinations, CIDRs that parse and do
//! not overlap (pod, service, pool subnets), the DNS service IP inside the service CIDR, and the
//! API server's private-cluster / authorized-IP-range exclusivity.

use std::net::Ipv4Addr;

use crate::spec::cidr::Cidr;
use crate::spec::types::{
    Cluster, ClusterIdentityType, NetworkDataplane, NetworkPlugin, NetworkPluginMode,
    NetworkPolicy, OutboundType,
};
use crate::spec::validate::{field, item, Problems};

pub(super) fn check(cluster: &Cluster, path: &str, problems: &mut Problems) {
    api_server(cluster, path, problems);
    let network_path = field(path, "network");
    let parse = |text: &Option<String>, name: &str, problems: &mut Problems| -> Option<Cidr> {
        let text = text.as_ref()?;
        match text.parse::<Cidr>() {
            Ok(cidr) => Some(cidr),
            Err(error) => {
                problems.add(
                    field(&network_path, name),
                    error.to_string(),
                    "write an IPv4 block such as `10.244.0.0/16`",
                );
                None
            }
        }
    };
    let mut subnets = Vec::new();
    for (index, pool) in cluster.pools.iter().enumerate() {
        if let Some(prefix) = pool
            .subnet
            .as_ref()
            .and_then(|subnet| subnet.address_prefix.as_ref())
        {
            let prefix_path = field(
                &field(&item(&field(path, "pools"), index), "subnet"),
                "addressPrefix",
            );
            match prefix.parse::<Cidr>() {
                Ok(cidr) => subnets.push((prefix_path, cidr)),
                Err(error) => problems.add(
                    prefix_path,
                    error.to_string(),
                    "write the subnet's IPv4 block, e.g. `10.10.0.0/22`",
                ),
            }
        }
    }
    let Some(network) = &cluster.network else {
        return;
    };
    if matches!(
        network.outbound_type,
        Some(OutboundType::UserDefinedRouting | OutboundType::UserAssignedNatGateway)
    ) {
        for (index, pool) in cluster.pools.iter().enumerate() {
            if pool.subnet.is_none() {
                problems.add(
                    item(&field(path, "pools"), index),
                    format!(
                        "pool `{}` has no subnet, but outboundType `{}` routes egress through your own subnet",
                        pool.name,
                        network.outbound_type.map(|t| t.as_str()).unwrap_or_default()
                    ),
                    "give every pool `subnet: {id: ...}` (with the route table or NAT gateway attached)",
                );
            }
        }
    }
    let azure = network.plugin == Some(NetworkPlugin::Azure);
    let overlay = network.plugin_mode == Some(NetworkPluginMode::Overlay);
    if overlay && !azure {
        problems.add(
            field(&network_path, "pluginMode"),
            "`pluginMode: overlay` needs `plugin: azure`",
            "set `plugin: azure`",
        );
    }
    if network.dataplane == Some(NetworkDataplane::Cilium) {
        if !azure {
            problems.add(
                field(&network_path, "dataplane"),
                "the Cilium dataplane needs `plugin: azure`",
                "set `plugin: azure` (Azure CNI powered by Cilium)",
            );
        }
        if !matches!(network.policy, Some(NetworkPolicy::Cilium) | None) {
            problems.add(
                field(&network_path, "policy"),
                "with `dataplane: cilium` the network policy engine is Cilium",
                "set `policy: cilium`",
            );
        }
    }
    if network.policy == Some(NetworkPolicy::Cilium)
        && network.dataplane != Some(NetworkDataplane::Cilium)
    {
        problems.add(
            field(&network_path, "policy"),
            "`policy: cilium` needs `dataplane: cilium`",
            "set `dataplane: cilium`",
        );
    }
    let pod = parse(&network.pod_cidr, "podCidr", problems);
    let service = parse(&network.service_cidr, "serviceCidr", problems);
    if network.pod_cidr.is_some() && azure && !overlay {
        problems.add(
            field(&network_path, "podCidr"),
            "`podCidr` only applies to kubenet or Azure CNI overlay",
            "drop `podCidr` (pods take subnet IPs), or set `pluginMode: overlay`",
        );
    }
    if let (Some(pod), Some(service)) = (pod, service) {
        if pod.overlaps(service) {
            problems.add(
                field(&network_path, "serviceCidr"),
                format!("service CIDR {service} overlaps pod CIDR {pod}"),
                "pick non-overlapping ranges, e.g. pods 10.244.0.0/16, services 10.0.0.0/16",
            );
        }
    }
    for (subnet_path, subnet) in &subnets {
        if let Some(service) = service {
            if service.overlaps(*subnet) {
                problems.add(
                    field(&network_path, "serviceCidr"),
                    format!("service CIDR {service} overlaps pool subnet {subnet}"),
                    "the service CIDR must not overlap any subnet of the VNet",
                );
            }
        }
        if let Some(pod) = pod {
            if pod.overlaps(*subnet) {
                problems.add(
                    subnet_path,
                    format!("pool subnet {subnet} overlaps pod CIDR {pod}"),
                    "the overlay pod CIDR must not overlap the VNet",
                );
            }
        }
    }
    match (&network.dns_service_ip, network.service_cidr.is_some()) {
        (Some(address), true) => {
            let dns_path = field(&network_path, "dnsServiceIp");
            match address.parse::<Ipv4Addr>() {
                Err(_) => problems.add(
                    dns_path,
                    format!("`{address}` is not an IPv4 address"),
                    "e.g. `10.0.0.10`",
                ),
                Ok(ip) => {
                    if let Some(service) = service {
                        if !service.contains(ip) {
                            problems.add(
                                dns_path,
                                format!(
                                    "DNS service IP {ip} is outside the service CIDR {service}"
                                ),
                                format!("pick an address inside {service}, e.g. its .10"),
                            );
                        } else if ip == service.network() || ip == service.broadcast() {
                            problems.add(
                                dns_path,
                                format!(
                                    "DNS service IP {ip} is the first or last address of {service}"
                                ),
                                "use an address such as .10",
                            );
                        }
                    }
                }
            }
        }
        (Some(_), false) => problems.add(
            field(&network_path, "dnsServiceIp"),
            "`dnsServiceIp` needs `serviceCidr`",
            "declare `serviceCidr` and `dnsServiceIp` together",
        ),
        (None, true) => problems.add(
            field(&network_path, "serviceCidr"),
            "`serviceCidr` needs `dnsServiceIp`",
            "declare `serviceCidr` and `dnsServiceIp` together",
        ),
        (None, false) => {}
    }
}

fn api_server(cluster: &Cluster, path: &str, problems: &mut Problems) {
    let Some(api) = &cluster.api_server else {
        return;
    };
    let api_path = field(path, "apiServer");
    let private = api.private == Some(true);
    if private && !api.authorized_ip_ranges.is_empty() {
        problems.add(
            field(&api_path, "authorizedIpRanges"),
            "a private cluster cannot also have authorized IP ranges",
            "use `private: true` or `authorizedIpRanges`, not both",
        );
    }
    if api.private_dns_zone.is_some() && !private {
        problems.add(
            field(&api_path, "privateDnsZone"),
            "`privateDnsZone` only applies to private clusters",
            "set `private: true`, or drop `privateDnsZone`",
        );
    }
    if let Some(zone) = &api.private_dns_zone {
        let lower = zone.to_ascii_lowercase();
        // A raw zone id, or a zone of `privateDnsZones` by name (`private_network.rs`).
        let logical_zone = !lower.starts_with('/') && lower.contains('.');
        let custom_zone = lower.starts_with("/subscriptions/") || logical_zone;
        let user_assigned = cluster
            .identity
            .as_ref()
            .is_some_and(|identity| identity.identity_type == ClusterIdentityType::UserAssigned);
        if custom_zone && !user_assigned {
            problems.add(
                field(&api_path, "privateDnsZone"),
                "a custom private DNS zone needs a user-assigned control-plane identity",
                "set `identity: {type: UserAssigned, userAssigned: ...}` and grant it Private DNS Zone Contributor on the zone",
            );
        }
        if lower != "system"
            && lower != "none"
            && !logical_zone
            && !(lower.starts_with("/subscriptions/")
                && lower.contains("/providers/microsoft.network/privatednszones/"))
        {
            problems.add(
                field(&api_path, "privateDnsZone"),
                format!("`{zone}` is not a private DNS zone setting"),
                "`system`, `none`, or a Microsoft.Network/privateDnsZones resource id",
            );
        }
    }
    for (index, range) in api.authorized_ip_ranges.iter().enumerate() {
        let valid = range.parse::<Cidr>().is_ok() || range.parse::<Ipv4Addr>().is_ok();
        if !valid {
            problems.add(
                item(&field(&api_path, "authorizedIpRanges"), index),
                format!("`{range}` is not an IPv4 address or CIDR block"),
                "e.g. `203.0.113.0/24`",
            );
        }
    }
}

//! Lowering of private networking: `privateDnsZone/<zone>` with its
//! `virtualNetworkLink/<zone>/<link>`s, the `privateEndpoint/<name>` of each registry, vault or
//! storage account declaring `privateEndpoint` with its `privateDnsZoneGroup/<endpoint>/default`,
//! a private cluster's logically named DNS zone, and the `Network Contributor` grants AKS needs
//! on subnets (and route tables) outside a cluster's node resource group.

use serde_json::{json, Map, Value};

use crate::desired::context::{address_of, address_of_resource, unknown, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::spec::types::{
    Cluster, OutboundType, Principal, PrivateEndpoint, RoleAssignment, Tags, TrackedResource,
    GLOBAL_LOCATION,
};

/// The name of the one DNS zone group aksctl writes per endpoint (FACTS-2 §3.1: the usual one).
pub const ZONE_GROUP_NAME: &str = "default";
/// The built-in role AKS needs on a bring-your-own subnet and route table.
pub const NETWORK_CONTRIBUTOR: &str = "Network Contributor";

/// One resource per declared zone, then one per link, after the zone.
pub fn lower_private_dns_zones(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for zone in &lowering.estate.private_dns_zones {
        let address = address_of_resource(zone);
        let zone_id = lowering.id_of(zone);
        let group = lowering.group_address(&zone.resource_group, &address, "resourceGroup")?;
        lowering.push(DesiredResource {
            address: address.clone(),
            kind: Kind::PrivateDnsZone,
            id: zone_id.clone(),
            body: json!({"location": GLOBAL_LOCATION, "tags": lowering.tags(&zone.tags)}),
            deferred: Vec::new(),
            depends_on: vec![group],
        });
        for link in &zone.virtual_network_links {
            let name = link.effective_name();
            let mut tags: Tags = zone.tags.clone();
            tags.extend(link.tags.clone());
            lowering.push(DesiredResource {
                address: address_of(Kind::VirtualNetworkLink, &[&zone.name, &name]),
                kind: Kind::VirtualNetworkLink,
                id: zone_id.child(Kind::VirtualNetworkLink, &name),
                body: json!({
                    "location": GLOBAL_LOCATION,
                    "tags": lowering.tags(&tags),
                    "properties": {
                        "virtualNetwork": {"id": link.virtual_network},
                        "registrationEnabled": link.registration_enabled.unwrap_or(false),
                    },
                }),
                deferred: Vec::new(),
                depends_on: vec![address.clone()],
            });
        }
    }
    Ok(())
}

/// The endpoint (and its zone group) of every registry, vault and storage account declaring one.
pub fn lower_private_endpoints(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    let estate = lowering.estate;
    for target in estate.private_endpoint_targets() {
        lower_endpoint(lowering, target.resource, target.endpoint)?;
    }
    Ok(())
}

fn lower_endpoint(
    lowering: &mut Lowering<'_>,
    target: &dyn TrackedResource,
    endpoint: &PrivateEndpoint,
) -> Result<(), LowerError> {
    let name = endpoint.effective_name(target.name());
    let address = address_of(Kind::PrivateEndpoint, &[&name]);
    let group = target.resource_group();
    let id = lowering.top_level_id(Kind::PrivateEndpoint, group, &name);
    let location = lowering.location(endpoint.location.as_deref().or(target.location()), group);
    let group_id = endpoint
        .group_id
        .clone()
        .or_else(|| {
            target
                .kind()
                .default_private_link_group()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let target_address = address_of_resource(target);
    let body = json!({
        "location": location,
        "tags": lowering.tags(target.tags()),
        "properties": {
            "subnet": {"id": endpoint.subnet},
            "privateLinkServiceConnections": [{
                "name": name,
                "properties": {
                    "privateLinkServiceId": lowering.id_of(target).to_string(),
                    "groupIds": [group_id],
                },
            }],
        },
    });
    let group_address = lowering.group_address(group, &address, "resourceGroup")?;
    lowering.push(DesiredResource {
        address: address.clone(),
        kind: Kind::PrivateEndpoint,
        id: id.clone(),
        body,
        deferred: Vec::new(),
        depends_on: vec![group_address, target_address],
    });
    let zone_address = format!("{address}.privateEndpoint.dnsZone");
    let (zone_id, zone_dependency) = zone_reference(lowering, &endpoint.dns_zone, &zone_address)?;
    let zone_name = zone_id.name().to_owned();
    let mut depends_on = vec![address];
    depends_on.extend(zone_dependency);
    lowering.push(DesiredResource {
        address: address_of(Kind::PrivateDnsZoneGroup, &[&name, ZONE_GROUP_NAME]),
        kind: Kind::PrivateDnsZoneGroup,
        id: id.child(Kind::PrivateDnsZoneGroup, ZONE_GROUP_NAME),
        body: json!({
            "properties": {
                "privateDnsZoneConfigs": [{
                    "name": zone_name.replace('.', "-"),
                    "properties": {"privateDnsZoneId": zone_id.to_string()},
                }],
            },
        }),
        deferred: Vec::new(),
        depends_on,
    });
    Ok(())
}

/// A DNS zone named in the estate: a raw id, or a zone of `privateDnsZones` (its id and address).
pub fn zone_reference(
    lowering: &Lowering<'_>,
    zone: &str,
    address: &str,
) -> Result<(ResourceId, Option<String>), LowerError> {
    if zone.starts_with('/') {
        return Ok((ResourceId::new(zone), None));
    }
    let declared = lowering
        .estate
        .private_dns_zones
        .iter()
        .find(|declared| declared.name.eq_ignore_ascii_case(zone))
        .ok_or_else(|| unknown(address, "dnsZone", "private DNS zone", zone))?;
    Ok((
        lowering.id_of(declared),
        Some(address_of_resource(declared)),
    ))
}

/// A private cluster's `privateDnsZone` named logically: the zone's id and address (`None` for
/// `system`, `none` and raw ids, which are sent as written).
pub fn cluster_dns_zone(
    lowering: &Lowering<'_>,
    cluster: &Cluster,
    address: &str,
) -> Result<Option<(String, String)>, LowerError> {
    let Some(zone) = cluster
        .api_server
        .as_ref()
        .and_then(|api| api.private_dns_zone.as_deref())
    else {
        return Ok(None);
    };
    if zone.starts_with('/') || !zone.contains('.') {
        return Ok(None);
    }
    let (id, zone_address) = zone_reference(lowering, zone, address)?;
    Ok(zone_address.map(|zone_address| (id.to_string(), zone_address)))
}

/// `MC_{group}_{cluster}_{location}`: where AKS puts a cluster's nodes (the estate format has no
/// `nodeResourceGroup`).
fn node_resource_group(lowering: &Lowering<'_>, cluster: &Cluster) -> String {
    let location = lowering.location(cluster.location.as_deref(), &cluster.resource_group);
    format!("MC_{}_{}_{location}", cluster.resource_group, cluster.name)
}

/// The `Network Contributor` grants a cluster's control-plane identity needs: on each distinct
/// pool subnet outside its node resource group and, with `userDefinedRouting`, on the route table
/// of those subnets (known from the plan-time subnet reads in `LowerContext::subnet_route_tables`).
/// None when the cluster sets `network.networkContributorGrants: false`.
pub fn implied_network_grants(lowering: &Lowering<'_>, cluster: &Cluster) -> Vec<RoleAssignment> {
    let network = cluster.network.as_ref();
    if network.and_then(|n| n.network_contributor_grants) == Some(false) {
        return Vec::new();
    }
    let user_defined_routing =
        network.and_then(|n| n.outbound_type) == Some(OutboundType::UserDefinedRouting);
    let node_group = node_resource_group(lowering, cluster);
    let mut scopes: Vec<String> = Vec::new();
    let mut add = |scope: &str| {
        if !scopes.iter().any(|known| known.eq_ignore_ascii_case(scope)) {
            scopes.push(scope.to_owned());
        }
    };
    let mut route_tables = Vec::new();
    for pool in &cluster.pools {
        let Some(subnet) = pool.subnet.as_ref().map(|s| s.id.as_str()) else {
            continue;
        };
        let outside = ResourceId::new(subnet)
            .resource_group_name()
            .is_some_and(|group| !group.eq_ignore_ascii_case(&node_group));
        if !outside {
            continue;
        }
        add(subnet);
        if user_defined_routing {
            if let Some(table) = lowering
                .context
                .subnet_route_tables
                .get(&subnet.to_ascii_lowercase())
            {
                route_tables.push(table.clone());
            }
        }
    }
    for table in &route_tables {
        add(table);
    }
    scopes
        .into_iter()
        .map(|scope| RoleAssignment {
            name: Some(grant_name(&cluster.name, &scope)),
            principal: Principal::ClusterIdentity(cluster.name.clone()),
            role: NETWORK_CONTRIBUTOR.to_owned(),
            scope,
            description: None,
        })
        .collect()
}

/// Inserts a logically named cluster DNS zone into the cluster's `apiServerAccessProfile`.
pub fn set_cluster_dns_zone(properties: &mut Map<String, Value>, zone_id: String) {
    if let Some(Value::Object(profile)) = properties.get_mut("apiServerAccessProfile") {
        profile.insert("privateDNSZone".to_owned(), Value::String(zone_id));
    }
}

/// `{cluster}-network-contributor-on-{vnet}-{subnet}` (or `-on-{route table}`), lower case.
fn grant_name(cluster: &str, scope: &str) -> String {
    let segments: Vec<&str> = scope.trim_matches('/').split('/').collect();
    let target = match segments.as_slice() {
        [.., "virtualNetworks" | "virtualnetworks", vnet, _, subnet] => format!("{vnet}-{subnet}"),
        [.., last] => (*last).to_owned(),
        [] => String::new(),
    };
    format!("{cluster}-network-contributor-on-{target}").to_ascii_lowercase()
}

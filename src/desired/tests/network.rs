//! The bodies aksctl sends for the private-networking kinds conform to their api-versions: no
//! property outside the schema (FACTS-2 §3, §4 and the saved examples, since the Network spec is
//! not saved locally), every required one present, read-only ones never sent. Walked over every
//! resource of `plans/northwind.yaml`.

use serde_json::Value;

use super::plans::{load_plan, plans_directory};
use crate::desired::{lower, LowerContext};
use crate::kind::Kind;

/// The writable properties of a kind's PUT body (dotted paths, `[]` for array items; a listed
/// object path allows everything below it only when it ends with `.*`) and the required ones.
struct BodySchema {
    kind: Kind,
    allowed: &'static [&'static str],
    required: &'static [&'static str],
}

const SCHEMAS: [BodySchema; 4] = [
    // FACTS-2 §3 (`Common.PrivateEndpoint`, example `PrivateEndpointCreate.json`): location, tags,
    // extendedLocation, properties.{subnet.id, privateLinkServiceConnections[],
    // manualPrivateLinkServiceConnections[], customDnsConfigs[], applicationSecurityGroups[],
    // ipConfigurations[], customNetworkInterfaceName, ipVersionType}; a PUT needs location,
    // subnet.id and exactly one connection array.
    BodySchema {
        kind: Kind::PrivateEndpoint,
        allowed: &[
            "location",
            "tags.*",
            "extendedLocation.*",
            "properties.subnet.id",
            "properties.privateLinkServiceConnections[].name",
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
            "properties.privateLinkServiceConnections[].properties.groupIds[]",
            "properties.privateLinkServiceConnections[].properties.requestMessage",
            "properties.manualPrivateLinkServiceConnections[].name",
            "properties.manualPrivateLinkServiceConnections[].properties.privateLinkServiceId",
            "properties.manualPrivateLinkServiceConnections[].properties.groupIds[]",
            "properties.manualPrivateLinkServiceConnections[].properties.requestMessage",
            "properties.customDnsConfigs[].*",
            "properties.applicationSecurityGroups[].*",
            "properties.ipConfigurations[].*",
            "properties.customNetworkInterfaceName",
            "properties.ipVersionType",
        ],
        required: &[
            "location",
            "properties.subnet.id",
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
            "properties.privateLinkServiceConnections[].properties.groupIds[]",
        ],
    },
    // FACTS-2 §3.1: {name, properties{privateDnsZoneConfigs[]{name, properties{privateDnsZoneId}}}};
    // recordSets and provisioningState are read-only.
    BodySchema {
        kind: Kind::PrivateDnsZoneGroup,
        allowed: &[
            "properties.privateDnsZoneConfigs[].name",
            "properties.privateDnsZoneConfigs[].properties.privateDnsZoneId",
        ],
        required: &["properties.privateDnsZoneConfigs[].properties.privateDnsZoneId"],
    },
    // FACTS-2 §4 and `privatedns.json`: location (`global`), tags, etag; every property of a zone
    // is read-only.
    BodySchema {
        kind: Kind::PrivateDnsZone,
        allowed: &["location", "tags.*", "etag"],
        required: &["location"],
    },
    // FACTS-2 §4, example `VirtualNetworkLinkPut.json`.
    BodySchema {
        kind: Kind::VirtualNetworkLink,
        allowed: &[
            "location",
            "tags.*",
            "etag",
            "properties.virtualNetwork.id",
            "properties.registrationEnabled",
            "properties.resolutionPolicy",
        ],
        required: &["location", "properties.virtualNetwork.id"],
    },
];

/// Every leaf path of `value` (`a.b[].c`).
fn leaves(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaves(child, &child_path, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                leaves(item, &format!("{path}[]"), out);
            }
        }
        _ => out.push(path.to_owned()),
    }
}

fn allowed(path: &str, schema: &BodySchema) -> bool {
    schema
        .allowed
        .iter()
        .any(|allowed| match allowed.strip_suffix(".*") {
            Some(prefix) => path == prefix || path.starts_with(&format!("{prefix}.")),
            None => path == *allowed,
        })
}

#[test]
fn private_networking_bodies_conform_to_their_schemas() {
    let estate = load_plan(&[plans_directory().join("northwind.yaml")])
        .unwrap_or_else(|error| panic!("{error}"));
    let state = lower(&estate, &super::context()).expect("northwind lowers");
    for schema in &SCHEMAS {
        let bodies: Vec<_> = state
            .resources
            .iter()
            .filter(|resource| resource.kind == schema.kind)
            .collect();
        assert!(!bodies.is_empty(), "northwind declares {:?}", schema.kind);
        for resource in bodies {
            let mut paths = Vec::new();
            leaves(&resource.body, "", &mut paths);
            for path in &paths {
                assert!(
                    allowed(path, schema),
                    "{}: `{path}` is not a writable property of {}",
                    resource.address,
                    schema.kind.arm_type()
                );
            }
            for required in schema.required {
                assert!(
                    paths.iter().any(|path| path == required),
                    "{}: required `{required}` is missing",
                    resource.address
                );
            }
        }
    }
}

#[test]
fn endpoint_bodies_name_their_target_group_and_zone() {
    let estate = load_plan(&[plans_directory().join("northwind.yaml")])
        .unwrap_or_else(|error| panic!("{error}"));
    let state = lower(&estate, &super::context()).expect("lowers");
    for (endpoint, group, zone) in [
        ("pe-northwind", "registry", "privatelink.azurecr.io"),
        (
            "pe-kv-northwind-prod",
            "vault",
            "privatelink.vaultcore.azure.net",
        ),
        (
            "pe-stnorthwindbackups",
            "blob",
            "privatelink.blob.core.windows.net",
        ),
    ] {
        let resource = state
            .by_address(&format!("privateEndpoint/{endpoint}"))
            .expect("endpoint");
        let connection = &resource.body["properties"]["privateLinkServiceConnections"][0];
        assert_eq!(connection["properties"]["groupIds"][0], group);
        let zone_group = state
            .by_address(&format!("privateDnsZoneGroup/{endpoint}/default"))
            .expect("zone group");
        let zone_id = zone_group.body["properties"]["privateDnsZoneConfigs"][0]["properties"]
            ["privateDnsZoneId"]
            .as_str()
            .unwrap_or_default();
        assert!(
            zone_id.ends_with(&format!("/privateDnsZones/{zone}")),
            "{zone_id}"
        );
        assert!(zone_group
            .depends_on
            .contains(&format!("privateDnsZone/{zone}")));
    }
}

#[test]
fn control_planes_get_network_contributor_on_subnets_and_route_tables_unless_opted_out() {
    let mut estate = load_plan(&[plans_directory().join("northwind.yaml")])
        .unwrap_or_else(|error| panic!("{error}"));
    let grants = |state: &crate::desired::DesiredState| -> Vec<String> {
        state
            .resources
            .iter()
            .filter(|resource| resource.address.contains("-network-contributor-on-"))
            .map(|resource| resource.address.clone())
            .collect()
    };
    let without_reads = lower(&estate, &super::context()).expect("lowers");
    assert_eq!(
        grants(&without_reads),
        vec![
            "roleAssignment/aks-northwind-eastus2-network-contributor-on-vnet-northwind-eastus2-snet-aks-nodes",
            "roleAssignment/aks-northwind-centralus-network-contributor-on-vnet-northwind-centralus-snet-aks-nodes",
        ]
    );
    let context = LowerContext {
        subnet_route_tables: crate::sandbox_networks::shipped_route_tables(&estate.subscription),
        ..super::context()
    };
    let with_reads = lower(&estate, &context).expect("lowers");
    assert_eq!(grants(&with_reads).len(), 4, "{:?}", grants(&with_reads));
    let table = with_reads
        .by_address(
            "roleAssignment/aks-northwind-eastus2-network-contributor-on-rt-northwind-eastus2",
        )
        .expect("route table grant");
    assert!(table.id.as_str().contains(
        "/routeTables/rt-northwind-eastus2/providers/Microsoft.Authorization/roleAssignments/"
    ));
    assert_eq!(table.deferred[0].output, "/identity/principalId");
    assert!(table
        .depends_on
        .contains(&"cluster/aks-northwind-eastus2".to_owned()));

    for cluster in &mut estate.clusters {
        if let Some(network) = cluster.network.as_mut() {
            network.network_contributor_grants = Some(false);
        }
    }
    let opted_out = lower(&estate, &context).expect("lowers");
    assert!(grants(&opted_out).is_empty());
}

#[test]
fn a_private_cluster_names_its_dns_zone_logically() {
    let mut estate = load_plan(&[plans_directory().join("northwind.yaml")])
        .unwrap_or_else(|error| panic!("{error}"));
    let zone = "privatelink.eastus2.azmk8s.io";
    estate
        .private_dns_zones
        .push(crate::spec::types::PrivateDnsZone {
            name: zone.to_owned(),
            resource_group: "rg-northwind-prod".to_owned(),
            tags: Default::default(),
            virtual_network_links: Vec::new(),
            defaulted_location: None,
        });
    if let Some(api) = estate.clusters[0].api_server.as_mut() {
        api.private_dns_zone = Some(zone.to_owned());
    }
    let state = lower(&estate, &super::context()).expect("lowers");
    let cluster = state
        .by_address("cluster/aks-northwind-eastus2")
        .expect("cluster");
    let zone_resource = state
        .by_address(&format!("privateDnsZone/{zone}"))
        .expect("zone lowered");
    assert_eq!(
        cluster.body["properties"]["apiServerAccessProfile"]["privateDNSZone"],
        zone_resource.id.to_string()
    );
    assert!(cluster.depends_on.contains(&zone_resource.address));
    assert_eq!(zone_resource.body["location"], "global");
}

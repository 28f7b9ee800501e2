//! The virtual networks the shipped estates (`plans/`, overlays included) name but do not own:
//! northwind's two spoke VNets with their node and private-endpoint subnets (and the node subnets' route tables,
//! for `userDefinedRouting`). A fresh sandbox world starts with them, and the tests seed them, so
//! the plan-time subnet and VNet reads find what a real landing zone would hold.

use serde_json::{json, Value};

/// One spoke network: resource group, VNet, region, address space and subnets
/// (`(name, prefix, route table)`).
struct ShippedNetwork {
    group: &'static str,
    network: &'static str,
    location: &'static str,
    address_space: &'static str,
    subnets: &'static [(&'static str, &'static str, Option<&'static str>)],
}

const SHIPPED: [ShippedNetwork; 2] = [
    ShippedNetwork {
        group: "rg-northwind-network",
        network: "vnet-northwind-eastus2",
        location: "eastus2",
        address_space: "10.10.0.0/16",
        subnets: &[
            (
                "snet-aks-nodes",
                "10.10.0.0/22",
                Some("rt-northwind-eastus2"),
            ),
            ("snet-private-endpoints", "10.10.12.0/24", None),
        ],
    },
    ShippedNetwork {
        group: "rg-northwind-network-dr",
        network: "vnet-northwind-centralus",
        location: "centralus",
        address_space: "10.20.0.0/16",
        subnets: &[
            (
                "snet-aks-nodes",
                "10.20.0.0/22",
                Some("rt-northwind-centralus"),
            ),
            // The region-loss overlay's replacement primary (`plans/overlays/northwind-dr.yaml`).
            (
                "snet-aks-nodes-primary",
                "10.20.8.0/22",
                Some("rt-northwind-centralus"),
            ),
            ("snet-private-endpoints", "10.20.12.0/24", None),
        ],
    },
];

/// The shipped networks in `subscription`, as `PUT /_mock/state` takes them (a VNet with its
/// subnets inline, as ARM's VNet GET returns it).
pub fn shipped_networks(subscription: &str) -> Vec<Value> {
    SHIPPED
        .iter()
        .map(|network| {
            let group_id = format!("/subscriptions/{subscription}/resourceGroups/{}", network.group);
            let subnets: Vec<Value> = network
                .subnets
                .iter()
                .map(|(name, prefix, route_table)| {
                    let mut properties = json!({"addressPrefix": prefix});
                    if let Some(table) = route_table {
                        properties["routeTable"] = json!({
                            "id": format!("{group_id}/providers/Microsoft.Network/routeTables/{table}")
                        });
                    }
                    json!({"name": name, "properties": properties})
                })
                .collect();
            json!({
                "id": format!("{group_id}/providers/Microsoft.Network/virtualNetworks/{}", network.network),
                "location": network.location,
                "properties": {
                    "addressSpace": {"addressPrefixes": [network.address_space]},
                    "subnets": subnets,
                },
            })
        })
        .collect()
}

/// `{"resources": [...]}` with the shipped networks added to `state`'s resources (those it
/// already holds, by id, are kept as they are).
pub fn with_shipped_networks(mut state: Value, subscription: &str) -> Value {
    let mut resources = state
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for network in shipped_networks(subscription) {
        let id = network["id"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let held = resources.iter().any(|resource| {
            resource["id"]
                .as_str()
                .is_some_and(|other| other.eq_ignore_ascii_case(&id))
        });
        if !held {
            resources.push(network);
        }
    }
    if let Value::Object(object) = &mut state {
        object.insert("resources".to_owned(), Value::Array(resources));
        state
    } else {
        json!({"resources": resources})
    }
}

/// The route table of each shipped subnet that has one (lower-case subnet id -> route table id),
/// as the plan-time subnet reads report them (`LowerContext::subnet_route_tables`).
pub fn shipped_route_tables(subscription: &str) -> std::collections::BTreeMap<String, String> {
    let mut tables = std::collections::BTreeMap::new();
    for network in shipped_networks(subscription) {
        let network_id = network["id"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        for subnet in network["properties"]["subnets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(table)) = (
                subnet["name"].as_str(),
                subnet["properties"]["routeTable"]["id"].as_str(),
            ) {
                tables.insert(
                    format!("{network_id}/subnets/{}", name.to_ascii_lowercase()),
                    table.to_owned(),
                );
            }
        }
    }
    tables
}

/// The networks a throwaway world needs for `estate`'s references: the shipped ones where they
/// match, else one VNet per referenced VNet (in the estate's location) holding the named subnets.
pub fn networks_for(estate: &crate::spec::types::Estate, subscription: &str) -> Vec<Value> {
    let shipped = shipped_networks(subscription);
    let mut networks: Vec<Value> = Vec::new();
    for reference in crate::live::networks::network_references(estate) {
        let id = reference.id.trim_end_matches('/');
        let lower = id.to_ascii_lowercase();
        let (network_id, subnet) = match lower.rfind("/subnets/") {
            Some(at) => (&id[..at], Some(&id[at + "/subnets/".len()..])),
            None => (id, None),
        };
        let known = |body: &Value| {
            body["id"]
                .as_str()
                .is_some_and(|other| other.eq_ignore_ascii_case(network_id))
        };
        if !networks.iter().any(known) {
            let body = shipped.iter().find(|body| known(body)).cloned().unwrap_or_else(|| {
                json!({
                    "id": network_id,
                    "location": estate.location,
                    "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/8"]}, "subnets": []},
                })
            });
            networks.push(body);
        }
        let Some(subnet) = subnet else { continue };
        if let Some(body) = networks.iter_mut().find(|body| known(body)) {
            let subnets = &mut body["properties"]["subnets"];
            let count = subnets.as_array().map_or(0, Vec::len);
            let held = subnets.as_array().is_some_and(|items| {
                items.iter().any(|item| {
                    item["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(subnet))
                })
            });
            if !held {
                if let Some(items) = subnets.as_array_mut() {
                    items.push(json!({
                        "name": subnet,
                        "properties": {"addressPrefix": format!("10.{}.0.0/16", 100 + count)},
                    }));
                }
            }
        }
    }
    networks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_networks_are_vnets_with_their_subnets_inline() {
        let networks = shipped_networks("sub");
        assert_eq!(networks.len(), 2);
        assert_eq!(
            networks[0]["properties"]["subnets"][0]["properties"]["routeTable"]["id"],
            "/subscriptions/sub/resourceGroups/rg-northwind-network/providers/Microsoft.Network/routeTables/rt-northwind-eastus2"
        );
        let merged = with_shipped_networks(json!({"resources": [networks[0].clone()]}), "sub");
        assert_eq!(merged["resources"].as_array().map(Vec::len), Some(2));
    }
}

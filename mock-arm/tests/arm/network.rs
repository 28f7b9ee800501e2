//! Virtual networks and subnets learnt from `PUT /_mock/state`: inline subnets and subnets as
//! their own resources, GET and lists as ARM answers them, 404s for missing ones.

use serde_json::{json, Value};

use crate::support::*;

const NET_VERSION: &str = "2025-09-01";

fn vnet_id(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/{name}")
}

async fn seed(arm: &Arm, resources: Value) -> Response {
    arm.control(
        "PUT",
        "/_mock/state",
        Some(json!({ "resources": resources })),
    )
    .await
}

#[tokio::test]
async fn a_vnet_with_inline_subnets_answers_both_gets() {
    let arm = Arm::start();
    let seeded = seed(
        &arm,
        json!([{
            "id": vnet_id("vnet-hub"),
            "location": "East US 2",
            "properties": {
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                "subnets": [
                    { "name": "snet-aks-nodes", "properties": { "addressPrefix": "10.0.0.0/22" } },
                    { "name": "snet-endpoints", "properties": { "addressPrefix": "10.0.4.0/24", "privateEndpointNetworkPolicies": "Enabled" } },
                ],
            },
        }]),
    )
    .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let vnet = arm.get(&at(&vnet_id("vnet-hub"), NET_VERSION)).await;
    assert_eq!(vnet.status, 200);
    assert_eq!(vnet.str("/type"), "Microsoft.Network/virtualNetworks");
    assert_eq!(vnet.str("/location"), "eastus2");
    assert_eq!(vnet.str("/properties/provisioningState"), "Succeeded");
    assert_eq!(
        vnet.body["properties"]["subnets"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        vnet.str("/properties/subnets/0/id"),
        format!("{}/subnets/snet-aks-nodes", vnet_id("vnet-hub"))
    );
    let subnet = arm
        .get(&at(
            &format!("{}/subnets/snet-endpoints", vnet_id("vnet-hub")),
            NET_VERSION,
        ))
        .await;
    assert_eq!(subnet.status, 200);
    assert_eq!(subnet.str("/name"), "snet-endpoints");
    assert_eq!(
        subnet.str("/type"),
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert_eq!(subnet.str("/properties/addressPrefix"), "10.0.4.0/24");
    assert_eq!(
        subnet.str("/properties/privateEndpointNetworkPolicies"),
        "Enabled"
    );
    assert!(subnet.str("/etag").starts_with("W/\""));
    // The official example's fields are all there.
    let path = format!(
        "{}/tests/examples/SubnetGet.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let example: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json");
    let mut missing = Vec::new();
    missing_keys(
        &example["responses"]["200"]["body"],
        &subnet.body,
        "",
        &mut missing,
    );
    assert!(missing.is_empty(), "{missing:?}");
    let list = arm
        .get(&at(
            &format!("{}/subnets", vnet_id("vnet-hub")),
            NET_VERSION,
        ))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(2));
    let by_group = arm
        .get(&at(&format!("/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks"), NET_VERSION))
        .await;
    assert_eq!(by_group.body["value"][0]["name"], json!("vnet-hub"));
}

#[tokio::test]
async fn subnets_as_their_own_resources_join_their_vnet_and_round_trip() {
    let arm = Arm::start();
    let seeded = seed(
        &arm,
        json!([
            { "id": vnet_id("vnet-spoke"), "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] } } },
            { "id": format!("{}/subnets/snet-a", vnet_id("vnet-spoke")), "properties": { "addressPrefix": "10.1.0.0/24" } },
        ]),
    )
    .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let vnet = arm.get(&at(&vnet_id("vnet-spoke"), NET_VERSION)).await;
    assert_eq!(vnet.str("/properties/subnets/0/name"), "snet-a");
    let state = arm.control("GET", "/_mock/state", None).await;
    let again = arm
        .control("PUT", "/_mock/state", Some(state.body.clone()))
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    let after = arm.control("GET", "/_mock/state", None).await;
    assert_eq!(after.body["resources"], state.body["resources"]);
}

#[tokio::test]
async fn missing_networks_and_bad_seeds_answer_like_arm() {
    let arm = Arm::start();
    seed(
        &arm,
        json!([{ "id": vnet_id("vnet-hub"), "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] } } }]),
    )
    .await;
    let subnet = arm
        .get(&at(
            &format!("{}/subnets/nope", vnet_id("vnet-hub")),
            NET_VERSION,
        ))
        .await;
    assert_eq!((subnet.status, subnet.code()), (404, "ResourceNotFound"));
    let no_vnet = arm
        .get(&at(
            &format!("{}/subnets/nope", vnet_id("vnet-none")),
            NET_VERSION,
        ))
        .await;
    assert_eq!(
        (no_vnet.status, no_vnet.code()),
        (404, "ParentResourceNotFound")
    );
    let write = arm
        .put(
            &at(&vnet_id("vnet-new"), NET_VERSION),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(
        write.status, 405,
        "networks are learnt from /_mock/state only"
    );
    let bad = seed(
        &arm,
        json!([{ "id": vnet_id("vnet-bad"), "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] }, "subnets": [{ "name": "s1", "properties": {} }] } }]),
    )
    .await;
    assert_eq!(bad.status, 400, "a subnet needs an address prefix");
}

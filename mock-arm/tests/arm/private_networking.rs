//! Private endpoints with DNS zone groups, private DNS zones with virtual network links: LRO
//! styles (FACTS-2 §10), read-only fields from the examples, referenced networks that must exist,
//! immutable fields and the zone that cannot be deleted while linked.

use serde_json::{json, Value};

use crate::support::*;

const NET_VERSION: &str = "2025-09-01";
const DNS_VERSION: &str = "2024-06-01";

fn vnet_id() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke")
}

fn subnet_id() -> String {
    format!("{}/subnets/snet-pe", vnet_id())
}

async fn world(arm: &Arm) -> String {
    let seeded = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({"resources": [{
                "id": vnet_id(),
                "location": "eastus",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                    "subnets": [{"name": "snet-pe", "properties": {"addressPrefix": "10.1.8.0/24"}}],
                },
            }]})),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    arm.group("rg-app").await
}

async fn create_vault(arm: &Arm, group: &str) -> String {
    let id = format!("{group}/providers/Microsoft.KeyVault/vaults/kv-pe-test");
    let created = arm
        .put(
            &at(&id, KV_VERSION),
            json!({"location": "eastus", "properties": {"tenantId": "00000000-0000-0000-0000-00000000a0a0", "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": true, "accessPolicies": []}}),
        )
        .await;
    assert!(
        created.status == 201 || created.status == 200,
        "{}",
        created.body
    );
    arm.wait(&created).await;
    id
}

fn endpoint_body(target: &str, group_id: &str) -> Value {
    json!({
        "location": "eastus",
        "properties": {
            "subnet": {"id": subnet_id()},
            "privateLinkServiceConnections": [{
                "name": "pe-kv",
                "properties": {"privateLinkServiceId": target, "groupIds": [group_id]},
            }],
        },
    })
}

async fn zone(arm: &Arm, group: &str, name: &str) -> String {
    let id = format!("{group}/providers/Microsoft.Network/privateDnsZones/{name}");
    let accepted = arm
        .put(&at(&id, DNS_VERSION), json!({"location": "global"}))
        .await;
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert!(accepted.header("location").is_some());
    let done = arm.wait(&accepted).await;
    assert_eq!(done.status, 200, "{}", done.body);
    id
}

#[tokio::test]
async fn an_endpoint_and_its_zone_group_answer_like_the_examples() {
    let arm = Arm::start();
    let group = world(&arm).await;
    let vault = create_vault(&arm, &group).await;
    let zone_id = zone(&arm, &group, "privatelink.vaultcore.azure.net").await;

    let endpoint = format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-kv");
    let created = arm
        .put(&at(&endpoint, NET_VERSION), endpoint_body(&vault, "vault"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_some());
    assert_eq!(arm.wait(&created).await.str("/status"), "Succeeded");
    let got = arm.get(&at(&endpoint, NET_VERSION)).await;
    assert_eq!(got.str("/properties/provisioningState"), "Succeeded");
    assert_eq!(
        got.str("/properties/privateLinkServiceConnections/0/properties/privateLinkServiceConnectionState/status"),
        "Approved"
    );
    assert!(got
        .str("/properties/networkInterfaces/0/id")
        .contains("/networkInterfaces/pe-kv.nic."));
    let address = got
        .str("/properties/customDnsConfigs/0/ipAddresses/0")
        .to_owned();
    let host: u32 = address
        .strip_prefix("10.1.8.")
        .and_then(|host| host.parse().ok())
        .unwrap_or_else(|| panic!("{address} is not in the subnet 10.1.8.0/24"));
    assert!(
        (4..=254).contains(&host),
        "{address}: Azure reserves the first four"
    );
    assert!(got.str("/etag").starts_with("W/\""));

    let zone_group = format!("{endpoint}/privateDnsZoneGroups/default");
    let created = arm
        .put(
            &at(&zone_group, NET_VERSION),
            json!({"properties": {"privateDnsZoneConfigs": [{"name": "vault", "properties": {"privateDnsZoneId": zone_id}}]}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    let got = arm.get(&at(&zone_group, NET_VERSION)).await;
    let record = &got.body["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"][0];
    assert_eq!(record["recordType"], "A");
    assert_eq!(record["fqdn"], "kv-pe-test.privatelink.vaultcore.azure.net");
    assert_eq!(record["ipAddresses"], json!([address]));
    let zone = arm.get(&at(&zone_id, DNS_VERSION)).await;
    assert_eq!(zone.body["properties"]["numberOfRecordSets"], json!(2));

    let listed = arm
        .get(&at(
            &format!("{endpoint}/privateDnsZoneGroups"),
            NET_VERSION,
        ))
        .await;
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(1));

    // The subnet is fixed; deleting the endpoint takes its zone group.
    let mut moved = endpoint_body(&vault, "vault");
    moved["properties"]["subnet"]["id"] = json!(format!("{}/subnets/other", vnet_id()));
    let refused = arm.put(&at(&endpoint, NET_VERSION), moved).await;
    assert_eq!(
        refused.code(),
        "PropertyChangeNotAllowed",
        "{}",
        refused.body
    );
    let deleted = arm.delete(&at(&endpoint, NET_VERSION)).await;
    assert_eq!(deleted.status, 202);
    assert!(deleted.header("location").is_some());
    arm.wait(&deleted).await;
    assert_eq!(arm.get(&at(&zone_group, NET_VERSION)).await.status, 404);
}

#[tokio::test]
async fn endpoints_need_their_subnet_region_and_a_group_id_the_target_serves() {
    let arm = Arm::start();
    let group = world(&arm).await;
    let vault = create_vault(&arm, &group).await;
    let endpoint = at(
        &format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-kv"),
        NET_VERSION,
    );
    let wrong_group = arm.put(&endpoint, endpoint_body(&vault, "blob")).await;
    assert_eq!(wrong_group.status, 400);
    assert_eq!(wrong_group.code(), "PrivateEndpointBadRequest");

    let mut missing_subnet = endpoint_body(&vault, "vault");
    missing_subnet["properties"]["subnet"]["id"] = json!(format!("{}/subnets/nope", vnet_id()));
    assert_eq!(
        arm.put(&endpoint, missing_subnet).await.code(),
        "InvalidResourceReference"
    );

    let mut elsewhere = endpoint_body(&vault, "vault");
    elsewhere["location"] = json!("westus");
    assert_eq!(
        arm.put(&endpoint, elsewhere).await.code(),
        "InvalidResourceLocation"
    );

    let mut both = endpoint_body(&vault, "vault");
    both["properties"]["manualPrivateLinkServiceConnections"] =
        both["properties"]["privateLinkServiceConnections"].clone();
    assert_eq!(
        arm.put(&endpoint, both).await.code(),
        "InvalidRequestFormat"
    );

    let missing_target = endpoint_body(
        &format!("{group}/providers/Microsoft.KeyVault/vaults/kv-absent"),
        "vault",
    );
    assert_eq!(
        arm.put(&endpoint, missing_target).await.code(),
        "InvalidResourceReference"
    );
}

#[tokio::test]
async fn zones_are_global_links_need_a_vnet_and_a_linked_zone_cannot_be_deleted() {
    let arm = Arm::start();
    let group = world(&arm).await;
    let regional = arm
        .put(
            &at(
                &format!(
                    "{group}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"
                ),
                DNS_VERSION,
            ),
            json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(regional.code(), "InvalidResourceLocation");
    let bad_name = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.Network/privateDnsZones/nodots"),
                DNS_VERSION,
            ),
            json!({"location": "global"}),
        )
        .await;
    assert_eq!(bad_name.code(), "InvalidResourceName");

    let zone_id = zone(&arm, &group, "privatelink.azurecr.io").await;
    let zone_body = arm.get(&at(&zone_id, DNS_VERSION)).await;
    assert_eq!(zone_body.str("/location"), "global");
    assert_eq!(
        zone_body.body["properties"]["maxNumberOfRecordSets"],
        json!(5000)
    );
    assert_eq!(
        zone_body.body["properties"]["numberOfVirtualNetworkLinks"],
        json!(0)
    );

    let link = at(&format!("{zone_id}/virtualNetworkLinks/spoke"), DNS_VERSION);
    let missing = arm
        .put(
            &link,
            json!({"location": "global", "properties": {"virtualNetwork": {"id": format!("{}-absent", vnet_id())}}}),
        )
        .await;
    assert_eq!(missing.code(), "InvalidResourceReference");
    let accepted = arm
        .put(
            &link,
            json!({"location": "Global", "properties": {"virtualNetwork": {"id": vnet_id()}}}),
        )
        .await;
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    let done = arm.wait(&accepted).await;
    assert_eq!(done.str("/properties/virtualNetworkLinkState"), "Completed");
    assert_eq!(done.body["properties"]["registrationEnabled"], json!(false));
    assert_eq!(done.str("/properties/resolutionPolicy"), "Default");
    let twice = arm
        .put(
            &at(&format!("{zone_id}/virtualNetworkLinks/again"), DNS_VERSION),
            json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet_id()}}}),
        )
        .await;
    assert_eq!(twice.status, 409);

    let zone_body = arm.get(&at(&zone_id, DNS_VERSION)).await;
    assert_eq!(
        zone_body.body["properties"]["numberOfVirtualNetworkLinks"],
        json!(1)
    );
    let refused = arm.delete(&at(&zone_id, DNS_VERSION)).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    let unlinked = arm.delete(&link).await;
    assert_eq!(unlinked.status, 202);
    arm.wait(&unlinked).await;
    let deleted = arm.delete(&at(&zone_id, DNS_VERSION)).await;
    assert_eq!(deleted.status, 202);
    arm.wait(&deleted).await;
    assert_eq!(arm.get(&at(&zone_id, DNS_VERSION)).await.status, 404);

    // If-None-Match: * creates only.
    let zone_id = zone(&arm, &group, "privatelink.azurecr.io").await;
    let again = arm
        .send_with(
            "PUT",
            &at(&zone_id, DNS_VERSION),
            Some(json!({"location": "global"})),
            &[("If-None-Match", "*"), ("Authorization", "Bearer test")],
        )
        .await;
    assert_eq!(again.status, 412, "{}", again.body);
}

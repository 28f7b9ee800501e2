//! The `$defs` of private networking: a resource's `privateEndpoint`, private DNS zones and
//! their virtual network links.

use serde_json::Value;

use super::builders::{
    boolean, named_list, named_object, object, reference, resource_group, string,
};

pub(super) fn network_definitions() -> Vec<(&'static str, Value)> {
    vec![
        (
            "PrivateEndpoint",
            object(
                "A private endpoint connecting the resource to a subnet, with its DNS records.",
                &["subnet", "dnsZone"],
                vec![
                    (
                        "name",
                        string("Endpoint name; default `pe-<resource name>`."),
                    ),
                    (
                        "subnet",
                        string("Resource id of the subnet (must exist; read at plan time)."),
                    ),
                    (
                        "dnsZone",
                        string("A zone of `privateDnsZones` by name, or a private DNS zone id."),
                    ),
                    (
                        "groupId",
                        string("Target sub-resource; default `registry`, `vault` or `blob`."),
                    ),
                    (
                        "location",
                        string("Region of the endpoint (its VNet's); default the resource's."),
                    ),
                ],
            ),
        ),
        (
            "PrivateDnsZone",
            named_object(
                "A private DNS zone (global), e.g. `privatelink.vaultcore.azure.net`.",
                &["resourceGroup"],
                vec![
                    ("resourceGroup", resource_group()),
                    ("tags", reference("Tags")),
                    ("virtualNetworkLinks", named_list("VirtualNetworkLink")),
                ],
            ),
        ),
        (
            "VirtualNetworkLink",
            object(
                "A link letting a virtual network resolve the zone.",
                &["virtualNetwork"],
                vec![
                    ("name", string("Link name; default the VNet's name.")),
                    (
                        "virtualNetwork",
                        string("Resource id of the virtual network (must exist)."),
                    ),
                    (
                        "registrationEnabled",
                        boolean("Auto-register the VNet's VM records (default false)."),
                    ),
                    ("tags", reference("Tags")),
                ],
            ),
        ),
    ]
}

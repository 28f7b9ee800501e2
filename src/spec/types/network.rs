//! Private networking: private endpoints of registries, vaults and storage accounts, and private
//! DNS zones with their virtual network links (`Microsoft.Network/privateEndpoints`,
//! `Microsoft.Network/privateDnsZones`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Tags;

/// `privateEndpoint:` on a registry, vault or storage account: a
/// `Microsoft.Network/privateEndpoints` in the resource's group connecting it to `subnet`, with
/// its `privateDnsZoneGroups/default` registering the A records in `dnsZone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivateEndpoint {
    /// The endpoint's name; defaults to `pe-<resource name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Resource id of the subnet the endpoint's network interface goes into (read at plan time).
    pub subnet: String,
    /// A private DNS zone of `privateDnsZones` by name, or a zone's resource id.
    pub dns_zone: String,
    /// The target's sub-resource (`groupIds`); defaults to `registry`, `vault` or `blob` by the
    /// resource it is declared on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Region of the endpoint (that of its subnet's VNet); defaults to the resource's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// `Microsoft.Network/privateDnsZones` (always in the `global` location).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivateDnsZone {
    /// The zone name, e.g. `privatelink.vaultcore.azure.net`.
    pub name: String,
    /// Logical name of a resource group in `resourceGroups`.
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_network_links: Vec<VirtualNetworkLink>,
    /// Private DNS zones are global: defaulting's location is kept out of the estate.
    #[serde(skip)]
    pub defaulted_location: Option<String>,
}

/// `.../privateDnsZones/{zone}/virtualNetworkLinks/{name}`: the VNet resolves the zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VirtualNetworkLink {
    /// Defaults to the VNet's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Resource id of the virtual network (read at plan time).
    pub virtual_network: String,
    /// Auto-register the VNet's VM records (`registrationEnabled`, default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
}

/// The location every private DNS zone and link has.
pub const GLOBAL_LOCATION: &str = "global";

impl VirtualNetworkLink {
    /// The declared name, else the VNet's (the last segment of its id).
    pub fn effective_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.virtual_network
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        })
    }
}

impl PrivateEndpoint {
    /// The declared name, else `pe-<target>`.
    pub fn effective_name(&self, target: &str) -> String {
        self.name.clone().unwrap_or_else(|| format!("pe-{target}"))
    }
}

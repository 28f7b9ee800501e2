//! Private networking: private endpoints of registries, vaults and storage accounts, and private
//! DNS zones with their virtual network links (`Microsoft.Network/privateEndpoints`,
//! `Microsoft.Network/privateDnsZones`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Estate, EstateList, Tags, TrackedResource};

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

/// A resource declaring a private endpoint: where the estate declares it and the endpoint.
pub struct EndpointTarget<'estate> {
    /// The estate list holding the resource (`registries`).
    pub list: EstateList,
    /// The resource's position in that list.
    pub index: usize,
    pub resource: &'estate dyn TrackedResource,
    pub endpoint: &'estate PrivateEndpoint,
}

impl Estate {
    /// Every registry, vault and storage account declaring a private endpoint, in estate order;
    /// the kind each connects to is `resource.kind()`.
    pub fn private_endpoint_targets(&self) -> Vec<EndpointTarget<'_>> {
        fn of<'estate, T: TrackedResource>(
            items: &'estate [T],
            endpoint: impl Fn(&'estate T) -> Option<&'estate PrivateEndpoint>,
        ) -> Vec<(
            usize,
            &'estate dyn TrackedResource,
            &'estate PrivateEndpoint,
        )> {
            items
                .iter()
                .enumerate()
                .filter_map(|(index, item)| {
                    endpoint(item).map(|found| (index, item as &dyn TrackedResource, found))
                })
                .collect()
        }
        [
            of(&self.registries, |r| r.private_endpoint.as_ref()),
            of(&self.key_vaults, |v| v.private_endpoint.as_ref()),
            of(&self.storage_accounts, |a| a.private_endpoint.as_ref()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|(index, resource, endpoint)| {
            Some(EndpointTarget {
                list: EstateList::declaring(resource.kind())?,
                index,
                resource,
                endpoint,
            })
        })
        .collect()
    }
}

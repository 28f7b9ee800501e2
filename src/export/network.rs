//! Export of private networking: private DNS zones with their virtual network links, and the
//! private endpoints of exported registries, vaults and storage accounts written back as their
//! `privateEndpoint` (zone by logical name when the zone is exported too).

use serde_json::Value;

use crate::export::context::{group_of, name_of, str_at, tags_of, Exporting};
use crate::export::inventory::id_of;
use crate::kind::Kind;
use crate::spec::types::{
    DeclaredKind, KeyVault, PrivateDnsZone, PrivateEndpoint, Registry, StorageAccount,
    VirtualNetworkLink,
};

/// The zones of the groups, with their links (a link named after its VNet keeps no `name`).
pub fn export_private_dns_zones(exporting: &mut Exporting<'_>) -> Vec<PrivateDnsZone> {
    let mut zones = Vec::new();
    let bodies: Vec<&Value> = exporting.inventory.of_kind(Kind::PrivateDnsZone).collect();
    for body in bodies {
        let Some(id) = id_of(body) else { continue };
        exporting.add_scope(&id, Kind::PrivateDnsZone);
        let zone_tags = tags_of(body);
        // A link inherits its zone's tags in the estate: only its own are written.
        let links = exporting
            .inventory
            .children_of(&id, Kind::VirtualNetworkLink)
            .filter_map(export_link)
            .map(|mut link| {
                link.tags
                    .retain(|key, value| zone_tags.get(key) != Some(&*value));
                link
            })
            .collect();
        zones.push(PrivateDnsZone {
            name: name_of(body),
            resource_group: group_of(body),
            tags: zone_tags,
            virtual_network_links: links,
            defaulted_location: None,
        });
    }
    zones
}

fn export_link(body: &Value) -> Option<VirtualNetworkLink> {
    let virtual_network = str_at(body, "/properties/virtualNetwork/id")?.to_owned();
    let mut link = VirtualNetworkLink {
        name: None,
        virtual_network,
        registration_enabled: body
            .pointer("/properties/registrationEnabled")
            .and_then(Value::as_bool)
            .filter(|enabled| *enabled),
        tags: tags_of(body),
    };
    let name = name_of(body);
    if link.effective_name() != name {
        link.name = Some(name);
    }
    Some(link)
}

/// Writes each private endpoint back onto the exported resource it connects to; an endpoint of
/// anything else (or a second one on the same resource) is skipped with a reason.
pub fn attach_private_endpoints(
    exporting: &mut Exporting<'_>,
    registries: &mut [Registry],
    vaults: &mut [KeyVault],
    accounts: &mut [StorageAccount],
) {
    let bodies: Vec<&Value> = exporting.inventory.of_kind(Kind::PrivateEndpoint).collect();
    for body in bodies {
        let Some(id) = id_of(body) else { continue };
        let connection = body
            .pointer("/properties/privateLinkServiceConnections/0/properties")
            .cloned()
            .unwrap_or(Value::Null);
        let target = str_at(&connection, "/privateLinkServiceId").unwrap_or_default();
        let target_kind = top_level_kind(target);
        let group_id = connection
            .pointer("/groupIds/0")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let subnet = str_at(body, "/properties/subnet/id").unwrap_or_default();
        let zone_id = exporting
            .inventory
            .children_of(&id, Kind::PrivateDnsZoneGroup)
            .find_map(|group| {
                str_at(
                    group,
                    "/properties/privateDnsZoneConfigs/0/properties/privateDnsZoneId",
                )
            })
            .map(str::to_owned);
        let (Some(target_kind), Some(zone_id)) = (target_kind, zone_id) else {
            exporting.skip(
                Kind::PrivateEndpoint.arm_type(),
                id.as_str(),
                "it connects to no registry, vault or storage account of the export, or has no DNS zone group",
            );
            continue;
        };
        let Some(target_name) = exporting
            .logical_name(target, target_kind)
            .map(str::to_owned)
        else {
            exporting.skip(
                Kind::PrivateEndpoint.arm_type(),
                id.as_str(),
                "its target is not in the exported resource groups",
            );
            continue;
        };
        let dns_zone = exporting
            .logical_name(&zone_id, Kind::PrivateDnsZone)
            .map_or(zone_id.clone(), str::to_owned);
        let name = name_of(body);
        let endpoint = PrivateEndpoint {
            name: (name != format!("pe-{target_name}")).then_some(name),
            subnet: subnet.to_owned(),
            dns_zone,
            group_id: (target_kind.default_private_link_group() != Some(group_id.as_str()))
                .then_some(group_id),
            location: None,
        };
        let slot = match target_kind {
            kind if kind == Registry::KIND => registries
                .iter_mut()
                .find(|r| r.name == target_name)
                .map(|r| &mut r.private_endpoint),
            kind if kind == KeyVault::KIND => vaults
                .iter_mut()
                .find(|v| v.name == target_name)
                .map(|v| &mut v.private_endpoint),
            kind if kind == StorageAccount::KIND => accounts
                .iter_mut()
                .find(|a| a.name == target_name)
                .map(|a| &mut a.private_endpoint),
            _ => None,
        };
        match slot {
            Some(slot) if slot.is_none() => *slot = Some(endpoint),
            _ => exporting.skip(
                Kind::PrivateEndpoint.arm_type(),
                id.as_str(),
                "the estate format holds one private endpoint per registry, vault or storage account",
            ),
        }
    }
}

/// The kind of a top-level resource id (`.../providers/{namespace}/{type}/{name}`).
fn top_level_kind(id: &str) -> Option<Kind> {
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let at = segments
        .iter()
        .rposition(|segment| segment.eq_ignore_ascii_case("providers"))?;
    match &segments[at + 1..] {
        [namespace, kind, _name] => Kind::from_arm_type(&format!("{namespace}/{kind}")),
        _ => None,
    }
}

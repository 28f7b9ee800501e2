//! Descriptors of the private-networking kinds: private endpoints and their DNS zone groups,
//! private DNS zones and their virtual network links (`../shared/arm/FACTS-2.md` §3-§4).

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    ChildRead, DiffRules, FieldRule, Implied, KindDescriptor, Lane, Ownership, Read, ReadWhen,
    Timing, PLAIN_DIFF, PLAIN_WRITE,
};
use crate::kind::fields::Lowering;
use crate::kind::Kind;

/// Network and Private DNS writes are LROs of tens of seconds (FACTS-2 §0, §10).
const NETWORK_TIMING: Timing = Timing {
    create_seconds: 30,
    update_seconds: 20,
    delete_seconds: 30,
    deadline_minutes: 15,
    lane: Lane::Short,
};

pub const PRIVATE_ENDPOINT: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Network/privateEndpoints",
    api_version: "2025-09-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "privateEndpoint",
    noun: "private endpoint",
    scope_prefix: None,
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ResourceGroup,
    diff: DiffRules {
        // The subnet and the connection (target, group id) are the endpoint's identity: changing
        // them is believed not allowed in place (FACTS-2 §3, unverified), so aksctl replaces.
        fields: &[
            FieldRule::forces_replacement("location"),
            FieldRule::forces_replacement("properties.subnet"),
            FieldRule::forces_replacement("properties.privateLinkServiceConnections"),
        ],
        implied_defaults: &[("properties.ipVersionType", Implied::Text("IPv4"))],
        server_owned: &["/properties/networkInterfaces"],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    // A new endpoint gets a new private IP; its DNS records follow through the zone group.
    destructive_replace: false,
    timing: NETWORK_TIMING,
    // Lowered and exported by hand (`desired/network.rs`, `export/network.rs`).
    fields: &[],
};

pub const PRIVATE_DNS_ZONE_GROUP: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    api_version: "2025-09-01",
    parent: Some(Kind::PrivateEndpoint),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "privateDnsZoneGroup",
    noun: "private DNS zone group",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    // ARM lists zone groups per endpoint only (no subscription or group-wide list).
    read: Read::ChildList(ChildRead {
        when: ReadWhen::OwnedOrDeclared,
        parent_condition: None,
    }),
    diff: DiffRules {
        server_owned: &["/properties/privateDnsZoneConfigs/*/properties/recordSets"],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    destructive_replace: false,
    timing: NETWORK_TIMING,
    // Lowered and exported by hand (`desired/network.rs`, `export/network.rs`).
    fields: &[],
};

pub const PRIVATE_DNS_ZONE: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Network/privateDnsZones",
    api_version: "2024-06-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "privateDnsZone",
    noun: "private DNS zone",
    scope_prefix: Some("privateDnsZone"),
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ResourceGroup,
    diff: DiffRules {
        fields: &[FieldRule::forces_replacement("location")],
        server_owned: &[
            "/properties/maxNumberOfRecordSets",
            "/properties/numberOfRecordSets",
            "/properties/maxNumberOfVirtualNetworkLinks",
            "/properties/numberOfVirtualNetworkLinks",
            "/properties/maxNumberOfVirtualNetworkLinksWithRegistration",
            "/properties/numberOfVirtualNetworkLinksWithRegistration",
            "/properties/internalId",
        ],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    // Deleting a zone deletes every record in it (FACTS-2 §4).
    destructive_replace: true,
    timing: NETWORK_TIMING,
    // Lowered and exported by hand (`desired/network.rs`, `export/network.rs`).
    fields: &[],
};

pub const VIRTUAL_NETWORK_LINK: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    api_version: "2024-06-01",
    parent: Some(Kind::PrivateDnsZone),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "virtualNetworkLink",
    noun: "virtual network link",
    scope_prefix: None,
    tracked: true,
    ownership: Ownership::Tags,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    // ARM lists links per zone only.
    read: Read::ChildList(ChildRead {
        when: ReadWhen::OwnedOrDeclared,
        parent_condition: None,
    }),
    diff: DiffRules {
        fields: &[
            FieldRule::forces_replacement("location"),
            // Changing the linked network after create: unverified (FACTS-2 §4); replaced.
            FieldRule::forces_replacement("properties.virtualNetwork"),
        ],
        implied_defaults: &[
            ("properties.registrationEnabled", Implied::Boolean(false)),
            ("properties.resolutionPolicy", Implied::Text("Default")),
        ],
        server_owned: &["/properties/virtualNetworkLinkState"],
        ..PLAIN_DIFF
    },
    // A zone cannot be deleted while links remain: links are deleted first, on their own.
    write: PLAIN_WRITE,
    destructive_replace: false,
    timing: NETWORK_TIMING,
    // Lowered and exported by hand (`desired/network.rs`, `export/network.rs`).
    fields: &[],
};

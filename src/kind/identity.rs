//! Descriptors of the identity kinds: user-assigned identities, their federated credentials and
//! role assignments (`../shared/arm/FACTS.md` §7-§8).

use crate::kind::descriptor::Attach;
use crate::kind::descriptor::{
    ChildRead, DiffRules, FieldRule, KindDescriptor, Lock, Ownership, Read, ReadWhen, WriteRules,
    PLAIN_DIFF, PLAIN_WRITE, QUICK,
};
use crate::kind::fields::Lowering;
use crate::kind::Kind;

pub const USER_ASSIGNED_IDENTITY: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    api_version: "2026-05-31",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "identity",
    noun: "identity",
    scope_prefix: Some("identity"),
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
            "/properties/tenantId",
            "/properties/principalId",
            "/properties/clientId",
        ],
        ..PLAIN_DIFF
    },
    write: PLAIN_WRITE,
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

pub const FEDERATED_IDENTITY_CREDENTIAL: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    api_version: "2026-05-31",
    parent: Some(Kind::UserAssignedIdentity),
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "federatedCredential",
    noun: "federated credential",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::Parent,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    read: Read::ChildList(ChildRead {
        when: ReadWhen::Always,
        parent_condition: None,
    }),
    diff: PLAIN_DIFF,
    // ARM refuses concurrent writes of one identity's credentials.
    write: WriteRules {
        lock: Lock::Parent,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

pub const ROLE_ASSIGNMENT: KindDescriptor = KindDescriptor {
    arm_type: "Microsoft.Authorization/roleAssignments",
    api_version: "2026-08-01",
    parent: None,
    attaches_to: Attach::Parent,
    diagnostics: None,
    address_prefix: "roleAssignment",
    noun: "role assignment",
    scope_prefix: None,
    tracked: false,
    ownership: Ownership::DeterministicName,
    recovers_soft_deleted: false,
    global_name: false,
    private_link: None,
    singleton_name: None,
    naming: None,
    lowering: Lowering::Custom,
    // Every role assignment visible in a subscription (all scopes below it), in one list.
    read: Read::Subscription,
    diff: DiffRules {
        // Every role assignment field is immutable: delete and create again under the same name.
        fields: &[FieldRule::forces_replacement("properties")],
        server_owned: &[
            "/properties/scope",
            "/properties/createdOn",
            "/properties/updatedOn",
            "/properties/createdBy",
            "/properties/updatedBy",
        ],
        ..PLAIN_DIFF
    },
    // Written whole: nothing of a live assignment is kept.
    write: WriteRules {
        read_modify_write: false,
        ..PLAIN_WRITE
    },
    destructive_replace: false,
    timing: QUICK,
    fields: &[],
};

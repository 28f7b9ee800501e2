//! The shape of a kind descriptor: every fact aksctl knows about one resource kind, as data. The
//! per-kind values live beside it (`platform.rs`, `storage.rs`, `cluster.rs`, `identity.rs`,
//! `workspace.rs`); stages read them through `Kind::descriptor()` instead of matching on kinds.

use serde_json::Value;

use crate::kind::fields::{FieldMapping, Lowering};
use crate::kind::naming::NamingRule;
use crate::kind::Kind;

/// Everything aksctl knows about one kind.
#[derive(Debug)]
pub struct KindDescriptor {
    /// The ARM resource type, as ARM spells it in `type`.
    pub arm_type: &'static str,
    /// The GA api-version aksctl pins (`../shared/arm/api-versions.json`).
    pub api_version: &'static str,
    /// The kind whose resource contains this one in its ARM id.
    pub parent: Option<Kind>,
    /// What one attaches to: its `parent` (or nothing, for a top-level kind), or, for an
    /// extension resource that may attach to resources of several kinds
    /// (`{target id}/providers/{arm type}/{name}`), every kind offering what it needs.
    pub attaches_to: Attach,
    /// The diagnostic-setting categories ARM offers on one of this kind (`FACTS-2.md` §2), if
    /// diagnostic settings may be attached to it.
    pub diagnostics: Option<&'static DiagnosticCategories>,
    /// The prefix of a plan address (`<prefix>/<name>`) and of a logical reference in the estate.
    pub address_prefix: &'static str,
    /// What one is called in messages (`key vault`).
    pub noun: &'static str,
    /// The prefix of a role-assignment scope naming it in the estate (`keyVault/kv-prod`,
    /// `storageContainer/<account>/<container>`), if a role may be granted on it.
    pub scope_prefix: Option<&'static str>,
    /// Tracked (has `location` and `tags`, carries the ownership tags) rather than proxy.
    pub tracked: bool,
    /// How aksctl knows a live one is this estate's.
    pub ownership: Ownership,
    /// A deleted one keeps its name for a while (soft delete) and apply recovers it instead of
    /// creating it (`createMode: recover`; the plan's reason `recoverSoftDeleted`).
    pub recovers_soft_deleted: bool,
    /// Its name is unique across all of Azure (a DNS label): the plan asks the provider's
    /// `checkNameAvailability` before creating one.
    pub global_name: bool,
    /// The private-endpoint group ids aksctl knows for it and the zone each needs, if a private
    /// endpoint may connect to it.
    pub private_link: Option<PrivateLink>,
    /// The one name ARM allows for a singleton child (`blobServices/default`), if it is one.
    pub singleton_name: Option<&'static str>,
    /// The rule ARM enforces on its name, checked for every one an estate list declares
    /// (`None`: checked by hand in `spec::validate::names`, or not declared by name).
    pub naming: Option<NamingRule>,
    /// How lowering builds its body and export reads it back: from `fields` alone, generically
    /// (`Lowering::Fields`), or by its own code in `desired/` and `export/`.
    pub lowering: Lowering,
    /// How its live state is read.
    pub read: Read,
    /// How desired and live bodies are compared.
    pub diff: DiffRules,
    /// How apply writes and deletes it.
    pub write: WriteRules,
    /// Whether a replacement loses data or a control plane (apply's `--allow-replace` gate).
    pub destructive_replace: bool,
    /// How long its operations take and which scheduler lane runs them.
    pub timing: Timing,
    /// The estate fields lowering copies into the ARM body and export copies back.
    pub fields: &'static [FieldMapping],
}

/// What a kind attaches to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    /// To its `parent` in the ARM id (none for a top-level kind).
    Parent,
    /// As an extension resource to one resource of any kind whose descriptor has `diagnostics`
    /// (`parent` is `None`: the kind of the target is read from the id,
    /// `Kind::attached_parent`).
    KindsWithDiagnostics,
}

/// The diagnostic-setting categories of one parent kind (`FACTS-2.md` §2.3; what the facts do
/// not list is said where it is used, `docs/observability-gitops.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagnosticCategories {
    /// Log categories (`logs[].category`), as ARM spells them.
    pub logs: &'static [&'static str],
    /// Log category groups (`logs[].categoryGroup`).
    pub groups: &'static [&'static str],
    /// Metric categories (`metrics[].category`).
    pub metrics: &'static [&'static str],
    /// Whether its logs go to resource-specific tables by default
    /// (`logAnalyticsDestinationType: Dedicated`), as the parent's docs recommend.
    pub resource_specific_by_default: bool,
}

/// What a private endpoint on a kind connects to (FACTS-2 §3 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivateLink {
    /// The group id an endpoint gets when it declares none (`registry`, `vault`, `blob`).
    pub default_group: &'static str,
    /// Every group id aksctl knows for the kind, with the private DNS zone it needs.
    pub groups: &'static [(&'static str, &'static str)],
}

/// How aksctl knows a live resource is this estate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// The ownership tags on the resource (tracked resources).
    Tags,
    /// Through the nearest tracked ancestor (pools, containers, credentials).
    Parent,
    /// Through its deterministic name, computed from what the estate declares; one made outside
    /// aksctl for the same thing under another name counts as equivalent (role assignments).
    DeterministicName,
}

/// The unit of a live read for a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The subscription's resource groups (`/subscriptions/{s}/resourcegroups`).
    SubscriptionGroups,
    /// One list of the type across the subscription (`/subscriptions/{s}/providers/{type}`).
    Subscription,
    /// One list per resource group (`.../resourceGroups/{rg}/providers/{type}`); export reads
    /// these kinds from every requested group.
    ResourceGroup,
    /// The list of children under each parent (`{parent id}/{last type segment}`).
    ChildList(ChildRead),
    /// A single GET of the singleton child: ARM has no list.
    ChildSingle(ChildRead),
}

/// When the children of a live parent are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildRead {
    pub when: ReadWhen,
    /// A property the parent must have for ARM to serve the list at all (export and plan both
    /// skip the read otherwise, unless the estate declares such children).
    pub parent_condition: Option<ParentCondition>,
}

/// Which parents a plan reads the children of (export reads them for every parent found).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadWhen {
    /// Every parent the plan looks at.
    Always,
    /// Parents this estate owns, or under which the estate declares children of the kind.
    OwnedOrDeclared,
    /// Only parents under which the estate declares children of the kind.
    Declared,
}

/// A property of a parent body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentCondition {
    /// `sku.name` equals this (case-insensitively): only Premium registries have replicas.
    SkuIs(&'static str),
}

impl ParentCondition {
    /// Whether `parent_body` satisfies it.
    pub fn holds(self, parent_body: &Value) -> bool {
        match self {
            ParentCondition::SkuIs(sku) => parent_body
                .pointer("/sku/name")
                .and_then(Value::as_str)
                .is_some_and(|name| name.eq_ignore_ascii_case(sku)),
        }
    }
}

/// Fields of the common ARM envelope: never compared, never sent back in a PUT.
pub const ENVELOPE_FIELDS: &[&str] = &["id", "name", "type", "systemData", "etag", "eTag"];

/// The provisioning state every ARM resource reports: server-owned on every kind.
pub const PROVISIONING_STATE: &str = "properties.provisioningState";

/// How desired and live bodies of a kind are compared. Paths are dotted keys with `[]` for an
/// array element (`properties.agentPoolProfiles[].vmSize`); a rule covers the subtree below.
#[derive(Debug)]
pub struct DiffRules {
    /// What a change of each listed field means; an unlisted declared field changes in place.
    pub fields: &'static [FieldRule],
    /// Fields declared only to create the resource: never compared, and a write keeps the live
    /// value (a cluster's `agentPoolProfiles`: pools are their own resources afterwards).
    pub create_only: &'static [&'static str],
    /// Maps the estate owns whole: a live key it does not declare is a difference, and apply's
    /// merge drops it, except keys with the prefix the service adds itself.
    pub owned_whole_maps: &'static [OwnedWholeMap],
    /// Set-like arrays where live entries with this prefix are the service's, not ours.
    pub service_set_entries: &'static [OwnedWholeMap],
    /// Set-like arrays of `{..., enabled}` objects where a live entry with `enabled: false` is
    /// ARM listing what is off, not an entry (a diagnostic setting's `logs` and `metrics`).
    pub disabled_set_entries: &'static [&'static str],
    /// Values ARM assumes when a GET omits the field.
    pub implied_defaults: &'static [(&'static str, Implied)],
    /// JSON pointers (`/a/b`, `*` = every member) of server-owned fields a GET returns and a PUT
    /// must not carry (beyond `ENVELOPE_FIELDS` and the provisioning state).
    pub server_owned: &'static [&'static str],
}

/// A map (or set) owned whole, with the key prefix the service adds on its own.
#[derive(Debug, Clone, Copy)]
pub struct OwnedWholeMap {
    pub path: &'static str,
    pub service_prefix: &'static str,
}

/// What changing one field means.
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    pub path: &'static str,
    pub change: ChangeClass,
}

impl FieldRule {
    /// A field whose change forces replacement (the most common rule).
    pub const fn forces_replacement(path: &'static str) -> Self {
        Self {
            path,
            change: ChangeClass::ForcesReplacement,
        }
    }
}

/// The change classes of a field (`docs/day2.md`).
#[derive(Debug, Clone, Copy)]
pub enum ChangeClass {
    /// ARM changes it in place (the default for an unlisted field).
    InPlace,
    /// ARM cannot change it in place: the resource is replaced.
    ForcesReplacement,
    /// Replaced only for some value pairs (the test gets the live and the declared value).
    ForcesReplacementWhen(fn(&str, &str) -> bool),
    /// A boolean ARM refuses to move back from `locked` once it is set.
    RefusedByArm {
        locked: bool,
        explanation: &'static str,
    },
    /// ARM refuses any change while the live resource is in a state (`refused` reads the live
    /// body), and no replacement can reach it either (a purge-protected vault's retention: the
    /// deleted vault would hold the name): refused at plan time with `explanation` and `fix`.
    /// Otherwise the next rule for the same path decides.
    RefusedByArmWhen {
        refused: fn(&Value) -> bool,
        /// The estate key declaring the field (where the refusal points).
        estate_field: &'static str,
        explanation: &'static str,
        fix: &'static str,
    },
    /// What a change between two string values means depends on the pair (`classify` gets the
    /// live and the declared value): in place, in place through a long-running ARM action, or
    /// refused by ARM. Never a replacement: the resource holds data.
    ByValuePair {
        classify: fn(&str, &str) -> PairChange,
        /// The estate key declaring the field (where a refusal points).
        estate_field: &'static str,
    },
    /// ARM cannot change it in place, but the resource can be rotated: a replacement is created
    /// beside it, waited for, and the old one deleted (agent pools: create-before-destroy,
    /// `crate::planner::rotation`).
    Rotate,
    /// Rotated only for some value pairs (the test gets the live and the declared value); other
    /// changes are in place (`osSKU` between Linux SKUs).
    RotateWhen(fn(&str, &str) -> bool),
    /// A version ARM only moves forward, one minor at a time (`crate::planner::versions`).
    Monotonic,
    /// A value the service moves on its own: an auto-upgrade channel raises the version, the
    /// autoscaler moves the count. The declared value is then a floor or ignored, never a change.
    ServerMoved(ServerMover),
}

/// What [`ChangeClass::ByValuePair`] makes of one pair of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairChange {
    /// The write changes it (PUT/PATCH).
    InPlace,
    /// A long-running ARM action changes it before the write (`startAccountMigration`).
    Action(&'static str),
    /// ARM cannot change it: the reason and what to do.
    Refused(&'static str),
}

/// What moves a server-moved field, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerMover {
    /// An auto-upgrade channel other than `none` at `properties.autoUpgradeProfile.upgradeChannel`
    /// of the cluster: the declared version is a floor.
    AutoUpgradeChannel,
    /// The cluster autoscaler, when `properties.enableAutoScaling` is true: the count is its own.
    Autoscaler,
}

/// A constant JSON value (descriptors are `const`).
#[derive(Debug, Clone, Copy)]
pub enum Implied {
    Text(&'static str),
    Integer(i64),
    Boolean(bool),
}

impl Implied {
    pub fn to_value(self) -> Value {
        match self {
            Implied::Text(text) => Value::from(text),
            Implied::Integer(number) => Value::from(number),
            Implied::Boolean(flag) => Value::from(flag),
        }
    }
}

/// How apply writes a kind.
#[derive(Debug)]
pub struct WriteRules {
    /// Read-modify-write: the declared body is merged into the live one before the PUT. Role
    /// assignments are written whole (every field is immutable).
    pub read_modify_write: bool,
    /// Fields a write replaces whole instead of merging (ARM takes one and only one schedule).
    pub replaced_whole: &'static [&'static str],
    /// An AKS operation: serialised with the cluster's other operations, waits for the cluster to
    /// settle first, and sends the live eTag as `If-Match`.
    pub cluster_operation: bool,
    /// Whose lock its writes take.
    pub lock: Lock,
    /// Deleted with its parent rather than on its own (no DELETE, or the last system pool).
    pub deleted_with_parent: bool,
    /// Never deleted on its own account (a singleton ARM creates with its parent).
    pub never_deleted: bool,
}

/// The lock a write holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    None,
    /// Its own id (a cluster: one operation at a time).
    Own,
    /// Its parent's id (a cluster's pools, an identity's credentials).
    Parent,
}

/// Typical operation durations (`shared/arm/README.md`), used only to order ready work, and the
/// deadline and lane of one operation.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub create_seconds: u64,
    pub update_seconds: u64,
    pub delete_seconds: u64,
    pub deadline_minutes: u64,
    pub lane: Lane,
}

/// Which scheduler budget its operations run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Minutes-long AKS operations polling one LRO each.
    LongRunning,
    Short,
}

/// A quick operation with the default deadline.
pub const QUICK: Timing = Timing {
    create_seconds: 1,
    update_seconds: 1,
    delete_seconds: 1,
    deadline_minutes: 5,
    lane: Lane::Short,
};

/// Diff rules of a kind with nothing special.
pub const PLAIN_DIFF: DiffRules = DiffRules {
    fields: &[],
    create_only: &[],
    owned_whole_maps: &[],
    service_set_entries: &[],
    disabled_set_entries: &[],
    implied_defaults: &[],
    server_owned: &[],
};

/// Write rules of a kind with nothing special.
pub const PLAIN_WRITE: WriteRules = WriteRules {
    read_modify_write: true,
    replaced_whole: &[],
    cluster_operation: false,
    lock: Lock::None,
    deleted_with_parent: false,
    never_deleted: false,
};

/// Server-owned fields of a managed identity block on tracked resources.
pub const IDENTITY_SERVER_OWNED: [&str; 4] = [
    "/identity/principalId",
    "/identity/tenantId",
    "/identity/userAssignedIdentities/*/principalId",
    "/identity/userAssignedIdentities/*/clientId",
];

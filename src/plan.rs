//! The plan as data: what would change, why, and in which order. Built by the plan engine,
//! serialized by `--out`, rendered by `render`, executed by `apply`. Nothing here does I/O.
//!
//! JSON contract (documented in `docs/plan-json.md`): `formatVersion`, `summary`, `changes[]`
//! with `address`, `type`, `id`, `action`, `reasons`, `before`, `after`, `unknownAfterApply`,
//! plus the fields the executor needs (`kind`, `apiVersion`, `dependsOn`, `deferred`) and the
//! `observed` fingerprints used to refuse a stale plan.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::id::ResourceId;
use crate::kind::Kind;

/// The plan file format version; bump on an incompatible change.
pub const FORMAT_VERSION: &str = "1";

/// What happens to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Noop,
    Create,
    Update,
    Replace,
    Delete,
}

impl Action {
    /// The terraform-like symbol the human renderer shows.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Noop => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }
}

/// How a replacement is sequenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReplaceOrder {
    /// The new resource can coexist with the old one (different name): create, then delete.
    CreateBeforeDelete,
    /// Same name: delete the old one, then create the new one.
    DeleteBeforeCreate,
}

/// Why a change is planned: a stable machine `code`, a human `message`, and the JSON path of the
/// field concerned where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reason {
    pub code: ReasonCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The catalogue of reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReasonCode {
    /// The estate declares it and ARM has no such resource.
    NotFound,
    /// A declared, updatable field differs from live.
    FieldChanged,
    /// A declared field that ARM cannot change in place differs from live.
    ImmutableFieldChanged,
    /// A resource it depends on is replaced or recreated, so a value it copies changes.
    DependencyChanged,
    /// Owned by this estate (ownership tag) but no longer declared.
    NotInEstate,
    /// Exists without aksctl's ownership tag where the estate wants one: reported, never taken over.
    ExistsNotManaged,
    /// Owned by another estate: refused.
    OwnedByOtherEstate,
    /// The name is held by a soft-deleted Key Vault that apply will recover.
    RecoverSoftDeleted,
    /// The live resource is in a failed provisioning state and will be re-put.
    ProvisioningFailed,
    /// Only ownership tags are added (adoption).
    Adopt,
    /// A role assignment with the same scope, role and principal already exists under another
    /// name (made outside aksctl): counted as done, never duplicated, never deleted by aksctl.
    EquivalentExists,
}

/// A value of `after` that only apply can know, filled in from another resource once it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deferred {
    /// JSON pointer into `after` (e.g. `/properties/issuer`).
    pub path: String,
    /// Address of the resource that produces the value (e.g. `cluster/aks-prod`).
    pub source: String,
    /// JSON pointer into that resource's body as ARM returns it (e.g.
    /// `/properties/oidcIssuerProfile/issuerURL`).
    pub output: String,
}

/// One resource's planned change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceChange {
    /// `<kind prefix>/<name>` (children: `pool/<cluster>/<pool>`), unique in the plan.
    pub address: String,
    /// ARM resource type.
    #[serde(rename = "type")]
    pub arm_type: String,
    pub kind: Kind,
    pub id: ResourceId,
    pub api_version: String,
    pub action: Action,
    pub reasons: Vec<Reason>,
    /// The live body as read (null for create).
    pub before: Option<Value>,
    /// The desired body: only what the estate declares, as ARM expects it in a PUT (null for
    /// delete). Unknown values are `null` here and listed in `unknownAfterApply` / `deferred`.
    pub after: Option<Value>,
    /// JSON pointers into `after` whose values are known only after apply.
    pub unknown_after_apply: Vec<String>,
    /// How `after`'s unknowns are filled in during apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<Deferred>,
    /// Addresses this change must wait for (creates/updates) — deletes run in reverse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// For `replace` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace_order: Option<ReplaceOrder>,
    /// Whether it disrupts workloads, the flags it needs and its ordered steps (day 2).
    #[serde(flatten, default)]
    pub procedure: Procedure,
}

/// How a change is carried out when it is more than one write (`docs/day2.md`): serialised
/// flat into the change (`disruptive`, `requires`, `steps`), each left out when empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Procedure {
    /// It drains nodes or loses data: workloads are disrupted while it runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disruptive: bool,
    /// The apply flags it needs (`allow-replace`, `allow-delete`), without the dashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Nodes drained by the change (pool rotations and deletes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drained_nodes: Option<u64>,
    /// Ordered ARM operations apply runs one after the other, each waiting for the previous to
    /// succeed; empty for a change that is one write (or a plain create/delete pair).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<ChangeStep>,
}

/// One ordered operation of a multi-step change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeStep {
    pub operation: StepOperationKind,
    /// The address of the resource written (a rotation's temporary pool has its own).
    pub address: String,
    pub id: ResourceId,
    /// What the step does, for people (`create pool/aks/user1rot (Standard_D8ds_v5, 3 nodes)`).
    pub description: String,
    /// The PUT body (declared fields only, as for `after`); null for a delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// What one step does to ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepOperationKind {
    /// PUT a new resource and wait until it is Succeeded.
    Create,
    /// Read-modify-write the live resource and wait until it is Succeeded.
    Update,
    /// DELETE (a pool: AKS cordons and drains its nodes first) and wait until it is gone.
    Delete,
}

/// What apply re-reads to refuse a stale plan: each live resource read, by id, with its eTag or a
/// content hash, or `absent` when the plan saw none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    pub id: ResourceId,
    pub fingerprint: String,
}

/// Counts per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub noop: usize,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub format_version: String,
    /// The estate's name (ownership tag value).
    pub estate: String,
    pub subscription: String,
    pub summary: Summary,
    /// Changes in dependency order (parents first); deletes are executed in reverse.
    pub changes: Vec<ResourceChange>,
    pub observed: Vec<Observation>,
    /// Notices that are not changes (e.g. "exists, not managed: run `aksctl adopt`").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// The estate's `rollout:` stages, in order: apply finishes each before the next.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<PlanStage>,
}

/// One rollout stage: its name and its clusters' addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanStage {
    pub name: String,
    pub clusters: Vec<String>,
}

impl Plan {
    /// Builds a plan and its summary from changes already in dependency order.
    pub fn new(
        estate: String,
        subscription: String,
        changes: Vec<ResourceChange>,
        observed: Vec<Observation>,
        notices: Vec<String>,
    ) -> Self {
        let summary = Summary::of(&changes);
        Plan {
            format_version: FORMAT_VERSION.to_owned(),
            estate,
            subscription,
            summary,
            changes,
            observed,
            notices,
            stages: Vec::new(),
        }
    }

    /// Whether applying this plan would change anything.
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|change| change.action != Action::Noop)
    }
}

impl Summary {
    pub fn of(changes: &[ResourceChange]) -> Self {
        let mut summary = Summary::default();
        for change in changes {
            match change.action {
                Action::Noop => summary.noop += 1,
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Replace => summary.replace += 1,
                Action::Delete => summary.delete += 1,
            }
        }
        summary
    }
}

//! Adoption: the tracked resources an estate declares that exist in ARM without ownership tags
//! (the planner's `existsNotManaged` detection, reused as is) get `aksctl-estate=<estate>` and
//! `managed-by=aksctl` added to their tags, and nothing else. The adoption is a plan of its own
//! (one tag-only update per resource, reason `adopt`), shown before it is applied; applying it is
//! one PATCH of `tags` per resource (every tracked kind aksctl manages has PATCH). Proxy resources
//! (pools, containers, credentials, role assignments) are owned through their parent or their
//! deterministic name, so they need no tags.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::arm::{ArmClient, WriteOptions};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::{LiveResource, LiveState, MANAGED_BY_TAG, OWNER_TAG};
use crate::plan::{Action, Observation, Plan, Reason, ReasonCode, ResourceChange};

/// The value of the `managed-by` tag.
pub const MANAGED_BY_VALUE: &str = "aksctl";

/// Why adoption cannot go ahead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoptError {
    #[error("{address}: the estate declares no such resource{}", suggestion(hint))]
    UnknownAddress { address: String, hint: Vec<String> },
    #[error("{address} is not a resource aksctl tags (only resource groups, registries and their replicas, key vaults, storage accounts, Log Analytics workspaces, identities and clusters carry ownership tags; their other children are owned through them)")]
    NotTracked { address: String },
}

fn suggestion(hint: &[String]) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(" (declared: {})", hint.join(", "))
    }
}

/// One resource to adopt.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub address: String,
    pub kind: Kind,
    pub id: ResourceId,
    /// The live body, as the plan read it.
    pub before: Value,
    /// The whole tag map after adoption: the live tags plus the two ownership tags.
    pub tags: Map<String, Value>,
}

/// The resources of `plan` that exist without ownership tags, optionally limited to `addresses`
/// (plan addresses such as `cluster/aks-prod`).
pub fn candidates(plan: &Plan, addresses: &[String]) -> Result<Vec<Candidate>, AdoptError> {
    for address in addresses {
        let Some(change) = plan
            .changes
            .iter()
            .find(|change| &change.address == address)
        else {
            let hint = plan
                .changes
                .iter()
                .filter(|change| change.kind.is_tracked())
                .map(|change| change.address.clone())
                .filter(|known| known.split('/').next() == address.split('/').next())
                .take(5)
                .collect();
            return Err(AdoptError::UnknownAddress {
                address: address.clone(),
                hint,
            });
        };
        if !change.kind.is_tracked() {
            return Err(AdoptError::NotTracked {
                address: address.clone(),
            });
        }
    }
    Ok(plan
        .changes
        .iter()
        .filter(|change| addresses.is_empty() || addresses.contains(&change.address))
        .filter(|change| change.kind.is_tracked())
        .filter(|change| {
            change
                .reasons
                .iter()
                .any(|reason| reason.code == ReasonCode::ExistsNotManaged)
        })
        .filter_map(|change| {
            let before = change.before.clone()?;
            Some(Candidate {
                address: change.address.clone(),
                kind: change.kind,
                id: change.id.clone(),
                tags: adopted_tags(&before, &plan.estate),
                before,
            })
        })
        .collect())
}

/// The live tags with `aksctl-estate=<estate>` and `managed-by=aksctl` added (an existing key
/// spelled in another case is replaced, as ARM compares tag names case-insensitively).
pub fn adopted_tags(body: &Value, estate: &str) -> Map<String, Value> {
    let mut tags: Map<String, Value> = body
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    tags.retain(|key, _| {
        !key.eq_ignore_ascii_case(OWNER_TAG) && !key.eq_ignore_ascii_case(MANAGED_BY_TAG)
    });
    tags.insert(OWNER_TAG.to_owned(), json!(estate));
    tags.insert(MANAGED_BY_TAG.to_owned(), json!(MANAGED_BY_VALUE));
    tags
}

/// The `managed-by` value of a resource that says another tool manages it.
pub fn previous_manager(body: &Value) -> Option<String> {
    body.get("tags")
        .and_then(Value::as_object)?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(MANAGED_BY_TAG))
        .and_then(|(_, value)| value.as_str())
        .filter(|value| !value.eq_ignore_ascii_case(MANAGED_BY_VALUE))
        .map(str::to_owned)
}

/// The adoption as a plan: one tag-only update per candidate, reason `adopt`, with the
/// fingerprints the base plan observed for them.
pub fn adoption_plan(base: &Plan, candidates: &[Candidate]) -> Plan {
    let changes: Vec<ResourceChange> = candidates
        .iter()
        .map(|candidate| ResourceChange {
            address: candidate.address.clone(),
            arm_type: candidate.kind.arm_type().to_owned(),
            kind: candidate.kind,
            id: candidate.id.clone(),
            api_version: candidate.kind.api_version().to_owned(),
            action: Action::Update,
            reasons: vec![Reason {
                code: ReasonCode::Adopt,
                message: format!(
                    "adopt: tags {OWNER_TAG}={} and {MANAGED_BY_TAG}={MANAGED_BY_VALUE} are added{} (PATCH of tags only; nothing else changes)",
                    base.estate,
                    previous_manager(&candidate.before)
                        .map(|manager| format!(", replacing {MANAGED_BY_TAG}={manager}"))
                        .unwrap_or_default()
                ),
                path: Some("/tags".to_owned()),
            }],
            before: Some(candidate.before.clone()),
            after: Some(json!({ "tags": candidate.tags })),
            unknown_after_apply: Vec::new(),
            deferred: Vec::new(),
            depends_on: Vec::new(),
            replace_order: None,
            procedure: Default::default(),
        })
        .collect();
    let observed: Vec<Observation> = base
        .observed
        .iter()
        .filter(|observation| candidates.iter().any(|c| c.id == observation.id))
        .cloned()
        .collect();
    Plan::new(
        base.estate.clone(),
        base.subscription.clone(),
        changes,
        observed,
        Vec::new(),
    )
}

/// Live state as it will be once the candidates are adopted: for showing what `plan` will say
/// afterwards (the same planner, on the same reads).
pub fn live_after_adoption(live: &LiveState, candidates: &[Candidate]) -> LiveState {
    let mut adopted = live.clone();
    for candidate in candidates {
        if let Some(resource) = live.get(&candidate.id) {
            let mut body = resource.body.clone();
            if let Some(object) = body.as_object_mut() {
                object.insert("tags".to_owned(), Value::Object(candidate.tags.clone()));
            }
            if let Some(updated) = LiveResource::from_body(body) {
                adopted.insert(updated);
            }
        }
    }
    adopted
}

/// The outcome of adopting one resource.
#[derive(Debug)]
pub struct Adopted {
    pub address: String,
    pub result: Result<(), crate::arm::ArmError>,
}

/// PATCHes the tags of every candidate, at most `parallelism` at a time. Resource groups first,
/// so a failure there is seen before the resources inside it change.
pub async fn apply_tags(
    client: &ArmClient,
    candidates: &[Candidate],
    parallelism: usize,
) -> Vec<Adopted> {
    let (groups, others): (Vec<&Candidate>, Vec<&Candidate>) = candidates
        .iter()
        .partition(|candidate| candidate.kind.is_resource_group());
    let mut outcomes = Vec::new();
    for wave in [groups, others] {
        outcomes.extend(patch_all(client, wave, parallelism).await);
    }
    outcomes
}

async fn patch_all(client: &ArmClient, wave: Vec<&Candidate>, parallelism: usize) -> Vec<Adopted> {
    let semaphore = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut tasks = JoinSet::new();
    let mut order: BTreeMap<String, usize> = BTreeMap::new();
    for (index, candidate) in wave.into_iter().enumerate() {
        order.insert(candidate.address.clone(), index);
        let client = client.clone();
        let semaphore = Arc::clone(&semaphore);
        let candidate = candidate.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let body = json!({ "tags": candidate.tags });
            let result = client
                .patch(
                    &candidate.id,
                    candidate.kind.api_version(),
                    &body,
                    &WriteOptions::default(),
                )
                .await
                .map(|_| ());
            Adopted {
                address: candidate.address,
                result,
            }
        });
    }
    let mut outcomes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => tracing::error!(%error, "adopt: a PATCH task ended abnormally"),
        }
    }
    outcomes.sort_by_key(|outcome| order.get(&outcome.address).copied().unwrap_or(usize::MAX));
    outcomes
}

//! `build`: one `ResourceChange` per declared resource (decided in dependency order, so a
//! source's action is known before its dependants resolve values from it), plus deletions of
//! owned resources the estate no longer declares, ordered parents first, with fingerprints.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::desired::{DesiredResource, DesiredState};
use crate::diff::{self, normalize_location, Difference};
use crate::live::{LiveResource, LiveState, OWNER_TAG};
use crate::plan::{Action, Observation, Plan, Reason, ReasonCode, ReplaceOrder, ResourceChange};
use crate::planner::deferred::{self, pointer_display, pointer_rule_path};
use crate::planner::ownership::{self, Ownership};
use crate::planner::{
    order, rotation, targets, versions, OwnershipConflict, PlanError, PlanOptions,
};

/// Builds the plan that converges `live` to `desired`.
pub fn build(
    desired: &DesiredState,
    live: &LiveState,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let selected = targets::select(desired, &options.targets)?;
    let resources: Vec<&DesiredResource> = desired
        .resources
        .iter()
        .filter(|resource| selected.contains(&resource.address))
        .collect();
    let nodes: Vec<(String, Vec<String>)> = resources
        .iter()
        .map(|resource| (resource.address.clone(), dependencies(resource)))
        .collect();

    let mut context = Context {
        desired,
        live,
        estate: &desired.estate,
        planned: HashMap::new(),
        notices: Vec::new(),
        conflicts: Vec::new(),
    };
    let mut changes: Vec<ResourceChange> = Vec::new();
    // Temporary pools of rotations: part of their pool's change, never deleted on their own.
    let mut rotations: Vec<crate::id::ResourceId> = Vec::new();
    for address in order::topological(&nodes) {
        if let Some(resource) = desired.by_address(&address) {
            let mut change = context.plan_resource(resource);
            rotations.extend(rotation::shape(&mut change, resource, desired, live));
            context.planned.insert(address, change.action);
            changes.push(change);
        }
    }
    versions::shape(&mut changes, &mut context.notices)?;
    if !context.conflicts.is_empty() {
        return Err(PlanError::OwnedByOtherEstate {
            conflicts: context.conflicts,
        });
    }

    if options.targets.is_empty() {
        let taken: HashSet<String> = changes.iter().map(|c| c.address.clone()).collect();
        let (deletions, notices) = ownership::deletions(desired, live, &desired.estate, &taken);
        context.notices.extend(notices);
        for deletion in deletions
            .into_iter()
            .filter(|deletion| !rotations.contains(&deletion.resource.id))
        {
            let kind = deletion.resource.kind;
            changes.push(ResourceChange {
                address: deletion.address,
                arm_type: kind.arm_type().to_owned(),
                kind,
                id: deletion.resource.id.clone(),
                api_version: kind.api_version().to_owned(),
                action: Action::Delete,
                reasons: vec![deletion.reason],
                before: Some(without_system_data(&deletion.resource.body)),
                after: None,
                unknown_after_apply: Vec::new(),
                deferred: Vec::new(),
                depends_on: deletion.depends_on,
                replace_order: None,
                procedure: Default::default(),
            });
        }
    }

    // Parents first; deletions after everything else (among themselves parents first too: the
    // executor runs them in reverse, children first).
    let (deletions, others): (Vec<ResourceChange>, Vec<ResourceChange>) = changes
        .into_iter()
        .partition(|change| change.action == Action::Delete);
    let mut ordered = in_dependency_order(others);
    ordered.extend(in_dependency_order(deletions));

    let mut observed: BTreeMap<crate::id::ResourceId, String> = BTreeMap::new();
    for change in &ordered {
        observed
            .entry(change.id.clone())
            .or_insert_with(|| live.fingerprint(&change.id));
    }
    let observed = observed
        .into_iter()
        .map(|(id, fingerprint)| Observation { id, fingerprint })
        .collect();
    Ok(Plan::new(
        desired.estate.clone(),
        desired.subscription.clone(),
        ordered,
        observed,
        context.notices,
    ))
}

/// `changes` sorted topologically on `depends_on`, ties by address.
fn in_dependency_order(changes: Vec<ResourceChange>) -> Vec<ResourceChange> {
    let nodes: Vec<(String, Vec<String>)> = changes
        .iter()
        .map(|change| (change.address.clone(), change.depends_on.clone()))
        .collect();
    let mut by_address: BTreeMap<String, ResourceChange> = changes
        .into_iter()
        .map(|change| (change.address.clone(), change))
        .collect();
    order::topological(&nodes)
        .into_iter()
        .filter_map(|address| by_address.remove(&address))
        .collect()
}

/// `depends_on` plus every deferred source, deduplicated, declared order kept.
fn dependencies(resource: &DesiredResource) -> Vec<String> {
    let mut all = resource.depends_on.clone();
    for deferred in &resource.deferred {
        if !all.contains(&deferred.source) {
            all.push(deferred.source.clone());
        }
    }
    all
}

struct Context<'a> {
    desired: &'a DesiredState,
    live: &'a LiveState,
    estate: &'a str,
    planned: HashMap<String, Action>,
    notices: Vec<String>,
    conflicts: Vec<OwnershipConflict>,
}

impl<'a> Context<'a> {
    fn plan_resource(&mut self, resource: &DesiredResource) -> ResourceChange {
        let planned = &self.planned;
        let resolved = deferred::resolve(resource, self.desired, self.live, &|address| {
            planned.get(address).copied()
        });
        let live_resource = self.live.get(&resource.id);
        let mut change = ResourceChange {
            address: resource.address.clone(),
            arm_type: resource.kind.arm_type().to_owned(),
            kind: resource.kind,
            id: resource.id.clone(),
            api_version: resource.kind.api_version().to_owned(),
            action: Action::Noop,
            reasons: Vec::new(),
            before: live_resource.map(|live| without_system_data(&live.body)),
            after: Some(resolved.body.clone()),
            unknown_after_apply: resolved.unknown.clone(),
            deferred: resolved.pending.clone(),
            depends_on: dependencies(resource),
            replace_order: None,
            procedure: Default::default(),
        };
        let Some(live_resource) = live_resource else {
            if let Some(existing) = self.equivalent_role_assignment(resource, &resolved.body) {
                change.before = Some(without_system_data(&existing.body));
                change.reasons.push(Reason {
                    code: ReasonCode::EquivalentExists,
                    message: format!(
                        "already granted by role assignment {} (made outside aksctl): counted as done",
                        existing.id
                    ),
                    path: None,
                });
                return change;
            }
            change.action = Action::Create;
            change.reasons = self.create_reasons(resource);
            return change;
        };

        match ownership::ownership(self.live, &resource.id, resource.kind, self.estate) {
            Ownership::Owned => {}
            Ownership::Unmanaged => {
                let message = if resource.kind.is_tracked() {
                    self.notices.push(format!(
                        "{} exists in ARM without the {OWNER_TAG} tag, so this estate does not manage it: nothing is planned for it. To take it over, run `aksctl adopt -f <estate files> {}`.",
                        resource.address, resource.address
                    ));
                    format!("exists without the {OWNER_TAG} tag: not managed, nothing planned (adopt with `aksctl adopt -f <estate files> {}`)", resource.address)
                } else {
                    "its parent exists without the ownership tag: not managed, nothing planned"
                        .to_owned()
                };
                change.reasons.push(Reason {
                    code: ReasonCode::ExistsNotManaged,
                    message,
                    path: None,
                });
                return change;
            }
            Ownership::OtherEstate(owner) => {
                self.conflicts.push(OwnershipConflict {
                    address: resource.address.clone(),
                    id: resource.id.to_string(),
                    owner: owner.clone(),
                });
                change.reasons.push(Reason {
                    code: ReasonCode::OwnedByOtherEstate,
                    message: format!("tagged {OWNER_TAG}={owner}: owned by another estate"),
                    path: None,
                });
                return change;
            }
        }

        if let Some(parent) = self.replaced_ancestor(resource) {
            change.action = Action::Replace;
            change.replace_order = Some(ReplaceOrder::DeleteBeforeCreate);
            change.reasons.push(Reason {
                code: ReasonCode::DependencyChanged,
                message: format!("recreated with {parent}, which is replaced"),
                path: None,
            });
            return change;
        }

        let comparison = diff::compare(resource.kind, &resolved.body, &live_resource.body);
        change.action = comparison.action;
        change.reasons = comparison.reasons;
        for blocked in comparison.blocked {
            self.notices.push(format!(
                "{}: {} — ARM refuses this change; restore the live value in the estate",
                resource.address, blocked.message
            ));
        }
        if !resolved.unknown.is_empty() {
            let replace = resolved.unknown.iter().any(|pointer| {
                diff::needs_replace(
                    resource.kind,
                    &Difference {
                        pointer: pointer.clone(),
                        display: pointer_display(pointer),
                        rule_path: pointer_rule_path(pointer),
                        before: None,
                        after: Value::Null,
                    },
                )
            });
            let needed = if replace {
                Action::Replace
            } else {
                Action::Update
            };
            change.action = change.action.max(needed);
            change.reasons.extend(resolved.reasons);
        }
        if change.action == Action::Noop
            && live_resource
                .provisioning_state()
                .filter(|state| {
                    // ARM's terminal states other than Succeeded: an operation that failed or
                    // was canceled left the resource as it was; only a new PUT repairs it.
                    state.eq_ignore_ascii_case("Failed") || state.eq_ignore_ascii_case("Canceled")
                })
                .is_some()
        {
            let state = live_resource.provisioning_state().unwrap_or("Failed");
            change.action = Action::Update;
            change.reasons.push(Reason {
                code: ReasonCode::ProvisioningFailed,
                message: format!("provisioningState is {state}: the body is put again"),
                path: Some("/properties/provisioningState".to_owned()),
            });
        }
        if change.action == Action::Replace {
            // ARM ids fix the name, so the old resource must go before the new one is created.
            change.replace_order = Some(ReplaceOrder::DeleteBeforeCreate);
        }
        change
    }

    /// A live role assignment granting the same role to the same principal at the same scope as
    /// `resource` under another name (ARM would answer `RoleAssignmentExists`), when the
    /// principal is known at plan time.
    fn equivalent_role_assignment(
        &self,
        resource: &DesiredResource,
        body: &Value,
    ) -> Option<&'a LiveResource> {
        if !resource.kind.owned_through_name() {
            return None;
        }
        let principal = body.pointer("/properties/principalId")?.as_str()?;
        let role = body.pointer("/properties/roleDefinitionId")?.as_str()?;
        let scope = resource.id.parent()?;
        self.live.iter().find(|live| {
            live.kind == resource.kind
                && live.id.parent().as_ref() == Some(&scope)
                && live
                    .body
                    .pointer("/properties/principalId")
                    .and_then(Value::as_str)
                    .is_some_and(|live_principal| live_principal.eq_ignore_ascii_case(principal))
                && live
                    .body
                    .pointer("/properties/roleDefinitionId")
                    .and_then(Value::as_str)
                    .is_some_and(|live_role| same_role(live_role, role))
        })
    }

    /// The address of a declared ARM ancestor (a pool's cluster) this plan replaces.
    fn replaced_ancestor(&self, resource: &DesiredResource) -> Option<String> {
        let mut current = resource.id.parent();
        while let Some(parent) = current {
            if let Some(ancestor) = self.desired.by_id(&parent) {
                if self.planned.get(&ancestor.address) == Some(&Action::Replace) {
                    return Some(ancestor.address.clone());
                }
            }
            current = parent.parent();
        }
        None
    }

    /// Reasons for a create: not found, or a soft-deleted Key Vault holding the name.
    fn create_reasons(&mut self, resource: &DesiredResource) -> Vec<Reason> {
        let not_found = Reason {
            code: ReasonCode::NotFound,
            message: "not found in ARM".to_owned(),
            path: None,
        };
        if !resource.kind.descriptor().recovers_soft_deleted {
            return vec![not_found];
        }
        let Some(vault) = self.live.deleted_vault(resource.id.name()) else {
            return vec![not_found];
        };
        let wanted_location = resource
            .body
            .get("location")
            .and_then(Value::as_str)
            .map(normalize_location)
            .unwrap_or_default();
        let owner = vault
            .tags
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(OWNER_TAG))
            .map(|(_, value)| value.as_str());
        let mut obstacles = Vec::new();
        if normalize_location(&vault.location) != wanted_location {
            obstacles.push(format!(
                "it was deleted in {}, the estate wants it in {wanted_location}",
                vault.location
            ));
        }
        if let Some(owner) = owner.filter(|owner| *owner != self.estate) {
            obstacles.push(format!("it is tagged {OWNER_TAG}={owner}"));
        }
        if let Some(group) = vault
            .vault_id
            .as_ref()
            .and_then(|id| id.resource_group_name())
        {
            let wanted_group = resource.id.resource_group_name().unwrap_or_default();
            if !group.eq_ignore_ascii_case(wanted_group) {
                obstacles.push(format!(
                    "it lived in resource group {group}, the estate wants {wanted_group}"
                ));
            }
        }
        let deleted = vault.deletion_date.as_deref().unwrap_or("an unknown date");
        let purge = vault.scheduled_purge_date.as_deref().unwrap_or("unknown");
        if obstacles.is_empty() {
            return vec![Reason {
                code: ReasonCode::RecoverSoftDeleted,
                message: format!(
                    "the name is held by a vault soft-deleted on {deleted} (purge scheduled {purge}): apply recovers it (createMode recover) instead of creating a new one"
                ),
                path: None,
            }];
        }
        let protection = if vault.purge_protection_enabled {
            format!("; purge protection keeps the name reserved until {purge}")
        } else {
            format!(
                "; purge it first (`az keyvault purge --name {}`) or choose another name",
                vault.name
            )
        };
        self.notices.push(format!(
            "{}: the name {} is held by a soft-deleted vault that cannot be recovered here ({}); creating it will fail{protection}",
            resource.address,
            vault.name,
            obstacles.join("; ")
        ));
        vec![not_found]
    }
}

/// Whether two role definition ids name the same role (ARM returns them in several forms; the
/// trailing GUID decides).
fn same_role(left: &str, right: &str) -> bool {
    let guid = |id: &str| {
        id.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    guid(left) == guid(right)
}

/// A live body without `systemData` (timestamps that say nothing about the resource).
fn without_system_data(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(object) = body.as_object_mut() {
        object.remove("systemData");
    }
    body
}

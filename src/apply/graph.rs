//! The execution graph: a plan's changes turned into steps (a replace becomes a create and a
//! delete), with the edges, lock keys and priorities the scheduler needs.
//!
//! Rules (documented in `docs/apply.md`):
//! - creates/updates wait for the creates/updates of what they depend on and of their ARM parent;
//! - a new cluster is created with its new System pools inline (ARM requires one in
//!   `agentPoolProfiles`); those pools' own steps then only confirm; other pools use the agent-pool
//!   API after the cluster exists;
//! - deletes run children first (by ARM id containment, role assignments scoped to the resource
//!   included) and, for resources no longer declared, after every create/update (references are
//!   moved away before the referenced resource goes); a child whose ARM parent is deleted too is
//!   deleted with it (no call of its own);
//! - replace: create-before-delete when the new resource has another id (the delete waits for the
//!   new resource and its dependants' updates), else delete-then-create;
//! - a change with ordered steps (a pool rotation, `docs/day2.md`) is a chain: each step waits for
//!   the previous one, the first for what the change depends on;
//! - rollout stages: the steps of a stage's clusters wait for those of the previous stage;
//! - lock keys: a cluster and its pools share one (one mutating operation per cluster), federated
//!   credentials share their identity's (one write per identity).

use std::collections::HashMap;

use serde_json::Value;

use crate::apply::events::{StepLabel, StepOperation};
use crate::id::ResourceId;
use crate::kind::descriptor::Lock;
use crate::kind::Kind;
use crate::plan::{
    Action, Deferred, Plan, ReasonCode, ReplaceOrder, ResourceChange, StepOperationKind,
};

/// How a step touches ARM.
#[derive(Debug, Clone, PartialEq)]
pub enum StepMode {
    /// PUT the change's `after` (create) or read-modify-write it into the live body (update).
    Put {
        /// The name is held by a soft-deleted Key Vault: recover it first.
        recover_soft_deleted: bool,
        /// For a new cluster: the pool steps whose pools go into `agentPoolProfiles`.
        inline_pools: Vec<usize>,
    },
    /// A pool created inline with its cluster: nothing to call, done when the cluster is.
    CreatedWithCluster { cluster_step: usize },
    /// DELETE the resource.
    Delete,
    /// A child deleted together with its ARM parent: nothing to call.
    DeletedWithParent { parent_step: usize },
}

/// One unit of work.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: StepLabel,
    pub api_version: String,
    pub mode: StepMode,
    /// The desired body (puts): declared fields only, unknowns `null` until filled.
    pub after: Option<Value>,
    pub deferred: Vec<Deferred>,
    /// Steps that must finish successfully first.
    pub depends_on: Vec<usize>,
    /// Steps sharing a lock key never run at the same time.
    pub lock: Option<ResourceId>,
    /// Estimated seconds from this step's start to the end of the longest chain after it.
    pub priority: u64,
}

/// All steps of a plan, in a stable order (plan order; delete halves after their change).
#[derive(Debug, Clone, Default)]
pub struct ExecutionGraph {
    pub steps: Vec<Step>,
}

impl ExecutionGraph {
    /// Builds the graph of every non-noop change of `plan`.
    pub fn from_plan(plan: &Plan) -> Self {
        let mut builder = Builder::default();
        for change in plan.changes.iter().filter(|c| c.action != Action::Noop) {
            builder.add_change(change);
        }
        builder.link(&plan.changes);
        builder.order_stages(plan);
        let mut graph = ExecutionGraph {
            steps: builder.steps,
        };
        graph.compute_priorities();
        graph
    }

    /// Indices of the steps that depend on `index` directly.
    pub fn dependants(&self) -> Vec<Vec<usize>> {
        let mut dependants = vec![Vec::new(); self.steps.len()];
        for (index, step) in self.steps.iter().enumerate() {
            for &dependency in &step.depends_on {
                if let Some(list) = dependants.get_mut(dependency) {
                    list.push(index);
                }
            }
        }
        dependants
    }

    fn compute_priorities(&mut self) {
        let dependants = self.dependants();
        let mut memo: Vec<Option<u64>> = vec![None; self.steps.len()];
        // Iterative post-order so deep graphs do not recurse; cycles are cut by the in-progress mark.
        for start in 0..self.steps.len() {
            let mut stack = vec![(start, false)];
            let mut in_progress = vec![false; self.steps.len()];
            while let Some((index, expanded)) = stack.pop() {
                if memo[index].is_some() {
                    continue;
                }
                if expanded {
                    let after = dependants[index]
                        .iter()
                        .filter_map(|&d| memo[d])
                        .max()
                        .unwrap_or(0);
                    memo[index] = Some(estimated_seconds(&self.steps[index]) + after);
                    continue;
                }
                in_progress[index] = true;
                stack.push((index, true));
                for &dependant in &dependants[index] {
                    if memo[dependant].is_none() && !in_progress[dependant] {
                        stack.push((dependant, false));
                    }
                }
            }
        }
        for (step, priority) in self.steps.iter_mut().zip(memo) {
            step.priority = priority.unwrap_or(0);
        }
    }
}

/// Typical ARM durations (seconds, `shared/arm/README.md`), used only to order ready work.
fn estimated_seconds(step: &Step) -> u64 {
    if matches!(
        step.mode,
        StepMode::CreatedWithCluster { .. } | StepMode::DeletedWithParent { .. }
    ) {
        return 0;
    }
    let timing = step.label.kind.descriptor().timing;
    match step.label.operation {
        StepOperation::Create => timing.create_seconds,
        StepOperation::Update => timing.update_seconds,
        StepOperation::Delete => timing.delete_seconds,
    }
}

#[derive(Default)]
struct Builder {
    steps: Vec<Step>,
    /// Address -> the step that creates/updates it.
    put_step: HashMap<String, usize>,
    /// Address -> the step that deletes (the old) it.
    delete_step: HashMap<String, usize>,
    /// Replace order of each replaced address.
    replace_order: HashMap<String, ReplaceOrder>,
    /// Addresses of pure deletes (no longer declared).
    pure_deletes: Vec<usize>,
    /// (cluster step, inline pool step) pairs.
    inline_needs: Vec<(usize, usize)>,
    /// (first step, change address) of each change carried out as ordered steps.
    procedure_heads: Vec<(usize, String)>,
}

impl Builder {
    fn add_change(&mut self, change: &ResourceChange) {
        if !change.procedure.steps.is_empty() {
            self.add_procedure(change);
            return;
        }
        match change.action {
            Action::Noop => {}
            Action::Create | Action::Update => {
                let operation = if change.action == Action::Create {
                    StepOperation::Create
                } else {
                    StepOperation::Update
                };
                self.add_put(change, operation);
            }
            Action::Delete => {
                let id = change.id.clone();
                let index = self.add_delete(change, id);
                self.pure_deletes.push(index);
            }
            Action::Replace => {
                let order = change
                    .replace_order
                    .unwrap_or(ReplaceOrder::DeleteBeforeCreate);
                self.replace_order.insert(change.address.clone(), order);
                let old_id = change
                    .before
                    .as_ref()
                    .and_then(|before| before.get("id"))
                    .and_then(Value::as_str)
                    .map(ResourceId::new)
                    .unwrap_or_else(|| change.id.clone());
                self.add_put(change, StepOperation::Create);
                self.add_delete(change, old_id);
            }
        }
    }

    fn add_put(&mut self, change: &ResourceChange, operation: StepOperation) -> usize {
        let index = self.steps.len();
        let recover_soft_deleted = change
            .reasons
            .iter()
            .any(|reason| reason.code == ReasonCode::RecoverSoftDeleted);
        self.steps.push(Step {
            label: StepLabel {
                index,
                address: change.address.clone(),
                kind: change.kind,
                id: change.id.clone(),
                operation,
            },
            api_version: change.api_version.clone(),
            mode: StepMode::Put {
                recover_soft_deleted,
                inline_pools: Vec::new(),
            },
            after: change.after.clone(),
            deferred: change.deferred.clone(),
            depends_on: Vec::new(),
            lock: lock_key(change.kind, &change.id),
            priority: 0,
        });
        self.put_step.insert(change.address.clone(), index);
        index
    }

    /// A change carried out as ordered steps (a pool rotation): a chain, each step waiting for
    /// the previous one; the last write of the declared address is what dependants wait for.
    fn add_procedure(&mut self, change: &ResourceChange) {
        let mut previous: Option<usize> = None;
        for planned in &change.procedure.steps {
            let index = self.steps.len();
            let (operation, mode) = match planned.operation {
                StepOperationKind::Create => (StepOperation::Create, put_mode()),
                StepOperationKind::Update => (StepOperation::Update, put_mode()),
                StepOperationKind::Delete => (StepOperation::Delete, StepMode::Delete),
            };
            let declared = planned.address == change.address;
            self.steps.push(Step {
                label: StepLabel {
                    index,
                    address: planned.address.clone(),
                    kind: change.kind,
                    id: planned.id.clone(),
                    operation,
                },
                api_version: change.api_version.clone(),
                mode,
                after: planned.body.clone(),
                deferred: if declared && planned.body.is_some() {
                    change.deferred.clone()
                } else {
                    Vec::new()
                },
                depends_on: previous.into_iter().collect(),
                lock: lock_key(change.kind, &planned.id),
                priority: 0,
            });
            if previous.is_none() {
                self.procedure_heads.push((index, change.address.clone()));
            }
            if declared && operation != StepOperation::Delete {
                self.put_step.insert(change.address.clone(), index);
            }
            previous = Some(index);
        }
    }

    fn add_delete(&mut self, change: &ResourceChange, id: ResourceId) -> usize {
        let index = self.steps.len();
        self.steps.push(Step {
            label: StepLabel {
                index,
                address: change.address.clone(),
                kind: change.kind,
                id: id.clone(),
                operation: StepOperation::Delete,
            },
            api_version: change.api_version.clone(),
            mode: StepMode::Delete,
            after: None,
            deferred: Vec::new(),
            depends_on: Vec::new(),
            lock: lock_key(change.kind, &id),
            priority: 0,
        });
        self.delete_step.insert(change.address.clone(), index);
        index
    }
}

impl Builder {
    /// Adds every edge once all steps exist.
    fn link(&mut self, changes: &[ResourceChange]) {
        let by_address: HashMap<&str, &ResourceChange> = changes
            .iter()
            .map(|change| (change.address.as_str(), change))
            .collect();
        let put_by_id: HashMap<ResourceId, usize> = self
            .put_step
            .values()
            .map(|&index| (self.steps[index].label.id.clone(), index))
            .collect();
        self.inline_new_pools(&put_by_id);

        for index in 0..self.steps.len() {
            let step = &self.steps[index];
            let address = step.label.address.clone();
            let mut edges: Vec<usize> = Vec::new();
            match step.mode {
                StepMode::Put { .. } | StepMode::CreatedWithCluster { .. } => {
                    if let Some(change) = by_address.get(address.as_str()) {
                        for dependency in &change.depends_on {
                            if let Some(&put) = self.put_step.get(dependency) {
                                edges.push(put);
                            }
                        }
                    }
                    let resource_group = match (
                        step.label.id.subscription_id(),
                        step.label.id.resource_group_name(),
                    ) {
                        (Some(subscription), Some(group))
                            if !step.label.kind.is_resource_group() =>
                        {
                            Some(ResourceId::resource_group(subscription, group))
                        }
                        _ => None,
                    };
                    for ancestor in ancestors(&step.label.id).into_iter().chain(resource_group) {
                        let Some(&put) = put_by_id.get(&ancestor) else {
                            continue;
                        };
                        // An existing child the plan orders before its parent's update (a pool
                        // upgraded before its control plane, `planner::versions`) waits for
                        // nothing of the parent's.
                        let parent_waits_for_it = by_address
                            .get(self.steps[put].label.address.as_str())
                            .is_some_and(|parent| parent.depends_on.contains(&address));
                        if !parent_waits_for_it {
                            edges.push(put);
                        }
                    }
                    if self.replace_order.get(&address) == Some(&ReplaceOrder::DeleteBeforeCreate) {
                        if let Some(&delete) = self.delete_step.get(&address) {
                            edges.push(delete);
                        }
                    }
                }
                StepMode::Delete | StepMode::DeletedWithParent { .. } => {}
            }
            edges.retain(|&edge| edge != index);
            self.steps[index].depends_on.extend(edges);
        }
        // The first step of a procedure waits for what its change depends on.
        for (head, address) in std::mem::take(&mut self.procedure_heads) {
            if let Some(change) = by_address.get(address.as_str()) {
                for dependency in &change.depends_on {
                    if let Some(&put) = self.put_step.get(dependency) {
                        if put != head {
                            self.steps[head].depends_on.push(put);
                        }
                    }
                }
            }
        }
        self.link_deletes(&by_address);
        for step in &mut self.steps {
            step.depends_on.sort_unstable();
            step.depends_on.dedup();
        }
    }

    /// A new cluster takes its new System pools (at least one new pool) inline.
    fn inline_new_pools(&mut self, put_by_id: &HashMap<ResourceId, usize>) {
        let mut pools_by_cluster: HashMap<usize, Vec<usize>> = HashMap::new();
        for (index, step) in self.steps.iter().enumerate() {
            if !step.label.kind.is_node_pool() || step.label.operation != StepOperation::Create {
                continue;
            }
            let Some(cluster_step) = step
                .label
                .id
                .parent()
                .and_then(|id| put_by_id.get(&id).copied())
            else {
                continue;
            };
            if self.steps[cluster_step].label.operation == StepOperation::Create {
                pools_by_cluster
                    .entry(cluster_step)
                    .or_default()
                    .push(index);
            }
        }
        for (cluster_step, pools) in pools_by_cluster {
            let declared_inline = inline_profile_names(self.steps[cluster_step].after.as_ref());
            let mut inline: Vec<usize> = pools
                .iter()
                .copied()
                .filter(|&pool| {
                    let step = &self.steps[pool];
                    declared_inline.contains(&step.label.id.name().to_ascii_lowercase())
                        || is_system_pool(step.after.as_ref())
                })
                .collect();
            if inline.is_empty() && declared_inline.is_empty() {
                inline.extend(pools.first().copied());
            }
            for &pool in &inline {
                self.steps[pool].mode = StepMode::CreatedWithCluster { cluster_step };
                self.steps[pool].lock = None;
                self.steps[pool].depends_on.push(cluster_step);
            }
            if let StepMode::Put { inline_pools, .. } = &mut self.steps[cluster_step].mode {
                *inline_pools = inline;
            }
        }
        // The cluster waits for what its inline pools need (subnets, identities, ...).
        let inline_needs: Vec<(usize, usize)> = self
            .steps
            .iter()
            .filter_map(|step| match &step.mode {
                StepMode::Put { inline_pools, .. } if !inline_pools.is_empty() => {
                    Some((step.label.index, inline_pools.clone()))
                }
                _ => None,
            })
            .flat_map(|(cluster, pools)| pools.into_iter().map(move |pool| (cluster, pool)))
            .collect();
        self.inline_needs = inline_needs;
    }

    fn link_deletes(&mut self, by_address: &HashMap<&str, &ResourceChange>) {
        // Inline pools' other needs move onto their cluster.
        for (cluster, pool) in std::mem::take(&mut self.inline_needs) {
            let pool_address = self.steps[pool].label.address.clone();
            if let Some(change) = by_address.get(pool_address.as_str()) {
                for dependency in &change.depends_on {
                    if let Some(&put) = self.put_step.get(dependency) {
                        if put != cluster && put != pool {
                            self.steps[cluster].depends_on.push(put);
                        }
                    }
                }
            }
        }

        let delete_indices: Vec<usize> = self.delete_step.values().copied().collect();
        let delete_by_id: HashMap<ResourceId, usize> = delete_indices
            .iter()
            .map(|&index| (self.steps[index].label.id.clone(), index))
            .collect();
        // Children deleted with their ARM parent.
        for &index in &delete_indices {
            let covering = ancestors(&self.steps[index].label.id)
                .into_iter()
                .find_map(|ancestor| delete_by_id.get(&ancestor).copied());
            if let Some(parent_step) = covering {
                if deleted_with_parent(self.steps[index].label.kind) {
                    self.steps[index].mode = StepMode::DeletedWithParent { parent_step };
                    self.steps[index].lock = None;
                    self.steps[index].depends_on.push(parent_step);
                }
            }
        }
        // Children (and resources scoped under it) first, unless deleted with it.
        for &index in &delete_indices {
            if self.steps[index].mode != StepMode::Delete {
                continue;
            }
            let prefix = format!(
                "{}/",
                self.steps[index].label.id.as_str().to_ascii_lowercase()
            );
            for &other in &delete_indices {
                let other_id = self.steps[other].label.id.as_str().to_ascii_lowercase();
                let covered_by_this =
                    self.steps[other].mode == (StepMode::DeletedWithParent { parent_step: index });
                if other != index && other_id.starts_with(&prefix) && !covered_by_this {
                    if let StepMode::DeletedWithParent { .. } = self.steps[other].mode {
                        continue;
                    }
                    self.steps[index].depends_on.push(other);
                }
            }
        }
        // Reverse dependency order: what depended on a resource goes before it.
        for &index in &delete_indices {
            if self.steps[index].mode != StepMode::Delete {
                continue;
            }
            let address = self.steps[index].label.address.clone();
            for &other in &delete_indices {
                if other == index || self.steps[other].mode != StepMode::Delete {
                    continue;
                }
                let other_address = self.steps[other].label.address.as_str();
                let depends = by_address
                    .get(other_address)
                    .is_some_and(|change| change.depends_on.contains(&address));
                if depends {
                    self.steps[index].depends_on.push(other);
                }
            }
        }
        // Resources no longer declared go after every create/update, except the create half of
        // a delete-then-create replace (it already waits for a delete, which may wait for them).
        let all_puts: Vec<usize> = self
            .put_step
            .iter()
            .filter(|(address, _)| {
                self.replace_order.get(*address) != Some(&ReplaceOrder::DeleteBeforeCreate)
            })
            .map(|(_, &index)| index)
            .collect();
        for &index in &self.pure_deletes {
            self.steps[index]
                .depends_on
                .extend(all_puts.iter().copied());
        }
        // Create-before-delete: the old one goes after the new one and its dependants' updates.
        for (address, order) in &self.replace_order {
            if *order != ReplaceOrder::CreateBeforeDelete {
                continue;
            }
            let Some(&delete) = self.delete_step.get(address) else {
                continue;
            };
            if let Some(&put) = self.put_step.get(address) {
                self.steps[delete].depends_on.push(put);
            }
            for change in by_address.values() {
                if change.depends_on.iter().any(|d| d == address) {
                    if let Some(&put) = self.put_step.get(&change.address) {
                        self.steps[delete].depends_on.push(put);
                    }
                }
            }
        }
    }
}

impl Builder {
    /// Rollout stages: every step of a stage's clusters (their pools, configurations, role
    /// assignments scoped to them) waits for every step of the previous stage's clusters, so a
    /// stage finishes before the next starts. Deletions of undeclared resources are left out (they
    /// already wait for every create and update).
    fn order_stages(&mut self, plan: &Plan) {
        let cluster_ids: Vec<Vec<String>> = plan
            .stages
            .iter()
            .map(|stage| {
                stage
                    .clusters
                    .iter()
                    .filter_map(|address| plan.changes.iter().find(|c| &c.address == address))
                    .map(|change| change.id.as_str().to_ascii_lowercase())
                    .collect()
            })
            .collect();
        let stage_of = |step: &Step| {
            let id = step.label.id.as_str().to_ascii_lowercase();
            cluster_ids.iter().position(|clusters| {
                clusters
                    .iter()
                    .any(|cluster| id == *cluster || id.starts_with(&format!("{cluster}/")))
            })
        };
        let staged: Vec<(usize, usize)> = self
            .steps
            .iter()
            .enumerate()
            .filter(|(index, _)| !self.pure_deletes.contains(index))
            .filter_map(|(index, step)| stage_of(step).map(|stage| (index, stage)))
            .collect();
        for &(index, stage) in &staged {
            let earlier: Vec<usize> = staged
                .iter()
                .filter(|(_, other_stage)| other_stage + 1 == stage)
                .map(|(other, _)| *other)
                .collect();
            self.steps[index].depends_on.extend(earlier);
            self.steps[index].depends_on.sort_unstable();
            self.steps[index].depends_on.dedup();
        }
    }
}

/// Children that go with their parent's delete rather than by their own: pools (the last System
/// pool cannot be deleted on its own) and storage sub-resources (`blobServices/default` has no
/// DELETE). Federated credentials are deleted one by one (quick, and ordering stays explicit).
fn deleted_with_parent(kind: Kind) -> bool {
    kind.descriptor().write.deleted_with_parent
}

/// A cluster's pools and an identity's federated credentials share their parent's lock.
///
/// A cluster's maintenance configurations take the cluster's lock too. ARM documents their
/// PUT/DELETE as synchronous (FACTS §6.1: 200/201, no LRO) and mock-arm does not refuse them
/// during a cluster operation, but AKS does not document them as exempt from its one-operation-
/// per-cluster rule; holding the lock for a synchronous call costs nothing on the critical path
/// (nothing depends on a maintenance configuration) and rules out a 409 on real ARM. Registry
/// replicas take no lock: their parent registry is ordered before them by `dependsOn`.
fn lock_key(kind: Kind, id: &ResourceId) -> Option<ResourceId> {
    match kind.descriptor().write.lock {
        Lock::Own => Some(id.clone()),
        Lock::Parent => id.parent(),
        Lock::None => None,
    }
}

/// The ARM ancestors of a child resource (its parent, the parent's parent, ...), excluding the
/// resource group and subscription.
fn ancestors(id: &ResourceId) -> Vec<ResourceId> {
    let mut found = Vec::new();
    let mut current = id.parent();
    while let Some(parent) = current {
        if parent.as_str().to_ascii_lowercase().contains("/providers/") {
            current = parent.parent();
            found.push(parent);
        } else {
            break;
        }
    }
    found
}

fn put_mode() -> StepMode {
    StepMode::Put {
        recover_soft_deleted: false,
        inline_pools: Vec::new(),
    }
}

fn is_system_pool(after: Option<&Value>) -> bool {
    after
        .and_then(|body| body.pointer("/properties/mode"))
        .and_then(Value::as_str)
        .is_some_and(|mode| mode.eq_ignore_ascii_case("System"))
}

fn inline_profile_names(after: Option<&Value>) -> Vec<String> {
    after
        .and_then(|body| body.pointer("/properties/agentPoolProfiles"))
        .and_then(Value::as_array)
        .map(|profiles| {
            profiles
                .iter()
                .filter_map(|profile| profile.get("name").and_then(Value::as_str))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default()
}

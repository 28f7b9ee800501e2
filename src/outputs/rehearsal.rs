//! The DR recreate set and recovery-time model, as data: which action each declared resource must
//! get when one cluster is gone (create the cluster, its pools and what is scoped to it; update in
//! place every federated credential that follows its issuer; re-create every role assignment whose
//! principal is one of its identities; nothing else), a check of a plan against that, and the
//! modelled Azure duration of a plan (critical path through the execution graph with mock-arm's
//! table of real ARM durations, steps sharing a lock serialized).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::apply::graph::StepMode;
use crate::apply::ExecutionGraph;
use crate::desired::{DesiredResource, DesiredState};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::plan::{Action, Plan, ReasonCode, Summary};
use crate::spec::types::{Cluster, DeclaredKind};

/// What the plan must do to each declared resource when `cluster_address` is gone.
pub fn expected_recreate_set(
    desired: &DesiredState,
    cluster_address: &str,
) -> BTreeMap<String, Action> {
    let Some(cluster) = desired.by_address(cluster_address) else {
        return BTreeMap::new();
    };
    desired
        .resources
        .iter()
        .map(|resource| {
            let follows_cluster = resource
                .deferred
                .iter()
                .any(|deferred| deferred.source == cluster_address);
            let action =
                if resource.address == cluster_address || contained_in(&resource.id, &cluster.id) {
                    Action::Create
                } else if follows_cluster && resource.kind == Kind::FederatedIdentityCredential {
                    Action::Update
                } else if follows_cluster && resource.kind == Kind::RoleAssignment {
                    Action::Replace
                } else {
                    Action::Noop
                };
            (resource.address.clone(), action)
        })
        .collect()
}

/// Whether `id` is `parent` or below it (pools, role assignments scoped to the cluster).
fn contained_in(id: &ResourceId, parent: &ResourceId) -> bool {
    let id = id.as_str().to_ascii_lowercase();
    let parent = parent.as_str().to_ascii_lowercase();
    id.starts_with(&format!("{}/", parent.trim_end_matches('/')))
}

/// One way a plan differs from the expected recreate set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deviation {
    pub address: String,
    pub expected: Option<Action>,
    pub planned: Option<Action>,
}

/// Every resource whose planned action is not the expected one (a Key Vault lost with the
/// cluster's region and recovered from soft delete is accepted as a create with reason
/// `recoverSoftDeleted`).
pub fn deviations(plan: &Plan, expected: &BTreeMap<String, Action>) -> Vec<Deviation> {
    let mut found = Vec::new();
    let planned: HashMap<&str, Action> = plan
        .changes
        .iter()
        .map(|change| (change.address.as_str(), change.action))
        .collect();
    for (address, action) in expected {
        let got = planned.get(address.as_str()).copied();
        if got != Some(*action) {
            found.push(Deviation {
                address: address.clone(),
                expected: Some(*action),
                planned: got,
            });
        }
    }
    for change in &plan.changes {
        if expected.contains_key(&change.address) {
            continue;
        }
        found.push(Deviation {
            address: change.address.clone(),
            expected: None,
            planned: Some(change.action),
        });
    }
    found.retain(|deviation| {
        let recovered = plan.changes.iter().any(|change| {
            change.address == deviation.address
                && change.kind.descriptor().recovers_soft_deleted
                && change.action == Action::Create
                && change
                    .reasons
                    .iter()
                    .any(|reason| reason.code == ReasonCode::RecoverSoftDeleted)
        });
        !recovered
    });
    found
}

/// The cluster a rehearsal loses: `name` if given (it must be declared), else the first.
pub fn chosen_cluster<'a>(
    desired: &'a DesiredState,
    name: Option<&str>,
) -> Option<&'a DesiredResource> {
    desired.resources.iter().find(|resource| {
        resource.kind == Cluster::KIND
            && name.is_none_or(|name| resource.id.name().eq_ignore_ascii_case(name))
    })
}

/// Modelled Azure seconds to execute `plan`: the longest chain of steps (dependencies, and steps
/// sharing a lock one after another) with each step's real ARM duration from mock-arm's table.
pub fn modelled_seconds(plan: &Plan) -> f64 {
    let graph = ExecutionGraph::from_plan(plan);
    let table = mock_arm::DurationTable::modelled();
    let seconds_of = |index: usize| -> f64 {
        let step = &graph.steps[index];
        if matches!(
            step.mode,
            StepMode::CreatedWithCluster { .. } | StepMode::DeletedWithParent { .. }
        ) {
            return 0.0;
        }
        let verb = step.label.operation.verb();
        let arm_type = step.label.kind.arm_type();
        table
            .entries
            .iter()
            .find(|entry| {
                entry.resource_type.eq_ignore_ascii_case(arm_type) && entry.action == verb
            })
            .map(|entry| entry.seconds)
            .unwrap_or(0.0)
    };
    // Predecessors: declared dependencies plus the previous step holding the same lock.
    let mut predecessors: Vec<Vec<usize>> = graph
        .steps
        .iter()
        .map(|step| step.depends_on.clone())
        .collect();
    let mut last_holder: HashMap<&ResourceId, usize> = HashMap::new();
    for (index, step) in graph.steps.iter().enumerate() {
        if seconds_of(index) <= 0.0 {
            continue;
        }
        if let Some(lock) = &step.lock {
            if let Some(previous) = last_holder.insert(lock, index) {
                if !predecessors[index].contains(&previous) {
                    predecessors[index].push(previous);
                }
            }
        }
    }
    let mut finish: Vec<Option<f64>> = vec![None; graph.steps.len()];
    let mut longest: f64 = 0.0;
    for start in 0..graph.steps.len() {
        let mut stack = vec![(start, false)];
        let mut visiting = vec![false; graph.steps.len()];
        while let Some((index, expanded)) = stack.pop() {
            if finish[index].is_some() {
                continue;
            }
            if expanded {
                let ready = predecessors[index]
                    .iter()
                    .filter_map(|&p| finish.get(p).copied().flatten())
                    .fold(0.0, f64::max);
                finish[index] = Some(ready + seconds_of(index));
                continue;
            }
            visiting[index] = true;
            stack.push((index, true));
            for &predecessor in &predecessors[index] {
                if predecessor < finish.len()
                    && finish[predecessor].is_none()
                    && !visiting[predecessor]
                {
                    stack.push((predecessor, false));
                }
            }
        }
        longest = longest.max(finish[start].unwrap_or(0.0));
    }
    longest
}

/// What a rehearsal measured.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RehearsalReport {
    pub estate: String,
    pub cluster: String,
    /// mock-arm's time scale (modelled Azure durations × this).
    pub time_scale: f64,
    /// Provisioning the estate before the loss (not part of the recovery).
    pub provision_seconds: f64,
    pub plan_seconds: f64,
    pub apply_seconds: f64,
    pub verify_seconds: f64,
    /// Plan + apply + verify, measured in the sandbox.
    pub recovery_seconds: f64,
    /// The recovery apply's critical path at real ARM durations (mock-arm's documented table).
    pub modelled_azure_seconds: f64,
    /// The measured apply divided by the time scale (an upper bound: local overheads scale too).
    pub scaled_apply_seconds: f64,
    pub plan_summary: Summary,
    pub deviations: Vec<Deviation>,
    pub apply_succeeded: bool,
    pub stale_credentials: Vec<String>,
    pub arm_requests: u64,
    pub passed: bool,
}

//! Waiting for ARM to settle before writing: a cluster and all its pools in a terminal
//! provisioning state before any operation on them, a resource (and the tracked ancestor of a
//! child) before it is updated or deleted, since an operation of an earlier, interrupted run or a
//! background AKS operation may still be running.

use serde_json::Value;

use crate::apply::body::{is_terminal_state, provisioning_state};
use crate::apply::context::StepContext;
use crate::apply::operations::ArmFailure;
use crate::apply::retry::Try;
use crate::id::ResourceId;
use crate::kind::Kind;

/// Waits until the cluster (and each of its pools) is in a terminal provisioning state.
pub(crate) async fn settle_cluster(
    context: &StepContext,
    cluster: &ResourceId,
) -> Result<(), ArmFailure> {
    let api_version = Kind::ManagedCluster.api_version();
    let deadline = context.state.options.deadline(Kind::ManagedCluster);
    let waiting = |reason: String| context.waiting(reason);
    context
        .settle_policy(deadline)
        .run(&waiting, |_| async move {
            let Some(body) = context.state.arm.get(cluster, api_version).await? else {
                return Ok(Try::Done(()));
            };
            let Some(busy) = busy_state(&body) else {
                return Ok(Try::Done(()));
            };
            Ok(Try::waiting_for(
                format!("waiting for {} to finish {busy}", cluster.name()),
                ArmFailure::local(
                    "ClusterNotSettled",
                    format!(
                        "{} still {busy} after {}s; not starting another operation on it",
                        cluster.name(),
                        deadline.as_secs()
                    ),
                ),
            ))
        })
        .await
}

/// The live body of `id` once its provisioning state is terminal (an operation of an earlier,
/// interrupted run may still be running on it), or `None` when it does not exist.
pub(crate) async fn settled(
    context: &StepContext,
    id: &ResourceId,
    api_version: &str,
    kind: Kind,
) -> Result<Option<Value>, ArmFailure> {
    let deadline = context.state.options.deadline(kind);
    let waiting = |reason: String| context.waiting(reason);
    context
        .settle_policy(deadline)
        .run(&waiting, |_| async move {
            let Some(body) = context.state.arm.get(id, api_version).await? else {
                return Ok(Try::Done(None));
            };
            let state = provisioning_state(&body);
            if is_terminal_state(state) {
                return Ok(Try::Done(Some(body)));
            }
            let state = state.unwrap_or_default().to_owned();
            Ok(Try::waiting_for(
                format!("waiting for {} to finish {state}", id.name()),
                ArmFailure::local(
                    "ResourceNotSettled",
                    format!("{} still {state} after {}s", id.name(), deadline.as_secs()),
                ),
            ))
        })
        .await
}

/// A child of a tracked resource (blob service, container, policy, credential) is written only
/// once its tracked ancestor has finished provisioning (storage refuses with 409 otherwise).
pub(crate) async fn settle_tracked_ancestor(
    context: &StepContext,
    id: &ResourceId,
    kind: Kind,
) -> Result<(), ArmFailure> {
    if kind.descriptor().write.cluster_operation || kind.parent().is_none() {
        return Ok(());
    }
    let mut ancestor_kind = kind;
    let mut ancestor = id.clone();
    while let Some(parent_kind) = ancestor_kind.parent() {
        let Some(parent) = ancestor.parent() else {
            return Ok(());
        };
        ancestor = parent;
        ancestor_kind = parent_kind;
    }
    if context.state.is_settled(&ancestor) {
        return Ok(());
    }
    settled(
        context,
        &ancestor,
        ancestor_kind.api_version(),
        ancestor_kind,
    )
    .await
    .map(|_| ())
}

/// The non-terminal provisioning state of a cluster or one of its pools, if any.
fn busy_state(cluster: &Value) -> Option<String> {
    let own = provisioning_state(cluster);
    if !is_terminal_state(own) {
        return own.map(str::to_owned);
    }
    cluster
        .pointer("/properties/agentPoolProfiles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|pool| {
            let state = pool.get("provisioningState").and_then(Value::as_str);
            (!is_terminal_state(state)).then(|| {
                let name = pool.get("name").and_then(Value::as_str).unwrap_or("?");
                format!("{} (pool {name})", state.unwrap_or_default())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn busy_state_sees_pools() {
        let body = json!({"properties": {"provisioningState": "Succeeded",
            "agentPoolProfiles": [{"name": "user", "provisioningState": "Scaling"}]}});
        assert_eq!(busy_state(&body).as_deref(), Some("Scaling (pool user)"));
        assert_eq!(busy_state(&json!({"properties": {}})), None);
    }
}

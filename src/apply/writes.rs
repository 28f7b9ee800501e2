//! How one step talks to ARM: fill deferred values, settle the cluster, read-modify-write the full
//! body (If-Match where supported), recover soft-deleted vaults, make role assignments
//! idempotent, delete with guards, and retry ARM's transient conflicts until the step's deadline
//! (its kind's descriptor timing), then fail with ARM's answer and what to do.

use serde_json::{json, Value};

use crate::apply::body::{
    body_for_update, deep_merge, etag, is_terminal_state, provisioning_state, set_pointer,
    without_nulls,
};
use crate::apply::context::StepContext;
use crate::apply::events::StepOperation;
use crate::apply::graph::{Step, StepMode};
use crate::apply::migration::{is_operation_in_progress, migrate_storage_sku};
use crate::apply::operations::ArmFailure;
use crate::apply::ownership;
use crate::apply::retry::Try;
use crate::apply::settle::{settle_cluster, settle_tracked_ancestor, settled};
use crate::id::ResourceId;
use crate::kind::Kind;

/// Whether operations on `kind` take the cluster's lock and wait for the cluster (and its
/// pools) to settle first: AKS runs one operation at a time per cluster.
fn operates_on_cluster(kind: Kind) -> bool {
    kind.descriptor().write.cluster_operation
}

/// Runs one step; `Ok` carries an optional note for the report.
pub(crate) async fn run_step(context: StepContext) -> Result<Option<String>, ArmFailure> {
    match context.step().mode.clone() {
        StepMode::Put {
            recover_soft_deleted,
            inline_pools,
        } => put(&context, recover_soft_deleted, &inline_pools).await,
        StepMode::Delete => delete(&context).await,
        StepMode::CreatedWithCluster { cluster_step } => Ok(Some(format!(
            "created with {}",
            context.steps[cluster_step].label.address
        ))),
        StepMode::DeletedWithParent { parent_step } => Ok(Some(format!(
            "deleted with {}",
            context.steps[parent_step].label.address
        ))),
    }
}

/// The desired body of `step` with every deferred value filled in.
async fn filled_body(context: &StepContext, step: &Step) -> Result<Value, ArmFailure> {
    let mut body = step.after.clone().unwrap_or_else(|| json!({}));
    for deferred in &step.deferred {
        let value = output_of(context, &deferred.source, &deferred.output).await?;
        if !set_pointer(&mut body, &deferred.path, value) {
            return Err(ArmFailure::local(
                "DeferredValueNotPlaceable",
                format!(
                    "{}: cannot place the value from {} at {}",
                    step.label.address, deferred.source, deferred.path
                ),
            ));
        }
    }
    Ok(body)
}

/// A value another resource produces: from its body written in this run, else read live.
async fn output_of(
    context: &StepContext,
    source: &str,
    pointer: &str,
) -> Result<Value, ArmFailure> {
    let written = context.state.outputs.lock().ok().and_then(|outputs| {
        outputs
            .get(source)
            .and_then(|body| body.pointer(pointer))
            .cloned()
    });
    if let Some(value) = written.filter(|value| !value.is_null()) {
        return Ok(value);
    }
    let Some((id, api_version)) = context
        .state
        .ids
        .get(source)
        .cloned()
        .or_else(|| source_id_from_steps(context, source))
    else {
        return Err(ArmFailure::local(
            "DeferredSourceUnknown",
            format!("{source} is not part of this plan, so its {pointer} cannot be read"),
        ));
    };
    let live = context.state.arm.get(&id, &api_version).await?;
    live.as_ref()
        .and_then(|body| body.pointer(pointer))
        .filter(|value| !value.is_null())
        .cloned()
        .ok_or_else(|| {
            ArmFailure::local(
                "DeferredValueMissing",
                format!("{source} ({id}) has no value at {pointer}"),
            )
        })
}

fn source_id_from_steps(context: &StepContext, source: &str) -> Option<(ResourceId, String)> {
    context
        .steps
        .iter()
        .find(|step| step.label.address == source)
        .map(|step| (step.label.id.clone(), step.api_version.clone()))
}

async fn put(
    context: &StepContext,
    recover_soft_deleted: bool,
    inline_pools: &[usize],
) -> Result<Option<String>, ArmFailure> {
    let step = context.step();
    let kind = step.label.kind;
    let mut desired = filled_body(context, step).await?;
    // The plan's id is final: a role assignment's name comes from a principal key known at plan
    // time (`desired/role.rs`), never from a deferred principal id.
    let id = step.label.id.clone();
    let mut note = None;
    if kind == Kind::RoleAssignment {
        prepare_role_assignment(&mut desired);
    }
    for &pool in inline_pools {
        let pool_step = &context.steps[pool];
        let pool_body = filled_body(context, pool_step).await?;
        add_inline_pool(&mut desired, pool_step.label.id.name(), &pool_body);
    }
    if let Some(cluster) = step.lock.as_ref().filter(|_| operates_on_cluster(kind)) {
        settle_cluster(context, cluster).await?;
    }
    settle_tracked_ancestor(context, &id, kind).await?;
    if recover_soft_deleted && kind.descriptor().recovers_soft_deleted {
        recover_vault(context, &id, &desired).await?;
        note = Some("recovered from soft delete".to_owned());
    }
    if step.label.operation == StepOperation::Update {
        if let Some(migrated) = migrate_storage_sku(context, &id, &desired).await? {
            note = Some(migrated);
        }
    }

    // Entra replication (PrincipalNotFound) around ARM's transient conflicts.
    let waiting = |reason: String| context.waiting(reason);
    let (id_ref, desired_ref) = (&id, &desired);
    let result = context
        .attempts_policy(context.state.options.principal_attempts)
        .run(&waiting, |_| async move {
            match put_converging(context, id_ref, desired_ref, recover_soft_deleted).await {
                Err(failure) if failure.has_code("PrincipalNotFound") => Ok(Try::retry_after(
                    "principal not replicated yet (PrincipalNotFound)".to_owned(),
                    failure,
                )),
                other => other.map(Try::Done),
            }
        })
        .await;
    match result {
        Ok(()) => Ok(note),
        Err(failure) if failure.has_code("RoleAssignmentExists") => {
            existing_role_assignment(context, &id, &desired, failure).await
        }
        Err(failure) => Err(failure),
    }
}

/// PUT the desired body, read-modify-write over the live one, retrying ARM's transient
/// conflicts (after which the cluster settles again); records the final body.
async fn put_converging(
    context: &StepContext,
    id: &ResourceId,
    desired: &Value,
    recover_soft_deleted: bool,
) -> Result<(), ArmFailure> {
    let step = context.step();
    let kind = step.label.kind;
    let waiting = |reason: String| context.waiting(reason);
    context
        .conflict_policy()
        .run(&waiting, |attempt| async move {
            if attempt > 0 {
                if let Some(cluster) = step.lock.as_ref().filter(|_| operates_on_cluster(kind)) {
                    settle_cluster(context, cluster).await?;
                }
            }
            // A create's first attempt needs no read: the plan (fresh, or a saved one that
            // passed the stale check) saw no resource there. A retry reads, since the failed
            // attempt may have created it, and a recovered vault exists again.
            let first_create = attempt == 0
                && step.label.operation == StepOperation::Create
                && !recover_soft_deleted;
            let live = if !kind.descriptor().write.read_modify_write || first_create {
                None
            } else {
                settled(context, id, &step.api_version, kind).await?
            };
            let (body, if_match) = match &live {
                Some(live) => {
                    let merged = body_for_update(kind, live, desired);
                    let if_match = if operates_on_cluster(kind) {
                        etag(live)
                    } else {
                        None
                    };
                    (merged, if_match)
                }
                None => (
                    crate::desired::resolve_protected_settings(without_nulls(desired)),
                    None,
                ),
            };
            let request = context.write_request(if_match);
            match context
                .state
                .arm
                .put(id, &step.api_version, &body, &request)
                .await
            {
                Ok(result) => {
                    record_written(context, id, result)?;
                    Ok(Try::Done(()))
                }
                Err(failure) if is_transient_conflict(&failure) => {
                    Ok(Try::retry_after(failure.code.clone(), failure))
                }
                Err(failure) => Err(failure),
            }
        })
        .await
        .map_err(|failure| conflict_outlasted(context, failure))
}

/// A transient conflict still answered when the step's deadline passed: ARM's code, message and
/// request id stay as ARM gave them; the message says how long it was waited out and what to do.
fn conflict_outlasted(context: &StepContext, mut failure: ArmFailure) -> ArmFailure {
    if !is_transient_conflict(&failure) {
        return failure;
    }
    let step = context.step();
    failure.message = format!(
        "{} (still answered after retrying for {}, the deadline of a {} operation: another operation kept {} busy; wait for it to finish (its activity log, or `az aks operation show` for a cluster) and run apply again)",
        failure.message,
        describe_duration(context.conflict_deadline()),
        step.label.kind.descriptor().address_prefix,
        step.label.address
    );
    failure
}

/// `45 min`, `12 s`, `0.4 s`.
fn describe_duration(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 120.0 {
        format!("{:.0} min", seconds / 60.0)
    } else if seconds >= 10.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{seconds:.1} s")
    }
}

/// A PUT's final body: a Failed provisioning state fails the step; a terminal one marks the id
/// settled; the body is kept for the deferred values of later steps.
fn record_written(context: &StepContext, id: &ResourceId, result: Value) -> Result<(), ArmFailure> {
    let step = context.step();
    if provisioning_state(&result).is_some_and(|s| s.eq_ignore_ascii_case("Failed")) {
        return Err(ArmFailure::local(
            "ProvisioningFailed",
            format!("{} ended in provisioningState Failed", step.label.address),
        ));
    }
    if is_terminal_state(provisioning_state(&result)) {
        if let Ok(mut settled) = context.state.settled_ids.lock() {
            settled.insert(id.clone());
        }
    }
    if let Ok(mut outputs) = context.state.outputs.lock() {
        outputs.insert(step.label.address.clone(), result);
    }
    Ok(())
}

/// 409 from a write racing another (a background AKS operation, another client's credential
/// write) and 412 after such a write changed the eTag: wait, re-read and try again.
fn is_transient_conflict(failure: &ArmFailure) -> bool {
    [
        "OperationNotAllowed",
        "AnotherOperationInProgress",
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
        "PreconditionFailed",
    ]
    .iter()
    .any(|code| failure.has_code(code))
        || is_operation_in_progress(failure)
}

fn add_inline_pool(cluster_body: &mut Value, name: &str, pool_body: &Value) {
    let mut profile = pool_body
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(map) = profile.as_object_mut() {
        map.insert("name".to_owned(), Value::String(name.to_owned()));
    }
    let profile = without_nulls(&profile);
    let existing = cluster_body
        .pointer("/properties/agentPoolProfiles")
        .cloned()
        .unwrap_or_else(|| json!([]));
    let merged = deep_merge(&existing, &json!([profile]));
    let merged = if existing.as_array().is_some_and(Vec::is_empty) {
        json!([profile])
    } else {
        merged
    };
    set_pointer(cluster_body, "/properties/agentPoolProfiles", merged);
}

/// Role assignments for managed identities always carry `principalType`, so a just-created
/// identity does not fail Entra's lookup.
fn prepare_role_assignment(body: &mut Value) {
    if body
        .pointer("/properties/principalType")
        .is_none_or(Value::is_null)
    {
        set_pointer(body, "/properties/principalType", json!("ServicePrincipal"));
    }
}

/// The scope of a role assignment id (everything before `/providers/Microsoft.Authorization`).
pub(crate) fn role_assignment_scope(id: &ResourceId) -> Option<ResourceId> {
    let lower = id.as_str().to_ascii_lowercase();
    let at = lower.rfind("/providers/microsoft.authorization/roleassignments/")?;
    let scope = &id.as_str()[..at];
    Some(ResourceId::new(if scope.is_empty() { "/" } else { scope }))
}

fn role_guid(body: &Value) -> Option<String> {
    body.pointer("/properties/roleDefinitionId")
        .and_then(Value::as_str)
        .and_then(|id| id.rsplit('/').next())
        .map(str::to_ascii_lowercase)
}

fn principal_id(body: &Value) -> Option<String> {
    body.pointer("/properties/principalId")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
}

/// 409 RoleAssignmentExists: the same scope+role+principal exists under another name; find it
/// and count the step as done.
async fn existing_role_assignment(
    context: &StepContext,
    id: &ResourceId,
    desired: &Value,
    failure: ArmFailure,
) -> Result<Option<String>, ArmFailure> {
    let (Some(scope), Some(role), Some(principal)) = (
        role_assignment_scope(id),
        role_guid(desired),
        principal_id(desired),
    ) else {
        return Err(failure);
    };
    let path = format!("{scope}/providers/Microsoft.Authorization/roleAssignments");
    let query = vec![(
        "$filter".to_owned(),
        format!("principalId eq '{principal}'"),
    )];
    let existing = context
        .state
        .arm
        .list(&path, Kind::RoleAssignment.api_version(), &query)
        .await?;
    let same = existing.iter().find(|assignment| {
        role_guid(assignment).as_deref() == Some(role.as_str())
            && principal_id(assignment).as_deref() == Some(principal.as_str())
            && assignment
                .pointer("/properties/scope")
                .and_then(Value::as_str)
                .is_none_or(|found| ResourceId::new(found) == scope)
    });
    match same
        .and_then(|assignment| assignment.get("id"))
        .and_then(Value::as_str)
    {
        Some(existing_id) => Ok(Some(format!("already assigned as {existing_id}"))),
        None => Err(failure),
    }
}

/// PUT the vault with `createMode: recover` (same location), so the converging PUT that follows
/// finds it.
async fn recover_vault(
    context: &StepContext,
    id: &ResourceId,
    desired: &Value,
) -> Result<(), ArmFailure> {
    let step = context.step();
    if context
        .state
        .arm
        .get(id, &step.api_version)
        .await?
        .is_some()
    {
        return Ok(());
    }
    // The declared body with `createMode: recover`, so create-only properties (retention days)
    // are the declared ones whatever the service fills in.
    let mut body = without_nulls(desired);
    set_pointer(&mut body, "/properties/createMode", json!("recover"));
    context.waiting("recovering the soft-deleted vault".to_owned());
    let request = context.write_request(None);
    context
        .state
        .arm
        .put(id, &step.api_version, &body, &request)
        .await
        .map(|_| ())
}

async fn delete(context: &StepContext) -> Result<Option<String>, ArmFailure> {
    let step = context.step();
    let kind = step.label.kind;
    if kind.is_resource_group() {
        ownership::ensure_resource_group_empty(context.state.arm.as_ref(), &step.label.id, kind)
            .await?;
    }
    let waiting = |reason: String| context.waiting(reason);
    context
        .conflict_policy()
        .run(&waiting, |_| async move {
            if operates_on_cluster(kind) {
                if let Some(cluster) = &step.lock {
                    settle_cluster(context, cluster).await?;
                }
            } else {
                settled(context, &step.label.id, &step.api_version, kind).await?;
                settle_tracked_ancestor(context, &step.label.id, kind).await?;
            }
            let request = context.write_request(None);
            match context
                .state
                .arm
                .delete(&step.label.id, &step.api_version, &request)
                .await
            {
                Ok(()) => Ok(Try::Done(None)),
                Err(failure) if is_transient_conflict(&failure) => {
                    Ok(Try::retry_after(failure.code.clone(), failure))
                }
                Err(failure) => Err(failure),
            }
        })
        .await
        .map_err(|failure| conflict_outlasted(context, failure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_of_role_assignment_ids() {
        let id = ResourceId::new("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr/providers/Microsoft.Authorization/roleAssignments/abc");
        assert_eq!(
            role_assignment_scope(&id),
            Some(ResourceId::new(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr"
            ))
        );
    }

    #[test]
    fn inline_pools_are_added_by_name() {
        let mut cluster = json!({"properties": {"dnsPrefix": "x"}});
        add_inline_pool(
            &mut cluster,
            "system",
            &json!({"properties": {"mode": "System", "count": 3, "vnetSubnetID": null}}),
        );
        assert_eq!(
            cluster["properties"]["agentPoolProfiles"],
            json!([{"mode": "System", "count": 3, "name": "system"}])
        );
    }
}

//! Pool rotation: a pool field AKS cannot change in place (`ChangeClass::Rotate`) is changed by
//! create-before-destroy under a temporary name, so the cluster keeps its capacity and at least
//! one System pool at every step, and the declared name is kept:
//!
//! 1. create the temporary pool with the new settings (capacity at least the old pool's) and wait
//!    until it is Succeeded;
//! 2. delete the old pool (AKS cordons and drains its nodes onto the temporary pool);
//! 3. create the pool under its declared name with the new settings;
//! 4. delete the temporary pool (drained onto the new pool).
//!
//! The temporary name is derived from the declared one (`temporary_name`), so a plan made after a
//! crash or Ctrl-C at any step finds the temporary pool and plans only the remaining steps: it is
//! never orphaned (an undeclared owned pool would be planned for deletion) nor duplicated.

use serde_json::{json, Value};

use crate::desired::{DesiredResource, DesiredState};
use crate::id::ResourceId;
use crate::live::{LiveResource, LiveState};
use crate::plan::{
    Action, ChangeStep, Reason, ReasonCode, ReplaceOrder, ResourceChange, StepOperationKind,
};

/// The flag a rotation needs (it drains nodes).
pub const ALLOW_REPLACE: &str = "allow-replace";

/// AKS pool names: 1-12 lowercase letters and digits for Linux, 1-6 for Windows.
const LINUX_NAME_LIMIT: usize = 12;
const WINDOWS_NAME_LIMIT: usize = 6;
const SUFFIX: &str = "rot";

/// The temporary name of `pool`'s rotation: its name cut to leave room for `rot`, then `rot`
/// (`system` -> `systemrot`, `workloadspool` -> `workloadsrot`), with a digit added when a
/// declared pool of the cluster already has that name.
pub fn temporary_name(pool: &str, windows: bool, declared: &[String]) -> String {
    let limit = if windows {
        WINDOWS_NAME_LIMIT
    } else {
        LINUX_NAME_LIMIT
    };
    let base: String = pool.chars().take(limit - SUFFIX.len()).collect();
    let candidate = format!("{base}{SUFFIX}");
    if !declared
        .iter()
        .any(|name| name.eq_ignore_ascii_case(&candidate))
    {
        return candidate;
    }
    let short: String = pool.chars().take(limit - SUFFIX.len() - 1).collect();
    (0..10)
        .map(|digit| format!("{short}{SUFFIX}{digit}"))
        .find(|name| !declared.iter().any(|d| d.eq_ignore_ascii_case(name)))
        .unwrap_or(candidate)
}

/// Turns a pool's change into a rotation when it needs one, or when a rotation of it was
/// interrupted (its temporary pool exists). Returns the temporary pool's id, which the plan must
/// not treat as an undeclared pool to delete.
pub fn shape(
    change: &mut ResourceChange,
    resource: &DesiredResource,
    desired: &DesiredState,
    live: &LiveState,
) -> Option<ResourceId> {
    if !resource.kind.rotates()
        || matches!(
            change.reasons.first().map(|reason| reason.code),
            Some(
                ReasonCode::ExistsNotManaged
                    | ReasonCode::OwnedByOtherEstate
                    | ReasonCode::DependencyChanged
            )
        )
    {
        return None;
    }
    let cluster = resource.id.parent()?;
    let declared_names: Vec<String> = desired
        .resources
        .iter()
        .filter(|other| other.kind == resource.kind && other.id.parent().as_ref() == Some(&cluster))
        .map(|other| other.id.name().to_owned())
        .collect();
    let windows = text(&resource.body, "/properties/osType")
        .is_some_and(|os| os.eq_ignore_ascii_case("Windows"));
    let temporary = temporary_name(resource.id.name(), windows, &declared_names);
    let temporary_id = cluster.child(resource.kind, &temporary);
    let temporary_address = format!("{}{temporary}", address_prefix(&change.address));
    let temporary_live = live.get(&temporary_id);
    let old_live = live.get(&resource.id);
    let needs_rotation =
        change.action == Action::Replace && change.reasons.iter().any(is_rotation_reason);
    if !needs_rotation && temporary_live.is_none() {
        return None;
    }
    let after = change.after.clone().unwrap_or_else(|| json!({}));
    let mut steps = Vec::new();
    let mut drained = 0;
    let step = |operation, address: &str, id: &ResourceId, description: String, body| ChangeStep {
        operation,
        address: address.to_owned(),
        id: id.clone(),
        description,
        body,
    };
    if needs_rotation {
        let old = old_live?;
        let replacement = with_capacity_of(&after, &old.body);
        match temporary_live {
            None => steps.push(step(
                StepOperationKind::Create,
                &temporary_address,
                &temporary_id,
                format!("create {temporary_address} with the new settings ({}) and wait until it is Succeeded", capacity(&replacement)),
                Some(replacement.clone()),
            )),
            Some(existing) if !succeeded(existing) => steps.push(step(
                StepOperationKind::Update,
                &temporary_address,
                &temporary_id,
                format!("put {temporary_address} again (left {} by an interrupted rotation) and wait until it is Succeeded", existing.provisioning_state().unwrap_or("unfinished")),
                Some(replacement.clone()),
            )),
            Some(_) => {}
        }
        let old_nodes = node_count(&old.body);
        drained += old_nodes;
        steps.push(step(
            StepOperationKind::Delete,
            &change.address,
            &resource.id,
            format!(
                "delete the old {} (AKS cordons and drains its {old_nodes} node{})",
                change.address,
                plural(old_nodes)
            ),
            None,
        ));
    }
    if needs_rotation || old_live.is_none() {
        steps.push(step(
            StepOperationKind::Create,
            &change.address,
            &resource.id,
            format!(
                "create {} with the new settings ({}) and wait until it is Succeeded",
                change.address,
                capacity(&after)
            ),
            Some(after.clone()),
        ));
    } else if change.action == Action::Update {
        steps.push(step(
            StepOperationKind::Update,
            &change.address,
            &resource.id,
            format!("update {}", change.address),
            Some(after.clone()),
        ));
    }
    let temporary_nodes = match temporary_live {
        Some(existing) => node_count(&existing.body),
        None => node_count(&with_capacity_of(
            &after,
            old_live.map_or(&Value::Null, |old| &old.body),
        )),
    };
    drained += temporary_nodes;
    steps.push(step(
        StepOperationKind::Delete,
        &temporary_address,
        &temporary_id,
        format!(
            "delete {temporary_address} (AKS cordons and drains its {temporary_nodes} node{})",
            plural(temporary_nodes)
        ),
        None,
    ));
    if !needs_rotation {
        change.reasons.push(Reason {
            code: ReasonCode::ImmutableFieldChanged,
            message: format!(
                "the rotation of this pool was interrupted: {temporary_address} exists and the remaining steps are planned"
            ),
            path: None,
        });
        if change.action == Action::Noop {
            change.action = Action::Update;
        }
    }
    if change.action == Action::Replace {
        change.replace_order = Some(ReplaceOrder::CreateBeforeDelete);
    }
    change.procedure.disruptive = true;
    change.procedure.requires = vec![ALLOW_REPLACE.to_owned()];
    change.procedure.drained_nodes = Some(drained);
    change.procedure.steps = steps;
    Some(temporary_id)
}

/// Whether a reason is a difference the diff classified as a rotation (`ChangeClass::Rotate`).
pub fn is_rotation_reason(reason: &Reason) -> bool {
    reason.code == ReasonCode::ImmutableFieldChanged
        && reason
            .message
            .ends_with("(cannot change in place: the pool is rotated)")
}

/// `pool/<cluster>/` of `pool/<cluster>/<pool>`.
fn address_prefix(address: &str) -> &str {
    address
        .rfind('/')
        .map_or(address, |slash| &address[..=slash])
}

/// The declared body with at least the old pool's capacity: its count, or its autoscale bounds.
fn with_capacity_of(after: &Value, old: &Value) -> Value {
    let mut body = after.clone();
    let old_number = |key: &str| {
        old.pointer(&format!("/properties/{key}"))
            .and_then(Value::as_u64)
    };
    let Some(properties) = body.get_mut("properties").and_then(Value::as_object_mut) else {
        return body;
    };
    for key in ["count", "minCount", "maxCount"] {
        let declared = properties.get(key).and_then(Value::as_u64);
        if let (Some(declared), Some(old)) = (declared, old_number(key)) {
            properties.insert(key.to_owned(), json!(declared.max(old)));
        } else if declared.is_none() && key == "count" {
            if let Some(old) = old_number(key) {
                properties.insert(key.to_owned(), json!(old));
            }
        }
    }
    // An autoscaled pool's count must lie within its bounds.
    let bound = |key: &str| properties.get(key).and_then(Value::as_u64);
    if let (Some(count), Some(min), Some(max)) =
        (bound("count"), bound("minCount"), bound("maxCount"))
    {
        properties.insert("count".to_owned(), json!(count.clamp(min, max.max(min))));
    }
    body
}

fn node_count(body: &Value) -> u64 {
    ["/properties/count", "/properties/minCount"]
        .iter()
        .find_map(|pointer| body.pointer(pointer).and_then(Value::as_u64))
        .unwrap_or(0)
}

fn capacity(body: &Value) -> String {
    let size = text(body, "/properties/vmSize").unwrap_or("the declared size");
    let number = |key: &str| {
        body.pointer(&format!("/properties/{key}"))
            .and_then(Value::as_u64)
    };
    match (number("minCount"), number("maxCount")) {
        (Some(min), Some(max)) => format!("{size}, autoscaled {min}-{max}"),
        _ => {
            let count = number("count").unwrap_or(0);
            format!("{size}, {count} node{}", plural(count))
        }
    }
}

fn succeeded(resource: &LiveResource) -> bool {
    resource
        .provisioning_state()
        .is_none_or(|state| state.eq_ignore_ascii_case("Succeeded"))
}

fn text<'a>(body: &'a Value, pointer: &str) -> Option<&'a str> {
    body.pointer(pointer).and_then(Value::as_str)
}

fn plural(count: u64) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_fit_aks_limits_and_avoid_declared_pools() {
        assert_eq!(temporary_name("system", false, &[]), "systemrot");
        assert_eq!(temporary_name("workloadspool", false, &[]), "workloadsrot");
        assert_eq!(temporary_name("win", true, &[]), "winrot");
        assert_eq!(temporary_name("winpool", true, &[]), "winrot");
        assert_eq!(
            temporary_name("user", false, &["userrot".to_owned()]),
            "userrot0"
        );
    }

    #[test]
    fn capacity_is_at_least_the_old_pools() {
        let after = json!({"properties": {"vmSize": "B", "count": 2}});
        let old = json!({"properties": {"vmSize": "A", "count": 5}});
        assert_eq!(with_capacity_of(&after, &old)["properties"]["count"], 5);
        let autoscaled =
            json!({"properties": {"enableAutoScaling": true, "minCount": 1, "maxCount": 3}});
        let old = json!({"properties": {"enableAutoScaling": true, "minCount": 2, "maxCount": 6, "count": 4}});
        let body = with_capacity_of(&autoscaled, &old);
        assert_eq!(body["properties"]["minCount"], 2);
        assert_eq!(body["properties"]["maxCount"], 6);
        assert_eq!(body["properties"]["count"], 4);
    }
}

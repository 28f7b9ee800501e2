//! Deferred values: a body field copied from another resource (a principal id, an issuer URL).
//! Filled from live when the source exists and is not being created or replaced by this plan;
//! otherwise it stays `null` and is listed as known after apply.

use serde_json::Value;

use crate::desired::{DesiredResource, DesiredState};
use crate::live::LiveState;
use crate::plan::{Action, Deferred, Reason, ReasonCode};

/// A body with its deferred values resolved where possible.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub body: Value,
    /// JSON pointers still unknown.
    pub unknown: Vec<String>,
    /// The deferred entries left for apply to fill in.
    pub pending: Vec<Deferred>,
    /// Why each unknown is unknown.
    pub reasons: Vec<Reason>,
}

/// Resolves `resource`'s deferred values; `planned` gives the action already decided for a
/// source address (sources are planned before their dependants).
pub fn resolve(
    resource: &DesiredResource,
    desired: &DesiredState,
    live: &LiveState,
    planned: &dyn Fn(&str) -> Option<Action>,
) -> Resolved {
    let mut resolved = Resolved {
        body: resource.body.clone(),
        unknown: Vec::new(),
        pending: Vec::new(),
        reasons: Vec::new(),
    };
    for deferred in &resource.deferred {
        let source = desired.by_address(&deferred.source);
        let action = planned(&deferred.source);
        let live_value = source
            .and_then(|source| live.get(&source.id))
            .and_then(|live| live.body.pointer(&deferred.output))
            .filter(|value| !value.is_null());
        let why = match (action, live_value) {
            (Some(Action::Create), _) => format!("{} is created", deferred.source),
            (Some(Action::Replace), _) => format!("{} is replaced", deferred.source),
            (_, Some(value)) => {
                set_pointer(&mut resolved.body, &deferred.path, value.clone());
                continue;
            }
            (_, None) if source.is_none() => format!("{} is not in the estate", deferred.source),
            (_, None) => format!(
                "{} does not report {} yet",
                deferred.source, deferred.output
            ),
        };
        set_pointer(&mut resolved.body, &deferred.path, Value::Null);
        resolved.unknown.push(deferred.path.clone());
        resolved.pending.push(deferred.clone());
        resolved.reasons.push(Reason {
            code: ReasonCode::DependencyChanged,
            message: format!(
                "{}: known after apply ({why})",
                pointer_display(&deferred.path)
            ),
            path: Some(deferred.path.clone()),
        });
    }
    resolved
}

/// `/properties/principalId` -> `properties.principalId` (array indexes as `[i]`).
pub fn pointer_display(pointer: &str) -> String {
    let mut display = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.parse::<usize>().is_ok() {
            display.push_str(&format!("[{segment}]"));
        } else {
            if !display.is_empty() {
                display.push('.');
            }
            display.push_str(&segment);
        }
    }
    display
}

/// `/properties/agentPoolProfiles/0/vmSize` -> `properties.agentPoolProfiles[].vmSize`: the form
/// `diff::rules` matches.
pub fn pointer_rule_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        if segment.parse::<usize>().is_ok() {
            path.push_str("[]");
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&segment.replace("~1", "/").replace("~0", "~"));
        }
    }
    path
}

/// Sets `value` at JSON `pointer`, creating objects on the way; array indexes must exist.
pub fn set_pointer(target: &mut Value, pointer: &str, value: Value) {
    if pointer.is_empty() {
        *target = value;
        return;
    }
    let mut current = target;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (index, segment) in segments.iter().enumerate() {
        let last = index + 1 == segments.len();
        if current.is_null() {
            *current = Value::Object(serde_json::Map::new());
        }
        let next = match current {
            Value::Object(object) => {
                if last {
                    object.insert(segment.clone(), value);
                    return;
                }
                object.entry(segment.clone()).or_insert(Value::Null)
            }
            Value::Array(items) => {
                let Some(item) = segment.parse::<usize>().ok().and_then(|i| items.get_mut(i))
                else {
                    return;
                };
                if last {
                    *item = value;
                    return;
                }
                item
            }
            _ => return,
        };
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_are_set_and_displayed() {
        let mut body = json!({"properties": {"list": [{"a": 1}]}});
        set_pointer(&mut body, "/properties/issuer", json!("https://x"));
        set_pointer(&mut body, "/properties/list/0/a", json!(2));
        set_pointer(&mut body, "/identity/userAssignedIdentities", json!({}));
        assert_eq!(
            body,
            json!({"properties": {"list": [{"a": 2}], "issuer": "https://x"}, "identity": {"userAssignedIdentities": {}}})
        );
        assert_eq!(
            pointer_display("/properties/list/0/a"),
            "properties.list[0].a"
        );
        assert_eq!(
            pointer_rule_path("/properties/list/0/a"),
            "properties.list[].a"
        );
    }
}

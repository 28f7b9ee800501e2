//! The diff rules of each kind, read from its descriptor (`crate::kind`): which declared fields
//! ARM cannot change in place (replace), which are one-way (refused by ARM), which are never
//! compared, which maps are owned whole, and the defaults ARM assumes when it omits a field.
//! This module only interprets them; the facts live in the descriptors.
//!
//! Rule paths are dotted keys with `[]` for an array element: `properties.agentPoolProfiles[].vmSize`.

use serde_json::Value;

use crate::kind::descriptor::{
    ChangeClass, OwnedWholeMap, ServerMover, ENVELOPE_FIELDS, PROVISIONING_STATE,
};
use crate::kind::Kind;

/// Keys never compared wherever they appear (secrets ARM never returns; write-only switches).
pub const IGNORED_KEYS: &[&str] = &[
    "secret",
    "adminPassword",
    "serverAppSecret",
    "password",
    "createMode",
];

/// Whether a change at `rule_path` from `before` to `after` needs a new resource.
pub fn forces_replacement(
    kind: Kind,
    rule_path: &str,
    before: Option<&Value>,
    after: &Value,
) -> bool {
    for rule in kind.descriptor().diff.fields {
        match rule.change {
            ChangeClass::ForcesReplacement | ChangeClass::Rotate
                if covers(rule.path, rule_path) =>
            {
                return true
            }
            ChangeClass::ForcesReplacementWhen(test) | ChangeClass::RotateWhen(test)
                if rule.path == rule_path =>
            {
                if let (Some(Value::String(before)), Value::String(after)) = (before, after) {
                    return test(before, after);
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether a change at `rule_path` from `before` to `after` is made by rotating the resource
/// (a new one beside the old, then the old deleted) rather than replacing it in place.
pub fn rotates(kind: Kind, rule_path: &str, before: Option<&Value>, after: &Value) -> bool {
    kind.descriptor().diff.fields.iter().any(|rule| match rule.change {
        ChangeClass::Rotate => covers(rule.path, rule_path),
        ChangeClass::RotateWhen(test) if rule.path == rule_path => {
            matches!((before, after), (Some(Value::String(before)), Value::String(after)) if test(before, after))
        }
        _ => false,
    })
}

/// Whether the field at `rule_path` of `kind` is moved by `mover` (then it is not compared
/// while the mover is active).
pub fn moved_by(kind: Kind, rule_path: &str, mover: ServerMover) -> bool {
    kind.descriptor()
        .diff
        .fields
        .iter()
        .any(|rule| matches!(rule.change, ChangeClass::ServerMoved(by) if by == mover && rule.path == rule_path))
}

/// Whether the field at `rule_path` of `kind` only moves forward (versions).
pub fn is_monotonic(kind: Kind, rule_path: &str) -> bool {
    kind.descriptor()
        .diff
        .fields
        .iter()
        .any(|rule| matches!(rule.change, ChangeClass::Monotonic) && rule.path == rule_path)
}

/// The explanation when ARM refuses the change at `rule_path` (a one-way switch moved back).
pub fn refused_by_arm(
    kind: Kind,
    rule_path: &str,
    before: Option<&Value>,
    after: &Value,
) -> Option<&'static str> {
    kind.descriptor()
        .diff
        .fields
        .iter()
        .find_map(|rule| match rule.change {
            ChangeClass::RefusedByArm {
                locked,
                explanation,
            } if rule.path == rule_path
                && before == Some(&Value::Bool(locked))
                && *after == Value::Bool(!locked) =>
            {
                Some(explanation)
            }
            _ => None,
        })
}

/// Whether a difference at `rule_path` is never compared for `kind`: the ARM envelope, the
/// provisioning state, and the kind's create-only fields.
pub fn is_ignored(kind: Kind, rule_path: &str) -> bool {
    ENVELOPE_FIELDS.contains(&rule_path)
        || rule_path == PROVISIONING_STATE
        || kind
            .descriptor()
            .diff
            .create_only
            .iter()
            .any(|path| covers(path, rule_path))
}

/// The map at `rule_path` if the estate owns it whole (a live key it does not declare is a
/// difference), with the key prefix the service adds on its own and that is never ours.
pub fn full_map(kind: Kind, rule_path: &str) -> Option<&'static str> {
    owned_whole(kind.descriptor().diff.owned_whole_maps, rule_path)
}

/// For a set-like scalar array, the entries of the live value that are not ours to compare.
pub fn ignored_set_entry(kind: Kind, rule_path: &str, entry: &Value) -> bool {
    let diff = &kind.descriptor().diff;
    owned_whole(diff.service_set_entries, rule_path)
        .is_some_and(|prefix| entry.as_str().is_some_and(|item| item.starts_with(prefix)))
        || (diff.disabled_set_entries.contains(&rule_path)
            && entry.get("enabled").and_then(Value::as_bool) == Some(false))
}

fn owned_whole(rules: &[OwnedWholeMap], rule_path: &str) -> Option<&'static str> {
    rules
        .iter()
        .find(|rule| rule.path == rule_path)
        .map(|rule| rule.service_prefix)
}

/// The value ARM assumes when a GET omits the field.
pub fn implied_default(kind: Kind, rule_path: &str) -> Option<Value> {
    kind.descriptor()
        .diff
        .implied_defaults
        .iter()
        .find(|(path, _)| *path == rule_path)
        .map(|(_, value)| value.to_value())
}

/// Whether `pattern` is `path` or one of its ancestors.
pub fn covers(pattern: &str, path: &str) -> bool {
    path == pattern
        || path
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

//! Diff: desired vs live per kind, declared fields only, normalized as ARM normalizes; actions with reasons.
//!
//! `compare` walks the desired body (`walk`), compares scalars the way ARM does (`normalize`) and
//! classifies each difference with the per-kind tables (`rules`): in place, replacement, or a
//! one-way change ARM refuses.

mod normalize;
mod rules;
mod walk;

#[cfg(test)]
mod tests;

pub use normalize::{normalize_location, scalars_equal, version_satisfied};
pub use rules::{covers, is_monotonic, moved_by, rotates};
pub use walk::{differences, Difference};

use serde_json::Value;

use crate::kind::Kind;
use crate::plan::{Action, Reason, ReasonCode};

/// The outcome of comparing one declared resource with its live body.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// `Noop`, `Update` or `Replace`.
    pub action: Action,
    /// One reason per difference that the action carries out.
    pub reasons: Vec<Reason>,
    /// Differences ARM refuses outright (one-way fields): no action can reach them, so they are
    /// reported, not planned.
    pub blocked: Vec<Reason>,
}

/// Compares what `desired` declares for a resource of `kind` with its `live` body.
pub fn compare(kind: Kind, desired: &Value, live: &Value) -> Comparison {
    let mut action = Action::Noop;
    let mut reasons = Vec::new();
    let mut blocked = Vec::new();
    for difference in differences(kind, desired, live) {
        if let Some(explanation) = one_way_violation(kind, &difference) {
            blocked.push(Reason {
                code: ReasonCode::ImmutableFieldChanged,
                message: format!("{} ({explanation})", change_message(&difference)),
                path: Some(difference.pointer.clone()),
            });
            continue;
        }
        if needs_replace(kind, &difference) {
            action = Action::Replace;
            let consequence = if is_rotation(kind, &difference) {
                "cannot change in place: the pool is rotated"
            } else {
                "cannot change in place: forces replacement"
            };
            reasons.push(Reason {
                code: ReasonCode::ImmutableFieldChanged,
                message: format!("{} ({consequence})", change_message(&difference)),
                path: Some(difference.pointer.clone()),
            });
        } else {
            if action == Action::Noop {
                action = Action::Update;
            }
            reasons.push(Reason {
                code: ReasonCode::FieldChanged,
                message: change_message(&difference),
                path: Some(difference.pointer.clone()),
            });
        }
    }
    Comparison {
        action,
        reasons,
        blocked,
    }
}

/// Whether a difference at `rule_path` of `kind` cannot be made in place.
pub fn needs_replace(kind: Kind, difference: &Difference) -> bool {
    rules::forces_replacement(
        kind,
        &difference.rule_path,
        difference.before.as_ref(),
        &difference.after,
    )
}

/// Whether a difference is made by rotating the resource (`ChangeClass::Rotate`).
pub fn is_rotation(kind: Kind, difference: &Difference) -> bool {
    rules::rotates(
        kind,
        &difference.rule_path,
        difference.before.as_ref(),
        &difference.after,
    )
}

fn one_way_violation(kind: Kind, difference: &Difference) -> Option<&'static str> {
    rules::refused_by_arm(
        kind,
        &difference.rule_path,
        difference.before.as_ref(),
        &difference.after,
    )
}

/// `path: before -> after`, values as compact JSON.
pub fn change_message(difference: &Difference) -> String {
    format!(
        "{}: {} -> {}",
        difference.display,
        format_value(difference.before.as_ref()),
        if difference.after.is_null() {
            "(removed)".to_owned()
        } else {
            format_value(Some(&difference.after))
        }
    )
}

/// A value as compact JSON for messages, `(none)` when absent, long values shortened.
pub fn format_value(value: Option<&Value>) -> String {
    const LIMIT: usize = 160;
    let Some(value) = value else {
        return "(none)".to_owned();
    };
    let text = value.to_string();
    if text.chars().count() <= LIMIT {
        return text;
    }
    let shortened: String = text.chars().take(LIMIT).collect();
    format!("{shortened}…")
}

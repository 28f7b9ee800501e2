//! Drift as data: the current plan's changes, each classified against a previous plan (`drift
//! --since PLANFILE`): did Azure change (the resource's live fingerprint differs from the one the
//! previous plan observed), did the estate change (the desired body differs from the previous
//! plan's `after`), both, or neither (the change was already pending then and is still not
//! applied). Without a previous plan every change is reported unclassified.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::id::ResourceId;
use crate::plan::{Action, Plan, ResourceChange};

/// Where a difference between the estate and ARM comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DriftOrigin {
    /// Someone changed Azure since the previous plan; the estate did not change.
    AzureChanged,
    /// The estate files changed since the previous plan; Azure did not.
    EstateChanged,
    /// Both changed.
    Both,
    /// Neither changed: the difference was already in the previous plan and is still unapplied.
    AlreadyPending,
    /// No previous plan to compare with.
    Unknown,
}

impl DriftOrigin {
    pub fn describe(self) -> &'static str {
        match self {
            DriftOrigin::AzureChanged => "Azure changed",
            DriftOrigin::EstateChanged => "the estate changed",
            DriftOrigin::Both => "Azure and the estate changed",
            DriftOrigin::AlreadyPending => "already pending (not applied since)",
            DriftOrigin::Unknown => "drift",
        }
    }
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftItem {
    pub address: String,
    pub action: Action,
    pub origin: DriftOrigin,
    /// The reasons' messages, as the plan states them.
    pub reasons: Vec<String>,
}

/// The whole drift report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    pub estate: String,
    pub subscription: String,
    /// Whether a previous plan was compared against.
    pub compared_with_previous_plan: bool,
    pub items: Vec<DriftItem>,
    /// Resources Azure changed since the previous plan that match the estate anyway (e.g. the
    /// previous plan was applied): informational, not drift.
    pub changed_in_sync: Vec<String>,
    pub notices: Vec<String>,
}

impl DriftReport {
    pub fn in_sync(&self) -> bool {
        self.items.is_empty()
    }

    /// Items of one origin.
    pub fn of_origin(&self, origin: DriftOrigin) -> Vec<&DriftItem> {
        self.items
            .iter()
            .filter(|item| item.origin == origin)
            .collect()
    }
}

/// Classifies `current`'s changes against `previous`.
pub fn classify(current: &Plan, previous: Option<&Plan>) -> DriftReport {
    let previous_changes: HashMap<&str, &ResourceChange> = previous
        .map(|plan| {
            plan.changes
                .iter()
                .map(|change| (change.address.as_str(), change))
                .collect()
        })
        .unwrap_or_default();
    let previous_fingerprints: HashMap<&ResourceId, &str> = previous
        .map(|plan| {
            plan.observed
                .iter()
                .map(|observation| (&observation.id, observation.fingerprint.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let current_fingerprints: HashMap<&ResourceId, &str> = current
        .observed
        .iter()
        .map(|observation| (&observation.id, observation.fingerprint.as_str()))
        .collect();
    let azure_changed =
        |id: &ResourceId| match (previous_fingerprints.get(id), current_fingerprints.get(id)) {
            (Some(before), Some(now)) => before != now,
            // Not observed before: a resource the previous plan did not know is new in Azure
            // unless it is absent now.
            (None, Some(now)) => *now != "absent",
            (_, None) => false,
        };

    let mut items = Vec::new();
    let mut changed_in_sync = Vec::new();
    for change in &current.changes {
        if previous.is_none() {
            if change.action != Action::Noop {
                items.push(item(change, DriftOrigin::Unknown));
            }
            continue;
        }
        let azure = azure_changed(&change.id);
        if change.action == Action::Noop {
            if azure && previous_fingerprints.contains_key(&change.id) {
                changed_in_sync.push(change.address.clone());
            }
            continue;
        }
        let estate = match previous_changes.get(change.address.as_str()) {
            Some(before) => !same_desired(before.after.as_ref(), change.after.as_ref()),
            // Not a change before: whether it was a no-op or not declared at all, the estate
            // moved unless Azure explains it.
            None => !azure,
        };
        let origin = match (azure, estate) {
            (true, false) => DriftOrigin::AzureChanged,
            (false, true) => DriftOrigin::EstateChanged,
            (true, true) => DriftOrigin::Both,
            (false, false) => DriftOrigin::AlreadyPending,
        };
        items.push(item(change, origin));
    }
    DriftReport {
        estate: current.estate.clone(),
        subscription: current.subscription.clone(),
        compared_with_previous_plan: previous.is_some(),
        items,
        changed_in_sync,
        notices: current.notices.clone(),
    }
}

fn item(change: &ResourceChange, origin: DriftOrigin) -> DriftItem {
    DriftItem {
        address: change.address.clone(),
        action: change.action,
        origin,
        reasons: change
            .reasons
            .iter()
            .map(|reason| reason.message.clone())
            .collect(),
    }
}

/// Whether two desired bodies say the same thing. Values known only after apply are `null` in
/// one plan and resolved in the other, so nulls on either side are not a difference.
fn same_desired(before: Option<&Value>, now: Option<&Value>) -> bool {
    match (before, now) {
        (None, None) => true,
        (Some(before), Some(now)) => equal_ignoring_nulls(before, now),
        _ => false,
    }
}

fn equal_ignoring_nulls(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, _) | (_, Value::Null) => true,
        (Value::Object(left), Value::Object(right)) => {
            // A key only one side has is a difference, unless its value is an unknown (null).
            left.keys()
                .chain(right.keys())
                .all(|key| match (left.get(key), right.get(key)) {
                    (Some(left), Some(right)) => equal_ignoring_nulls(left, right),
                    (Some(value), None) | (None, Some(value)) => value.is_null(),
                    (None, None) => true,
                })
        }
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|(left, right)| equal_ignoring_nulls(left, right))
        }
        _ => left == right,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kind::Kind;
    use crate::plan::{Observation, Reason, ReasonCode};
    use serde_json::json;

    fn change(address: &str, action: Action, after: Value) -> ResourceChange {
        let kind = Kind::UserAssignedIdentity;
        ResourceChange {
            address: address.to_owned(),
            arm_type: kind.arm_type().to_owned(),
            kind,
            id: ResourceId::new(format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}",
                address.trim_start_matches("identity/")
            )),
            api_version: kind.api_version().to_owned(),
            action,
            reasons: vec![Reason {
                code: ReasonCode::FieldChanged,
                message: format!("{address} differs"),
                path: None,
            }],
            before: None,
            after: Some(after),
            unknown_after_apply: Vec::new(),
            deferred: Vec::new(),
            depends_on: Vec::new(),
            replace_order: None,
            procedure: Default::default(),
        }
    }

    fn plan(changes: Vec<ResourceChange>, fingerprints: &[&str]) -> Plan {
        let observed = changes
            .iter()
            .zip(fingerprints)
            .map(|(change, fingerprint)| Observation {
                id: change.id.clone(),
                fingerprint: (*fingerprint).to_owned(),
            })
            .collect();
        Plan::new("e".into(), "s".into(), changes, observed, Vec::new())
    }

    #[test]
    fn origins_separate_azure_from_the_estate() {
        let previous = plan(
            vec![
                change("identity/a", Action::Noop, json!({"tags": {"x": "1"}})),
                change("identity/b", Action::Noop, json!({"tags": {"x": "1"}})),
                change("identity/c", Action::Update, json!({"tags": {"x": "1"}})),
                change("identity/d", Action::Noop, json!({"tags": {"x": "1"}})),
                change("identity/e", Action::Noop, json!({"tags": {"x": "1"}})),
            ],
            &["1", "2", "3", "4", "5"],
        );
        let current = plan(
            vec![
                // Azure changed under an unchanged estate.
                change("identity/a", Action::Update, json!({"tags": {"x": "1"}})),
                // The estate changed, Azure did not.
                change("identity/b", Action::Update, json!({"tags": {"x": "2"}})),
                // Already pending, nothing changed.
                change("identity/c", Action::Update, json!({"tags": {"x": "1"}})),
                // Both.
                change("identity/d", Action::Update, json!({"tags": {"x": "3"}})),
                // Azure changed but matches: not drift.
                change("identity/e", Action::Noop, json!({"tags": {"x": "1"}})),
            ],
            &["1x", "2", "3", "4x", "5x"],
        );
        let report = classify(&current, Some(&previous));
        let origins: Vec<(&str, DriftOrigin)> = report
            .items
            .iter()
            .map(|item| (item.address.as_str(), item.origin))
            .collect();
        assert_eq!(
            origins,
            vec![
                ("identity/a", DriftOrigin::AzureChanged),
                ("identity/b", DriftOrigin::EstateChanged),
                ("identity/c", DriftOrigin::AlreadyPending),
                ("identity/d", DriftOrigin::Both),
            ]
        );
        assert_eq!(report.changed_in_sync, vec!["identity/e".to_owned()]);
        assert!(!report.in_sync());
    }

    #[test]
    fn without_a_previous_plan_changes_are_unclassified_and_noops_ignored() {
        let current = plan(
            vec![
                change("identity/a", Action::Update, json!({})),
                change("identity/b", Action::Noop, json!({})),
            ],
            &["1", "2"],
        );
        let report = classify(&current, None);
        assert_eq!(report.items.len(), 1);
        assert_eq!(report.items[0].origin, DriftOrigin::Unknown);
        assert!(!report.compared_with_previous_plan);
    }

    #[test]
    fn unknown_values_are_not_estate_changes() {
        assert!(equal_ignoring_nulls(
            &json!({"properties": {"issuer": null, "subject": "s"}}),
            &json!({"properties": {"issuer": "https://x", "subject": "s"}})
        ));
        assert!(!equal_ignoring_nulls(
            &json!({"tags": {"a": "1"}}),
            &json!({"tags": {"a": "1", "reviewed": "2026-11"}})
        ));
        assert!(!equal_ignoring_nulls(
            &json!({"properties": {"subject": "a"}}),
            &json!({"properties": {"subject": "b"}})
        ));
    }
}

//! Ownership for deletes: which live resources an estate owns (its `aksctl-estate` tag on tracked
//! resources, children through their owned parent, role assignments through their deterministic
//! name), the destroy plan built from that, and the guard that never deletes a resource group
//! still holding something.

use serde_json::Value;

use crate::apply::operations::{ArmFailure, ArmOperations};
use crate::desired::DesiredState;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::plan::{Action, Plan, Reason, ReasonCode, ResourceChange};

/// The ownership tag aksctl puts on every tracked resource it creates.
pub const ESTATE_TAG: &str = "aksctl-estate";

/// Who owns a live tracked resource, by its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    ThisEstate,
    OtherEstate(String),
    Unmanaged,
}

/// Reads the ownership tag of a live body (tag names compared case-insensitively, as ARM does).
pub fn owner_of(body: &Value, estate: &str) -> Owner {
    let tag = body
        .get("tags")
        .and_then(Value::as_object)
        .and_then(|tags| {
            tags.iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(ESTATE_TAG))
                .and_then(|(_, value)| value.as_str())
        });
    match tag {
        Some(value) if value == estate => Owner::ThisEstate,
        Some(value) => Owner::OtherEstate(value.to_owned()),
        None => Owner::Unmanaged,
    }
}

/// Refuses to delete a resource group that still contains resources (deleting a group deletes
/// everything in it, owned or not). Asks both ARM's generic resource list and each collection
/// aksctl knows, since an endpoint without the generic list may answer it with an empty page.
pub async fn ensure_resource_group_empty(
    arm: &dyn ArmOperations,
    group: &ResourceId,
    group_kind: Kind,
) -> Result<(), ArmFailure> {
    let api_version = group_kind.api_version();
    let mut remaining: Vec<String> = Vec::new();
    match arm
        .list(&format!("{group}/resources"), api_version, &[])
        .await
    {
        Ok(items) => remaining.extend(items.iter().filter_map(item_id)),
        Err(failure) if failure.has_code("ResourceGroupNotFound") => return Ok(()),
        Err(failure) if matches!(failure.status, Some(400 | 404 | 405)) => {}
        Err(failure) => return Err(failure),
    }
    for kind in Kind::ALL
        .into_iter()
        .filter(|kind| kind.is_tracked() && !kind.is_resource_group())
    {
        let path = format!("{group}/providers/{}", kind.arm_type());
        let items = arm.list(&path, kind.api_version(), &[]).await?;
        remaining.extend(items.iter().filter_map(item_id));
    }
    remaining.sort_by_key(|id| id.to_ascii_lowercase());
    remaining.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    if remaining.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = remaining.iter().take(5).map(String::as_str).collect();
    Err(ArmFailure::local(
        "ResourceGroupNotEmpty",
        format!(
            "resource group {} still holds {} resource(s) this run did not delete (e.g. {}); \
             deleting it would delete them too, so it is left in place",
            group.name(),
            remaining.len(),
            shown.join(", ")
        ),
    ))
}

fn item_id(item: &Value) -> Option<String> {
    item.get("id").and_then(Value::as_str).map(str::to_owned)
}

/// Builds the plan that deletes every live resource `desired` declares and this estate owns,
/// given the live bodies (`live(id)`, as the plan's live read found them). Resources owned by
/// another estate or not tagged are listed as the plan's notices and never deleted.
pub fn destroy_plan(desired: &DesiredState, live: &dyn Fn(&ResourceId) -> Option<Value>) -> Plan {
    let mut changes: Vec<ResourceChange> = Vec::new();
    let mut notices: Vec<String> = Vec::new();
    // Tracked resources that are owned (children and scoped assignments go with them).
    let mut owned_tracked: Vec<ResourceId> = Vec::new();
    for resource in &desired.resources {
        let id = resource.id.clone();
        let Some(body) = live(&id) else {
            continue;
        };
        let owned = if resource.kind.is_tracked() {
            match owner_of(&body, &desired.estate) {
                Owner::ThisEstate => {
                    owned_tracked.push(id.clone());
                    true
                }
                Owner::OtherEstate(other) => {
                    notices.push(format!(
                        "{} is owned by estate {other:?}: not deleted",
                        resource.address
                    ));
                    false
                }
                Owner::Unmanaged => {
                    notices.push(format!(
                        "{} exists without the {ESTATE_TAG} tag: not deleted",
                        resource.address
                    ));
                    false
                }
            }
        } else if resource.kind.owned_through_name() {
            // Owned through its deterministic name: it is exactly the assignment declared.
            role_assignment_matches(&body, &resource.body)
        } else {
            let lower = id.as_str().to_ascii_lowercase();
            owned_tracked.iter().any(|parent| {
                lower.starts_with(&format!("{}/", parent.as_str().to_ascii_lowercase()))
            })
        };
        if !owned {
            continue;
        }
        changes.push(ResourceChange {
            address: resource.address.clone(),
            arm_type: resource.kind.arm_type().to_owned(),
            kind: resource.kind,
            id,
            api_version: resource.kind.api_version().to_owned(),
            action: Action::Delete,
            reasons: vec![Reason {
                code: ReasonCode::NotInEstate,
                message: format!("destroy: owned by estate {}", desired.estate),
                path: None,
            }],
            before: Some(body),
            after: None,
            unknown_after_apply: Vec::new(),
            deferred: Vec::new(),
            depends_on: resource.depends_on.clone(),
            replace_order: None,
            procedure: Default::default(),
        });
    }
    Plan::new(
        desired.estate.clone(),
        desired.subscription.clone(),
        changes,
        Vec::new(),
        notices,
    )
}

/// A live assignment is the declared one when it has the declared deterministic name (the
/// lookup was by id) and the declared role.
fn role_assignment_matches(live: &Value, declared: &Value) -> bool {
    let role = |body: &Value| {
        body.pointer("/properties/roleDefinitionId")
            .and_then(Value::as_str)
            .and_then(|id| id.rsplit('/').next())
            .map(str::to_ascii_lowercase)
    };
    role(live).is_some() && role(live) == role(declared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ownership_by_tag() {
        let body = json!({"tags": {"AKSCTL-ESTATE": "prod"}});
        assert_eq!(owner_of(&body, "prod"), Owner::ThisEstate);
        assert_eq!(owner_of(&body, "dev"), Owner::OtherEstate("prod".into()));
        assert_eq!(owner_of(&json!({}), "prod"), Owner::Unmanaged);
    }
}

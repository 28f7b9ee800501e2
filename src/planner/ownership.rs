//! Ownership: who a live resource belongs to (the `aksctl-estate` tag on tracked resources, the
//! description marker on role assignments, the parent for other proxy resources), and which owned
//! resources the estate no longer declares (planned for delete, children first, never untagged).

use std::collections::{BTreeSet, HashSet};

use crate::desired::DesiredState;
use crate::id::ResourceId;
use crate::kind::descriptor::Ownership as OwnedThrough;
use crate::kind::Kind;
use crate::live::{LiveResource, LiveState, OWNER_TAG};
use crate::plan::{Reason, ReasonCode};

/// Whose a live resource is, as far as this estate is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ownership {
    /// Tagged for this estate (or owned through its parent, or not in ARM yet).
    Owned,
    /// Exists without the ownership tag: reported, never written.
    Unmanaged,
    /// Tagged for another estate: refused.
    OtherEstate(String),
}

/// The ownership of live `id` (of `kind`) for `estate`, looking at the nearest tracked ancestor
/// for proxy resources. Role assignments are owned through their deterministic name.
pub fn ownership(live: &LiveState, id: &ResourceId, kind: Kind, estate: &str) -> Ownership {
    if kind.owned_through_name() {
        return Ownership::Owned;
    }
    let tracked = if kind.is_tracked() {
        live.get(id)
    } else {
        nearest_tracked_ancestor(live, id)
    };
    match tracked.map(LiveResource::owner) {
        None => Ownership::Owned,
        Some(None) => Ownership::Unmanaged,
        Some(Some(owner)) if owner == estate => Ownership::Owned,
        Some(Some(owner)) => Ownership::OtherEstate(owner.to_owned()),
    }
}

/// The closest live tracked resource above `id` (a pool's cluster, a container's account).
pub fn nearest_tracked_ancestor<'a>(
    live: &'a LiveState,
    id: &ResourceId,
) -> Option<&'a LiveResource> {
    let mut current = id.parent();
    while let Some(parent) = current {
        if let Some(resource) = live
            .get(&parent)
            .filter(|resource| resource.kind.is_tracked())
        {
            if !resource.kind.is_resource_group() {
                return Some(resource);
            }
        }
        current = parent.parent();
    }
    None
}

/// The plan address of a live resource the estate does not declare.
pub fn address_for(kind: Kind, id: &ResourceId) -> String {
    format!("{}/{}", kind.address_prefix(), id.logical_name(kind))
}

/// An owned live resource the estate no longer declares.
#[derive(Debug, Clone)]
pub struct Deletion<'a> {
    pub address: String,
    pub resource: &'a LiveResource,
    pub reason: Reason,
    /// Addresses of deletions that contain this one (run after it).
    pub depends_on: Vec<String>,
}

/// Owned, undeclared live resources to delete, and notices for the ones kept on purpose.
pub fn deletions<'a>(
    desired: &DesiredState,
    live: &'a LiveState,
    estate: &str,
    taken_addresses: &HashSet<String>,
) -> (Vec<Deletion<'a>>, Vec<String>) {
    let declared: HashSet<&ResourceId> = desired.resources.iter().map(|r| &r.id).collect();
    let owned_tracked =
        |resource: &LiveResource| resource.kind.is_tracked() && resource.owner() == Some(estate);
    let mut notices = Vec::new();
    let mut candidates: Vec<(&LiveResource, Reason)> = Vec::new();
    for resource in live
        .iter()
        .filter(|resource| !declared.contains(&resource.id))
    {
        let descriptor = resource.kind.descriptor();
        let reason = match descriptor.ownership {
            _ if descriptor.write.never_deleted => None,
            OwnedThrough::DeterministicName => (resource.owner() == Some(estate)).then(|| {
                not_in_estate(format!(
                    "role assignment marked {OWNER_TAG}={estate} is no longer declared"
                ))
            }),
            OwnedThrough::Tags => owned_tracked(resource).then(|| {
                not_in_estate(format!(
                    "tagged {OWNER_TAG}={estate} and no longer declared{}",
                    cascade_note(live, resource)
                ))
            }),
            OwnedThrough::Parent => match nearest_tracked_ancestor(live, &resource.id) {
                // Owned through a parent the estate still declares; a parent that is itself
                // deleted takes its children with it.
                Some(parent) if owned_tracked(parent) && declared.contains(&parent.id) => {
                    Some(not_in_estate(format!(
                        "not declared under {}, which this estate owns",
                        address_for(parent.kind, &parent.id)
                    )))
                }
                _ => None,
            },
        };
        if let Some(reason) = reason {
            candidates.push((resource, reason));
        }
    }

    // A resource group is deleted only when nothing in it belongs to someone else.
    let mut refused_groups = BTreeSet::new();
    for (resource, _) in candidates
        .iter()
        .filter(|(r, _)| r.kind.is_resource_group())
    {
        let foreign: Vec<String> = live
            .iter()
            .filter(|other| other.kind.is_tracked() && !other.kind.is_resource_group())
            .filter(|other| same_group(&other.id, &resource.id) && !owned_tracked(other))
            .map(|other| address_for(other.kind, &other.id))
            .collect();
        if !foreign.is_empty() {
            notices.push(format!(
                "{} is tagged {OWNER_TAG}={estate} and no longer declared, but it is not deleted: it holds resources this estate does not own ({})",
                address_for(resource.kind, &resource.id),
                foreign.join(", ")
            ));
            refused_groups.insert(resource.id.clone());
        }
    }

    let mut used: HashSet<String> = taken_addresses.clone();
    let mut planned: Vec<Deletion<'a>> = Vec::new();
    for (resource, reason) in candidates {
        if refused_groups.contains(&resource.id) {
            continue;
        }
        let mut address = address_for(resource.kind, &resource.id);
        if used.contains(&address) {
            address = format!(
                "{address}@{}",
                resource.id.resource_group_name().unwrap_or_default()
            );
        }
        used.insert(address.clone());
        planned.push(Deletion {
            address,
            resource,
            reason,
            depends_on: Vec::new(),
        });
    }
    // Containment among deletions: a group's deletion waits for what is inside it.
    let containers: Vec<(ResourceId, String)> = planned
        .iter()
        .map(|deletion| (deletion.resource.id.clone(), deletion.address.clone()))
        .collect();
    for deletion in &mut planned {
        deletion.depends_on = containers
            .iter()
            .filter(|(id, _)| is_below(&deletion.resource.id, id))
            .map(|(_, address)| address.clone())
            .collect();
    }
    (planned, notices)
}

fn not_in_estate(message: String) -> Reason {
    Reason {
        code: ReasonCode::NotInEstate,
        message,
        path: None,
    }
}

fn cascade_note(live: &LiveState, resource: &LiveResource) -> String {
    if resource.kind.is_resource_group() {
        return String::new();
    }
    let children = live
        .iter()
        .filter(|other| {
            is_below(&other.id, &resource.id) && !other.kind.descriptor().write.never_deleted
        })
        .count();
    match children {
        0 => String::new(),
        1 => "; its 1 child resource goes with it".to_owned(),
        n => format!("; its {n} child resources go with it"),
    }
}

fn same_group(id: &ResourceId, group: &ResourceId) -> bool {
    id.subscription_id()
        .zip(group.subscription_id())
        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
        && id
            .resource_group_name()
            .is_some_and(|name| name.eq_ignore_ascii_case(group.name()))
}

/// Whether `id` is strictly below `ancestor`.
pub fn is_below(id: &ResourceId, ancestor: &ResourceId) -> bool {
    let mut current = id.parent();
    while let Some(parent) = current {
        if &parent == ancestor {
            return true;
        }
        current = parent.parent();
    }
    false
}

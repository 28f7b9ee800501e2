//! Collections: the unit of a live read. Every managed resource belongs to one list ARM serves
//! (resource groups of a subscription, a kind in a resource group, the children of a parent, the
//! role assignments of a subscription) or, for singletons without a list, to a single GET.

use serde_json::Value;

use crate::id::ResourceId;
use crate::kind::descriptor::ReadWhen;
use crate::kind::{Kind, Read};

/// One ARM read: a paged list, or a single GET where ARM has no list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Collection {
    /// `GET {path}?api-version=` following `nextLink`.
    List { path: String, kind: Kind },
    /// `GET {id}?api-version=`; 404 means absent.
    Single { id: ResourceId, kind: Kind },
    /// `GET /subscriptions/{s}/providers/Microsoft.KeyVault/deletedVaults`.
    DeletedVaults { subscription: String },
}

/// Which parent a child list is wanted for (see `child_collections`).
#[derive(Clone, Copy)]
pub enum ChildReading<'a> {
    /// A plan: the parent is owned by this estate or not, and the estate declares children of a
    /// kind under it or not.
    Plan {
        owned: bool,
        declares: &'a dyn Fn(Kind) -> bool,
    },
    /// An export: every child ARM serves.
    Export,
}

/// The child collections of the live parent `parent_id` (of `parent_kind`, body `parent_body`)
/// worth reading, from the read rules of the kinds whose top-level kind it is: lists first,
/// then single GETs of list-less singletons. A child below a singleton (a container below
/// `blobServices/default`) is listed under that singleton.
pub fn child_collections(
    parent_kind: Kind,
    parent_id: &ResourceId,
    parent_body: &Value,
    reading: ChildReading<'_>,
) -> Vec<Collection> {
    let mut lists = Vec::new();
    let mut singles = Vec::new();
    for kind in Kind::ALL {
        let (rule, single) = match kind.descriptor().read {
            Read::ChildList(rule) => (rule, false),
            Read::ChildSingle(rule) => (rule, true),
            Read::SubscriptionGroups | Read::Subscription | Read::ResourceGroup => continue,
        };
        let targets: Vec<Kind> = kind
            .attached_kinds()
            .into_iter()
            .filter(|target| target.top_level() == parent_kind)
            .collect();
        if targets.is_empty() {
            continue;
        }
        let wanted = match reading {
            ChildReading::Export => rule
                .parent_condition
                .is_none_or(|condition| condition.holds(parent_body)),
            ChildReading::Plan { owned, declares } => {
                let by_rule = match rule.when {
                    ReadWhen::Always => true,
                    ReadWhen::OwnedOrDeclared => owned,
                    ReadWhen::Declared => false,
                };
                declares(kind)
                    || (by_rule
                        && rule
                            .parent_condition
                            .is_none_or(|condition| condition.holds(parent_body)))
            }
        };
        if !wanted {
            continue;
        }
        for target in targets {
            let Some(container) = target_path(parent_id, parent_kind, target) else {
                continue;
            };
            match (single, kind.descriptor().singleton_name) {
                (true, Some(name)) => singles.push(Collection::Single {
                    id: container.child(kind, name),
                    kind,
                }),
                _ => lists.push(Collection::children(&container, kind)),
            }
        }
    }
    lists.extend(singles);
    lists
}

/// The id of the `target` below `top` (`top` itself, or a singleton below it such as
/// `{account}/blobServices/default`); none if an intermediate is not a singleton.
fn target_path(top: &ResourceId, top_kind: Kind, target: Kind) -> Option<ResourceId> {
    if target == top_kind {
        return Some(top.clone());
    }
    let container = singleton_path(top, top_kind, target)?;
    Some(container.child(target, target.descriptor().singleton_name?))
}

/// The id of `kind`'s direct parent below `top`, through singleton intermediates
/// (`{account}/blobServices/default` for a container); none if an intermediate is not a singleton.
fn singleton_path(top: &ResourceId, top_kind: Kind, kind: Kind) -> Option<ResourceId> {
    let mut chain = Vec::new();
    let mut current = kind.parent();
    while let Some(ancestor) = current {
        if ancestor == top_kind {
            break;
        }
        chain.push(ancestor);
        current = ancestor.parent();
    }
    let mut id = top.clone();
    for ancestor in chain.into_iter().rev() {
        id = id.child(ancestor, ancestor.descriptor().singleton_name?);
    }
    Some(id)
}

impl Collection {
    /// The pinned api-version used to read it.
    pub fn api_version(&self) -> &'static str {
        match self {
            Collection::List { kind, .. } | Collection::Single { kind, .. } => kind.api_version(),
            Collection::DeletedVaults { .. } => Kind::KeyVault.api_version(),
        }
    }

    /// The path read, for messages and logs.
    pub fn path(&self) -> String {
        match self {
            Collection::List { path, .. } => path.clone(),
            Collection::Single { id, .. } => id.to_string(),
            Collection::DeletedVaults { subscription } => {
                format!("/subscriptions/{subscription}/providers/Microsoft.KeyVault/deletedVaults")
            }
        }
    }

    /// A case-insensitive key to deduplicate collections.
    pub fn key(&self) -> String {
        self.path().to_ascii_lowercase()
    }

    /// The resource groups of a subscription, read as `kind` (a kind whose descriptor reads
    /// `Read::SubscriptionGroups`).
    pub fn resource_groups(subscription: &str, kind: Kind) -> Self {
        Collection::List {
            path: format!("/subscriptions/{subscription}/resourcegroups"),
            kind,
        }
    }

    /// The resource-group lists of a subscription: one per kind the descriptor table reads as
    /// `Read::SubscriptionGroups` (the resource-group kind).
    pub fn subscription_groups(subscription: &str) -> Vec<Self> {
        Kind::ALL
            .into_iter()
            .filter(|kind| kind.descriptor().read == Read::SubscriptionGroups)
            .map(|kind| Collection::resource_groups(subscription, kind))
            .collect()
    }

    /// The lists read once per subscription (every role assignment visible in it, all scopes
    /// below it, in one list).
    pub fn subscription_lists(subscription: &str) -> Vec<Self> {
        Kind::ALL
            .into_iter()
            .filter(|kind| kind.descriptor().read == Read::Subscription)
            .map(|kind| Collection::in_subscription(subscription, kind))
            .collect()
    }

    /// Resources of a top-level `kind` in a resource group.
    pub fn in_resource_group(subscription: &str, resource_group: &str, kind: Kind) -> Self {
        Collection::List {
            path: format!(
                "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/{}",
                kind.arm_type()
            ),
            kind,
        }
    }

    /// Resources of a top-level `kind` anywhere in a subscription.
    pub fn in_subscription(subscription: &str, kind: Kind) -> Self {
        Collection::List {
            path: format!(
                "/subscriptions/{subscription}/providers/{}",
                kind.arm_type()
            ),
            kind,
        }
    }

    /// Children of `kind` under `parent` (pools of a cluster, credentials of an identity).
    pub fn children(parent: &ResourceId, kind: Kind) -> Self {
        Collection::List {
            path: format!("{parent}/{}", kind.child_segment()),
            kind,
        }
    }
}

/// The collection `id` is read from, if aksctl manages its kind.
pub fn collection_of(id: &ResourceId) -> Option<Collection> {
    let kind = kind_of_id(id)?;
    let subscription = id.subscription_id()?;
    match kind.descriptor().read {
        Read::SubscriptionGroups => Some(Collection::resource_groups(subscription, kind)),
        Read::Subscription => Some(Collection::in_subscription(subscription, kind)),
        Read::ChildSingle(_) => Some(Collection::Single {
            id: id.clone(),
            kind,
        }),
        Read::ResourceGroup | Read::ChildList(_) => {
            let (path, _name) = id.as_str().rsplit_once('/')?;
            Some(Collection::List {
                path: path.to_owned(),
                kind,
            })
        }
    }
}

/// The managed kind of an id, from its provider type segments.
pub fn kind_of_id(id: &ResourceId) -> Option<Kind> {
    id.kind()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    #[test]
    fn kinds_are_recognised_from_ids() {
        let cluster = ResourceId::in_resource_group(SUB, "rg", Kind::ManagedCluster, "aks");
        assert_eq!(kind_of_id(&cluster), Some(Kind::ManagedCluster));
        assert_eq!(
            kind_of_id(&cluster.child(Kind::AgentPool, "system")),
            Some(Kind::AgentPool)
        );
        assert_eq!(
            kind_of_id(&ResourceId::resource_group(SUB, "rg")),
            Some(Kind::ResourceGroup)
        );
        let assignment = ResourceId::role_assignment(&cluster, "1234");
        assert_eq!(kind_of_id(&assignment), Some(Kind::RoleAssignment));
        let container = ResourceId::in_resource_group(SUB, "rg", Kind::StorageAccount, "st")
            .child(Kind::BlobService, "default")
            .child(Kind::BlobContainer, "c");
        assert_eq!(kind_of_id(&container), Some(Kind::BlobContainer));
        assert_eq!(
            kind_of_id(&ResourceId::new(
                "/subscriptions/x/providers/Microsoft.Network"
            )),
            None
        );
    }

    #[test]
    fn ids_map_to_their_list() {
        let pool = ResourceId::in_resource_group(SUB, "rg", Kind::ManagedCluster, "aks")
            .child(Kind::AgentPool, "system");
        assert_eq!(
            collection_of(&pool).map(|collection| collection.path()),
            Some(format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/agentPools"))
        );
        let assignment = ResourceId::role_assignment(&ResourceId::resource_group(SUB, "rg"), "g");
        assert_eq!(
            collection_of(&assignment),
            Some(Collection::in_subscription(SUB, Kind::RoleAssignment))
        );
    }
}

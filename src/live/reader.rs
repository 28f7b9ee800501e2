//! The read algorithm: which collections an estate needs, read page by page from one queue with
//! as many reads in flight as ARM's read budget allows. First resource groups, the kinds in them
//! and role assignments; as each page arrives, the children of what it holds (pools, credentials,
//! ...) and the contents of owned groups no longer declared join the queue, so a long paged list
//! of identities and their credential lists overlap; soft-deleted vaults once the first lists
//! show a declared vault missing.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use async_trait::async_trait;
use serde_json::Value;

use crate::desired::DesiredState;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::collections::{
    child_collections as children_to_read, collection_of, kind_of_id, ChildReading, Collection,
};
use crate::live::read_queue::{run_all, Outcome, PageSource, Read, ReadQueue, WholeList};
use crate::live::state::{DeletedVault, LiveResource, LiveState};
use crate::live::LiveError;

/// An error from the ARM client, kept opaque so live state does not depend on its type.
pub type ReadFailure = Box<dyn std::error::Error + Send + Sync>;

/// The ARM reads live state needs. Implemented by `arm::ArmClient`; tests use fakes.
#[async_trait]
pub trait ArmReader: Clone + Send + Sync + 'static {
    /// Every item of the list at `path`, following `nextLink`; a missing parent gives `[]`.
    async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, ReadFailure>;
    /// The resource at `id`, `None` on 404.
    async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ReadFailure>;

    /// The list at `path` page by page (the default: the whole list as one page).
    fn pages(&self, path: &str, api_version: &str) -> Box<dyn PageSource> {
        Box::new(WholeList {
            reader: self.clone(),
            path: path.to_owned(),
            api_version: api_version.to_owned(),
            done: false,
        })
    }

    /// How many reads may be in flight now without ARM refusing one (its read budget); the
    /// fan-out of collection reads. Unbounded by default (fakes).
    fn read_room(&self) -> usize {
        usize::MAX
    }
}

/// The most collection reads in flight at once, whatever the budget: ARM's documented read
/// burst. The fan-out itself follows the reader's read budget ([`ArmReader::read_room`]); the
/// ARM client's own concurrency bound must be at least this.
pub const MAX_PARALLEL_READS: usize = 250;

/// How reads are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// At most this many reads in flight (fewer when the read budget is lower).
    pub max_parallel: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_parallel: MAX_PARALLEL_READS,
        }
    }
}

/// `live::read` against any reader.
pub async fn read_with<R: ArmReader>(
    reader: &R,
    desired: &DesiredState,
    estate: &str,
    options: &ReadOptions,
) -> Result<LiveState, LiveError> {
    let declared_groups = declared_resource_groups(desired);
    let subscriptions: BTreeSet<String> = declared_groups
        .iter()
        .map(|(subscription, _)| subscription.clone())
        .chain(std::iter::once(desired.subscription.clone()))
        .filter(|subscription| !subscription.is_empty())
        .collect();

    // First: resource groups, role assignments, and the managed top-level kinds: per declared
    // group when the estate lives in one group of a subscription, otherwise one subscription-wide
    // list per kind (5 requests instead of 5 per group; it also covers owned groups the estate
    // no longer declares).
    let mut first = Vec::new();
    let mut subscription_wide = HashSet::new();
    for subscription in &subscriptions {
        first.extend(Collection::subscription_groups(subscription));
        first.extend(Collection::subscription_lists(subscription));
        let groups_here = declared_groups
            .iter()
            .filter(|(owner, _)| owner.eq_ignore_ascii_case(subscription))
            .count();
        if groups_here > 1 {
            subscription_wide.insert(subscription.to_ascii_lowercase());
            for kind in Kind::listed_per_resource_group() {
                first.push(Collection::in_subscription(subscription, kind));
            }
        }
    }
    for (subscription, group) in &declared_groups {
        if !subscription_wide.contains(&subscription.to_ascii_lowercase()) {
            for kind in Kind::listed_per_resource_group() {
                first.push(Collection::in_resource_group(subscription, group, kind));
            }
        }
    }
    let mut estate_read = EstateRead {
        desired,
        estate,
        declared_ids: desired.resources.iter().map(|r| r.id.clone()).collect(),
        declared_below: DeclaredBelow::of(desired),
        declared_group_keys: declared_groups
            .iter()
            .map(|(subscription, group)| group_key(subscription, group))
            .collect(),
        subscription_wide,
        state: LiveState::new(),
        orphan_group_keys: HashSet::new(),
        others: Vec::new(),
    };
    let mut queue = ReadQueue::new(reader, *options);
    for collection in first {
        queue.push(collection, Stage::First);
    }
    let mut first_pending = queue.queued();
    while let Some(read) = queue.next().await? {
        let Read {
            collection,
            tag: stage,
            outcome,
            finished,
        } = read;
        let follow_up = match stage {
            Stage::First => estate_read.first_page(outcome),
            Stage::Then => {
                estate_read.then_page(&collection, outcome);
                Vec::new()
            }
        };
        for collection in follow_up {
            queue.push(collection, Stage::Then);
        }
        if finished {
            estate_read.state.count_collection();
            if stage == Stage::First {
                first_pending -= 1;
                if first_pending == 0 {
                    for collection in estate_read.first_lists_done() {
                        queue.push(collection, Stage::Then);
                    }
                }
            }
        }
    }
    Ok(estate_read.state)
}

/// Which part of the read a collection belongs to: the first lists, whose items are filtered
/// by ownership and declaration; or what follows from them (children, contents of orphaned
/// groups, soft-deleted vaults), kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    First,
    Then,
}

/// What `read_with` has learnt so far.
struct EstateRead<'a> {
    desired: &'a DesiredState,
    estate: &'a str,
    declared_ids: HashSet<ResourceId>,
    /// Every (ancestor, kind) pair of the estate's declared resources and whole child lists.
    declared_below: DeclaredBelow,
    declared_group_keys: HashSet<String>,
    subscription_wide: HashSet<String>,
    state: LiveState,
    /// Owned groups the estate no longer declares.
    orphan_group_keys: HashSet<String>,
    /// Resources of the first lists other than groups, kept once every group is known.
    others: Vec<LiveResource>,
}

impl EstateRead<'_> {
    /// A page of a first list: groups are kept (owned or declared) or found orphaned (their
    /// contents are then read); other resources wait for the group verdicts, but their children
    /// are read now when the estate owns or declares them.
    fn first_page(&mut self, outcome: Outcome) -> Vec<Collection> {
        let Outcome::Items(items) = outcome else {
            return Vec::new();
        };
        let mut follow_up = Vec::new();
        for resource in items.into_iter().filter_map(LiveResource::from_body) {
            if !resource.kind.is_resource_group() {
                let owned = resource.owner() == Some(self.estate);
                if owned || self.desired.by_id(&resource.id).is_some() {
                    follow_up.extend(child_collections(&resource, &self.declared_below, owned));
                }
                self.others.push(resource);
                continue;
            }
            let owned = resource.owner() == Some(self.estate);
            let subscription = resource.id.subscription_id().unwrap_or_default().to_owned();
            let key = group_key(&subscription, resource.id.name());
            let is_declared_group = self.declared_group_keys.contains(&key);
            if owned && !is_declared_group {
                self.orphan_group_keys.insert(key);
                // What is inside an owned group the estate no longer declares (already in the
                // subscription-wide lists when those are read).
                if !self
                    .subscription_wide
                    .contains(&subscription.to_ascii_lowercase())
                {
                    for kind in Kind::listed_per_resource_group() {
                        follow_up.push(Collection::in_resource_group(
                            &subscription,
                            resource.id.name(),
                            kind,
                        ));
                    }
                }
            }
            if owned || is_declared_group {
                self.state.insert(resource);
            }
        }
        follow_up
    }

    /// Every first list is read: keep the other resources the estate needs, and look for
    /// soft-deleted vaults when a declared vault is missing.
    fn first_lists_done(&mut self) -> Vec<Collection> {
        // Scopes the estate grants roles at: an assignment there made outside aksctl (another
        // name, same scope, role and principal) counts as the declared one, so the planner needs
        // to see it.
        let granted_scopes: HashSet<ResourceId> = self
            .desired
            .resources
            .iter()
            .filter(|resource| resource.kind.owned_through_name())
            .filter_map(|resource| resource.id.parent())
            .collect();
        for resource in std::mem::take(&mut self.others) {
            let owned = resource.owner() == Some(self.estate);
            let declared = self.declared_ids.contains(&resource.id)
                || (resource.kind.owned_through_name()
                    && resource
                        .id
                        .parent()
                        .is_some_and(|scope| granted_scopes.contains(&scope)));
            // Everything in an owned group the estate no longer declares is kept: the planner
            // needs unowned content to refuse deleting such a group.
            let in_orphan_group = resource
                .id
                .subscription_id()
                .zip(resource.id.resource_group_name())
                .is_some_and(|(subscription, group)| {
                    self.orphan_group_keys
                        .contains(&group_key(subscription, group))
                });
            if owned || declared || in_orphan_group {
                self.state.insert(resource);
            }
        }
        let missing_vault_subscriptions: BTreeSet<String> = self
            .desired
            .resources
            .iter()
            .filter(|resource| {
                resource.kind.descriptor().recovers_soft_deleted
                    && !self.state.contains(&resource.id)
            })
            .filter_map(|resource| resource.id.subscription_id().map(str::to_owned))
            .collect();
        missing_vault_subscriptions
            .into_iter()
            .map(|subscription| Collection::DeletedVaults { subscription })
            .collect()
    }

    /// A page of what followed: children of kept parents and everything in owned orphan groups
    /// are kept (the planner needs unowned content to refuse deleting such a group).
    fn then_page(&mut self, collection: &Collection, outcome: Outcome) {
        match (collection, outcome) {
            (Collection::DeletedVaults { .. }, Outcome::Items(items)) => {
                for item in items {
                    if let Some(vault) = DeletedVault::from_body(&item) {
                        self.state.add_deleted_vault(vault);
                    }
                }
            }
            (Collection::List { .. }, Outcome::Items(items)) => {
                for item in items {
                    self.state.insert_body(item);
                }
            }
            (_, Outcome::Single(Some(body))) => self.state.insert_body(body),
            _ => {}
        }
    }
}

/// `live::read_ids` against any reader.
pub async fn read_ids_with<R: ArmReader>(
    reader: &R,
    ids: &[ResourceId],
    options: &ReadOptions,
) -> Result<LiveState, LiveError> {
    let wanted: HashSet<&ResourceId> = ids.iter().collect();
    // Parents before children, one round per depth: the children of a parent that is itself
    // wanted but turns out absent are absent too, so their lists are not read (a saved plan that
    // creates 600 identities does not list 600 empty credential collections).
    let mut rounds: BTreeMap<usize, BTreeMap<String, (Collection, Option<ResourceId>)>> =
        BTreeMap::new();
    for id in ids {
        let Some(collection) = collection_of(id) else {
            continue;
        };
        let kind = kind_of_id(id);
        let container = kind.and_then(Kind::parent).and_then(|_| id.parent());
        let depth = std::iter::successors(kind, |kind| kind.parent()).count();
        rounds
            .entry(depth)
            .or_default()
            .entry(collection.key())
            .or_insert((collection, container));
    }
    let mut state = LiveState::new();
    for round in rounds.into_values() {
        let collections: Vec<Collection> = round
            .into_values()
            .filter(|(_, container)| {
                container
                    .as_ref()
                    .is_none_or(|parent| !wanted.contains(parent) || state.contains(parent))
            })
            .map(|(collection, _)| collection)
            .collect();
        if collections.is_empty() {
            continue;
        }
        for (_, outcome) in run_all(reader, collections, options).await? {
            state.count_collection();
            let bodies = match outcome {
                Outcome::Items(items) => items,
                Outcome::Single(body) => body.into_iter().collect(),
            };
            for body in bodies {
                if let Some(resource) = LiveResource::from_body(body) {
                    if wanted.contains(&resource.id) {
                        state.insert(resource);
                    }
                }
            }
        }
    }
    Ok(state)
}

/// `(subscription, resource group)` of every declared resource, sorted, deduplicated.
fn declared_resource_groups(desired: &DesiredState) -> Vec<(String, String)> {
    let mut groups: BTreeMap<String, (String, String)> = BTreeMap::new();
    for resource in &desired.resources {
        let subscription = resource
            .id
            .subscription_id()
            .unwrap_or(desired.subscription.as_str());
        let group = if resource.kind.is_resource_group() {
            Some(resource.id.name())
        } else {
            resource.id.resource_group_name()
        };
        if let Some(group) = group {
            groups
                .entry(group_key(subscription, group))
                .or_insert_with(|| (subscription.to_owned(), group.to_owned()));
        }
    }
    groups.into_values().collect()
}

fn group_key(subscription: &str, group: &str) -> String {
    format!(
        "{}/{}",
        subscription.to_ascii_lowercase(),
        group.to_ascii_lowercase()
    )
}

/// Children lists of a parent the estate owns or declares: pools and maintenance
/// configurations of a cluster, replicas of a Premium registry, credentials of an identity,
/// storage sub-resources of an account (only those the estate declares or may own).
fn child_collections(
    resource: &LiveResource,
    declared_below: &DeclaredBelow,
    owned: bool,
) -> Vec<Collection> {
    let declares = |kind: Kind| declared_below.declares(&resource.id, kind);
    children_to_read(
        resource.kind,
        &resource.id,
        &resource.body,
        ChildReading::Plan {
            owned,
            declares: &declares,
        },
    )
}

/// Which kinds the estate declares somewhere below a resource: every ancestor of each declared
/// resource with that resource's kind, and each whole child list's parent and its ancestors with
/// the list's kind. Built once per read, so asking for one parent is a lookup, not a scan of the
/// estate (a fleet asks once per live resource).
struct DeclaredBelow(HashSet<(ResourceId, Kind)>);

impl DeclaredBelow {
    fn of(desired: &DesiredState) -> Self {
        let mut below = HashSet::new();
        for resource in &desired.resources {
            let mut current = resource.id.parent();
            while let Some(parent) = current {
                current = parent.parent();
                below.insert((parent, resource.kind));
            }
        }
        for (list_parent, kind) in &desired.whole_child_lists {
            let mut current = Some(list_parent.clone());
            while let Some(parent) = current {
                current = parent.parent();
                below.insert((parent, *kind));
            }
        }
        Self(below)
    }

    /// Whether the estate declares a `kind` below `parent` (or owns such a list there).
    fn declares(&self, parent: &ResourceId, kind: Kind) -> bool {
        self.0.contains(&(parent.clone(), kind))
    }
}

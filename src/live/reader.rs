//! The read algorithm: which collections an estate needs, read concurrently with bounded
//! parallelism in two rounds (resource groups, kinds in them and role assignments first; then
//! children of what was found and soft-deleted vaults when a declared vault is missing).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::desired::DesiredState;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::collections::{
    child_collections as children_to_read, collection_of, kind_of_id, ChildReading, Collection,
};
use crate::live::state::{DeletedVault, LiveResource, LiveState};
use crate::live::LiveError;

/// An error from the ARM client, kept opaque so live state does not depend on its type.
pub type ReadFailure = Box<dyn std::error::Error + Send + Sync>;

/// The two ARM reads live state needs. Implemented by `arm::ArmClient`; tests use fakes.
#[async_trait]
pub trait ArmReader: Clone + Send + Sync + 'static {
    /// Every item of the list at `path`, following `nextLink`; a missing parent gives `[]`.
    async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, ReadFailure>;
    /// The resource at `id`, `None` on 404.
    async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ReadFailure>;
}

/// Collection reads in flight at once: enough that the second round (one list per identity, per
/// cluster) of a large estate takes one or two round trips at 100 ms latency, far below ARM's read
/// throttle (250 burst); the ARM client's own concurrency bound must be at least this.
pub const MAX_PARALLEL_READS: usize = 32;

/// How reads are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// At most this many reads in flight.
    pub max_parallel: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_parallel: MAX_PARALLEL_READS,
        }
    }
}

/// What one collection read returned.
enum Outcome {
    Items(Vec<Value>),
    Single(Option<Value>),
}

/// `live::read` against any reader.
pub async fn read_with<R: ArmReader>(
    reader: &R,
    desired: &DesiredState,
    estate: &str,
    options: &ReadOptions,
) -> Result<LiveState, LiveError> {
    let mut state = LiveState::new();
    let declared_ids: HashSet<ResourceId> =
        desired.resources.iter().map(|r| r.id.clone()).collect();
    let declared_groups = declared_resource_groups(desired);
    let subscriptions: BTreeSet<String> = declared_groups
        .iter()
        .map(|(subscription, _)| subscription.clone())
        .chain(std::iter::once(desired.subscription.clone()))
        .filter(|subscription| !subscription.is_empty())
        .collect();

    // Round 1: resource groups, role assignments, and the managed top-level kinds: per declared
    // group when the estate lives in one group of a subscription, otherwise one subscription-wide
    // list per kind (one request per kind instead of one per kind per group; it also covers
    // owned groups the estate no longer declares).
    let mut first = Vec::new();
    let mut subscription_wide = HashSet::new();
    for subscription in &subscriptions {
        first.push(Collection::resource_groups(subscription));
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
    let declared_group_keys: HashSet<String> = declared_groups
        .iter()
        .map(|(subscription, group)| group_key(subscription, group))
        .collect();
    let results = run_all(reader, first, options).await?;
    let mut orphan_groups = Vec::new();
    let mut others = Vec::new();
    for (_, outcome) in results {
        state.count_collection();
        let Outcome::Items(items) = outcome else {
            continue;
        };
        for resource in items.into_iter().filter_map(LiveResource::from_body) {
            if !resource.kind.is_resource_group() {
                others.push(resource);
                continue;
            }
            let owned = resource.owner() == Some(estate);
            let is_declared_group = resource.id.subscription_id().is_some_and(|subscription| {
                declared_group_keys.contains(&group_key(subscription, resource.id.name()))
            });
            if owned && !is_declared_group {
                orphan_groups.push(resource.id.clone());
            }
            if owned || is_declared_group {
                state.insert(resource);
            }
        }
    }
    let orphan_group_keys: HashSet<String> = orphan_groups
        .iter()
        .filter_map(|group| group.subscription_id().map(|s| group_key(s, group.name())))
        .collect();
    // Scopes the estate grants roles at: an assignment there made outside aksctl (another name,
    // same scope, role and principal) counts as the declared one, so the planner needs to see it.
    let granted_scopes: HashSet<ResourceId> = desired
        .resources
        .iter()
        .filter(|resource| resource.kind.owned_through_name())
        .filter_map(|resource| resource.id.parent())
        .collect();
    for resource in others {
        let owned = resource.owner() == Some(estate);
        let declared = declared_ids.contains(&resource.id)
            || (resource.kind.owned_through_name()
                && resource
                    .id
                    .parent()
                    .is_some_and(|scope| granted_scopes.contains(&scope)));
        // Everything in an owned group the estate no longer declares is kept: the planner needs
        // unowned content to refuse deleting such a group.
        let in_orphan_group = resource
            .id
            .subscription_id()
            .zip(resource.id.resource_group_name())
            .is_some_and(|(subscription, group)| {
                orphan_group_keys.contains(&group_key(subscription, group))
            });
        if owned || declared || in_orphan_group {
            state.insert(resource);
        }
    }

    // Round 2: what is inside owned groups the estate no longer declares, children of the
    // parents found, and soft-deleted vaults holding a missing declared vault's name.
    let mut second = Vec::new();
    for group in &orphan_groups {
        if let (Some(subscription), name) = (group.subscription_id(), group.name()) {
            if subscription_wide.contains(&subscription.to_ascii_lowercase()) {
                continue;
            }
            for kind in Kind::listed_per_resource_group() {
                second.push(Collection::in_resource_group(subscription, name, kind));
            }
        }
    }
    second.extend(child_collections(&state, desired, estate));
    let missing_vault_subscriptions: BTreeSet<String> = desired
        .resources
        .iter()
        .filter(|resource| {
            resource.kind.descriptor().recovers_soft_deleted && !state.contains(&resource.id)
        })
        .filter_map(|resource| resource.id.subscription_id().map(str::to_owned))
        .collect();
    for subscription in missing_vault_subscriptions {
        second.push(Collection::DeletedVaults { subscription });
    }
    for (collection, outcome) in run_all(reader, second, options).await? {
        state.count_collection();
        match (collection, outcome) {
            (Collection::DeletedVaults { .. }, Outcome::Items(items)) => {
                for item in items {
                    if let Some(vault) = DeletedVault::from_body(&item) {
                        state.add_deleted_vault(vault);
                    }
                }
            }
            // Children of kept parents and everything in owned orphan groups are kept: the
            // planner needs unowned content to refuse deleting such a group.
            (Collection::List { .. }, Outcome::Items(items)) => {
                for item in items {
                    state.insert_body(item);
                }
            }
            (_, Outcome::Single(Some(body))) => state.insert_body(body),
            _ => {}
        }
    }
    Ok(state)
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

/// Children lists of the parents found: pools and maintenance configurations per cluster,
/// replicas per Premium registry, credentials per identity, storage sub-resources per account
/// (only those the estate declares or may own).
fn child_collections(state: &LiveState, desired: &DesiredState, estate: &str) -> Vec<Collection> {
    let declared_children = |parent: &ResourceId, kind: Kind| {
        desired
            .resources
            .iter()
            .any(|resource| resource.kind == kind && resource_is_under(&resource.id, parent))
    };
    let mut collections = Vec::new();
    for resource in state.iter() {
        let owned = resource.owner() == Some(estate);
        // Children of what is neither ours nor declared (content of an orphaned group that
        // belongs to someone else) are never needed.
        if !owned && desired.by_id(&resource.id).is_none() {
            continue;
        }
        let declares = |kind: Kind| declared_children(&resource.id, kind);
        collections.extend(children_to_read(
            resource.kind,
            &resource.id,
            &resource.body,
            ChildReading::Plan {
                owned,
                declares: &declares,
            },
        ));
    }
    collections
}

/// Whether `id` is somewhere below `ancestor` in the ARM id hierarchy.
fn resource_is_under(id: &ResourceId, ancestor: &ResourceId) -> bool {
    let mut current = id.parent();
    while let Some(parent) = current {
        if &parent == ancestor {
            return true;
        }
        current = parent.parent();
    }
    false
}

/// Runs every collection read with at most `max_parallel` in flight; results sorted by path.
async fn run_all<R: ArmReader>(
    reader: &R,
    collections: Vec<Collection>,
    options: &ReadOptions,
) -> Result<Vec<(Collection, Outcome)>, LiveError> {
    let mut unique: BTreeMap<String, Collection> = BTreeMap::new();
    for collection in collections {
        unique.entry(collection.key()).or_insert(collection);
    }
    let semaphore = Arc::new(Semaphore::new(options.max_parallel.max(1)));
    let mut tasks = JoinSet::new();
    for collection in unique.into_values() {
        let reader = reader.clone();
        let semaphore = Arc::clone(&semaphore);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let outcome = read_one(&reader, &collection).await;
            (collection, outcome)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (collection, outcome) = joined.map_err(|error| LiveError::Task(error.to_string()))?;
        let outcome = outcome.map_err(|source| LiveError::Read {
            path: collection.path(),
            source,
        })?;
        results.push((collection, outcome));
    }
    results.sort_by_cached_key(|(collection, _)| collection.key());
    Ok(results)
}

async fn read_one<R: ArmReader>(
    reader: &R,
    collection: &Collection,
) -> Result<Outcome, ReadFailure> {
    tracing::debug!(path = %collection.path(), "reading live collection");
    match collection {
        Collection::List { path, kind } => {
            let items = reader.list(path, kind.api_version()).await?;
            Ok(Outcome::Items(
                items
                    .into_iter()
                    .filter(|item| item_kind_matches(item, *kind))
                    .collect(),
            ))
        }
        Collection::DeletedVaults { .. } => Ok(Outcome::Items(
            reader
                .list(&collection.path(), collection.api_version())
                .await?,
        )),
        Collection::Single { id, kind } => {
            Ok(Outcome::Single(reader.get(id, kind.api_version()).await?))
        }
    }
}

/// Whether a listed item is of the kind the list was for (defensive against odd list contents).
fn item_kind_matches(item: &Value, kind: Kind) -> bool {
    let by_type = item
        .get("type")
        .and_then(Value::as_str)
        .and_then(Kind::from_arm_type);
    let by_id = item
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| kind_of_id(&ResourceId::new(id)));
    by_type.or(by_id) == Some(kind)
}

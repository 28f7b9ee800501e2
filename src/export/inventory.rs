//! The reads behind `aksctl export`: everything in the requested resource groups, one list per
//! collection (the group itself, each managed kind in it, everything else in it for the "not
//! exported" comments, the children of what was found, and the subscription's role assignments
//! once), run concurrently with bounded parallelism in two rounds.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::export::ExportError;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::{child_collections, ArmReader, ChildReading, Collection, ReadFailure};

/// The api-version of the generic "every resource in a group" list.
pub const GENERIC_RESOURCES_API_VERSION: &str = "2021-04-01";

/// Everything export read, as ARM returned it.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub subscription: String,
    /// The requested resource groups that exist, in the order requested.
    pub groups: Vec<Value>,
    /// Registries, vaults, storage accounts, identities and clusters in those groups.
    pub resources: Vec<Value>,
    /// Pools, maintenance configurations, replicas, federated credentials, blob services,
    /// containers and management policies.
    pub children: Vec<Value>,
    /// Every role assignment of the subscription.
    pub role_assignments: Vec<Value>,
    /// `(type, id)` of everything else the groups hold (from the generic list).
    pub others: Vec<(String, String)>,
    /// Groups whose generic list failed: their unsupported resources cannot be listed.
    pub unlisted_groups: Vec<(String, String)>,
    /// Why the subscription's role assignments could not be listed (e.g. no permission).
    pub role_assignments_unreadable: Option<String>,
    /// How many collections (lists or single GETs) were read.
    pub collections_read: usize,
}

impl Inventory {
    /// The top-level resources of `kind`, in list order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Value> {
        self.resources
            .iter()
            .filter(move |body| kind_of(body) == Some(kind))
    }

    /// The children of `kind` directly under `parent`.
    pub fn children_of<'a>(
        &'a self,
        parent: &'a ResourceId,
        kind: Kind,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.children.iter().filter(move |body| {
            kind_of(body) == Some(kind)
                && id_of(body).and_then(|id| id.parent()).as_ref() == Some(parent)
        })
    }
}

/// The managed kind of a body, from its `type`.
pub fn kind_of(body: &Value) -> Option<Kind> {
    body.get("type")
        .and_then(Value::as_str)
        .and_then(Kind::from_arm_type)
}

/// The id of a body.
pub fn id_of(body: &Value) -> Option<ResourceId> {
    body.get("id").and_then(Value::as_str).map(ResourceId::new)
}

/// The api-version of a resource group GET: the kind read per subscription as groups.
fn group_api_version() -> &'static str {
    Kind::ALL
        .into_iter()
        .find(|kind| kind.descriptor().read == crate::kind::Read::SubscriptionGroups)
        .map_or(GENERIC_RESOURCES_API_VERSION, Kind::api_version)
}

/// What one read is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Group(String),
    Kind(Kind),
    Others(String),
    Children(Kind),
    RoleAssignments,
}

#[derive(Debug, Clone)]
struct Read {
    purpose: Purpose,
    path: String,
    api_version: &'static str,
    single: bool,
}

impl Read {
    fn list(purpose: Purpose, path: String, api_version: &'static str) -> Self {
        Read {
            purpose,
            path,
            api_version,
            single: false,
        }
    }
}

/// Reads the inventory of `groups` in `subscription` with at most `max_parallel` reads in flight.
pub async fn read_inventory<R: ArmReader>(
    reader: &R,
    subscription: &str,
    groups: &[String],
    max_parallel: usize,
) -> Result<Inventory, ExportError> {
    let mut inventory = Inventory {
        subscription: subscription.to_owned(),
        ..Inventory::default()
    };
    let mut first = Vec::new();
    for group in groups {
        first.push(Read {
            purpose: Purpose::Group(group.clone()),
            path: ResourceId::resource_group(subscription, group).to_string(),
            api_version: group_api_version(),
            single: true,
        });
        for kind in Kind::listed_per_resource_group() {
            if let Collection::List { path, .. } =
                Collection::in_resource_group(subscription, group, kind)
            {
                first.push(Read::list(Purpose::Kind(kind), path, kind.api_version()));
            }
        }
        first.push(Read::list(
            Purpose::Others(group.clone()),
            format!("/subscriptions/{subscription}/resourceGroups/{group}/resources"),
            GENERIC_RESOURCES_API_VERSION,
        ));
    }
    for collection in Collection::subscription_lists(subscription) {
        if let Collection::List { path, kind } = collection {
            first.push(Read::list(
                Purpose::RoleAssignments,
                path,
                kind.api_version(),
            ));
        }
    }

    let mut found_groups: BTreeMap<String, Value> = BTreeMap::new();
    for (read, outcome) in run_all(reader, first, max_parallel).await? {
        inventory.collections_read += 1;
        let items = match (outcome, &read.purpose) {
            (Ok(items), _) => items,
            (Err(error), Purpose::Others(group)) => {
                inventory
                    .unlisted_groups
                    .push((group.clone(), error.to_string()));
                continue;
            }
            (Err(error), Purpose::RoleAssignments) => {
                inventory.role_assignments_unreadable = Some(error.to_string());
                continue;
            }
            (Err(source), _) => {
                return Err(ExportError::Read {
                    path: read.path,
                    source,
                })
            }
        };
        match &read.purpose {
            Purpose::Group(name) => {
                if let Some(body) = items.into_iter().next() {
                    found_groups.insert(name.to_ascii_lowercase(), body);
                }
            }
            Purpose::Kind(kind) => inventory.resources.extend(
                items
                    .into_iter()
                    .filter(|item| kind_of(item) == Some(*kind)),
            ),
            Purpose::Others(_) => {
                for item in items {
                    let item_type = item.get("type").and_then(Value::as_str).unwrap_or_default();
                    let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
                    if Kind::from_arm_type(item_type).is_none() && !id.is_empty() {
                        inventory.others.push((item_type.to_owned(), id.to_owned()));
                    }
                }
            }
            Purpose::RoleAssignments => inventory.role_assignments = items,
            Purpose::Children(_) => {}
        }
    }
    for group in groups {
        match found_groups.remove(&group.to_ascii_lowercase()) {
            Some(body) => inventory.groups.push(body),
            None => {
                return Err(ExportError::ResourceGroupNotFound {
                    subscription: subscription.to_owned(),
                    group: group.clone(),
                })
            }
        }
    }
    inventory.others.sort();
    inventory.others.dedup();

    let second = child_reads(&inventory.resources);
    for (read, outcome) in run_all(reader, second, max_parallel).await? {
        inventory.collections_read += 1;
        let items = outcome.map_err(|source| ExportError::Read {
            path: read.path.clone(),
            source,
        })?;
        if let Purpose::Children(kind) = read.purpose {
            inventory
                .children
                .extend(items.into_iter().filter(|item| kind_of(item) == Some(kind)));
        }
    }
    Ok(inventory)
}

/// Children lists of the parents found, from the kinds' read rules (`crate::kind`): pools and
/// maintenance configurations per cluster, replicas per Premium registry, credentials per
/// identity, blob service, containers and lifecycle policy per storage account. Lists first,
/// then the single GETs of list-less singletons.
fn child_reads(resources: &[Value]) -> Vec<Read> {
    let mut lists = Vec::new();
    let mut singles = Vec::new();
    for body in resources {
        let (Some(kind), Some(id)) = (kind_of(body), id_of(body)) else {
            continue;
        };
        for collection in child_collections(kind, &id, body, ChildReading::Export) {
            match collection {
                Collection::List { path, kind } => lists.push(Read::list(
                    Purpose::Children(kind),
                    path,
                    kind.api_version(),
                )),
                Collection::Single { id, kind } => singles.push(Read {
                    purpose: Purpose::Children(kind),
                    path: id.to_string(),
                    api_version: kind.api_version(),
                    single: true,
                }),
                Collection::DeletedVaults { .. } => {}
            }
        }
    }
    lists.extend(singles);
    lists
}

/// Runs every read with at most `max_parallel` in flight; results in the order given.
async fn run_all<R: ArmReader>(
    reader: &R,
    reads: Vec<Read>,
    max_parallel: usize,
) -> Result<Vec<(Read, Result<Vec<Value>, ReadFailure>)>, ExportError> {
    let semaphore = Arc::new(Semaphore::new(max_parallel.max(1)));
    let mut tasks = JoinSet::new();
    for (index, read) in reads.into_iter().enumerate() {
        let reader = reader.clone();
        let semaphore = Arc::clone(&semaphore);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            tracing::debug!(path = %read.path, "export: reading");
            let outcome = if read.single {
                reader
                    .get(&ResourceId::new(read.path.clone()), read.api_version)
                    .await
                    .map(|body| body.into_iter().collect())
            } else {
                reader.list(&read.path, read.api_version).await
            };
            (index, read, outcome)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        results.push(joined.map_err(|error| ExportError::Task(error.to_string()))?);
    }
    results.sort_by_key(|(index, _, _)| *index);
    Ok(results
        .into_iter()
        .map(|(_, read, outcome)| (read, outcome))
        .collect())
}

//! Running collection reads against an `ArmReader`: a queue read page by page (each collection
//! once, the next page of a list first, new work joining as pages arrive) and batches read whole,
//! both with as many reads in flight as the reader's read budget allows.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::collections::{kind_of_id, Collection};
use crate::live::reader::{ArmReader, ReadFailure, ReadOptions};
use crate::live::LiveError;

/// The pages of one list, read one at a time.
#[async_trait]
pub trait PageSource: Send {
    /// The next page's items, `None` after the last.
    async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ReadFailure>;
    /// Whether a page remains to be read (known without a request).
    fn has_more(&self) -> bool;
}

/// A whole list read as a single page.
pub(crate) struct WholeList<R> {
    pub reader: R,
    pub path: String,
    pub api_version: String,
    pub done: bool,
}

#[async_trait]
impl<R: ArmReader> PageSource for WholeList<R> {
    async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ReadFailure> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        self.reader
            .list(&self.path, &self.api_version)
            .await
            .map(Some)
    }

    fn has_more(&self) -> bool {
        !self.done
    }
}

impl ReadOptions {
    /// Reads that may be in flight now: the read budget, within `max_parallel`.
    pub(crate) fn fan_out<R: ArmReader>(&self, reader: &R) -> usize {
        reader.read_room().min(self.max_parallel).max(1)
    }
}

/// What one collection read returned.
pub(crate) enum Outcome {
    Items(Vec<Value>),
    Single(Option<Value>),
}

/// One page read from the queue.
pub(crate) struct Read<T> {
    pub collection: Collection,
    pub tag: T,
    pub outcome: Outcome,
    /// The collection's last page.
    pub finished: bool,
}

/// What a read task hands back: the page, and the rest of the list when there is more.
type PageResult<T> = (
    Collection,
    T,
    Result<Outcome, ReadFailure>,
    Option<Box<dyn PageSource>>,
);

/// A collection to read, with the rest of its pages once the first is read.
type Waiting<T> = (Collection, T, Option<Box<dyn PageSource>>);

/// Collections read page by page with as many reads in flight as the reader's budget allows;
/// each collection once, the next page of a list before new collections.
pub(crate) struct ReadQueue<'a, R: ArmReader, T> {
    reader: &'a R,
    options: ReadOptions,
    waiting: VecDeque<Waiting<T>>,
    seen: HashSet<String>,
    tasks: JoinSet<PageResult<T>>,
}

impl<'a, R: ArmReader, T: Copy + Send + 'static> ReadQueue<'a, R, T> {
    pub(crate) fn new(reader: &'a R, options: ReadOptions) -> Self {
        ReadQueue {
            reader,
            options,
            waiting: VecDeque::new(),
            seen: HashSet::new(),
            tasks: JoinSet::new(),
        }
    }

    /// Queues `collection` unless it was queued before.
    pub(crate) fn push(&mut self, collection: Collection, tag: T) {
        if self.seen.insert(collection.key()) {
            self.waiting.push_back((collection, tag, None));
        }
    }

    pub(crate) fn queued(&self) -> usize {
        self.waiting.len()
    }

    /// The next page read, `None` once everything queued is read.
    pub(crate) async fn next(&mut self) -> Result<Option<Read<T>>, LiveError> {
        let fan_out = self.options.fan_out(self.reader);
        while self.tasks.len() < fan_out {
            let Some((collection, tag, pages)) = self.waiting.pop_front() else {
                break;
            };
            let reader = self.reader.clone();
            self.tasks.spawn(read_page(reader, collection, tag, pages));
        }
        let Some(joined) = self.tasks.join_next().await else {
            return Ok(None);
        };
        let (collection, tag, outcome, rest) =
            joined.map_err(|error| LiveError::Task(error.to_string()))?;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(source) => {
                self.tasks.abort_all();
                return Err(LiveError::Read {
                    path: collection.path(),
                    source,
                });
            }
        };
        let finished = rest.is_none();
        if let Some(rest) = rest {
            self.waiting
                .push_front((collection.clone(), tag, Some(rest)));
        }
        Ok(Some(Read {
            collection,
            tag,
            outcome,
            finished,
        }))
    }
}

/// Reads one page of `collection` (the first, or the next of `pages`).
async fn read_page<R: ArmReader, T>(
    reader: R,
    collection: Collection,
    tag: T,
    pages: Option<Box<dyn PageSource>>,
) -> PageResult<T> {
    tracing::debug!(path = %collection.path(), "reading live collection");
    let (path, kind) = match &collection {
        Collection::List { path, kind } => (path.clone(), Some(*kind)),
        Collection::DeletedVaults { .. } => (collection.path(), None),
        Collection::Single { id, kind } => {
            let outcome = reader
                .get(id, kind.api_version())
                .await
                .map(Outcome::Single);
            return (collection, tag, outcome, None);
        }
    };
    let mut pages = pages.unwrap_or_else(|| reader.pages(&path, collection.api_version()));
    let page = match pages.next_page().await {
        Ok(page) => page,
        Err(error) => return (collection, tag, Err(error), None),
    };
    let Some(items) = page else {
        return (collection, tag, Ok(Outcome::Items(Vec::new())), None);
    };
    let items = match kind {
        Some(kind) => items
            .into_iter()
            .filter(|item| item_kind_matches(item, kind))
            .collect(),
        None => items,
    };
    // A list is finished when its next page is known to be empty; asking now keeps one page
    // per task (the source knows without a request whether a next link exists).
    let rest = pages.has_more().then_some(pages);
    (collection, tag, Ok(Outcome::Items(items)), rest)
}

/// Runs every collection read with as many in flight as the read budget allows (within
/// `max_parallel`); results sorted by path.
pub(crate) async fn run_all<R: ArmReader>(
    reader: &R,
    collections: Vec<Collection>,
    options: &ReadOptions,
) -> Result<Vec<(Collection, Outcome)>, LiveError> {
    let mut unique: BTreeMap<String, Collection> = BTreeMap::new();
    for collection in collections {
        unique.entry(collection.key()).or_insert(collection);
    }
    let semaphore = Arc::new(Semaphore::new(options.fan_out(reader)));
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

//! A walker over a dependency graph that knows nothing of what its nodes are (Terraform's
//! `dag.Walker` with its callback): it starts every node whose dependencies are done, highest
//! priority first, within a capacity per lane and never two nodes holding the same lock at once,
//! and runs each through an injected [`Visitor`]. A failed node skips its transitive dependants
//! only; a cancellation starts nothing new, aborts what runs and reports it.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

/// One node of the graph.
#[derive(Debug, Clone)]
pub(crate) struct Node<K> {
    /// Nodes that must be done first.
    pub depends_on: Vec<usize>,
    /// Nodes sharing a lock never run at the same time.
    pub lock: Option<K>,
    /// Higher first among ready nodes (ties in graph order).
    pub priority: u64,
    /// Which capacity the node counts against while it runs.
    pub lane: usize,
}

/// A node's run.
pub(crate) type Visit<O, F> = Pin<Box<dyn Future<Output = Result<O, F>> + Send>>;

/// What the walker runs nodes with, and whom it tells.
pub(crate) trait Visitor: Send + Sync + 'static {
    type Output: Send + 'static;
    type Failure: Send + 'static;

    /// The run of node `index` (spawned on its own task).
    fn visit(&self, index: usize) -> Visit<Self::Output, Self::Failure>;
    /// Node `index` starts.
    fn started(&self, index: usize);
    /// Node `index` ended (`elapsed` since it started).
    fn finished(
        &self,
        index: usize,
        result: &Result<Self::Output, Self::Failure>,
        elapsed: Duration,
    );
    /// Node `index` will not run because node `failed` failed.
    fn skipped(&self, index: usize, failed: usize);
    /// The failure of a node whose task panicked.
    fn panicked(&self, index: usize, message: String) -> Self::Failure;
}

/// How one node ended.
#[derive(Debug)]
pub(crate) enum Visited<O, F> {
    Done(O, Duration),
    Failed(F, Duration),
    /// Not run: node `.0` (a dependency, maybe transitive) failed.
    Skipped(usize),
    /// Running when the walk was cancelled.
    Interrupted,
}

/// The end of a walk: each node's end (`None`: never reached: cancelled before it could start,
/// or a dependency cycle).
#[derive(Debug)]
pub(crate) struct Walk<O, F> {
    pub visited: Vec<Option<Visited<O, F>>>,
    pub cancelled: bool,
}

/// Walks `nodes` with `visitor`, at most `lane_capacity[lane]` nodes of a lane at once, until
/// every reachable node ended or `cancel` turns true.
pub(crate) async fn walk<K, V>(
    nodes: &[Node<K>],
    lane_capacity: &[usize],
    visitor: Arc<V>,
    mut cancel: watch::Receiver<bool>,
) -> Walk<V::Output, V::Failure>
where
    K: Hash + Eq + Clone,
    V: Visitor,
{
    let mut walker = Walker::new(nodes, lane_capacity, visitor);
    let mut cancelled = *cancel.borrow();
    let mut cancel_open = true;
    loop {
        if !cancelled {
            walker.start_ready();
        }
        if walker.running.is_empty() {
            break;
        }
        tokio::select! {
            joined = walker.tasks.join_next_with_id() => match joined {
                Some(joined) => walker.finish(joined),
                None => break,
            },
            changed = cancel.changed(), if cancel_open && !cancelled => match changed {
                Ok(()) => cancelled = *cancel.borrow(),
                Err(_) => cancel_open = false,
            },
        }
        if cancelled {
            walker.interrupt().await;
            break;
        }
    }
    Walk {
        visited: walker.visited,
        cancelled,
    }
}

/// A node's index and how its run ended.
type Ended<O, F> = (usize, Result<O, F>);
type Joined<O, F> = Result<(tokio::task::Id, Ended<O, F>), tokio::task::JoinError>;

struct Walker<'a, K, V: Visitor> {
    nodes: &'a [Node<K>],
    lane_capacity: &'a [usize],
    visitor: Arc<V>,
    dependants: Vec<Vec<usize>>,
    waiting_on: Vec<usize>,
    visited: Vec<Option<Visited<V::Output, V::Failure>>>,
    ready: Vec<usize>,
    held_locks: HashSet<K>,
    running: HashMap<usize, Instant>,
    tasks: JoinSet<Ended<V::Output, V::Failure>>,
    task_nodes: HashMap<tokio::task::Id, usize>,
}

impl<'a, K: Hash + Eq + Clone, V: Visitor> Walker<'a, K, V> {
    fn new(nodes: &'a [Node<K>], lane_capacity: &'a [usize], visitor: Arc<V>) -> Self {
        let mut dependants = vec![Vec::new(); nodes.len()];
        for (index, node) in nodes.iter().enumerate() {
            for &dependency in &node.depends_on {
                if let Some(list) = dependants.get_mut(dependency) {
                    list.push(index);
                }
            }
        }
        let waiting_on: Vec<usize> = nodes.iter().map(|node| node.depends_on.len()).collect();
        Walker {
            nodes,
            lane_capacity,
            visitor,
            dependants,
            ready: (0..nodes.len()).filter(|&i| waiting_on[i] == 0).collect(),
            waiting_on,
            visited: (0..nodes.len()).map(|_| None).collect(),
            held_locks: HashSet::new(),
            running: HashMap::new(),
            tasks: JoinSet::new(),
            task_nodes: HashMap::new(),
        }
    }

    /// Starts every ready node its lane and lock allow, highest priority first.
    fn start_ready(&mut self) {
        let nodes = self.nodes;
        self.ready
            .sort_by(|&a, &b| nodes[b].priority.cmp(&nodes[a].priority).then(a.cmp(&b)));
        let mut position = 0;
        while position < self.ready.len() {
            let candidate = self.ready[position];
            let node = &nodes[candidate];
            let capacity = self
                .lane_capacity
                .get(node.lane)
                .copied()
                .unwrap_or(1)
                .max(1);
            let in_lane = self
                .running
                .keys()
                .filter(|&&index| nodes[index].lane == node.lane)
                .count();
            let locked = node
                .lock
                .as_ref()
                .is_some_and(|key| self.held_locks.contains(key));
            if in_lane >= capacity || locked {
                position += 1;
                continue;
            }
            self.ready.remove(position);
            if let Some(key) = &node.lock {
                self.held_locks.insert(key.clone());
            }
            self.running.insert(candidate, Instant::now());
            self.visitor.started(candidate);
            let visit = self.visitor.visit(candidate);
            let handle = self.tasks.spawn(async move { (candidate, visit.await) });
            self.task_nodes.insert(handle.id(), candidate);
        }
    }

    /// A node's task ended: record it, release its lock, then ready its dependants or skip them.
    fn finish(&mut self, joined: Joined<V::Output, V::Failure>) {
        let (index, result) = match joined {
            Ok((task, value)) => {
                self.task_nodes.remove(&task);
                value
            }
            Err(join_error) => {
                // A panicking node is a bug; it fails that node only.
                let Some(index) = self.task_nodes.remove(&join_error.id()) else {
                    return;
                };
                let failure = self.visitor.panicked(index, join_error.to_string());
                (index, Err(failure))
            }
        };
        let elapsed = self
            .running
            .remove(&index)
            .map(|since| since.elapsed())
            .unwrap_or_default();
        if let Some(key) = &self.nodes[index].lock {
            self.held_locks.remove(key);
        }
        self.visitor.finished(index, &result, elapsed);
        match result {
            Ok(output) => {
                self.visited[index] = Some(Visited::Done(output, elapsed));
                for &dependant in &self.dependants[index] {
                    self.waiting_on[dependant] = self.waiting_on[dependant].saturating_sub(1);
                    if self.waiting_on[dependant] == 0 && self.visited[dependant].is_none() {
                        self.ready.push(dependant);
                    }
                }
            }
            Err(failure) => {
                self.visited[index] = Some(Visited::Failed(failure, elapsed));
                self.skip_dependants(index);
            }
        }
    }

    /// Marks every transitive dependant of the failed node as skipped.
    fn skip_dependants(&mut self, failed: usize) {
        let mut stack: Vec<usize> = self.dependants[failed].clone();
        while let Some(index) = stack.pop() {
            if self.visited[index].is_some() {
                continue;
            }
            self.visitor.skipped(index, failed);
            self.visited[index] = Some(Visited::Skipped(failed));
            stack.extend(self.dependants[index].iter().copied());
        }
    }

    /// Cancelled: abort what runs and mark it interrupted.
    async fn interrupt(&mut self) {
        self.tasks.abort_all();
        for &index in self.running.keys() {
            self.visited[index] = Some(Visited::Interrupted);
        }
        while self.tasks.join_next().await.is_some() {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Records starts and ends; node 1 fails; each run yields once.
    #[derive(Default)]
    struct Recorder {
        log: Mutex<Vec<String>>,
    }

    impl Visitor for Recorder {
        type Output = usize;
        type Failure = String;

        fn visit(&self, index: usize) -> Visit<usize, String> {
            Box::pin(async move {
                tokio::task::yield_now().await;
                if index == 1 {
                    Err(format!("node {index} failed"))
                } else {
                    Ok(index * 10)
                }
            })
        }

        fn started(&self, index: usize) {
            self.log.lock().unwrap().push(format!("start {index}"));
        }

        fn finished(&self, index: usize, result: &Result<usize, String>, _: Duration) {
            self.log
                .lock()
                .unwrap()
                .push(format!("end {index} {}", result.is_ok()));
        }

        fn skipped(&self, index: usize, failed: usize) {
            self.log
                .lock()
                .unwrap()
                .push(format!("skip {index} after {failed}"));
        }

        fn panicked(&self, index: usize, message: String) -> String {
            format!("{index}: {message}")
        }
    }

    fn node(depends_on: &[usize], lock: Option<&'static str>, priority: u64) -> Node<&'static str> {
        Node {
            depends_on: depends_on.to_vec(),
            lock,
            priority,
            lane: 0,
        }
    }

    #[tokio::test]
    async fn dependencies_locks_priorities_and_failures() {
        // 0 -> 2; 1 (fails) -> 3 -> 4; 5 and 6 share a lock; 6 has the higher priority.
        let nodes = vec![
            node(&[], None, 1),
            node(&[], None, 1),
            node(&[0], None, 1),
            node(&[1], None, 1),
            node(&[3], None, 1),
            node(&[], Some("cluster"), 1),
            node(&[], Some("cluster"), 9),
        ];
        let recorder = Arc::new(Recorder::default());
        let (_cancel, receiver) = watch::channel(false);
        let walk = walk(&nodes, &[10], Arc::clone(&recorder), receiver).await;
        assert!(!walk.cancelled);
        assert!(matches!(walk.visited[2], Some(Visited::Done(20, _))));
        assert!(matches!(walk.visited[1], Some(Visited::Failed(_, _))));
        assert!(matches!(walk.visited[3], Some(Visited::Skipped(1))));
        assert!(matches!(walk.visited[4], Some(Visited::Skipped(1))));
        let log = recorder.log.lock().unwrap().clone();
        let position = |entry: &str| log.iter().position(|line| line == entry).unwrap();
        assert!(position("end 0 true") < position("start 2"));
        // The lock holder with the higher priority starts first; the other waits for its end.
        assert!(position("start 6") < position("start 5"));
        assert!(position("end 6 true") < position("start 5"));
        assert!(log.contains(&"skip 4 after 1".to_owned()));
        assert!(!log
            .iter()
            .any(|line| line == "start 3" || line == "start 4"));
    }

    #[tokio::test]
    async fn a_lane_runs_at_most_its_capacity_and_a_cycle_is_never_reached() {
        let nodes = vec![
            node(&[], None, 1),
            node(&[], None, 1),
            node(&[], None, 1),
            node(&[4], None, 1),
            node(&[3], None, 1),
        ];
        let recorder = Arc::new(Recorder::default());
        let (_cancel, receiver) = watch::channel(false);
        let walk = walk(&nodes, &[1], Arc::clone(&recorder), receiver).await;
        let log = recorder.log.lock().unwrap().clone();
        let mut running = 0usize;
        for line in &log {
            if line.starts_with("start") {
                running += 1;
                assert!(running <= 1, "{log:?}");
            } else if line.starts_with("end") {
                running -= 1;
            }
        }
        assert!(walk.visited[3].is_none() && walk.visited[4].is_none());
    }

    #[tokio::test]
    async fn a_cancelled_walk_starts_nothing() {
        let nodes = vec![node(&[], None, 1)];
        let recorder = Arc::new(Recorder::default());
        let (_cancel, receiver) = watch::channel(true);
        let walk = walk(&nodes, &[1], Arc::clone(&recorder), receiver).await;
        assert!(walk.cancelled);
        assert!(walk.visited[0].is_none());
        assert!(recorder.log.lock().unwrap().is_empty());
    }
}

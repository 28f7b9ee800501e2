//! The scheduler: runs an `ExecutionGraph` with at most `parallelism` operations in flight,
//! never two steps with the same lock key at once, highest estimated remaining path first. A
//! failed step skips only its dependants; a cancellation (Ctrl-C) starts nothing new, aborts the
//! local waits and reports what was in flight.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::apply::events::{
    ArmFailureReport, ExecutionEvent, ExecutionObserver, ExecutionReport, InFlight, StepLabel,
    StepOperation, StepOutcome, StepResult,
};
use crate::apply::graph::{ExecutionGraph, Step};
use crate::apply::operations::{ArmFailure, ArmOperations};
use crate::apply::writes::{self, StepContext};
use crate::id::ResourceId;
use crate::kind::Kind;

/// Tunables of a run.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// At most this many steps in flight.
    pub parallelism: usize,
    /// First wait between polls while a cluster settles or after a retryable error; doubles.
    pub initial_wait: Duration,
    /// Longest wait between polls.
    pub max_wait: Duration,
    /// Attempts for ARM's transient conflicts (409 OperationNotAllowed, concurrent credential
    /// writes, 412 after a background write) before the step fails.
    pub conflict_attempts: u32,
    /// Attempts for `PrincipalNotFound` (Entra replication) before the step fails.
    pub principal_attempts: u32,
    /// Multiplies every per-kind deadline (the sandbox runs faster than Azure).
    pub deadline_scale: f64,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            parallelism: 10,
            initial_wait: Duration::from_millis(200),
            max_wait: Duration::from_secs(10),
            conflict_attempts: 10,
            principal_attempts: 8,
            deadline_scale: 1.0,
        }
    }
}

impl ExecutorOptions {
    /// How long one operation on `kind` may take (including its long-running operation).
    pub fn deadline(&self, kind: Kind) -> Duration {
        let minutes = kind.descriptor().timing.deadline_minutes;
        Duration::from_secs(minutes * 60).mul_f64(self.deadline_scale.max(0.000_001))
    }
}

/// State shared by the scheduler and running steps.
pub(crate) struct RunState {
    pub arm: Arc<dyn ArmOperations>,
    pub observer: Arc<dyn ExecutionObserver>,
    pub options: ExecutorOptions,
    /// Final bodies of resources written in this run, by address (for deferred values).
    pub outputs: Mutex<HashMap<String, Value>>,
    /// Ids this run wrote and saw reach a terminal provisioning state: no need to GET them
    /// again before writing their children.
    pub settled_ids: Mutex<HashSet<ResourceId>>,
    /// Ids of every address in the graph (to GET a deferred value's source).
    pub ids: HashMap<String, (ResourceId, String)>,
    /// Last ARM operation URL per running step.
    pub operation_urls: Mutex<HashMap<usize, String>>,
}

/// Which budget of `parallelism` slots a step runs in. AKS cluster and pool operations spend
/// minutes polling one long-running operation each and are already serialised per cluster by
/// their lock: letting them share slots with second-long writes (identities, credentials, role
/// assignments) would park the short work behind them. So each lane gets `parallelism` slots:
/// at most N long-running AKS operations and N other operations are in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    LongRunning,
    Short,
}

impl Lane {
    fn of(step: &Step) -> Lane {
        match step.label.kind.descriptor().timing.lane {
            crate::kind::descriptor::Lane::LongRunning => Lane::LongRunning,
            crate::kind::descriptor::Lane::Short => Lane::Short,
        }
    }
}

/// Runs `graph` against `arm`, reporting to `observer`, until done or `cancel` turns true.
pub async fn execute(
    graph: ExecutionGraph,
    arm: Arc<dyn ArmOperations>,
    observer: Arc<dyn ExecutionObserver>,
    options: ExecutorOptions,
    mut cancel: watch::Receiver<bool>,
) -> ExecutionReport {
    let started = Instant::now();
    let requests_before = arm.request_count();
    let steps = Arc::new(graph.steps.clone());
    let dependants = graph.dependants();
    let parallelism = options.parallelism.max(1);
    // Where each address's value is read from: the resource the run creates/updates (for a
    // replace, the new one), else the one it deletes.
    let mut ids: HashMap<String, (ResourceId, String)> = HashMap::new();
    for step in steps.iter() {
        let entry = (step.label.id.clone(), step.api_version.clone());
        if step.label.operation == StepOperation::Delete {
            ids.entry(step.label.address.clone()).or_insert(entry);
        } else {
            ids.insert(step.label.address.clone(), entry);
        }
    }
    let state = Arc::new(RunState {
        ids,
        arm,
        observer,
        options,
        outputs: Mutex::new(HashMap::new()),
        settled_ids: Mutex::new(HashSet::new()),
        operation_urls: Mutex::new(HashMap::new()),
    });
    state
        .observer
        .on_event(&ExecutionEvent::Planned { total: steps.len() });

    let mut waiting_on: Vec<usize> = steps.iter().map(|step| step.depends_on.len()).collect();
    let mut outcomes: Vec<Option<StepOutcome>> = vec![None; steps.len()];
    let mut ready: Vec<usize> = (0..steps.len()).filter(|&i| waiting_on[i] == 0).collect();
    let mut held_locks: HashSet<ResourceId> = HashSet::new();
    let mut running: HashMap<usize, Instant> = HashMap::new();
    let mut tasks: JoinSet<(usize, Result<Option<String>, ArmFailure>)> = JoinSet::new();
    let mut task_steps: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut cancelled = *cancel.borrow();
    let mut cancel_open = true;

    loop {
        if !cancelled {
            // Highest priority first; ties in graph order.
            ready.sort_by(|&a, &b| steps[b].priority.cmp(&steps[a].priority).then(a.cmp(&b)));
            let mut index = 0;
            while index < ready.len() {
                let candidate = ready[index];
                let lane = Lane::of(&steps[candidate]);
                let in_lane = running
                    .keys()
                    .filter(|&&i| Lane::of(&steps[i]) == lane)
                    .count();
                if in_lane >= parallelism {
                    index += 1;
                    continue;
                }
                let lock = steps[candidate].lock.clone();
                if lock.as_ref().is_some_and(|key| held_locks.contains(key)) {
                    index += 1;
                    continue;
                }
                ready.remove(index);
                if let Some(key) = lock {
                    held_locks.insert(key);
                }
                running.insert(candidate, Instant::now());
                state.observer.on_event(&ExecutionEvent::Started {
                    step: steps[candidate].label.clone(),
                });
                let context = StepContext {
                    state: Arc::clone(&state),
                    steps: Arc::clone(&steps),
                    index: candidate,
                };
                let handle =
                    tasks.spawn(async move { (candidate, writes::run_step(context).await) });
                task_steps.insert(handle.id(), candidate);
            }
        }
        if running.is_empty() {
            break;
        }
        let joined = tokio::select! {
            joined = tasks.join_next_with_id() => joined,
            changed = cancel.changed(), if cancel_open && !cancelled => {
                match changed {
                    Ok(()) => cancelled = *cancel.borrow(),
                    Err(_) => cancel_open = false,
                }
                if cancelled {
                    break;
                }
                continue;
            }
        };
        let Some(joined) = joined else { break };
        let (index, result) = match joined {
            Ok((task, value)) => {
                task_steps.remove(&task);
                value
            }
            Err(join_error) => {
                // A panicking step is a bug; it fails that step only.
                let Some(index) = task_steps.remove(&join_error.id()) else {
                    continue;
                };
                (
                    index,
                    Err(ArmFailure::local("InternalError", join_error.to_string())),
                )
            }
        };
        let elapsed = running
            .remove(&index)
            .map(|since| since.elapsed())
            .unwrap_or_default();
        if let Some(key) = &steps[index].lock {
            held_locks.remove(key);
        }
        let label = steps[index].label.clone();
        match result {
            Ok(note) => {
                state.observer.on_event(&ExecutionEvent::Finished {
                    step: label,
                    elapsed,
                    note: note.clone(),
                });
                outcomes[index] = Some(StepOutcome::Done { note, elapsed });
                for &dependant in &dependants[index] {
                    waiting_on[dependant] = waiting_on[dependant].saturating_sub(1);
                    if waiting_on[dependant] == 0 && outcomes[dependant].is_none() {
                        ready.push(dependant);
                    }
                }
            }
            Err(failure) => {
                state.observer.on_event(&ExecutionEvent::Failed {
                    step: label.clone(),
                    elapsed,
                    failure: failure.clone(),
                });
                outcomes[index] = Some(StepOutcome::Failed {
                    failure: ArmFailureReport::from(&failure),
                    elapsed,
                });
                skip_dependants(index, &label, &dependants, &steps, &mut outcomes, &state);
            }
        }
    }

    if cancelled {
        tasks.abort_all();
        let urls = state
            .operation_urls
            .lock()
            .map(|urls| urls.clone())
            .unwrap_or_default();
        let mut in_flight: Vec<InFlight> = running
            .keys()
            .map(|&index| InFlight {
                step: steps[index].label.clone(),
                operation_url: urls.get(&index).cloned(),
            })
            .collect();
        in_flight.sort_by_key(|flight| flight.step.index);
        for flight in &in_flight {
            outcomes[flight.step.index] = Some(StepOutcome::Interrupted {
                operation_url: flight.operation_url.clone(),
            });
        }
        state
            .observer
            .on_event(&ExecutionEvent::Interrupted { in_flight });
        while tasks.join_next().await.is_some() {}
    }

    let steps_results: Vec<StepResult> = steps
        .iter()
        .zip(outcomes)
        .map(|(step, outcome)| StepResult {
            step: step.label.clone(),
            outcome: outcome.unwrap_or_else(|| {
                let because = if cancelled {
                    "not started: the run was interrupted".to_owned()
                } else {
                    "not started: its dependencies never became ready (a dependency cycle)"
                        .to_owned()
                };
                state.observer.on_event(&ExecutionEvent::Skipped {
                    step: step.label.clone(),
                    because: because.clone(),
                });
                StepOutcome::Skipped { because }
            }),
        })
        .collect();
    ExecutionReport {
        steps: steps_results,
        elapsed: started.elapsed(),
        arm_requests: state.arm.request_count().saturating_sub(requests_before),
        interrupted: cancelled,
    }
}

/// Marks every transitive dependant of a failed step as skipped.
fn skip_dependants(
    failed: usize,
    failed_label: &StepLabel,
    dependants: &[Vec<usize>],
    steps: &[crate::apply::graph::Step],
    outcomes: &mut [Option<StepOutcome>],
    state: &RunState,
) {
    let mut stack: Vec<usize> = dependants[failed].clone();
    while let Some(index) = stack.pop() {
        if outcomes[index].is_some() {
            continue;
        }
        let because = format!(
            "{} of {} failed",
            failed_label.operation.verb(),
            failed_label.address
        );
        state.observer.on_event(&ExecutionEvent::Skipped {
            step: steps[index].label.clone(),
            because: because.clone(),
        });
        outcomes[index] = Some(StepOutcome::Skipped { because });
        stack.extend(dependants[index].iter().copied());
    }
}

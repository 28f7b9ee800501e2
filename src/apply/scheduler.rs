//! The scheduler: runs an `ExecutionGraph` through the resource-agnostic walker (`walker.rs`)
//! with the step runner (`writes.rs`) injected: at most `parallelism` operations in flight per
//! lane, never two steps with the same lock key at once, highest estimated remaining path first.
//! A failed step skips only its dependants; a cancellation (Ctrl-C) starts nothing new, aborts
//! the local waits and reports what was in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::apply::context::{RunState, StepContext};
use crate::apply::events::{
    ArmFailureReport, ExecutionEvent, ExecutionObserver, ExecutionReport, InFlight, StepOutcome,
    StepResult,
};
use crate::apply::graph::{ExecutionGraph, Step};
use crate::apply::operations::{ArmFailure, ArmOperations};
pub use crate::apply::options::ExecutorOptions;
use crate::apply::walker::{self, Node, Visit, Visited, Visitor};
use crate::apply::writes;
use crate::id::ResourceId;

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
    const COUNT: usize = 2;

    fn index(self) -> usize {
        match self {
            Lane::LongRunning => 0,
            Lane::Short => 1,
        }
    }

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
    cancel: watch::Receiver<bool>,
) -> ExecutionReport {
    let started = Instant::now();
    let requests_before = arm.request_count();
    let steps = Arc::new(graph.steps);
    let parallelism = options.parallelism.max(1);
    let state = Arc::new(RunState::new(&steps, arm, observer, options));
    state
        .observer
        .on_event(&ExecutionEvent::Planned { total: steps.len() });
    let nodes: Vec<Node<ResourceId>> = steps
        .iter()
        .map(|step| Node {
            depends_on: step.depends_on.clone(),
            lock: step.lock.clone(),
            priority: step.priority,
            lane: Lane::of(step).index(),
        })
        .collect();
    let runner = Arc::new(StepRunner {
        state: Arc::clone(&state),
        steps: Arc::clone(&steps),
    });
    let walk = walker::walk(&nodes, &[parallelism; Lane::COUNT], runner, cancel).await;
    let interrupted = walk.cancelled;
    if interrupted {
        report_in_flight(&steps, &state, &walk.visited);
    }
    let steps_results: Vec<StepResult> = steps
        .iter()
        .zip(walk.visited)
        .map(|(step, visited)| StepResult {
            step: step.label.clone(),
            outcome: outcome_of(step, &steps, &state, visited, interrupted),
        })
        .collect();
    ExecutionReport {
        steps: steps_results,
        elapsed: started.elapsed(),
        arm_requests: state.arm.request_count().saturating_sub(requests_before),
        interrupted,
    }
}

/// Runs each step through `writes` and reports its start, end and skips as events.
struct StepRunner {
    state: Arc<RunState>,
    steps: Arc<Vec<Step>>,
}

/// The reason a step is skipped after `failed` failed.
fn failed_dependency(steps: &[Step], failed: usize) -> String {
    let label = &steps[failed].label;
    format!("{} of {} failed", label.operation.verb(), label.address)
}

impl Visitor for StepRunner {
    type Output = Option<String>;
    type Failure = ArmFailure;

    fn visit(&self, index: usize) -> Visit<Option<String>, ArmFailure> {
        Box::pin(writes::run_step(StepContext {
            state: Arc::clone(&self.state),
            steps: Arc::clone(&self.steps),
            index,
        }))
    }

    fn started(&self, index: usize) {
        self.state.observer.on_event(&ExecutionEvent::Started {
            step: self.steps[index].label.clone(),
        });
    }

    fn finished(
        &self,
        index: usize,
        result: &Result<Option<String>, ArmFailure>,
        elapsed: Duration,
    ) {
        let step = self.steps[index].label.clone();
        self.state.observer.on_event(&match result {
            Ok(note) => ExecutionEvent::Finished {
                step,
                elapsed,
                note: note.clone(),
            },
            Err(failure) => ExecutionEvent::Failed {
                step,
                elapsed,
                failure: failure.clone(),
            },
        });
    }

    fn skipped(&self, index: usize, failed: usize) {
        self.state.observer.on_event(&ExecutionEvent::Skipped {
            step: self.steps[index].label.clone(),
            because: failed_dependency(&self.steps, failed),
        });
    }

    fn panicked(&self, _index: usize, message: String) -> ArmFailure {
        ArmFailure::local("InternalError", message)
    }
}

/// Ctrl-C: what was in flight, with ARM's operation URL when one was reported.
fn report_in_flight(
    steps: &[Step],
    state: &RunState,
    visited: &[Option<Visited<Option<String>, ArmFailure>>],
) {
    let in_flight: Vec<InFlight> = visited
        .iter()
        .enumerate()
        .filter(|(_, visited)| matches!(visited, Some(Visited::Interrupted)))
        .map(|(index, _)| InFlight {
            step: steps[index].label.clone(),
            operation_url: operation_url(state, index),
        })
        .collect();
    state
        .observer
        .on_event(&ExecutionEvent::Interrupted { in_flight });
}

fn operation_url(state: &RunState, index: usize) -> Option<String> {
    state
        .operation_urls
        .lock()
        .ok()
        .and_then(|urls| urls.get(&index).cloned())
}

/// How `step` ended, as the report says it; a step never reached is reported skipped.
fn outcome_of(
    step: &Step,
    steps: &[Step],
    state: &RunState,
    visited: Option<Visited<Option<String>, ArmFailure>>,
    interrupted: bool,
) -> StepOutcome {
    match visited {
        Some(Visited::Done(note, elapsed)) => StepOutcome::Done { note, elapsed },
        Some(Visited::Failed(failure, elapsed)) => StepOutcome::Failed {
            failure: ArmFailureReport::from(&failure),
            elapsed,
        },
        Some(Visited::Skipped(failed)) => StepOutcome::Skipped {
            because: failed_dependency(steps, failed),
        },
        Some(Visited::Interrupted) => StepOutcome::Interrupted {
            operation_url: operation_url(state, step.label.index),
        },
        None => {
            let because = if interrupted {
                "not started: the run was interrupted".to_owned()
            } else {
                "not started: its dependencies never became ready (a dependency cycle)".to_owned()
            };
            state.observer.on_event(&ExecutionEvent::Skipped {
                step: step.label.clone(),
                because: because.clone(),
            });
            StepOutcome::Skipped { because }
        }
    }
}

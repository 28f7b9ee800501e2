//! What a running step may read and report: the run's shared state (ARM, the observer, options,
//! bodies written so far, ids already settled, operation URLs) and the step's own context
//! (its graph position, its events, its write options, its retry policies). Steps use it; the
//! scheduler builds it; it knows nothing of either.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::apply::events::{ExecutionEvent, StepOperation};
use crate::apply::graph::Step;
use crate::apply::operations::{ArmOperations, OperationProgress, WriteRequest};
use crate::apply::options::ExecutorOptions;
use crate::apply::retry::{Bound, RetryPolicy};
use crate::apply::ExecutionObserver;
use crate::id::ResourceId;

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

impl RunState {
    pub(crate) fn new(
        steps: &[Step],
        arm: Arc<dyn ArmOperations>,
        observer: Arc<dyn ExecutionObserver>,
        options: ExecutorOptions,
    ) -> RunState {
        // Where each address's value is read from: the resource the run creates/updates (for a
        // replace, the new one), else the one it deletes.
        let mut ids: HashMap<String, (ResourceId, String)> = HashMap::new();
        for step in steps {
            let entry = (step.label.id.clone(), step.api_version.clone());
            if step.label.operation == StepOperation::Delete {
                ids.entry(step.label.address.clone()).or_insert(entry);
            } else {
                ids.insert(step.label.address.clone(), entry);
            }
        }
        RunState {
            arm,
            observer,
            options,
            outputs: Mutex::new(HashMap::new()),
            settled_ids: Mutex::new(HashSet::new()),
            ids,
            operation_urls: Mutex::new(HashMap::new()),
        }
    }

    /// Whether this run wrote `id` and saw it settle.
    pub(crate) fn is_settled(&self, id: &ResourceId) -> bool {
        self.settled_ids
            .lock()
            .is_ok_and(|settled| settled.contains(id))
    }
}

/// A running step and what it may read.
pub(crate) struct StepContext {
    pub state: Arc<RunState>,
    pub steps: Arc<Vec<Step>>,
    pub index: usize,
}

impl StepContext {
    pub(crate) fn step(&self) -> &Step {
        &self.steps[self.index]
    }

    /// Reports why the step is waiting.
    pub(crate) fn waiting(&self, reason: String) {
        self.state.observer.on_event(&ExecutionEvent::Waiting {
            step: self.step().label.clone(),
            reason,
        });
    }

    /// Polling until ARM settles: doubling waits until `deadline`.
    pub(crate) fn settle_policy(&self, deadline: std::time::Duration) -> RetryPolicy {
        self.policy(Bound::Deadline(deadline))
    }

    /// Retrying ARM's transient conflicts on this step: doubling waits until the deadline of
    /// the step's kind (descriptor timing), however many tries that takes.
    pub(crate) fn conflict_policy(&self) -> RetryPolicy {
        self.policy(Bound::Deadline(self.conflict_deadline()))
    }

    /// How long this step's transient conflicts are retried: its kind's deadline.
    pub(crate) fn conflict_deadline(&self) -> std::time::Duration {
        self.state.options.deadline(self.step().label.kind)
    }

    /// Retrying ARM's transient answers: doubling waits, at most `attempts` tries.
    pub(crate) fn attempts_policy(&self, attempts: u32) -> RetryPolicy {
        self.policy(Bound::Attempts(attempts))
    }

    fn policy(&self, bound: Bound) -> RetryPolicy {
        RetryPolicy {
            bound,
            initial_wait: self.state.options.initial_wait,
            max_wait: self.state.options.max_wait,
        }
    }

    /// Options of one write of this step: its deadline, `if_match`, and its progress and
    /// throttling waits reported as the step's events.
    pub(crate) fn write_request(&self, if_match: Option<String>) -> WriteRequest {
        let state = Arc::clone(&self.state);
        let label = self.step().label.clone();
        let index = self.index;
        let waiting_state = Arc::clone(&self.state);
        let waiting_label = self.step().label.clone();
        WriteRequest {
            if_match,
            deadline: self.state.options.deadline(self.step().label.kind),
            progress: Some(Arc::new(move |progress: OperationProgress| {
                if let (Some(url), Ok(mut urls)) =
                    (&progress.operation_url, state.operation_urls.lock())
                {
                    urls.insert(index, url.clone());
                }
                state.observer.on_event(&ExecutionEvent::Progress {
                    step: label.clone(),
                    status: progress.status.clone(),
                    percent_complete: progress.percent_complete,
                });
            })),
            waiting: Some(Arc::new(move |reason: String| {
                waiting_state.observer.on_event(&ExecutionEvent::Waiting {
                    step: waiting_label.clone(),
                    reason,
                });
            })),
        }
    }
}

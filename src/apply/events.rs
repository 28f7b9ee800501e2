//! What the executor tells the outside world while it runs (events, for progress rendering) and
//! at the end (the `ExecutionReport`). The executor never prints; `render` consumes these.

use std::time::Duration;

use serde::Serialize;

use crate::apply::operations::ArmFailure;
use crate::id::ResourceId;
use crate::kind::Kind;

/// What a step does to ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StepOperation {
    Create,
    Update,
    Delete,
}

impl StepOperation {
    pub fn verb(self) -> &'static str {
        match self {
            StepOperation::Create => "create",
            StepOperation::Update => "update",
            StepOperation::Delete => "delete",
        }
    }

    pub fn progressive(self) -> &'static str {
        match self {
            StepOperation::Create => "creating",
            StepOperation::Update => "updating",
            StepOperation::Delete => "deleting",
        }
    }
}

/// Identity of a step, as events and the report name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepLabel {
    /// Position in the execution graph (stable within one run).
    pub index: usize,
    pub address: String,
    pub kind: Kind,
    pub id: ResourceId,
    pub operation: StepOperation,
}

/// One thing that happened during execution.
#[derive(Debug, Clone)]
pub enum ExecutionEvent {
    /// The executor is about to run `total` steps.
    Planned {
        total: usize,
    },
    Started {
        step: StepLabel,
    },
    /// ARM reported progress of the step's long-running operation.
    Progress {
        step: StepLabel,
        status: String,
        percent_complete: Option<f64>,
    },
    /// The step is waiting (for a cluster to settle, a retry after a conflict, ...).
    Waiting {
        step: StepLabel,
        reason: String,
    },
    Finished {
        step: StepLabel,
        elapsed: Duration,
        note: Option<String>,
    },
    Failed {
        step: StepLabel,
        elapsed: Duration,
        failure: ArmFailure,
    },
    /// Not run because a step it depends on failed (or the run was interrupted).
    Skipped {
        step: StepLabel,
        because: String,
    },
    /// Ctrl-C: no new operation starts; these were in flight.
    Interrupted {
        in_flight: Vec<InFlight>,
    },
}

/// A step that was running when the run was interrupted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InFlight {
    pub step: StepLabel,
    /// ARM's operation URL when the operation had reported one: it keeps running in Azure.
    pub operation_url: Option<String>,
}

/// Receives execution events; implemented by the progress renderer (and by tests).
pub trait ExecutionObserver: Send + Sync {
    fn on_event(&self, event: &ExecutionEvent);
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct SilentObserver;

impl ExecutionObserver for SilentObserver {
    fn on_event(&self, _event: &ExecutionEvent) {}
}

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum StepOutcome {
    Done {
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(rename = "elapsedMs", serialize_with = "as_millis")]
        elapsed: Duration,
    },
    Failed {
        failure: ArmFailureReport,
        #[serde(rename = "elapsedMs", serialize_with = "as_millis")]
        elapsed: Duration,
    },
    Skipped {
        because: String,
    },
    Interrupted {
        #[serde(skip_serializing_if = "Option::is_none")]
        operation_url: Option<String>,
    },
}

/// An `ArmFailure` in the report's JSON shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmFailureReport {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl From<&ArmFailure> for ArmFailureReport {
    fn from(failure: &ArmFailure) -> Self {
        ArmFailureReport {
            status: failure.status,
            code: failure.code.clone(),
            message: failure.message.clone(),
            request_id: failure.request_id.clone(),
        }
    }
}

fn as_millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

/// One step and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub step: StepLabel,
    #[serde(flatten)]
    pub outcome: StepOutcome,
}

/// The end-of-run report: every step's outcome, in execution-graph order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionReport {
    pub steps: Vec<StepResult>,
    #[serde(rename = "elapsedMs", serialize_with = "as_millis")]
    pub elapsed: Duration,
    /// HTTP requests sent to ARM during the run.
    pub arm_requests: u64,
    pub interrupted: bool,
}

impl ExecutionReport {
    pub fn count(&self, matches: impl Fn(&StepOutcome) -> bool) -> usize {
        self.steps
            .iter()
            .filter(|result| matches(&result.outcome))
            .count()
    }

    pub fn done(&self) -> usize {
        self.count(|outcome| matches!(outcome, StepOutcome::Done { .. }))
    }

    pub fn failed(&self) -> usize {
        self.count(|outcome| matches!(outcome, StepOutcome::Failed { .. }))
    }

    pub fn skipped(&self) -> usize {
        self.count(|outcome| matches!(outcome, StepOutcome::Skipped { .. }))
    }

    /// Whether everything ran and succeeded.
    pub fn succeeded(&self) -> bool {
        !self.interrupted
            && self
                .steps
                .iter()
                .all(|result| matches!(result.outcome, StepOutcome::Done { .. }))
    }
}

//! Apply: executes a plan as a dependency graph within ARM's concurrency rules, and reports.
//!
//! - `graph`: plan changes -> steps with edges, lock keys and priorities;
//! - `walker`: walks any dependency graph with bounded parallelism per lane, locks, failure
//!   propagation and Ctrl-C, running nodes through an injected visitor; knows no resources;
//! - `scheduler`: runs the steps of a graph through the walker with `writes` as the visitor,
//!   and builds the report;
//! - `context`: what a running step may read and report (the run's shared state);
//! - `options`: the run's tunables (parallelism, waits, attempts, per-kind deadlines);
//! - `retry`: the one bounded retry (deadline or attempts, doubling waits, reported);
//! - `writes`: how one step talks to ARM (read-modify-write, role assignments, vault recovery,
//!   deletes with guards, bounded retries of ARM's transient conflicts);
//! - `settle`: waiting for clusters, pools and parents to finish provisioning before a write;
//! - `ownership`: what an estate owns (destroy plan) and the resource-group emptiness guard;
//! - `events`: what the executor reports while running and at the end (rendered by `render`);
//! - `body`: merging and stripping request bodies;
//! - `gates`: refusing destructive plans without the flags, and stale saved plans;
//! - `operations`: the ARM calls the executor needs, as a trait (fake in unit tests).

pub mod body;
mod client_adapter;
mod context;
pub mod events;
pub mod gates;
pub mod graph;
pub mod operations;
mod options;
pub mod ownership;
mod retry;
pub mod scheduler;
mod settle;
mod walker;
mod writes;

pub use events::{ExecutionEvent, ExecutionObserver, ExecutionReport, StepOutcome};
pub use graph::ExecutionGraph;
pub use operations::{ArmFailure, ArmOperations};
pub use scheduler::{execute, ExecutorOptions};

#[cfg(test)]
mod tests;

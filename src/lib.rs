//! aksctl: declare a whole AKS estate in YAML and converge Azure to it.
//!
//! Data flows one way, each stage a module that does not print:
//!
//! ```text
//! spec (YAML files -> validated Estate)
//!   -> desired (Estate -> ARM bodies per resource, with unknowns and dependencies)
//!   -> live    (ARM reads, one list per collection -> live bodies + fingerprints)
//!   -> diff    (desired vs live, per kind: declared fields only, normalized -> changes + reasons)
//!   -> plan    (plan as data: actions, before/after, reasons, order, fingerprints)
//!   -> apply   (executor: dependency graph, ARM's concurrency rules, LRO polling -> report)
//!   -> render  (the only code that prints: text, JSON, markdown, progress)
//! ```
//!
//! `arm` is the ARM client (credentials, pipeline, retries, paging, long-running operations);
//! `commands` has one file per subcommand and wires the stages together.

pub mod apply;
pub mod arm;
pub mod check;
pub mod cli;
pub mod commands;
pub mod desired;
pub mod diff;
pub mod export;
pub mod id;
pub mod kind;
pub mod live;
pub mod outputs;
pub mod plan;
pub mod planner;
pub mod render;
pub mod sandbox;
pub mod spec;

pub use commands::{run, ExitStatus};

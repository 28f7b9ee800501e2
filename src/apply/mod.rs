//! Apply: executes a plan as a dependency graph within ARM's concurrency rules, and reports.

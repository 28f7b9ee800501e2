//! Live state: what ARM has, read one list per collection, with fingerprints for stale-plan checks.

//! The long randomized reliability runs (issue 8): seeded random fault mixes and SIGKILL
//! crash-resume against mock-arm, reusing the `it` suite's harness. By default a short sample runs
//! (so `cargo test --workspace` stays fast); `AKSCTL_SOAK_SEEDS=50` runs 50 fault seeds and then
//! 20 crash seeds (`AKSCTL_SOAK_CRASH_SEEDS` overrides), `AKSCTL_SOAK_FIRST_SEED` shifts the
//! range to reproduce one seed. Every failing seed is collected and reported at the end.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

#[path = "../it/reliability/chaos.rs"]
mod chaos;
#[path = "../it/common/mod.rs"]
mod common;
#[path = "../it/reliability/harness.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

/// First seed of the short default sample (the `it` suite samples seeds 0..3).
const SHORT_FIRST_SEED: u64 = 100;

fn number(name: &str) -> Option<u64> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
}

fn seeds(count_variable: &str, long_default: u64, short_default: u64) -> std::ops::Range<u64> {
    let long = number("AKSCTL_SOAK_SEEDS").is_some();
    let count = number(count_variable).unwrap_or(if long { long_default } else { short_default });
    let first = number("AKSCTL_SOAK_FIRST_SEED").unwrap_or(if long { 0 } else { SHORT_FIRST_SEED });
    first..first + count
}

fn run_seeds<T: std::fmt::Debug>(what: &str, range: std::ops::Range<u64>, scenario: fn(u64) -> T) {
    let started = Instant::now();
    let total = range.end - range.start;
    let mut failures = Vec::new();
    for seed in range {
        let seed_started = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| scenario(seed))) {
            Ok(report) => eprintln!(
                "{what} seed {seed}: ok in {:?}: {report:?}",
                seed_started.elapsed()
            ),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
                    .unwrap_or_default();
                eprintln!("{what} seed {seed}: FAILED");
                failures.push(format!("seed {seed}: {message}"));
            }
        }
    }
    eprintln!(
        "{what}: {} of {total} seeds passed in {:?}",
        total - failures.len() as u64,
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{what}: {} of {total} seeds failed (re-run one with AKSCTL_SOAK_SEEDS=1 AKSCTL_SOAK_FIRST_SEED=N):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn random_fault_mixes_converge() {
    run_seeds(
        "random faults",
        seeds("AKSCTL_SOAK_SEEDS", 50, 2),
        chaos::random_faults,
    );
}

#[test]
fn killed_applies_resume_without_orphans() {
    run_seeds(
        "crash-resume",
        seeds("AKSCTL_SOAK_CRASH_SEEDS", 20, 2),
        chaos::crash_and_resume,
    );
}

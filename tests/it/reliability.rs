//! The reliability and security suite (issue 8): faults during apply (`faults`), seeded random
//! fault mixes and SIGKILL crash-resume (`chaos`, short sample here; the long runs are the `soak`
//! target), malformed ARM answers (`malformed`), CLI misuse (`misuse`), ownership and gates
//! (`safety`), secrets and plain-http refusal (`secrets`), and property-based fuzzing of the
//! estate parser and ARM models (`fuzz`). See `docs/reliability.md`.

#![allow(clippy::unwrap_used)]

pub(crate) mod chaos;
mod faults;
mod fuzz;
pub(crate) mod harness;
mod interposer;
mod malformed;
mod misuse;
mod safety;
mod secrets;

/// Seeds of the short sample run by `cargo test` (the soak target runs many more).
const SAMPLE_SEEDS: u64 = 3;

#[test]
fn random_fault_mixes_converge_sample() {
    for seed in 0..SAMPLE_SEEDS {
        let report = chaos::random_faults(seed);
        assert!(report.reruns <= 2, "{report:?}");
    }
}

#[test]
fn killed_apply_resumes_without_orphans_sample() {
    for seed in 0..SAMPLE_SEEDS {
        chaos::crash_and_resume(seed);
    }
}

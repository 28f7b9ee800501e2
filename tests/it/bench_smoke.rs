//! The CI smoke run of the benchmark harness (`benches/aksctl/`, `cargo bench --bench aksctl`):
//! E-lab and a tiny generated fleet at 0 ms latency with fast operations, the naive baseline and
//! a throttled run included. It checks that every measurement happened and is consistent, never
//! timings. The harness modules' own unit tests run here too.

#[allow(dead_code)]
#[path = "../../benches/aksctl/harness/mod.rs"]
mod harness;

mod critical_path;
mod parts;

use std::path::PathBuf;

use crate::common;

#[test]
fn benchmark_harness_measures_lab_and_a_tiny_fleet() {
    let options = harness::Options::smoke(
        PathBuf::from(env!("CARGO_BIN_EXE_aksctl")),
        common::repo_path(""),
    );
    let results = harness::run(&options).unwrap_or_else(|error| panic!("harness: {error}"));
    let labels: Vec<&str> = results.estates.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["E-lab", "E-fleet"]);
    for estate in &results.estates {
        let label = &estate.label;
        assert!(estate.resources > 0, "{label}: empty plan");
        assert!(
            estate.noop.converged,
            "{label}: the plan after apply has changes"
        );
        assert!(
            estate.noop.requests.total > 0,
            "{label}: no-op plan sent no request"
        );
        assert_eq!(
            estate.noop.requests.writes, 0,
            "{label}: a plan wrote to ARM"
        );
        assert_eq!(
            estate.naive_plan.requests,
            Some(estate.resources),
            "{label}"
        );
        assert!(!estate.naive_apply.modelled, "{label}: naive apply not run");
        assert!(estate
            .naive_apply
            .requests
            .is_some_and(|n| n >= estate.resources / 2));
        assert!(
            estate.apply.requests.writes > 0,
            "{label}: apply wrote nothing"
        );
        assert!(
            estate.apply_execution.is_some(),
            "{label}: no `apply complete` line"
        );
        let bound = &estate.bound;
        assert!(
            bound.steps > 0 && bound.steps <= estate.resources,
            "{label}"
        );
        assert!(bound.serialised_ms >= bound.longest_path_ms, "{label}");
        assert!(bound.sequential_ms >= bound.serialised_ms, "{label}");
        assert!(!bound.chain.is_empty(), "{label}");
    }
    let fleet = &results.estates[1];
    assert_eq!(
        Some(fleet.resources),
        fleet.expected_resources,
        "generator count"
    );
    let throttle = results.throttle.as_ref().expect("throttled run");
    assert!(throttle.plan.error.is_none(), "{:?}", throttle.plan.error);
    assert!(
        throttle.apply.run.error.is_none(),
        "{:?}",
        throttle.apply.run.error
    );
    let shared = throttle.shared.as_ref().expect("shared-subscription run");
    assert!(shared.run.error.is_none(), "{:?}", shared.run.error);
    let other = shared.other.expect("the second client's numbers");
    assert!(
        other.accepted + other.throttled > 0,
        "the second client wrote during the apply"
    );
    assert!(
        shared.run.requests.total > 0,
        "aksctl's own requests are counted apart from the second client's"
    );
    let report = harness::report::render(&results);
    for needle in [
        "E-lab",
        "E-fleet",
        "Critical path",
        "### Targets",
        "throttling",
        "shared subscription",
        "Bucket bound",
    ] {
        assert!(report.contains(needle), "report lacks {needle}:\n{report}");
    }
}

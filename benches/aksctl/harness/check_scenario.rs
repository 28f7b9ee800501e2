//! The `aksctl check` scenario: the rule engine over the generated E-fleet estate (offline, no
//! mock-arm): the release binary runs `check -f fleet.yaml -o json` a few times; the median wall
//! time is reported against the 100 ms target, with CPU, peak RSS and the findings it produced.
//! Run alone with `cargo bench --bench aksctl -- --check-only [--fleet CxPxIxF]`.

use std::time::Duration;

use serde_json::Value;

use crate::harness::fleet::write_fleet;
use crate::harness::process::{run_measured, Invocation, Measured};
use crate::harness::{HarnessError, Options};

/// The target for a check of the default E-fleet (2,012 resources).
pub const TARGET: Duration = Duration::from_millis(100);
/// Runs measured after one warm-up run.
const REPEATS: usize = 7;

/// What the check scenario measured.
#[derive(Debug, Clone)]
pub struct CheckMeasurement {
    pub fleet_label: String,
    pub resources: usize,
    pub runs: Vec<Measured>,
    pub findings: usize,
    pub errors: u64,
    pub rules: u64,
}

/// Runs `aksctl check` over the E-fleet estate.
pub fn run(options: &Options) -> Result<CheckMeasurement, HarnessError> {
    let work = tempfile::tempdir()?;
    let file = write_fleet(work.path(), &options.fleet)?;
    let invocation = Invocation {
        binary: options.aksctl.clone(),
        arguments: vec![
            "check".to_owned(),
            "-f".to_owned(),
            file.display().to_string(),
            "-o".to_owned(),
            "json".to_owned(),
        ],
        environment: vec![(
            "AZURE_SUBSCRIPTION_ID".to_owned(),
            options.subscription.clone(),
        )],
        removed: vec!["RUST_LOG".to_owned()],
    };
    let failure = |measured: &Measured| HarnessError::Command {
        estate: "E-fleet".to_owned(),
        command: "check".to_owned(),
        details: measured.describe(),
    };
    let mut runs = Vec::new();
    for index in 0..=REPEATS {
        let measured = run_measured(&invocation, work.path())?;
        // 0: nothing at or above `--fail-on`; 1: errors found. Both are a finished check.
        if !matches!(measured.exit_code, Some(0 | 1)) {
            return Err(failure(&measured));
        }
        if index > 0 {
            runs.push(measured);
        }
    }
    let last = runs
        .last()
        .ok_or_else(|| HarnessError::Setup("no check run".to_owned()))?;
    let report: Value =
        serde_json::from_str(&last.stdout).map_err(|error| HarnessError::Estate {
            estate: "E-fleet".to_owned(),
            message: format!("`aksctl check -o json` printed no JSON: {error}"),
        })?;
    Ok(CheckMeasurement {
        fleet_label: options.fleet.label(),
        resources: options.fleet.expected_resources(),
        findings: report["findings"].as_array().map_or(0, Vec::len),
        errors: report["summary"]["error"].as_u64().unwrap_or(0),
        rules: report["rulesEvaluated"].as_u64().unwrap_or(0),
        runs,
    })
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// The measurement as a markdown section.
pub fn render(measurement: &CheckMeasurement) -> String {
    let mut walls: Vec<Duration> = measurement.runs.iter().map(|run| run.wall).collect();
    walls.sort();
    let median = walls.get(walls.len() / 2).copied().unwrap_or_default();
    let worst = walls.last().copied().unwrap_or_default();
    let cpu = measurement
        .runs
        .iter()
        .filter_map(|run| run.cpu)
        .max()
        .map_or_else(|| "unknown".to_owned(), milliseconds);
    let rss = measurement
        .runs
        .iter()
        .filter_map(|run| run.peak_rss_kib)
        .max()
        .map_or_else(
            || "unknown".to_owned(),
            |kib| format!("{:.1} MiB", kib as f64 / 1024.0),
        );
    format!(
        "## `aksctl check` of E-fleet\n\n\
         | Estate | Resources | Rules | Findings (errors) | Wall, median of {} | Wall, worst | CPU, worst | Peak RSS | Target | Met |\n\
         |---|---|---|---|---|---|---|---|---|---|\n\
         | E-fleet {} | {} | {} | {} ({}) | {} | {} | {} | {} | ≤ {} | {} |\n",
        measurement.runs.len(),
        measurement.fleet_label,
        measurement.resources,
        measurement.rules,
        measurement.findings,
        measurement.errors,
        milliseconds(median),
        milliseconds(worst),
        cpu,
        rss,
        milliseconds(TARGET),
        if median <= TARGET { "yes" } else { "no" },
    )
}

/// `--check-only`: measures the check scenario alone and prints its section.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn main(options: &Options) -> std::process::ExitCode {
    eprintln!("[bench] aksctl check of E-fleet {}", options.fleet.label());
    match run(options) {
        Ok(measurement) => {
            println!("{}", render(&measurement));
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("aksctl bench: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

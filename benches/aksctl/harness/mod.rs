//! The aksctl benchmark harness: request economy, plan latency and apply critical path of the
//! `aksctl` binary against in-process mock-arm instances, per estate (E-lab, E-northwind, a
//! generated E-fleet), with a naive baseline and throttled runs (alone, and sharing the
//! subscription with a second client). Shared by the bench binary
//! (`cargo bench --bench aksctl`) and the CI smoke test (`tests/it/bench_smoke.rs`).

pub mod baseline;
pub mod critical_path;
pub mod fleet;
pub mod mock;
pub mod process;
pub mod report;
pub mod scenario;
pub mod shared;

use std::path::PathBuf;

pub use fleet::FleetShape;
pub use scenario::run;

/// Why a benchmark run stopped.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("cannot set up the benchmark: {0}")]
    Setup(String),
    #[error("mock-arm control API: {0}")]
    Mock(String),
    #[error("{estate}: `aksctl {command}` failed: {details}")]
    Command {
        estate: String,
        command: String,
        details: String,
    },
    #[error("{estate}: {message}")]
    Estate { estate: String, message: String },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One estate to measure.
#[derive(Debug, Clone)]
pub struct EstateFile {
    /// `E-lab`, `E-northwind`, `E-fleet`.
    pub label: String,
    /// An estate file; `None` for the generated fleet.
    pub path: Option<PathBuf>,
}

/// What to measure and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `aksctl` binary to measure.
    pub aksctl: PathBuf,
    /// Estates in order; the one with `path: None` is the fleet generated from `fleet`.
    pub estates: Vec<EstateFile>,
    pub fleet: FleetShape,
    /// mock-arm latency of the "slow" no-op plan (ARM's typical ~100 ms); `None` skips it.
    pub slow_latency_ms: Option<u64>,
    /// mock-arm time scale of the apply runs (operation durations are multiplied by it).
    pub time_scale: f64,
    /// No-op plans per latency (the median wall time is reported).
    pub plan_repeats: usize,
    /// `--parallelism` of the measured applies (aksctl's default when `None`).
    pub parallelism: Option<u16>,
    /// The naive baseline applies for real (sequentially) only estates up to this size; bigger
    /// ones are reported from the modelled sequential sum.
    pub naive_apply_max_resources: usize,
    /// The naive plan runs at the slow latency only for estates up to this size; bigger ones are
    /// reported as resources x latency.
    pub naive_slow_plan_max_resources: usize,
    /// Run a plan and an apply of the fleet against a mock enforcing ARM's throttling.
    pub throttle: bool,
    /// Repeat the throttled apply with a second client writing this many times a second to the
    /// same subscription (`None`: not run).
    pub other_tool_writes_per_second: Option<f64>,
    /// The subscription planned (`AZURE_SUBSCRIPTION_ID`).
    pub subscription: String,
    /// The repository root (estate paths in the report are shown relative to it).
    pub repository: PathBuf,
    /// Print each phase on stderr as it starts.
    pub progress: bool,
}

impl Options {
    /// The full benchmark: E-lab, E-northwind and the default E-fleet.
    pub fn full(aksctl: PathBuf, repository: PathBuf) -> Options {
        Options {
            estates: vec![
                EstateFile {
                    label: "E-lab".to_owned(),
                    path: Some(repository.join("plans/shared-prod.yaml")),
                },
                EstateFile {
                    label: "E-northwind".to_owned(),
                    path: Some(repository.join("plans/northwind.yaml")),
                },
                EstateFile {
                    label: "E-fleet".to_owned(),
                    path: None,
                },
            ],
            aksctl,
            fleet: FleetShape::default(),
            slow_latency_ms: Some(100),
            time_scale: 0.01,
            plan_repeats: 3,
            parallelism: None,
            naive_apply_max_resources: 200,
            naive_slow_plan_max_resources: 200,
            throttle: true,
            other_tool_writes_per_second: Some(2.0),
            subscription: "00000000-0000-0000-0000-00000000be7c".to_owned(),
            repository,
            progress: false,
        }
    }

    /// The CI smoke run: E-lab and a tiny fleet, 0 ms latency, fast operations, one repeat.
    pub fn smoke(aksctl: PathBuf, repository: PathBuf) -> Options {
        let mut options = Options::full(aksctl, repository);
        options
            .estates
            .retain(|estate| estate.label != "E-northwind");
        options.fleet = FleetShape::tiny();
        options.slow_latency_ms = None;
        options.time_scale = 0.0005;
        options.plan_repeats = 1;
        options.throttle = true;
        options
    }
}

//! The measurements, in order, per estate: validate; plan from empty (saved); the apply of that
//! plan against the critical path; no-op plans at 0 ms and at the slow latency (the world copied
//! into a second mock); the naive baseline's plan and apply; then the throttled fleet run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::baseline;
use super::critical_path::{critical_path, CriticalPath, DurationModel};
use super::fleet;
use super::mock::{breakdown, Http, Mock, RequestStats};
use super::process::{run_measured, Invocation, Measured};
use super::shared::ThrottleResult;
use super::{HarnessError, Options};

/// One measured aksctl run.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub exit_code: Option<i32>,
    pub wall: Duration,
    pub cpu: Option<Duration>,
    pub peak_rss_kib: Option<u64>,
    pub requests: RequestStats,
    /// Requests by target (`list federatedidentitycredentials`, `PUT vaults`, `LRO poll`...).
    pub by_target: Vec<(String, usize)>,
    /// The output's tail when the run failed.
    pub error: Option<String>,
}

/// Repeated no-op plans at one latency.
#[derive(Debug, Clone, Default)]
pub struct PlanStats {
    pub latency_ms: u64,
    /// Requests of the first run.
    pub requests: RequestStats,
    /// The first run's requests by target.
    pub by_target: Vec<(String, usize)>,
    pub median_wall: Duration,
    pub median_cpu: Option<Duration>,
    pub max_peak_rss_kib: Option<u64>,
    /// Every run exited 0 under `--detailed-exitcode` (nothing to change).
    pub converged: bool,
    pub runs: usize,
}

/// The naive client's figures; `modelled` when computed instead of run.
#[derive(Debug, Clone, Copy, Default)]
pub struct NaiveStats {
    pub requests: Option<usize>,
    pub wall: Duration,
    pub modelled: bool,
}

/// Everything measured for one estate.
#[derive(Debug, Clone)]
pub struct EstateResult {
    pub label: String,
    pub file: String,
    /// Changes in the plan from empty (one per managed resource).
    pub resources: usize,
    /// What the generator promised (fleet only).
    pub expected_resources: Option<usize>,
    pub plan_from_empty: RunOutcome,
    pub noop: PlanStats,
    pub noop_slow: Option<PlanStats>,
    pub naive_plan: NaiveStats,
    pub naive_plan_slow: Option<NaiveStats>,
    pub bound: CriticalPath,
    pub apply: RunOutcome,
    /// The executor's own elapsed time from the `apply complete: ... in X` line.
    pub apply_execution: Option<Duration>,
    pub naive_apply: NaiveStats,
}

/// Where and when the benchmark ran.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub date: String,
    /// `/proc/loadavg`'s 1-minute load average at the start and at the end of the run.
    pub load: (Option<f64>, Option<f64>),
}

/// A complete benchmark run.
#[derive(Debug, Clone)]
pub struct Results {
    pub machine: Machine,
    pub options: Options,
    pub estates: Vec<EstateResult>,
    pub throttle: Option<ThrottleResult>,
}

pub(super) struct Bench<'a> {
    pub(super) options: &'a Options,
    pub(super) http: Http,
    fast: Mock,
    slow: Option<Mock>,
    pub(super) work: PathBuf,
}

/// Runs every measurement of `options`.
pub fn run(options: &Options) -> Result<Results, HarnessError> {
    let load_before = load_average();
    let work = tempfile::tempdir()?;
    let bench = Bench {
        options,
        http: Http::new()?,
        fast: Mock::start(0, options.time_scale, false)?,
        slow: options
            .slow_latency_ms
            .map(|latency| Mock::start(latency, options.time_scale, false))
            .transpose()?,
        work: work.path().to_path_buf(),
    };
    let mut estates = Vec::new();
    let mut fleet_file = None;
    for estate in &options.estates {
        let (path, expected) = match &estate.path {
            Some(path) => (path.clone(), None),
            None => {
                options
                    .fleet
                    .check()
                    .map_err(|message| HarnessError::Estate {
                        estate: estate.label.clone(),
                        message,
                    })?;
                let path = fleet::write_fleet(work.path(), &options.fleet)?;
                fleet_file = Some((estate.label.clone(), path.clone()));
                (path, Some(options.fleet.expected_resources()))
            }
        };
        let mut result = bench.measure_estate(&estate.label, &path)?;
        result.expected_resources = expected;
        estates.push(result);
    }
    let throttle = match (options.throttle, fleet_file) {
        (true, Some((label, path))) => {
            let unthrottled = estates
                .iter()
                .find(|estate| estate.label == label)
                .map(|estate| estate.apply.wall)
                .unwrap_or_default();
            Some(bench.measure_throttled(&label, &path, unthrottled)?)
        }
        _ => None,
    };
    let mut machine = machine();
    machine.load = (load_before, load_average());
    Ok(Results {
        machine,
        options: options.clone(),
        estates,
        throttle,
    })
}

fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn machine() -> Machine {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    Machine {
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model,
        date: time::OffsetDateTime::now_utc()
            .format(format)
            .unwrap_or_default(),
        load: (None, None),
    }
}

pub fn median<T: Ord + Copy>(mut values: Vec<T>) -> Option<T> {
    values.sort();
    values.get(values.len() / 2).copied()
}

/// `apply complete: 30 done, 0 failed, 0 skipped in 8.3s (...)` -> 8.3 s; also `1m05s`.
pub fn parse_execution_time(stdout: &str) -> Option<Duration> {
    let line = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("apply complete"))?;
    let token = line.rsplit_once(" in ")?.1.split_whitespace().next()?;
    let token = token.strip_suffix('s')?;
    let seconds = match token.split_once('m') {
        Some((minutes, seconds)) => {
            minutes.parse::<f64>().ok()? * 60.0 + seconds.parse::<f64>().ok()?
        }
        None => token.parse::<f64>().ok()?,
    };
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

impl Bench<'_> {
    #[allow(clippy::print_stderr)]
    pub(super) fn note(&self, estate: &str, phase: &str) {
        if self.options.progress {
            eprintln!("[bench] {estate}: {phase}");
        }
    }

    pub(super) fn invocation(&self, mock: &Mock, arguments: &[&str]) -> Invocation {
        let url = mock.url().to_owned();
        Invocation {
            binary: self.options.aksctl.clone(),
            arguments: arguments.iter().map(|a| (*a).to_owned()).collect(),
            environment: vec![
                ("AKSCTL_ARM_ENDPOINT".into(), url.clone()),
                ("AKSCTL_CREDENTIAL".into(), "client-secret".into()),
                ("AZURE_TENANT_ID".into(), mock.tenant()),
                ("AZURE_CLIENT_ID".into(), "aksctl-bench".into()),
                ("AZURE_CLIENT_SECRET".into(), "aksctl-bench-secret".into()),
                ("AZURE_AUTHORITY_HOST".into(), url),
                (
                    "AZURE_SUBSCRIPTION_ID".into(),
                    self.options.subscription.clone(),
                ),
                ("NO_COLOR".into(), "1".into()),
            ],
            removed: [
                "AKSCTL_SANDBOX_DIR",
                "AKSCTL_CLOUD",
                "AKSCTL_RETRY_BASE_MS",
                "RUST_LOG",
                "AZURE_FEDERATED_TOKEN_FILE",
                "IDENTITY_ENDPOINT",
                "GITHUB_STEP_SUMMARY",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }

    /// Runs aksctl against `mock` with a cleared request log and collects what it cost.
    pub(super) fn measure(
        &self,
        mock: &Mock,
        arguments: &[&str],
    ) -> Result<(Measured, RunOutcome), HarnessError> {
        mock.clear_requests(&self.http)?;
        let measured = run_measured(&self.invocation(mock, arguments), &self.work)?;
        let log = mock.arm_requests(&self.http)?;
        let requests = RequestStats::of(&log);
        let outcome = RunOutcome {
            by_target: breakdown(&log),
            exit_code: measured.exit_code,
            wall: measured.wall,
            cpu: measured.cpu,
            peak_rss_kib: measured.peak_rss_kib,
            requests,
            error: (measured.exit_code != Some(0)).then(|| measured.describe()),
        };
        Ok((measured, outcome))
    }

    pub(super) fn apply_arguments<'a>(
        &self,
        plan_file: &'a str,
        parallelism: &'a str,
    ) -> Vec<&'a str> {
        let mut arguments = vec!["apply", plan_file, "--auto-approve", "--no-progress"];
        if self.options.parallelism.is_some() {
            arguments.extend(["--parallelism", parallelism]);
        }
        arguments
    }

    fn measure_estate(&self, label: &str, path: &Path) -> Result<EstateResult, HarnessError> {
        let file = path.to_string_lossy().into_owned();
        let failed = |command: &str, measured: &Measured| HarnessError::Command {
            estate: label.to_owned(),
            command: command.to_owned(),
            details: measured.describe(),
        };
        self.note(label, "validate");
        let validated = run_measured(
            &self.invocation(&self.fast, &["validate", "-f", &file]),
            &self.work,
        )?;
        if validated.exit_code != Some(0) {
            return Err(failed("validate", &validated));
        }

        self.note(label, "plan from empty");
        // Plan from empty, saved: the plan the apply executes and the critical path is taken of.
        self.fast.reset(&self.http)?;
        let plan_path = self.work.join(format!("plan-{label}.json"));
        let plan_file = plan_path.to_string_lossy().into_owned();
        let (measured, plan_from_empty) =
            self.measure(&self.fast, &["plan", "-f", &file, "--out", &plan_file])?;
        if plan_from_empty.error.is_some() {
            return Err(failed("plan --out", &measured));
        }
        let plan: Value =
            serde_json::from_str(&std::fs::read_to_string(&plan_path)?).map_err(|error| {
                HarnessError::Estate {
                    estate: label.to_owned(),
                    message: format!("the saved plan is not JSON: {error}"),
                }
            })?;
        let resources = plan["changes"].as_array().map_or(0, Vec::len);
        let model = DurationModel::from_operations(&self.fast.operations(&self.http)?)
            .map_err(HarnessError::Mock)?;
        let bound = critical_path(&plan, &model).map_err(|message| HarnessError::Estate {
            estate: label.to_owned(),
            message: format!("critical path: {message}"),
        })?;

        self.note(
            label,
            &format!(
                "apply ({} steps, critical path {:.1} s)",
                bound.steps,
                bound.serialised_ms / 1000.0
            ),
        );
        let parallelism = self.options.parallelism.unwrap_or(10).to_string();
        let (measured, apply) =
            self.measure(&self.fast, &self.apply_arguments(&plan_file, &parallelism))?;
        if apply.error.is_some() {
            return Err(failed("apply", &measured));
        }
        let apply_execution = parse_execution_time(&measured.stdout);

        self.note(label, "no-op plans");
        let noop = self.noop_plans(label, &self.fast, &file)?;
        let noop_slow = match &self.slow {
            Some(slow) => {
                let state = self.fast.state(&self.http)?;
                slow.reset(&self.http)?;
                slow.put_state(&self.http, &state)?;
                Some(self.noop_plans(label, slow, &file)?)
            }
            None => None,
        };

        self.note(label, "naive baseline");
        let naive_plan = self.naive_plan(label, &self.fast, &plan)?;
        let naive_plan_slow = match &self.slow {
            Some(slow) if resources <= self.options.naive_slow_plan_max_resources => {
                Some(self.naive_plan(label, slow, &plan)?)
            }
            Some(slow) => Some(NaiveStats {
                requests: Some(resources),
                wall: Duration::from_millis(slow.latency_ms * resources as u64),
                modelled: true,
            }),
            None => None,
        };
        let naive_apply = if resources <= self.options.naive_apply_max_resources {
            self.fast.reset(&self.http)?;
            self.fast.clear_requests(&self.http)?;
            let wall = self
                .http
                .runtime
                .block_on(baseline::naive_apply(
                    &self.http.client,
                    self.fast.url(),
                    &plan,
                ))
                .map_err(|message| HarnessError::Estate {
                    estate: label.to_owned(),
                    message: format!("naive apply: {message}"),
                })?;
            NaiveStats {
                requests: Some(self.fast.arm_requests(&self.http)?.len()),
                wall,
                modelled: false,
            }
        } else {
            NaiveStats {
                requests: None,
                wall: Duration::from_secs_f64(bound.sequential_ms / 1000.0),
                modelled: true,
            }
        };
        Ok(EstateResult {
            label: label.to_owned(),
            file: self.display_path(path),
            resources,
            expected_resources: None,
            plan_from_empty,
            noop,
            noop_slow,
            naive_plan,
            naive_plan_slow,
            bound,
            apply,
            apply_execution,
            naive_apply,
        })
    }

    fn display_path(&self, path: &Path) -> String {
        match path.strip_prefix(&self.options.repository) {
            Ok(relative) => relative.to_string_lossy().into_owned(),
            Err(_) => path
                .file_name()
                .map(|name| format!("(generated) {}", name.to_string_lossy()))
                .unwrap_or_default(),
        }
    }

    fn noop_plans(&self, label: &str, mock: &Mock, file: &str) -> Result<PlanStats, HarnessError> {
        let mut stats = PlanStats {
            latency_ms: mock.latency_ms,
            converged: true,
            ..PlanStats::default()
        };
        let mut walls = Vec::new();
        let mut cpus = Vec::new();
        for run in 0..self.options.plan_repeats.max(1) {
            let (measured, outcome) =
                self.measure(mock, &["plan", "-f", file, "--detailed-exitcode"])?;
            match outcome.exit_code {
                Some(0) => {}
                Some(2) => stats.converged = false,
                _ => {
                    return Err(HarnessError::Command {
                        estate: label.to_owned(),
                        command: "plan --detailed-exitcode (no-op)".to_owned(),
                        details: measured.describe(),
                    })
                }
            }
            if run == 0 {
                stats.requests = outcome.requests;
                stats.by_target = outcome.by_target.clone();
            }
            walls.push(outcome.wall);
            cpus.extend(outcome.cpu);
            stats.max_peak_rss_kib = stats.max_peak_rss_kib.max(outcome.peak_rss_kib);
            stats.runs += 1;
        }
        stats.median_wall = median(walls).unwrap_or_default();
        stats.median_cpu = median(cpus);
        Ok(stats)
    }

    fn naive_plan(
        &self,
        label: &str,
        mock: &Mock,
        plan: &Value,
    ) -> Result<NaiveStats, HarnessError> {
        mock.clear_requests(&self.http)?;
        let wall = self
            .http
            .runtime
            .block_on(baseline::naive_plan(&self.http.client, mock.url(), plan))
            .map_err(|message| HarnessError::Estate {
                estate: label.to_owned(),
                message: format!("naive plan: {message}"),
            })?;
        Ok(NaiveStats {
            requests: Some(mock.arm_requests(&self.http)?.len()),
            wall,
            modelled: false,
        })
    }
}

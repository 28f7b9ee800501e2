//! Running the `aksctl` binary as a child process and measuring it: wall time, CPU time (user +
//! system, from the `cutime`/`cstime` this process accumulates when it reaps the child) and peak
//! resident set size (the child's `VmHWM`, sampled from `/proc/<pid>/status` until it exits).
//! CPU and RSS are Linux-only; elsewhere they are reported as unknown.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Linux reports process times in clock ticks of 1/100 s (`USER_HZ`, fixed by the kernel ABI).
const TICKS_PER_SECOND: u64 = 100;
const RSS_SAMPLE_INTERVAL: Duration = Duration::from_millis(2);

/// What to run.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub binary: PathBuf,
    pub arguments: Vec<String>,
    pub environment: Vec<(String, String)>,
    /// Environment variables removed so ambient settings do not leak in.
    pub removed: Vec<String>,
}

/// What a measured run did and cost.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// The exit code (`None` when killed by a signal).
    pub exit_code: Option<i32>,
    pub wall: Duration,
    /// User + system CPU time of the child, when the platform says.
    pub cpu: Option<Duration>,
    /// Peak resident set size in KiB, when the platform says.
    pub peak_rss_kib: Option<u64>,
    pub stdout: String,
    pub stderr: String,
}

impl Measured {
    /// The run's exit code and the tail of its output, for an error message.
    pub fn describe(&self) -> String {
        let tail = |text: &str| {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(15)..].join("\n")
        };
        format!(
            "exit {:?}\n--- stdout (tail)\n{}\n--- stderr (tail)\n{}",
            self.exit_code,
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}

/// Children's CPU time reaped so far by this process (`cutime + cstime` of `/proc/self/stat`).
fn reaped_children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at field 3 (`state`).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let children_user: u64 = fields.get(13)?.parse().ok()?;
    let children_system: u64 = fields.get(14)?.parse().ok()?;
    let ticks = children_user + children_system;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

/// `VmHWM` (peak RSS, KiB) of a live process.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

fn read_back(mut file: std::fs::File) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Runs `invocation` to completion in `directory` and measures it. Output goes to temporary
/// files (not pipes), so a large plan cannot block the child.
pub fn run_measured(invocation: &Invocation, directory: &Path) -> std::io::Result<Measured> {
    let stdout = tempfile::tempfile()?;
    let stderr = tempfile::tempfile()?;
    let mut command = Command::new(&invocation.binary);
    command
        .args(&invocation.arguments)
        .current_dir(directory)
        .stdin(Stdio::null())
        .stdout(Stdio::from(stdout.try_clone()?))
        .stderr(Stdio::from(stderr.try_clone()?));
    for name in &invocation.removed {
        command.env_remove(name);
    }
    for (name, value) in &invocation.environment {
        command.env(name, value);
    }
    let cpu_before = reaped_children_cpu();
    let started = Instant::now();
    let mut child = command.spawn()?;
    let pid = child.id();
    let peak = AtomicU64::new(0);
    let finished = AtomicBool::new(false);
    let status = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                match peak_rss_kib(pid) {
                    Some(kib) => {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                    None => break,
                }
                std::thread::sleep(RSS_SAMPLE_INTERVAL);
            }
        });
        let status = child.wait();
        finished.store(true, Ordering::Relaxed);
        status
    })?;
    let wall = started.elapsed();
    let cpu = match (cpu_before, reaped_children_cpu()) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    let peak = peak.load(Ordering::Relaxed);
    Ok(Measured {
        exit_code: status.code(),
        wall,
        cpu,
        peak_rss_kib: (peak > 0).then_some(peak),
        stdout: read_back(stdout)?,
        stderr: read_back(stderr)?,
    })
}

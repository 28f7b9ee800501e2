//! Seeded, reproducible chaos (also compiled into the `soak` target): a random mix of mock-arm
//! faults during an apply, and a SIGKILL of aksctl at a random point of an apply (chosen by the
//! mock's request count). Each scenario must end converged, with nothing duplicated and no
//! orphan, after at most a couple of fault-free re-runs.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::harness::{
    add_fault, aksctl_command, apply_with, assert_converges, assert_failed_clearly_or_succeeded,
    plan_file, request_count, start_mock, Seeded,
};

const ARM: &str = "(?i)^/subscriptions/";
const CLUSTER: &str = "(?i)/providers/Microsoft.ContainerService/managedClusters/[^/]+$";
const POOL: &str = "(?i)/agentPools/[^/]+$";
const CREDENTIAL: &str = "(?i)/federatedIdentityCredentials/[^/]+$";
const ASSIGNMENT: &str = "(?i)/roleAssignments/[^/]+$";
const TRACKED: &str = "(?i)/providers/Microsoft\\.(ContainerRegistry/registries|KeyVault/vaults|Storage/storageAccounts|ManagedIdentity/userAssignedIdentities)/[^/]+$";

/// One kind of fault the random mode draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    ThrottleStorm,
    ServerErrorBurst,
    ReadErrorBurst,
    DroppedConnection,
    SlowAnswer,
    FailedOperation,
    ClusterBusy,
    CredentialWriteRace,
    PrincipalNotFound,
}

pub const FAULT_KINDS: [FaultKind; 9] = [
    FaultKind::ThrottleStorm,
    FaultKind::ServerErrorBurst,
    FaultKind::ReadErrorBurst,
    FaultKind::DroppedConnection,
    FaultKind::SlowAnswer,
    FaultKind::FailedOperation,
    FaultKind::ClusterBusy,
    FaultKind::CredentialWriteRace,
    FaultKind::PrincipalNotFound,
];

/// Per-attempt HTTP timeout used by every chaos run, so a `SlowAnswer` delay passes it.
pub const ATTEMPT_TIMEOUT_MS: u64 = 400;

/// The fault rule for `kind`, its counts drawn from `random`.
pub fn fault_rule(kind: FaultKind, random: &mut Seeded) -> Value {
    let after = random.between(0, 40);
    match kind {
        FaultKind::ThrottleStorm => json!({
            "method": "*", "path": ARM, "status": 429, "code": "SubscriptionRequestsThrottled",
            "message": "Number of requests for subscription exceeded the limit.",
            "retryAfter": random.between(1, 8) as f64 / 100.0,
            "times": random.between(5, 30), "after": after}),
        FaultKind::ServerErrorBurst => json!({
            "method": *random.pick(&["PUT", "DELETE", "*"]), "path": ARM,
            "status": *random.pick(&[500u16, 502, 503, 504]), "code": "ServiceUnavailable",
            "message": "The service is temporarily unavailable.",
            "times": random.between(1, 6), "after": after}),
        FaultKind::ReadErrorBurst => json!({
            "method": "GET", "path": ARM, "status": *random.pick(&[500u16, 503]),
            "code": "InternalServerError", "message": "Internal error.",
            "times": random.between(1, 8), "after": after}),
        FaultKind::DroppedConnection => json!({
            "method": *random.pick(&["PUT", "GET"]),
            "path": *random.pick(&[CLUSTER, POOL, TRACKED, ASSIGNMENT, ARM]),
            "action": "drop", "times": random.between(1, 2), "after": random.between(0, 3)}),
        FaultKind::SlowAnswer => json!({
            "method": *random.pick(&["GET", "PUT"]), "path": ARM, "action": "delay",
            "delayMs": ATTEMPT_TIMEOUT_MS * 3, "times": random.between(1, 3), "after": after}),
        FaultKind::FailedOperation => json!({
            "method": "PUT", "path": *random.pick(&[CLUSTER, POOL, TRACKED]),
            "action": "failLro", "times": 1,
            "lroStatus": *random.pick(&["Failed", "Canceled"])}),
        FaultKind::ClusterBusy => json!({
            "method": "PUT", "path": *random.pick(&[CLUSTER, POOL]), "status": 409,
            "code": "OperationNotAllowed",
            "message": "Operation is not allowed because there's an in progress update managed cluster operation.",
            "times": random.between(1, 3), "after": random.between(0, 2)}),
        FaultKind::CredentialWriteRace => json!({
            "method": "PUT", "path": CREDENTIAL, "status": 409,
            "code": "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
            "message": "Too many Federated Identity Credentials are written concurrently for the managed identity.",
            "times": random.between(1, 3), "after": random.between(0, 4)}),
        FaultKind::PrincipalNotFound => json!({
            "method": "PUT", "path": ASSIGNMENT, "status": 400, "code": "PrincipalNotFound",
            "message": "Principal 00000000000000000000000000000000 does not exist in the directory.",
            "times": random.between(1, 3), "after": random.between(0, 4)}),
    }
}

/// The estate a seed applies: mostly shared-prod (fast), every third seed northwind.
pub fn estate_for(seed: u64) -> PathBuf {
    if seed % 3 == 2 {
        plan_file("northwind.yaml")
    } else {
        plan_file("shared-prod.yaml")
    }
}

/// What one random-fault seed did (for the soak summary).
#[derive(Debug)]
pub struct ChaosReport {
    pub seed: u64,
    pub estate: String,
    pub faults: Vec<Value>,
    pub fired: Vec<u64>,
    pub first_exit: i32,
    pub reruns: usize,
}

/// Applies the seed's estate under 1-4 random faults, then checks it converges (re-running
/// without faults when the first apply failed).
pub fn random_faults(seed: u64) -> ChaosReport {
    let mut random = Seeded::new(seed);
    let file = estate_for(seed);
    let mock = start_mock();
    let count = random.between(1, 4);
    let mut faults = Vec::new();
    for _ in 0..count {
        let kind = *random.pick(&FAULT_KINDS);
        let rule = fault_rule(kind, &mut random);
        add_fault(&mock, &rule);
        faults.push(rule);
    }
    let context = format!("seed {seed} ({}) with faults {faults:#?}", file.display());
    let timeout = ATTEMPT_TIMEOUT_MS.to_string();
    let first = apply_with(
        &mock,
        &file,
        &[],
        &[("AKSCTL_HTTP_TIMEOUT_MS", timeout.as_str())],
    );
    assert_failed_clearly_or_succeeded(&first, &context);
    let fired = super::harness::faults_fired(&mock);
    let reruns = assert_converges(&mock, &file, Some(&first), 2, &context);
    ChaosReport {
        seed,
        estate: file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        faults,
        fired,
        first_exit: first.code,
        reruns,
    }
}

/// What one crash seed did.
#[derive(Debug)]
pub struct CrashReport {
    pub seed: u64,
    pub estate: String,
    pub threshold: usize,
    pub killed_at: usize,
    pub finished_before_kill: bool,
    pub reruns: usize,
}

/// Roughly how many mock requests a full apply of each estate makes (the kill point is drawn
/// below this).
fn typical_requests(file: &std::path::Path) -> usize {
    if file.ends_with("northwind.yaml") {
        330
    } else {
        85
    }
}

/// Starts an apply, SIGKILLs it once the mock has logged a seeded number of requests, then
/// re-runs apply and checks convergence, no duplicate and no orphan.
pub fn crash_and_resume(seed: u64) -> CrashReport {
    let mut random = Seeded::new(seed.wrapping_mul(7919).wrapping_add(1));
    let file = estate_for(seed);
    let mock = start_mock();
    let threshold = random.between(3, typical_requests(&file) as u64) as usize;
    let mut command = aksctl_command(&mock);
    command.args([
        "apply",
        "-f",
        file.to_str().expect("utf-8 path"),
        "--auto-approve",
        "--no-progress",
    ]);
    // Nobody reads its output while it runs: a full pipe must not block it.
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = command.spawn().expect("aksctl starts");
    let started = Instant::now();
    let mut finished_before_kill = false;
    loop {
        if let Some(_status) = child.try_wait().expect("try_wait") {
            finished_before_kill = true;
            break;
        }
        if request_count(&mock) >= threshold {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "seed {seed}: apply neither finished nor reached {threshold} requests"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let killed_at = request_count(&mock);
    if !finished_before_kill {
        child.kill().expect("SIGKILL aksctl");
    }
    let _ = child.wait();
    let context = format!(
        "crash seed {seed} ({}): killed after {killed_at} requests (threshold {threshold})",
        file.display()
    );
    let reruns = assert_converges(&mock, &file, None, 2, &context);
    CrashReport {
        seed,
        estate: file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        threshold,
        killed_at,
        finished_before_kill,
        reruns,
    }
}

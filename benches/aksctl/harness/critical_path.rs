//! The apply lower bound: a plan's steps weighted by mock-arm's modelled operation durations
//! (`GET /_mock/operations`, already scaled), scheduled with unlimited parallelism but ARM's
//! serialisation rules — one mutating operation at a time per cluster (its pools included), one
//! federated-credential write at a time per identity — and a new cluster's System pools created
//! inline with it, as the executor must do.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use serde_json::Value;

/// Scaled durations per (ARM type, action), from mock-arm's `/_mock/operations`.
#[derive(Debug, Clone, Default)]
pub struct DurationModel {
    /// (lower-cased ARM type, `create` | `update` | `delete`) -> milliseconds.
    pub milliseconds: HashMap<(String, String), f64>,
    /// How long a federated-credential write holds its identity.
    pub federated_credential_write_ms: f64,
    /// Added to every step that calls ARM (one round trip of mock latency), 0 by default.
    pub per_step_latency_ms: f64,
}

impl DurationModel {
    /// Reads the `durations[]` (`resourceType`, `action`, `scaledMs`) and
    /// `federatedCredentialWriteMs` of a `GET /_mock/operations` answer.
    pub fn from_operations(operations: &Value) -> Result<DurationModel, String> {
        let entries = operations["durations"]
            .as_array()
            .ok_or("the operations document has no `durations` array")?;
        let mut milliseconds = HashMap::new();
        for entry in entries {
            let (Some(resource_type), Some(action), Some(scaled)) = (
                entry["resourceType"].as_str(),
                entry["action"].as_str(),
                entry["scaledMs"].as_f64(),
            ) else {
                return Err(format!("malformed duration entry {entry}"));
            };
            milliseconds.insert(
                (resource_type.to_ascii_lowercase(), action.to_owned()),
                scaled,
            );
        }
        Ok(DurationModel {
            milliseconds,
            federated_credential_write_ms: operations["federatedCredentialWriteMs"]
                .as_f64()
                .unwrap_or(0.0),
            per_step_latency_ms: 0.0,
        })
    }

    fn lookup(&self, arm_type: &str, action: &str) -> f64 {
        self.milliseconds
            .get(&(arm_type.to_ascii_lowercase(), action.to_owned()))
            .copied()
            .unwrap_or(0.0)
    }
}

/// The bound for one plan.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPath {
    /// Steps that call ARM or complete with one (every non-noop change; a replace is one step).
    pub steps: usize,
    /// Longest dependency chain, ignoring ARM's serialisation rules.
    pub longest_path_ms: f64,
    /// The makespan with ARM's serialisation rules: the bound an apply is measured against.
    pub serialised_ms: f64,
    /// Every step one after another (what a sequential client waits at best).
    pub sequential_ms: f64,
    /// The addresses along the chain that ends last, first to last.
    pub chain: Vec<String>,
}

struct Step {
    address: String,
    micros: u64,
    lock: Option<String>,
    dependencies: Vec<usize>,
}

const FEDERATED_CREDENTIAL_TYPE: &str =
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials";
const AGENT_POOL_TYPE: &str = "microsoft.containerservice/managedclusters/agentpools";
const CLUSTER_TYPE: &str = "microsoft.containerservice/managedclusters";

fn micros(milliseconds: f64) -> u64 {
    if milliseconds.is_finite() && milliseconds > 0.0 {
        (milliseconds * 1000.0).round() as u64
    } else {
        0
    }
}

fn text<'a>(change: &'a Value, field: &str) -> &'a str {
    change[field].as_str().unwrap_or_default()
}

/// The ARM id of the resource containing `id` at `/<segment>/` (case-insensitive), lower-cased.
fn lock_prefix(id: &str, segment: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    lower.find(segment).map(|at| lower[..at].to_owned())
}

fn build_steps(plan: &Value, model: &DurationModel) -> Result<Vec<Step>, String> {
    let changes = plan["changes"]
        .as_array()
        .ok_or("the plan has no `changes` array")?;
    let active: Vec<&Value> = changes
        .iter()
        .filter(|change| text(change, "action") != "noop")
        .collect();
    let created_clusters: Vec<String> = active
        .iter()
        .filter(|change| {
            text(change, "type").eq_ignore_ascii_case(CLUSTER_TYPE)
                && matches!(text(change, "action"), "create" | "replace")
        })
        .map(|change| text(change, "id").to_ascii_lowercase())
        .collect();
    let index: HashMap<&str, usize> = active
        .iter()
        .enumerate()
        .map(|(position, change)| (text(change, "address"), position))
        .collect();

    let mut steps = Vec::with_capacity(active.len());
    for change in &active {
        let arm_type = text(change, "type").to_ascii_lowercase();
        let action = text(change, "action");
        let id = text(change, "id");
        let is_credential = arm_type == FEDERATED_CREDENTIAL_TYPE;
        let write_ms = |verb: &str| {
            if is_credential && verb != "delete" {
                model.federated_credential_write_ms
            } else {
                model.lookup(&arm_type, verb)
            }
        };
        let mut milliseconds = match action {
            "create" => write_ms("create"),
            "update" => write_ms("update"),
            "delete" => write_ms("delete"),
            "replace" => write_ms("delete") + write_ms("create"),
            other => return Err(format!("unknown action `{other}` on {id}")),
        } + model.per_step_latency_ms;
        let mut lock = if arm_type == CLUSTER_TYPE {
            Some(id.to_ascii_lowercase())
        } else if arm_type == AGENT_POOL_TYPE {
            lock_prefix(id, "/agentpools/")
        } else if is_credential {
            lock_prefix(id, "/federatedidentitycredentials/")
        } else {
            None
        };
        let system_mode = change["after"]["properties"]["mode"]
            .as_str()
            .is_some_and(|mode| mode.eq_ignore_ascii_case("system"));
        if arm_type == AGENT_POOL_TYPE
            && action == "create"
            && system_mode
            && lock
                .as_ref()
                .is_some_and(|cluster| created_clusters.contains(cluster))
        {
            // Created inline in the cluster's agentPoolProfiles: done when the cluster is.
            milliseconds = 0.0;
            lock = None;
        }
        let mut dependencies = Vec::new();
        for dependency in change["dependsOn"].as_array().into_iter().flatten() {
            let Some(&target) = dependency.as_str().and_then(|address| index.get(address)) else {
                continue; // a no-op (or absent) dependency is already satisfied
            };
            dependencies.push(target);
        }
        steps.push(Step {
            address: text(change, "address").to_owned(),
            micros: micros(milliseconds),
            lock,
            dependencies,
        });
    }
    orient_deletions(&mut steps, &active);
    Ok(steps)
}

/// Deletions list the deletions that contain them (which wait for them): reverse those edges;
/// and every deletion waits for every create/update (references move away first).
fn orient_deletions(steps: &mut [Step], active: &[&Value]) {
    let is_delete: Vec<bool> = active
        .iter()
        .map(|change| text(change, "action") == "delete")
        .collect();
    let writes: Vec<usize> = (0..steps.len()).filter(|&i| !is_delete[i]).collect();
    let mut reversed: Vec<(usize, usize)> = Vec::new();
    for (position, step) in steps.iter_mut().enumerate() {
        if !is_delete[position] {
            continue;
        }
        let listed = std::mem::take(&mut step.dependencies);
        for container in listed {
            if is_delete[container] {
                reversed.push((container, position));
            }
        }
        step.dependencies = writes.clone();
    }
    for (container, contained) in reversed {
        steps[container].dependencies.push(contained);
    }
}

/// Longest remaining chain from each step's start (its own duration included).
fn tails(steps: &[Step]) -> Result<Vec<u64>, String> {
    let mut dependants = vec![Vec::new(); steps.len()];
    let mut pending: Vec<usize> = steps.iter().map(|step| step.dependencies.len()).collect();
    for (position, step) in steps.iter().enumerate() {
        for &dependency in &step.dependencies {
            dependants[dependency].push(position);
        }
    }
    let mut order = Vec::with_capacity(steps.len());
    let mut ready: Vec<usize> = (0..steps.len()).filter(|&i| pending[i] == 0).collect();
    while let Some(next) = ready.pop() {
        order.push(next);
        for &dependant in &dependants[next] {
            pending[dependant] -= 1;
            if pending[dependant] == 0 {
                ready.push(dependant);
            }
        }
    }
    if order.len() != steps.len() {
        let stuck: Vec<&str> = (0..steps.len())
            .filter(|&i| pending[i] > 0)
            .take(5)
            .map(|i| steps[i].address.as_str())
            .collect();
        return Err(format!("dependency cycle among {}", stuck.join(", ")));
    }
    let mut tail = vec![0u64; steps.len()];
    for &position in order.iter().rev() {
        let after = dependants[position]
            .iter()
            .map(|&d| tail[d])
            .max()
            .unwrap_or(0);
        tail[position] = steps[position].micros + after;
    }
    Ok(tail)
}

/// Computes the bound of `plan` (the `aksctl plan --out` / `--output json` document).
pub fn critical_path(plan: &Value, model: &DurationModel) -> Result<CriticalPath, String> {
    let steps = build_steps(plan, model)?;
    let tail = tails(&steps)?;
    let schedule = simulate(&steps, &tail);
    let last = (0..steps.len()).max_by_key(|&i| (schedule.end[i], Reverse(i)));
    let mut chain = Vec::new();
    let mut cursor = last;
    while let Some(position) = cursor {
        chain.push(steps[position].address.clone());
        cursor = schedule.waited_for[position];
    }
    chain.reverse();
    let to_ms = |value: u64| value as f64 / 1000.0;
    Ok(CriticalPath {
        steps: steps.len(),
        longest_path_ms: to_ms(tail.iter().copied().max().unwrap_or(0)),
        serialised_ms: to_ms(schedule.end.iter().copied().max().unwrap_or(0)),
        sequential_ms: to_ms(steps.iter().map(|step| step.micros).sum()),
        chain,
    })
}

struct Schedule {
    end: Vec<u64>,
    /// The step whose end let this one start (a dependency or the previous holder of its lock).
    waited_for: Vec<Option<usize>>,
}

/// List scheduling in event order: whenever steps finish, start every ready step whose lock is
/// free, longest remaining chain first.
fn simulate(steps: &[Step], tail: &[u64]) -> Schedule {
    let count = steps.len();
    let mut dependants = vec![Vec::new(); count];
    let mut pending: Vec<usize> = steps.iter().map(|step| step.dependencies.len()).collect();
    for (position, step) in steps.iter().enumerate() {
        for &dependency in &step.dependencies {
            dependants[dependency].push(position);
        }
    }
    let mut end = vec![0u64; count];
    let mut waited_for: Vec<Option<usize>> = vec![None; count];
    let mut ready: Vec<usize> = (0..count).filter(|&i| pending[i] == 0).collect();
    let mut held: HashMap<&str, usize> = HashMap::new();
    let mut last_holder: HashMap<&str, usize> = HashMap::new();
    let mut running: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
    let mut now = 0u64;
    loop {
        ready.sort_by_key(|&i| (Reverse(tail[i]), i));
        let mut waiting = Vec::new();
        for position in ready.drain(..) {
            let step = &steps[position];
            if let Some(lock) = step.lock.as_deref() {
                if held.contains_key(lock) {
                    waiting.push(position);
                    continue;
                }
                held.insert(lock, position);
            }
            let latest_dependency = step
                .dependencies
                .iter()
                .copied()
                .max_by_key(|&d| (end[d], Reverse(d)));
            let lock_holder = step
                .lock
                .as_deref()
                .and_then(|lock| last_holder.get(lock).copied());
            waited_for[position] = match (latest_dependency, lock_holder) {
                (Some(d), Some(h)) if end[h] > end[d] => Some(h),
                (Some(d), _) => Some(d),
                (None, holder) => holder.filter(|&h| end[h] > 0),
            };
            end[position] = now + step.micros;
            running.push(Reverse((end[position], position)));
        }
        ready = waiting;
        let Some(Reverse((time, _))) = running.peek().copied() else {
            break;
        };
        now = time;
        while let Some(Reverse((time, finished))) = running.peek().copied() {
            if time != now {
                break;
            }
            running.pop();
            if let Some(lock) = steps[finished].lock.as_deref() {
                held.remove(lock);
                last_holder.insert(lock, finished);
            }
            for &dependant in &dependants[finished] {
                pending[dependant] -= 1;
                if pending[dependant] == 0 {
                    ready.push(dependant);
                }
            }
        }
    }
    Schedule { end, waited_for }
}

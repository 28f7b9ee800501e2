//! Drift: every declared field of every estate, changed in the live world one at a time, must
//! plan exactly that resource as an update or a replacement, with a reason naming the field
//! (resources that copy the changed value from it may follow). Exhaustively in-process on live
//! state read from a seeded mock-arm, and through the binary with `PUT /_mock/state` for
//! representative cases.

use serde_json::{json, Value};

use aksctl::desired::{DesiredResource, DesiredState};
use aksctl::kind::Kind;
use aksctl::live::{LiveResource, LiveState};
use aksctl::plan::{Action, ReasonCode};
use aksctl::planner::{self, PlanOptions};

use super::{load_desired, plan_files, plan_in_process, run_plan_json, seed};
use crate::common;

/// A declared leaf of a desired body: its pointer there and the matching pointer in live.
struct Leaf {
    desired_pointer: String,
    live_pointer: String,
    declared: Value,
}

/// Every declared leaf (scalars, scalar arrays, unnamed object arrays), with named array
/// elements located in live by name.
fn leaves(desired: &Value, live: &Value, desired_at: &str, live_at: &str, out: &mut Vec<Leaf>) {
    match desired {
        Value::Object(object) if !object.is_empty() => {
            for (key, item) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                let live_key = live
                    .as_object()
                    .and_then(|live| live.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned())
                    .unwrap_or_else(|| key.clone())
                    .replace('~', "~0")
                    .replace('/', "~1");
                let live_item = live
                    .get(live_key.replace("~1", "/").replace("~0", "~"))
                    .unwrap_or(&Value::Null);
                leaves(
                    item,
                    live_item,
                    &format!("{desired_at}/{escaped}"),
                    &format!("{live_at}/{live_key}"),
                    out,
                );
            }
        }
        Value::Object(_) => {}
        Value::Array(items)
            if !items.is_empty() && items.iter().all(|i| i.get("name").is_some()) =>
        {
            for (index, item) in items.iter().enumerate() {
                let name = item["name"].as_str().unwrap_or_default();
                let live_index = live.as_array().and_then(|live| {
                    live.iter().position(|l| {
                        l["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                    })
                });
                if let Some(live_index) = live_index {
                    leaves(
                        item,
                        &live[live_index],
                        &format!("{desired_at}/{index}"),
                        &format!("{live_at}/{live_index}"),
                        out,
                    );
                }
            }
        }
        declared => out.push(Leaf {
            desired_pointer: desired_at.to_owned(),
            live_pointer: live_at.to_owned(),
            declared: declared.clone(),
        }),
    }
}

/// A value that differs from `value` the way drift would.
fn drifted(key: &str, value: &Value) -> Value {
    match value {
        Value::Bool(flag) => json!(!flag),
        Value::Number(number) => match number.as_i64() {
            Some(-1) => json!(0),
            Some(n) => json!(n + 1),
            None => json!(number.as_f64().unwrap_or(0.0) + 1.5),
        },
        // Versions drift down (live behind the estate: the plan upgrades). A live version above
        // the declared one is a floor or a plan-time refusal (issue 13, `tests/it/day2/`).
        Value::String(text) if key == "kubernetesVersion" || key == "orchestratorVersion" => {
            let mut parts: Vec<u32> = text.split('.').filter_map(|p| p.parse().ok()).collect();
            if parts.len() >= 2 {
                parts[1] -= 1;
            }
            json!(parts
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("."))
        }
        Value::String(text) => json!(format!("{text}drift")),
        Value::Array(items) => {
            let mut items = items.clone();
            if items.iter().any(Value::is_object) {
                items.push(json!({"drift": true}));
            } else {
                items.push(json!("drift"));
            }
            Value::Array(items)
        }
        Value::Null | Value::Object(_) => json!("drift"),
    }
}

fn set(body: &mut Value, pointer: &str, value: Value) {
    planner::set_pointer(body, pointer, value);
}

/// Leaves that are not drift by design (documented rules), or that change ownership.
fn exempt(resource: &DesiredResource, leaf: &Leaf) -> bool {
    let pointer = leaf.desired_pointer.as_str();
    pointer.eq_ignore_ascii_case("/tags/aksctl-estate")
        || (resource.kind == Kind::ManagedCluster
            && pointer.starts_with("/properties/agentPoolProfiles"))
        || (pointer.ends_with("/count")
            && resource
                .body
                .pointer(&pointer.replace("/count", "/enableAutoScaling"))
                == Some(&json!(true)))
}

fn drift_every_field(desired: &DesiredState, live: &LiveState) -> usize {
    let mut checked = 0;
    for resource in &desired.resources {
        let live_resource = live.get(&resource.id).expect("seeded");
        let mut found = Vec::new();
        leaves(&resource.body, &live_resource.body, "", "", &mut found);
        for leaf in found.iter().filter(|leaf| !exempt(resource, leaf)) {
            let key = leaf.desired_pointer.rsplit('/').next().unwrap_or_default();
            let current = live_resource.body.pointer(&leaf.live_pointer).cloned();
            let base = match (&leaf.declared, current) {
                (Value::Null, Some(current)) => current,
                (declared, _) => declared.clone(),
            };
            let mut body = live_resource.body.clone();
            let new_value = drifted(key, &base);
            set(&mut body, &leaf.live_pointer, new_value.clone());
            if key == "kubernetesVersion" || key == "orchestratorVersion" {
                let current_key = if key == "kubernetesVersion" {
                    "currentKubernetesVersion"
                } else {
                    "currentOrchestratorVersion"
                };
                let sibling = leaf.live_pointer.replace(key, current_key);
                set(&mut body, &sibling, new_value.clone());
            }
            let mut drifted_live = live.clone();
            drifted_live.insert(LiveResource::from_body(body).expect("body"));
            let plan = planner::build(desired, &drifted_live, &PlanOptions::default())
                .unwrap_or_else(|error| {
                    panic!("{} {}: {error}", resource.address, leaf.desired_pointer)
                });
            let what = format!(
                "{} {} -> {new_value}",
                resource.address, leaf.desired_pointer
            );
            let change = plan
                .changes
                .iter()
                .find(|c| c.address == resource.address)
                .expect("planned");
            let blocked = plan
                .notices
                .iter()
                .any(|n| n.starts_with(&resource.address) && n.contains("ARM refuses"));
            if blocked {
                assert_eq!(change.action, Action::Noop, "{what}");
            } else {
                assert!(
                    matches!(change.action, Action::Update | Action::Replace),
                    "{what}: {:?} {:?}",
                    change.action,
                    change.reasons
                );
                let named = change.reasons.iter().any(|r| {
                    r.path.as_deref().is_some_and(|path| {
                        leaf.desired_pointer.starts_with(path)
                            || path.starts_with(&leaf.desired_pointer)
                    })
                });
                assert!(
                    named,
                    "{what}: no reason names the field: {:?}",
                    change.reasons
                );
                let immutable = change
                    .reasons
                    .iter()
                    .any(|r| r.code == ReasonCode::ImmutableFieldChanged);
                assert_eq!(
                    change.action == Action::Replace,
                    immutable,
                    "{what}: {:?}",
                    change.reasons
                );
            }
            // Only resources that copy a value from the drifted one may follow it.
            for other in plan
                .changes
                .iter()
                .filter(|c| c.action != Action::Noop && c.address != resource.address)
            {
                let copies = desired.by_address(&other.address).is_some_and(|d| {
                    d.deferred.iter().any(|deferred| {
                        deferred.source == resource.address && deferred.output == leaf.live_pointer
                    })
                });
                // A replacement's consequences (children recreated, values known after apply)
                // carry only dependency reasons, never a field difference of their own.
                let consequence = change.action == Action::Replace
                    && other
                        .reasons
                        .iter()
                        .all(|r| r.code == ReasonCode::DependencyChanged);
                // A control-plane upgrade: pools that declare no version follow it.
                let follows = key == "kubernetesVersion"
                    && other.kind == Kind::AgentPool
                    && other.reasons.iter().all(|r| {
                        r.message
                            .ends_with("(undeclared: follows the control plane)")
                    });
                assert!(
                    copies || consequence || follows,
                    "{what}: {} also changes: {:?}",
                    other.address,
                    other.reasons
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
#[allow(clippy::print_stdout)] // the figure is reported in the test output
fn every_declared_field_drifts_into_exactly_one_change() {
    for file in plan_files() {
        let mock = common::start_mock();
        let desired = load_desired(&file);
        let client = common::arm_client(&mock);
        common::block_on(seed(&client, &desired));
        let (plan, live) = common::block_on(plan_in_process(&client, &desired));
        assert!(!plan.has_changes());
        let checked = drift_every_field(&desired, &live);
        println!(
            "drift {}: {checked} declared fields checked",
            file.display()
        );
        assert!(
            checked > desired.resources.len(),
            "{}: only {checked} fields",
            file.display()
        );
    }
}

/// Seeds the mock's world (from empty, through `PUT /_mock/state`) with `state` after editing
/// one resource's body. A pool edit is mirrored into its cluster's `agentPoolProfiles`, where
/// ARM shows the same pool.
fn seed_edited_state(mock: &mock_arm::MockArm, state: &Value, id: &str, edit: &dyn Fn(&mut Value)) {
    let mut state = state.clone();
    let resources = state["resources"].as_array_mut().expect("resources");
    let position = |resources: &[Value], id: &str| {
        resources
            .iter()
            .position(|body| {
                body["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(id))
            })
            .unwrap_or_else(|| panic!("{id} not in the mock's world"))
    };
    let index = position(resources, id);
    edit(&mut resources[index]);
    if let Some((cluster_id, pool_name)) = id.split_once("/agentPools/") {
        let cluster = position(resources, cluster_id);
        if let Some(profiles) = resources[cluster]["properties"]["agentPoolProfiles"].as_array_mut()
        {
            for profile in profiles
                .iter_mut()
                .filter(|p| p["name"].as_str() == Some(pool_name))
            {
                let mut wrapper = json!({"properties": profile.clone()});
                edit(&mut wrapper);
                *profile = wrapper["properties"].clone();
            }
        }
    }
    common::reset(mock);
    common::put_state(mock, &state);
}

#[test]
fn representative_drift_through_the_binary() {
    let file = common::repo_path("plans/northwind.yaml");
    let mock = common::start_mock();
    let desired = load_desired(&file);
    common::block_on(seed(&common::arm_client(&mock), &desired));
    let converged = common::state(&mock);
    let find = |kind: Kind, predicate: &dyn Fn(&DesiredResource) -> bool| -> DesiredResource {
        desired
            .resources
            .iter()
            .find(|r| r.kind == kind && predicate(r))
            .cloned()
            .unwrap_or_else(|| panic!("no {kind:?}"))
    };
    let autoscaled = find(Kind::AgentPool, &|r| {
        r.body.pointer("/properties/enableAutoScaling") == Some(&json!(true))
    });
    let credential = find(Kind::FederatedIdentityCredential, &|_| true);
    let cluster = find(Kind::ManagedCluster, &|_| true);
    let group = find(Kind::ResourceGroup, &|_| true);
    let window = find(Kind::MaintenanceConfiguration, &|r| {
        r.id.name() == "aksManagedAutoUpgradeSchedule"
    });
    let replica = find(Kind::RegistryReplication, &|_| true);

    struct Case<'a> {
        name: &'a str,
        id: String,
        edit: Box<dyn Fn(&mut Value)>,
        expected: Option<(&'a str, Action, &'a str)>,
    }
    let cases = vec![
        Case {
            name: "pool VM size",
            id: autoscaled.id.to_string(),
            edit: Box::new(|body| body["properties"]["vmSize"] = json!("Standard_D2s_v3")),
            expected: Some((
                autoscaled.address.as_str(),
                Action::Replace,
                "/properties/vmSize",
            )),
        },
        Case {
            name: "autoscaler moved the node count",
            id: autoscaled.id.to_string(),
            edit: Box::new(|body| body["properties"]["count"] = json!(17)),
            expected: None,
        },
        Case {
            name: "credential issuer",
            id: credential.id.to_string(),
            edit: Box::new(|body| {
                body["properties"]["issuer"] =
                    json!("https://eastus2.oic.prod-aks.azure.com/other/")
            }),
            expected: Some((
                credential.address.as_str(),
                Action::Update,
                "/properties/issuer",
            )),
        },
        Case {
            name: "cluster version differs",
            id: cluster.id.to_string(),
            edit: Box::new(|body| {
                body["properties"]["kubernetesVersion"] = json!("1.32");
                body["properties"]["currentKubernetesVersion"] = json!("1.32.9");
            }),
            expected: Some((
                cluster.address.as_str(),
                Action::Update,
                "/properties/kubernetesVersion",
            )),
        },
        Case {
            name: "maintenance window moved in the portal",
            id: window.id.to_string(),
            edit: Box::new(|body| {
                body["properties"]["maintenanceWindow"]["startTime"] = json!("14:00");
            }),
            expected: Some((
                window.address.as_str(),
                Action::Update,
                "/properties/maintenanceWindow/startTime",
            )),
        },
        Case {
            name: "maintenance window blackout dates added outside aksctl",
            id: window.id.to_string(),
            edit: Box::new(|body| {
                body["properties"]["maintenanceWindow"]["notAllowedDates"] =
                    json!([{"start": "2026-12-24", "end": "2026-12-26"}]);
            }),
            expected: None,
        },
        Case {
            name: "replica recreated without zone redundancy",
            id: replica.id.to_string(),
            edit: Box::new(|body| body["properties"]["zoneRedundancy"] = json!("Disabled")),
            expected: Some((
                replica.address.as_str(),
                Action::Replace,
                "/properties/zoneRedundancy",
            )),
        },
        Case {
            name: "replica status and endpoint default",
            id: replica.id.to_string(),
            edit: Box::new(|body| {
                body["properties"]["status"]["displayStatus"] = json!("Syncing");
                if let Some(properties) = body["properties"].as_object_mut() {
                    properties.remove("regionEndpointEnabled");
                }
            }),
            expected: None,
        },
        Case {
            name: "policy-added tag and id casing",
            id: group.id.to_string(),
            edit: Box::new(|body| {
                body["tags"]["created-on"] = json!("2026-11-29");
                body["location"] =
                    json!(body["location"].as_str().unwrap_or_default().to_uppercase());
            }),
            expected: None,
        },
    ];
    for case in cases {
        put_state_and_check(
            &mock,
            &file,
            &converged,
            &case.id,
            &*case.edit,
            case.expected,
            case.name,
        );
    }
}

fn put_state_and_check(
    mock: &mock_arm::MockArm,
    file: &std::path::Path,
    converged: &Value,
    id: &str,
    edit: &dyn Fn(&mut Value),
    expected: Option<(&str, Action, &str)>,
    name: &str,
) {
    seed_edited_state(mock, converged, id, edit);
    let (code, plan, stderr) = run_plan_json(mock, file, &[]);
    let changes: Vec<_> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Noop)
        .collect();
    match expected {
        None => {
            assert_eq!(code, 0, "{name}: {stderr}");
            assert!(
                changes.is_empty(),
                "{name}: {:?}",
                changes
                    .iter()
                    .map(|c| (&c.address, &c.reasons))
                    .collect::<Vec<_>>()
            );
        }
        Some((address, action, path)) => {
            assert_eq!(code, 2, "{name}: {stderr}");
            assert_eq!(
                changes.len(),
                1,
                "{name}: {:?}",
                changes
                    .iter()
                    .map(|c| (&c.address, &c.reasons))
                    .collect::<Vec<_>>()
            );
            assert_eq!(changes[0].address, address, "{name}");
            assert_eq!(
                changes[0].action, action,
                "{name}: {:?}",
                changes[0].reasons
            );
            assert_eq!(changes[0].reasons[0].path.as_deref(), Some(path), "{name}");
        }
    }
}

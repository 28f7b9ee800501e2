//! In-place updates against mock-arm: drift on a cluster and on a pool is converged with a
//! read-modify-write of the full body (the cluster keeps its pools and add-ons, the pool is
//! written through the agent-pool API), and the writes go only to the drifted resources.

use serde_json::{json, Value};

use super::{apply, assert_converged, assert_no_conflicts_in_log, plan_file, writes};
use crate::common;

fn body_of<'a>(state: &'a mut Value, arm_type: &str) -> &'a mut Value {
    state["resources"]
        .as_array_mut()
        .expect("resources")
        .iter_mut()
        .find(|body| {
            body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(arm_type))
        })
        .expect("a resource of that type")
}

/// Each add-on's `enabled` and `config` (its identity is ARM's read-only business).
fn addon_settings(addons: &Value) -> Vec<(String, Value, Value)> {
    let mut settings: Vec<(String, Value, Value)> = addons
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, addon)| {
            (
                name.clone(),
                addon["enabled"].clone(),
                addon["config"].clone(),
            )
        })
        .collect();
    settings.sort_by(|a, b| a.0.cmp(&b.0));
    settings
}

#[test]
fn drift_on_a_cluster_and_a_pool_is_converged_without_resetting_the_rest() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let applied = apply(&mock, &file, &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let before = common::state(&mock);
    let mut state = before.clone();
    let cluster = body_of(&mut state, "Microsoft.ContainerService/managedClusters");
    let cluster_id = cluster["id"].as_str().unwrap().to_owned();
    let pools_before = cluster["properties"]["agentPoolProfiles"]
        .as_array()
        .map(Vec::len);
    let addons_before = addon_settings(&cluster["properties"]["addonProfiles"]);
    let tags = cluster["tags"].as_object().cloned().unwrap_or_default();
    let (tag, declared_value) = tags
        .iter()
        .find(|(key, _)| !["aksctl-estate", "managed-by"].contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .expect("the estate declares a cluster tag");
    cluster["tags"][&tag] = json!("drifted");
    // A tag added by someone else (e.g. Azure Policy) is not the estate's business.
    cluster["tags"]["added-by-policy"] = json!("kept");
    // A label added to a pool whose labels the estate declares (the map is owned whole).
    let pool = state["resources"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|body| {
            body["type"].as_str().is_some_and(|t| {
                t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters/agentPools")
            }) && body["properties"]["nodeLabels"]
                .as_object()
                .is_some_and(|labels| !labels.is_empty())
        })
        .expect("a pool with declared labels");
    pool["properties"]["nodeLabels"]["added-by-hand"] = json!("x");
    let pool_id = Some(pool["id"].as_str().unwrap().to_owned());
    common::put_state(&mock, &state);
    common::clear_requests(&mock);

    let converged = apply(&mock, &file, &[]);
    assert_eq!(converged.code, 0, "{}", converged.describe());
    assert!(
        converged.stdout.contains("~ cluster/"),
        "{}",
        converged.describe()
    );
    // The apply lease (`docs/apply.md`): taken and released on the estate's resource group.
    let (lease, others): (Vec<_>, Vec<_>) = writes(&mock).into_iter().partition(|request| {
        request["method"] == "PUT"
            && request["path"].as_str().is_some_and(|path| {
                path.to_ascii_lowercase()
                    .ends_with("/resourcegroups/rg-shared-aks-prod")
            })
    });
    assert_eq!(lease.len(), 2, "lease taken and released: {lease:?}");
    assert!(lease[0]["body"]["tags"]["aksctl-apply-lease"].is_string());
    assert!(lease[1]["body"]["tags"].get("aksctl-apply-lease").is_none());
    let written: Vec<String> = others
        .iter()
        .map(|request| {
            request["path"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
        .collect();
    let mut expected = vec![cluster_id.to_ascii_lowercase()];
    expected.extend(pool_id.iter().map(|id| id.to_ascii_lowercase()));
    for path in &written {
        assert!(
            expected.contains(path),
            "unexpected write to {path}; expected only {expected:?}"
        );
    }
    assert_no_conflicts_in_log(&mock);
    let mut after = common::state(&mock);
    let cluster = body_of(&mut after, "Microsoft.ContainerService/managedClusters");
    assert_eq!(
        cluster["properties"]["agentPoolProfiles"]
            .as_array()
            .map(Vec::len),
        pools_before
    );
    assert_eq!(
        addon_settings(&cluster["properties"]["addonProfiles"]),
        addons_before
    );
    assert_eq!(
        cluster["tags"][&tag], declared_value,
        "declared tag restored: {}",
        cluster["tags"]
    );
    assert_eq!(cluster["tags"]["added-by-policy"], "kept");
    let pool = after["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|body| body["id"].as_str() == pool_id.as_deref())
        .expect("the pool");
    assert!(
        pool["properties"]["nodeLabels"]
            .get("added-by-hand")
            .is_none(),
        "{pool}"
    );
    assert_converged(&mock, &file);
}

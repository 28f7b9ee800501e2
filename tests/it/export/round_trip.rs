//! Every shipped plan round-trips apply -> export -> plan with no changes, reading collections
//! only; ~150 resources at 100 ms latency export in seconds.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mock_arm::Config;
use serde_json::{json, Value};

use super::az_world::{arm_id, az_world, issuer_url, GROUP, LOCATION};
use super::*;
use crate::common::{self, SUBSCRIPTION};

/// Whether `path` is a list (a collection), a resource group, or the one storage singleton
/// without a list (`managementPolicies/default`).
pub(super) fn is_collection_read(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.trim_matches('/').split('/').collect();
    let last = segments.last().copied().unwrap_or_default();
    let group = segments.len() == 4 && segments[2] == "resourcegroups";
    // The generic list of a group, and the list of every kind aksctl manages (the last segment
    // of its ARM type).
    let is_kind_list = aksctl::kind::Kind::ALL.iter().any(|kind| {
        kind.arm_type()
            .rsplit('/')
            .next()
            .is_some_and(|segment| segment.eq_ignore_ascii_case(last))
    });
    group
        || last == "resources"
        || (is_kind_list && last != "managementpolicies")
        || lower.ends_with("/managementpolicies/default")
}

/// The resource groups an estate file declares.
pub(super) fn declared_groups(file: &Path) -> Vec<String> {
    let environment = |name: &str| match name {
        "AZURE_SUBSCRIPTION_ID" => Some(SUBSCRIPTION.to_owned()),
        "AZURE_TENANT_ID" => Some(common::tenant()),
        _ => None,
    };
    let input = aksctl::spec::Input {
        name: file.display().to_string(),
        bytes: std::fs::read(file).map_err(|error| error.to_string()),
    };
    let loaded = aksctl::spec::load_inputs(vec![input], &environment)
        .unwrap_or_else(|diagnostics| panic!("{}: {diagnostics:?}", file.display()));
    loaded
        .estate
        .resource_groups
        .iter()
        .map(|group| group.name.clone())
        .collect()
}

pub(super) fn shipped_plans() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(common::repo_path("plans"))
        .expect("plans/ exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no estate in plans/");
    files
}

#[test]
fn every_shipped_plan_round_trips_apply_export_plan_with_no_changes() {
    for plan_file in shipped_plans() {
        let mock = common::start_mock();
        let applied = run(
            &mock,
            &[
                "apply",
                "-f",
                &path_arg(&plan_file),
                "--auto-approve",
                "--no-progress",
            ],
        );
        assert_eq!(
            applied.code,
            0,
            "{}: apply failed: {}",
            plan_file.display(),
            applied.describe()
        );
        let groups = declared_groups(&plan_file);
        let group_refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let directory = tempfile::tempdir().expect("temp dir");
        let file = temp_file(&directory, "exported.yaml");
        common::clear_requests(&mock);
        let text = export(&mock, &group_refs, &file);
        let reads = common::arm_requests(&mock);
        assert!(
            reads.iter().all(|request| request["method"] == "GET"),
            "{}: export wrote to ARM",
            plan_file.display()
        );
        for request in &reads {
            let path = request["path"].as_str().unwrap_or_default();
            assert!(
                is_collection_read(path),
                "{}: export read a single resource instead of its list: {path}",
                plan_file.display()
            );
        }
        let source = std::fs::read_to_string(&plan_file).expect("plan file");
        if source.contains("clusters: [") {
            assert!(
                text.lines()
                    .any(|line| line.starts_with(' ') && line.trim() == "clusters:"),
                "{}: per-cluster credentials not written back as `clusters:`\n{text}",
                plan_file.display()
            );
        }
        validate(&mock, &file);
        let planned = plan_json(&mock, &file);
        assert!(
            changes(&planned).is_empty(),
            "{}: plan of the exported estate is not empty: {:#?}\n--- exported\n{text}",
            plan_file.display(),
            changes(&planned)
        );
    }
}

/// The az world plus 65 identities with one federated credential each (~150 resources).
pub(super) fn large_world() -> Vec<Value> {
    let mut world = az_world();
    for index in 0..70 {
        let identity = arm_id(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            &format!("id-service-{index:02}"),
        );
        world.push(
            json!({"id": identity, "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                          "location": LOCATION, "tags": {"team": "payments"}}),
        );
        world.push(json!({"id": format!("{identity}/federatedIdentityCredentials/service-{index:02}"),
                          "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                          "properties": {"issuer": issuer_url(),
                                         "subject": format!("system:serviceaccount:services:service-{index:02}"),
                                         "audiences": ["api://AzureADTokenExchange"]}}));
    }
    world
}

/// ~150 resources in one group, 100 ms per ARM request: export takes seconds, not hours.
#[test]
fn export_of_150_resources_at_100ms_latency_takes_seconds() {
    let mock = common::start_mock_with(Config {
        time_scale: 0.0005,
        latency: Duration::from_millis(100),
        ..Config::default()
    });
    seed(&mock, large_world());
    let resources = common::state(&mock)["resources"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(resources >= 145, "only {resources} resources seeded");
    let directory = tempfile::tempdir().expect("temp dir");
    let file = temp_file(&directory, "estate.yaml");
    common::clear_requests(&mock);
    let started = Instant::now();
    let text = export(&mock, &[GROUP], &file);
    let elapsed = started.elapsed();
    let requests = common::arm_requests(&mock).len();
    assert!(text.contains("id-service-69"), "{text}");
    // One list per collection: the group, its 8 kinds (private DNS zones and endpoints
    // included), its other resources, the subscription's role assignments, then per parent: 71
    // identities' credentials, 1 cluster's pools, maintenance configurations, extensions and
    // flux configurations (ARM lists extension resources only per parent), the storage
    // account's blob service, containers and lifecycle policy (no Premium registry: no replica
    // list), and the diagnostic settings of each resource that takes them (cluster, registry,
    // vault, storage account and its blob service: ARM lists them only per resource).
    let collections = 1 + 8 + 1 + 1 + 71 + 4 + 3 + 5;
    assert!(
        requests <= collections,
        "{requests} requests for {resources} resources (expected at most {collections})"
    );
    assert!(elapsed < Duration::from_secs(10), "export took {elapsed:?}");
    validate(&mock, &file);
}

//! `aksctl plan` against mock-arm, for every estate in `plans/`: an empty world plans only
//! creates; a world seeded with the estate (raw PUTs through the ARM client, so mock-arm fills in
//! ARM's defaults and read-only fields) plans no changes; drift in each declared field, one at a
//! time, plans exactly one update or replacement with the right reason; the live read stays
//! within 0.5 ARM requests per resource; the renderings are pinned by snapshots.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aksctl::arm::{ArmClient, WriteOptions};
use aksctl::desired::{self, DesiredState, LowerContext};
use aksctl::live::{self, LiveState};
use aksctl::plan::{Action, Plan};
use aksctl::planner::{self, set_pointer, PlanOptions};
use aksctl::spec;

use crate::common::{self, SUBSCRIPTION};

mod drift;
mod flows;
mod golden;
mod networks;
mod renderings;

/// Every estate file in `plans/`, sorted.
fn plan_files() -> Vec<PathBuf> {
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

/// The estate lowered exactly as the CLI lowers it with the test environment.
pub(crate) fn load_desired(file: &Path) -> DesiredState {
    let environment = |name: &str| match name {
        "AZURE_SUBSCRIPTION_ID" => Some(SUBSCRIPTION.to_owned()),
        "AZURE_TENANT_ID" => Some(common::tenant()),
        _ => None,
    };
    let input = spec::Input {
        name: file.display().to_string(),
        bytes: std::fs::read(file).map_err(|error| error.to_string()),
    };
    let loaded = spec::load_inputs(vec![input], &environment)
        .unwrap_or_else(|diagnostics| panic!("{}: {diagnostics:?}", file.display()));
    desired::lower(
        &loaded.estate,
        &LowerContext {
            tenant_id: Some(common::tenant()),
            subscription: None,
            // As the plan's reads of the seeded networks report them.
            subnet_route_tables: aksctl::sandbox_networks::shipped_route_tables(
                common::SUBSCRIPTION,
            ),
        },
    )
    .unwrap_or_else(|error| panic!("{}: {error}", file.display()))
}

/// Creates every resource of the estate with raw PUTs in plan order, filling deferred values
/// from the created sources, as ARM would see a converged estate.
pub(crate) async fn seed(client: &ArmClient, desired: &DesiredState) {
    let plan = planner::build(desired, &LiveState::new(), &PlanOptions::default()).expect("plan");
    let ids: HashMap<&str, &aksctl::id::ResourceId> = plan
        .changes
        .iter()
        .map(|change| (change.address.as_str(), &change.id))
        .collect();
    for change in &plan.changes {
        let mut body = change.after.clone().expect("create has a body");
        for deferred in &change.deferred {
            let source = ids[deferred.source.as_str()];
            let source_kind = plan
                .changes
                .iter()
                .find(|c| c.address == deferred.source)
                .map(|c| c.api_version.clone())
                .expect("source planned");
            let source_body = client
                .get(source, &source_kind)
                .await
                .expect("read source")
                .unwrap_or_else(|| panic!("{} missing", deferred.source));
            let value = source_body
                .pointer(&deferred.output)
                .cloned()
                .unwrap_or_else(|| panic!("{} has no {}", deferred.source, deferred.output));
            set_pointer(&mut body, &deferred.path, value);
        }
        client
            .put(
                &change.id,
                &change.api_version,
                &body,
                &WriteOptions::default(),
            )
            .await
            .unwrap_or_else(|error| panic!("seeding {}: {error}", change.address));
    }
}

/// Reads live state through the library, as the CLI does, and plans.
async fn plan_in_process(client: &ArmClient, desired: &DesiredState) -> (Plan, LiveState) {
    let live = live::read(client, desired, &desired.estate)
        .await
        .expect("live read");
    let plan = planner::build(desired, &live, &PlanOptions::default()).expect("plan");
    (plan, live)
}

fn changing(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|change| change.action != Action::Noop)
        .map(|change| {
            format!(
                "{:?} {}: {}",
                change.action,
                change.address,
                change
                    .reasons
                    .iter()
                    .map(|reason| reason.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
        .collect()
}

fn run_plan_json(mock: &mock_arm::MockArm, file: &Path, extra: &[&str]) -> (i32, Plan, String) {
    let output = common::aksctl(mock)
        .arg("plan")
        .arg("-f")
        .arg(file)
        .args(["--output", "json", "--detailed-exitcode"])
        .args(extra)
        .output()
        .expect("aksctl runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stdout.contains(common::SECRET_CANARY) && !stderr.contains(common::SECRET_CANARY),
        "the client secret leaked"
    );
    let code = output.status.code().unwrap_or(-1);
    let plan: Plan = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("{}: exit {code}: {error}\n{stderr}", file.display()));
    (code, plan, stderr)
}

#[test]
fn empty_world_plans_only_creates_for_every_estate() {
    let mock = common::start_mock();
    for file in plan_files() {
        let desired = load_desired(&file);
        let (code, plan, _) = run_plan_json(&mock, &file, &[]);
        assert_eq!(
            code,
            2,
            "{}: changes exit 2 with --detailed-exitcode",
            file.display()
        );
        assert_eq!(
            plan.changes.len(),
            desired.resources.len(),
            "{}",
            file.display()
        );
        assert_eq!(
            plan.summary.create,
            desired.resources.len(),
            "{}",
            file.display()
        );
        assert!(plan.observed.iter().all(|o| o.fingerprint == "absent"));
    }
}

#[test]
#[allow(clippy::print_stdout)] // the request-economy figure is reported in the test output
fn converged_world_plans_no_changes_for_every_estate_within_the_request_budget() {
    for file in plan_files() {
        let mock = common::start_mock();
        let desired = load_desired(&file);
        let client = common::arm_client(&mock);
        common::block_on(seed(&client, &desired));

        let (plan, _) = common::block_on(plan_in_process(&client, &desired));
        assert_eq!(changing(&plan), Vec::<String>::new(), "{}", file.display());

        common::clear_requests(&mock);
        let output = common::aksctl(&mock)
            .arg("plan")
            .arg("-f")
            .arg(&file)
            .arg("--detailed-exitcode")
            .output()
            .expect("aksctl runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}:\n{stdout}\n{}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("No changes. ARM matches the estate."),
            "{stdout}"
        );

        let reads = common::arm_requests(&mock);
        assert!(
            reads.iter().all(|request| request["method"] == "GET"),
            "plan only reads"
        );
        let per_resource = reads.len() as f64 / desired.resources.len() as f64;
        println!(
            "request economy {}: {} ARM requests for {} resources = {per_resource:.3} per resource",
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            reads.len(),
            desired.resources.len()
        );
        // The budget is set for the large estate; small ones pay a fixed floor of list calls.
        if file.ends_with("northwind.yaml") {
            assert!(
                per_resource <= 0.5,
                "{}: {per_resource:.3} requests per resource: {:#?}",
                file.display(),
                reads.iter().map(|r| r["path"].clone()).collect::<Vec<_>>()
            );
        }
    }
}

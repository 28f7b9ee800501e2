//! Whole flows through the binary against mock-arm: the DR recreate set when a cluster is gone,
//! ownership (owned and undeclared -> delete, untagged -> notice, other estate -> refused), and
//! the CLI surface (`--out` saved atomically, markdown to `$GITHUB_STEP_SUMMARY`, `--target`,
//! exit codes 0/1/2).

use serde_json::{json, Value};

use aksctl::arm::WriteOptions;
use aksctl::kind::Kind;
use aksctl::plan::{Action, Plan, ReasonCode};

use super::{load_desired, run_plan_json, seed};
use crate::common;

/// A seeded northwind world and its converged state document.
fn seeded_northwind() -> (
    mock_arm::MockArm,
    aksctl::desired::DesiredState,
    std::path::PathBuf,
) {
    let file = common::repo_path("plans/northwind.yaml");
    let mock = common::start_mock();
    let desired = load_desired(&file);
    common::block_on(seed(&common::arm_client(&mock), &desired));
    (mock, desired, file)
}

#[test]
fn a_deleted_cluster_plans_exactly_the_recreate_set() {
    let (mock, desired, file) = seeded_northwind();
    let cluster = desired
        .resources
        .iter()
        .find(|r| r.kind == Kind::ManagedCluster)
        .expect("a cluster")
        .clone();
    let client = common::arm_client(&mock);
    common::block_on(client.delete(
        &cluster.id,
        Kind::ManagedCluster.api_version(),
        &WriteOptions::default(),
    ))
    .expect("cluster deleted");

    let (code, plan, stderr) = run_plan_json(&mock, &file, &[]);
    assert_eq!(code, 2, "{stderr}");
    let under_cluster = |id: &aksctl::id::ResourceId| {
        id.as_str()
            .to_ascii_lowercase()
            .starts_with(&format!("{}/", cluster.id.as_str().to_ascii_lowercase()))
    };
    let mut counts = std::collections::BTreeMap::new();
    for resource in &desired.resources {
        let copies_from_cluster = resource
            .deferred
            .iter()
            .any(|d| d.source == cluster.address);
        let expected = if resource.address == cluster.address || under_cluster(&resource.id) {
            Action::Create
        } else if copies_from_cluster && resource.kind == Kind::FederatedIdentityCredential {
            Action::Update
        } else if copies_from_cluster && resource.kind == Kind::RoleAssignment {
            Action::Replace
        } else {
            Action::Noop
        };
        let change = plan
            .changes
            .iter()
            .find(|c| c.address == resource.address)
            .expect("planned");
        assert_eq!(
            change.action, expected,
            "{}: {:?}",
            resource.address, change.reasons
        );
        if expected == Action::Update || expected == Action::Replace {
            assert!(
                change
                    .reasons
                    .iter()
                    .all(|r| r.code == ReasonCode::DependencyChanged),
                "{:?}",
                change.reasons
            );
            assert!(!change.unknown_after_apply.is_empty() && !change.deferred.is_empty());
        }
        *counts.entry(format!("{expected:?}")).or_insert(0) += 1;
    }
    assert!(
        counts.get("Update").copied().unwrap_or(0) > 0,
        "credentials re-pointed: {counts:?}"
    );
    assert!(
        counts.get("Replace").copied().unwrap_or(0) > 0,
        "kubelet grants re-created: {counts:?}"
    );
    assert_eq!(plan.summary.delete, 0);
}

fn edit_and_plan(
    mock: &mock_arm::MockArm,
    file: &std::path::Path,
    converged: &Value,
    edit: &dyn Fn(&mut Vec<Value>),
) -> (i32, Plan, String) {
    let mut state = converged.clone();
    edit(state["resources"].as_array_mut().expect("resources"));
    common::reset(mock);
    common::put_state(mock, &state);
    run_plan_json(mock, file, &[])
}

fn by_kind<'a>(resources: &'a mut [Value], arm_type: &str) -> &'a mut Value {
    resources
        .iter_mut()
        .find(|body| {
            body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(arm_type))
        })
        .unwrap_or_else(|| panic!("no {arm_type}"))
}

#[test]
fn ownership_decides_deletes_notices_and_refusals() {
    let (mock, _desired, file) = seeded_northwind();
    let converged = common::state(&mock);
    let group = converged["resources"]
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .find(|b| b["type"] == "Microsoft.Resources/resourceGroups")
        })
        .and_then(|b| b["id"].as_str())
        .expect("a group")
        .to_owned();

    // Owned and no longer declared: deleted. Untagged and undeclared: never touched.
    let (code, plan, stderr) = edit_and_plan(&mock, &file, &converged, &|resources| {
        resources.push(json!({"id": format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-retired"),
            "name": "id-retired", "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "location": "eastus2",
            "tags": {"aksctl-estate": "northwind-prod", "managed-by": "aksctl"}}));
        resources.push(json!({"id": format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-handmade"),
            "name": "id-handmade", "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "location": "eastus2", "tags": {}}));
    });
    assert_eq!(code, 2, "{stderr}");
    let deletes: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.as_str())
        .collect();
    assert_eq!(deletes, vec!["identity/id-retired"]);
    assert_eq!(
        plan.summary.create + plan.summary.update + plan.summary.replace,
        0
    );

    // Declared but untagged: reported, nothing planned.
    let (code, plan, _) = edit_and_plan(&mock, &file, &converged, &|resources| {
        let registry = by_kind(resources, "Microsoft.ContainerRegistry/registries");
        registry["tags"] = json!({"team": "someone"});
    });
    assert_eq!(code, 0, "no changes: {:?}", plan.notices);
    assert!(
        plan.notices
            .iter()
            .any(|n| n.contains("aksctl adopt -f <estate files> registry/")),
        "{:?}",
        plan.notices
    );

    // Tagged for another estate: refused, exit 1, no plan.
    let output = {
        let mut state = converged.clone();
        let vault = by_kind(
            state["resources"].as_array_mut().expect("resources"),
            "Microsoft.KeyVault/vaults",
        );
        vault["tags"]["aksctl-estate"] = json!("contoso");
        common::reset(&mock);
        common::put_state(&mock, &state);
        common::aksctl(&mock)
            .arg("plan")
            .arg("-f")
            .arg(&file)
            .output()
            .expect("runs")
    };
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("owned by another estate")
            && stderr.contains("keyVault/")
            && stderr.contains("contoso"),
        "{stderr}"
    );
}

#[test]
fn cli_saves_plans_writes_step_summaries_targets_and_exits_by_outcome() {
    let (mock, desired, file) = seeded_northwind();
    let directory = tempfile::tempdir().expect("tempdir");
    let saved = directory.path().join("plan.json");
    let summary = directory.path().join("summary.md");
    std::fs::write(&summary, "previous step\n").expect("summary");

    let output = common::aksctl(&mock)
        .arg("plan")
        .arg("-f")
        .arg(&file)
        .args(["--output", "markdown", "--detailed-exitcode", "--out"])
        .arg(&saved)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("### aksctl plan: `northwind-prod`"),
        "{stdout}"
    );
    let appended = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        appended.starts_with("previous step\n### aksctl plan") && appended.contains("No changes."),
        "{appended}"
    );
    let plan: Plan =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("saved")).expect("a plan");
    assert_eq!(plan.changes.len(), desired.resources.len());
    assert_eq!(plan.observed.len(), desired.resources.len());
    assert!(plan.observed.iter().all(|o| o.fingerprint != "absent"));
    let leftovers: Vec<_> = std::fs::read_dir(directory.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The same world and estate give a byte-identical plan.
    let again = directory.path().join("again.json");
    common::aksctl(&mock)
        .arg("plan")
        .arg("-f")
        .arg(&file)
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&saved).expect("saved"),
        std::fs::read(&again).expect("again")
    );

    // A target keeps what it needs, nothing else.
    let pool = desired
        .resources
        .iter()
        .find(|r| r.kind == Kind::AgentPool)
        .expect("pool");
    let (code, targeted, _) = run_plan_json(&mock, &file, &["--target", &pool.address]);
    assert_eq!(code, 0);
    assert!(
        targeted.changes.len() < desired.resources.len()
            && targeted.changes.iter().any(|c| c.address == pool.address)
    );

    // Errors exit 1 with a message on stderr: an unknown target, a missing file.
    let output = common::aksctl(&mock)
        .arg("plan")
        .arg("-f")
        .arg(&file)
        .args(["--target", "cluster/nope"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--target cluster/nope"));
    let output = common::aksctl(&mock)
        .args(["plan", "-f", "/nonexistent/estate.yaml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));

    // Without --detailed-exitcode, changes still exit 0.
    common::reset(&mock);
    let output = common::aksctl(&mock)
        .arg("plan")
        .arg("-f")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!(
            "Plan: {} to create, 0 to update, 0 to replace, 0 to delete.",
            desired.resources.len()
        )),
        "{text}"
    );
    assert!(text.contains("(known after apply)") && !text.contains('\u{1b}'));
}

#[test]
fn a_soft_deleted_vault_is_planned_for_recovery() {
    let (mock, desired, file) = seeded_northwind();
    let vault = desired
        .resources
        .iter()
        .find(|r| r.kind == Kind::KeyVault)
        .expect("a vault")
        .clone();
    let client = common::arm_client(&mock);
    common::block_on(client.delete(
        &vault.id,
        Kind::KeyVault.api_version(),
        &WriteOptions::default(),
    ))
    .expect("vault deleted");
    let (code, plan, stderr) = run_plan_json(&mock, &file, &[]);
    assert_eq!(code, 2, "{stderr}");
    let change = plan
        .changes
        .iter()
        .find(|c| c.address == vault.address)
        .expect("planned");
    assert_eq!(change.action, Action::Create);
    assert_eq!(
        change.reasons[0].code,
        ReasonCode::RecoverSoftDeleted,
        "{:?} {:?}",
        change.reasons,
        plan.notices
    );
    let text = common::aksctl(&mock)
        .arg("plan")
        .arg("-f")
        .arg(&file)
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&text.stdout).contains(&format!(
        "+ {} will be recovered from soft delete",
        vault.address
    )));
}

#[test]
fn small_list_pages_are_followed_and_change_nothing() {
    let file = common::repo_path("plans/shared-prod.yaml");
    let mock = common::start_mock_with(mock_arm::Config {
        time_scale: 0.0005,
        page_size: 2,
        ..mock_arm::Config::default()
    });
    let desired = load_desired(&file);
    common::block_on(seed(&common::arm_client(&mock), &desired));
    let (code, plan, stderr) = run_plan_json(&mock, &file, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(plan.summary.noop, desired.resources.len());
    assert!(
        common::arm_requests(&mock)
            .iter()
            .any(|request| request["query"]
                .as_str()
                .is_some_and(|q| q.to_ascii_lowercase().contains("skiptoken"))),
        "pages were followed"
    );
}

//! What apply and destroy refuse to do: a stale saved plan, deletes and destructive replaces
//! without their flag, applying without confirmation when stdin is not a terminal, and deleting
//! anything the estate does not own. Each refusal sends no write request.

use aksctl::arm::WriteOptions;
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use serde_json::{json, Value};

use super::{apply, assert_converged, plan_file, resources, run, writes};
use crate::common::{self, block_on, SUBSCRIPTION};

const ESTATE: &str = "shared-prod";
const GROUP: &str = "rg-shared-aks-prod";

fn identity_id(name: &str) -> ResourceId {
    ResourceId::in_resource_group(SUBSCRIPTION, GROUP, Kind::UserAssignedIdentity, name)
}

/// Creates an identity in the estate's group behind aksctl's back, with these tags.
fn put_identity(mock: &mock_arm::MockArm, name: &str, tags: Value) {
    let client = common::arm_client(mock);
    let body = json!({"location": "westeurope", "tags": tags});
    block_on(client.put(
        &identity_id(name),
        Kind::UserAssignedIdentity.api_version(),
        &body,
        &WriteOptions::default(),
    ))
    .expect("out-of-band identity");
}

fn exists(mock: &mock_arm::MockArm, id: &ResourceId) -> bool {
    resources(mock).iter().any(|body| {
        body["id"]
            .as_str()
            .is_some_and(|found| ResourceId::new(found) == *id)
    })
}

#[test]
fn stale_saved_plan_is_refused_naming_what_changed() {
    let mock = common::start_mock();
    let directory = tempfile::tempdir().unwrap();
    let saved = directory.path().join("plan.json");
    let file = plan_file("shared-prod.yaml");
    let planned = run(
        &mock,
        &[
            "plan",
            "-f",
            file.to_str().unwrap(),
            "--out",
            saved.to_str().unwrap(),
        ],
    );
    assert_eq!(planned.code, 0, "{}", planned.describe());
    // Someone creates the resource group the plan saw as absent.
    let client = common::arm_client(&mock);
    let group = ResourceId::resource_group(SUBSCRIPTION, GROUP);
    block_on(client.put(
        &group,
        Kind::ResourceGroup.api_version(),
        &json!({"location": "westeurope"}),
        &WriteOptions::default(),
    ))
    .unwrap();
    common::clear_requests(&mock);
    let refused = run(&mock, &["apply", saved.to_str().unwrap(), "--no-progress"]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(refused.stderr.contains("stale"), "{}", refused.describe());
    assert!(
        refused.stderr.contains(group.as_str()),
        "{}",
        refused.describe()
    );
    assert!(
        writes(&mock).is_empty(),
        "a stale plan wrote: {:?}",
        writes(&mock)
    );

    // A fresh saved plan applies without a prompt, then the estate is converged.
    let planned = run(
        &mock,
        &[
            "plan",
            "-f",
            file.to_str().unwrap(),
            "--out",
            saved.to_str().unwrap(),
        ],
    );
    assert_eq!(planned.code, 0, "{}", planned.describe());
    let applied = run(&mock, &["apply", saved.to_str().unwrap(), "--no-progress"]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert_converged(&mock, &file);
}

#[test]
fn delete_without_allow_delete_touches_nothing() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    assert_eq!(apply(&mock, &file, &[]).code, 0);
    // An identity tagged for this estate but no longer declared: the plan deletes it.
    put_identity(
        &mock,
        "id-retired",
        json!({"aksctl-estate": ESTATE, "managed-by": "aksctl"}),
    );
    common::clear_requests(&mock);
    let refused = apply(&mock, &file, &[]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        refused.stderr.contains("--allow-delete"),
        "{}",
        refused.describe()
    );
    assert!(
        refused.stderr.contains("identity/id-retired"),
        "{}",
        refused.describe()
    );
    assert!(
        writes(&mock).is_empty(),
        "wrote without --allow-delete: {:?}",
        writes(&mock)
    );
    assert!(exists(&mock, &identity_id("id-retired")));

    let allowed = apply(&mock, &file, &["--allow-delete"]);
    assert_eq!(allowed.code, 0, "{}", allowed.describe());
    assert!(!exists(&mock, &identity_id("id-retired")));
    assert_converged(&mock, &file);
}

#[test]
fn cluster_replace_needs_allow_replace_then_recreates_and_repoints_credentials() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    assert_eq!(apply(&mock, &file, &[]).code, 0);
    // Someone changed a create-only field: the cluster must be replaced.
    let mut state = common::state(&mock);
    let bodies = state["resources"].as_array_mut().expect("resources");
    let cluster = bodies
        .iter_mut()
        .find(|body| {
            body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(Kind::ManagedCluster.arm_type()))
        })
        .expect("a cluster");
    cluster["properties"]["dnsPrefix"] = json!("changed-elsewhere");
    common::put_state(&mock, &state);
    common::clear_requests(&mock);
    let refused = apply(&mock, &file, &[]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        refused.stderr.contains("--allow-replace"),
        "{}",
        refused.describe()
    );
    assert!(
        refused.stderr.contains("cluster/"),
        "{}",
        refused.describe()
    );
    assert!(
        writes(&mock).is_empty(),
        "wrote without --allow-replace: {:?}",
        writes(&mock)
    );

    // With the flag: the cluster is deleted (its pools with it) and created again; credentials
    // follow the new issuer, and everything converges.
    let replaced = apply(&mock, &file, &["--allow-replace"]);
    assert_eq!(replaced.code, 0, "{}", replaced.describe());
    assert!(
        replaced.stdout.contains("deleted with cluster/"),
        "{}",
        replaced.describe()
    );
    assert_converged(&mock, &file);
    let issuer = resources(&mock)
        .iter()
        .find(|body| {
            body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(Kind::ManagedCluster.arm_type()))
        })
        .and_then(|cluster| {
            cluster["properties"]["oidcIssuerProfile"]["issuerURL"]
                .as_str()
                .map(str::to_owned)
        })
        .expect("the new cluster's issuer");
    for credential in resources(&mock).iter().filter(|body| {
        body["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(Kind::FederatedIdentityCredential.arm_type()))
    }) {
        assert_eq!(
            credential["properties"]["issuer"],
            issuer.as_str(),
            "{credential}"
        );
    }
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    let refused = run(
        &mock,
        &["apply", "-f", file.to_str().unwrap(), "--no-progress"],
    );
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        refused.stderr.contains("--auto-approve"),
        "{}",
        refused.describe()
    );
    assert!(
        refused.stdout.contains("Plan: "),
        "the plan is shown first: {}",
        refused.describe()
    );
    assert!(writes(&mock).is_empty());
    let nothing = run(&mock, &["apply", "--no-progress"]);
    assert_eq!(nothing.code, 1);
    assert!(nothing.stderr.contains("-f FILE"), "{}", nothing.describe());
}

#[test]
fn destroy_deletes_only_what_the_estate_owns() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    assert_eq!(apply(&mock, &file, &[]).code, 0);
    put_identity(&mock, "id-someone-else", json!({}));
    put_identity(
        &mock,
        "id-other-estate",
        json!({"aksctl-estate": "another-estate"}),
    );
    let path = file.to_str().unwrap();

    common::clear_requests(&mock);
    let unconfirmed = run(&mock, &["destroy", "-f", path, "--no-progress"]);
    assert_eq!(unconfirmed.code, 1, "{}", unconfirmed.describe());
    assert!(
        unconfirmed.stderr.contains("--allow-delete"),
        "{}",
        unconfirmed.describe()
    );
    assert!(writes(&mock).is_empty());

    let destroyed = run(
        &mock,
        &[
            "destroy",
            "-f",
            path,
            "--allow-delete",
            "--auto-approve",
            "--no-progress",
        ],
    );
    // The group still holds resources the estate does not own, so it is left in place.
    assert_eq!(destroyed.code, 1, "{}", destroyed.describe());
    assert!(
        destroyed.stdout.contains("ResourceGroupNotEmpty"),
        "{}",
        destroyed.describe()
    );
    let left: Vec<String> = resources(&mock)
        .iter()
        .filter_map(|body| body["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    assert!(left.iter().any(|id| id.ends_with("/id-someone-else")));
    assert!(left.iter().any(|id| id.ends_with("/id-other-estate")));
    assert!(left
        .iter()
        .any(|id| id.ends_with(&format!("/resourcegroups/{GROUP}"))));
    assert_eq!(
        left.len(),
        3,
        "only the group and the foreign identities remain: {left:?}"
    );
    for request in writes(&mock) {
        let target = request["path"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(
            !target.ends_with("/id-someone-else") && !target.ends_with("/id-other-estate"),
            "{request}"
        );
    }
}

#[test]
fn an_identical_role_assignment_made_after_the_plan_counts_as_done() {
    let mock = common::start_mock();
    let file = plan_file("shared-prod.yaml");
    assert_eq!(apply(&mock, &file, &[]).code, 0);
    // One of the estate's assignments is gone, and the saved plan re-creates it...
    let assignment = resources(&mock)
        .into_iter()
        .find(|body| {
            body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(Kind::RoleAssignment.arm_type()))
        })
        .expect("an assignment");
    let id = ResourceId::new(assignment["id"].as_str().unwrap());
    let client = common::arm_client(&mock);
    let api = Kind::RoleAssignment.api_version();
    block_on(client.delete(&id, api, &WriteOptions::default())).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let saved = directory.path().join("plan.json");
    let saved = saved.to_str().unwrap();
    let planned = run(
        &mock,
        &["plan", "-f", file.to_str().unwrap(), "--out", saved],
    );
    assert_eq!(planned.code, 0, "{}", planned.describe());
    assert!(
        planned.stdout.contains("1 to create"),
        "{}",
        planned.describe()
    );
    // ...but before it is applied, someone grants the same role to the same principal at the
    // same scope under another name: ARM answers 409 RoleAssignmentExists.
    let scope = &id.as_str()[..id
        .as_str()
        .to_ascii_lowercase()
        .find("/providers/microsoft.authorization/")
        .unwrap()];
    let other = ResourceId::role_assignment(
        &ResourceId::new(scope),
        "0c0ffee0-0000-4000-8000-000000000001",
    );
    let body = json!({"properties": {
        "roleDefinitionId": assignment["properties"]["roleDefinitionId"],
        "principalId": assignment["properties"]["principalId"],
        "principalType": "ServicePrincipal"}});
    block_on(client.put(&other, api, &body, &WriteOptions::default())).unwrap();
    let applied = run(&mock, &["apply", saved, "--no-progress"]);
    assert_eq!(applied.code, 0, "{}", applied.describe());
    assert!(
        applied
            .stdout
            .contains(&format!("already assigned as {other}")),
        "{}",
        applied.describe()
    );
    super::assert_nothing_duplicated(&mock);
    assert_converged(&mock, &file);
}

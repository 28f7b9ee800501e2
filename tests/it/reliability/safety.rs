//! Ownership as properties: resources in the estate's resource group that aksctl does not own
//! (no ownership tag, or another estate's) are never written, whatever the flags (apply with
//! `--allow-delete --allow-replace`, then destroy); a declared resource that exists without the
//! tag is left alone with an `adopt` hint; a declared resource owned by another estate is refused
//! with a message naming that estate, before any write. (Gates on delete/replace and the stale
//! saved plan are covered by `apply::safety`.)

use aksctl::arm::WriteOptions;
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use mock_arm::MockArm;
use serde_json::{json, Value};

use super::harness::{apply_with, plan_file, resources, run, start_mock, writes};
use crate::common::{self, block_on, SUBSCRIPTION};

const GROUP: &str = "rg-shared-aks-prod";

fn put(mock: &MockArm, id: &ResourceId, kind: Kind, body: Value) {
    let client = common::arm_client(mock);
    block_on(client.put(id, kind.api_version(), &body, &WriteOptions::default()))
        .unwrap_or_else(|error| panic!("seeding {}: {error}", id.as_str()));
}

fn in_group(kind: Kind, name: &str) -> ResourceId {
    ResourceId::in_resource_group(SUBSCRIPTION, GROUP, kind, name)
}

/// The body of `id` in the mock's world, if it exists.
fn body_of(mock: &MockArm, id: &ResourceId) -> Option<Value> {
    resources(mock).into_iter().find(|body| {
        body["id"]
            .as_str()
            .is_some_and(|found| found.eq_ignore_ascii_case(id.as_str()))
    })
}

/// Asserts no write request targeted `id` or anything under it.
fn assert_untouched(mock: &MockArm, id: &ResourceId) {
    let prefix = id.as_str().to_ascii_lowercase();
    for request in writes(mock) {
        let path = request["path"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(
            !(path == prefix || path.starts_with(&format!("{prefix}/"))),
            "aksctl wrote to a resource it does not own: {request}"
        );
    }
}

#[test]
fn resources_the_estate_does_not_own_are_never_written() {
    let mock = start_mock();
    let file = plan_file("shared-prod.yaml");
    let estate = file.to_str().unwrap();
    let applied = apply_with(&mock, &file, &[], &[]);
    assert_eq!(applied.code, 0, "{}", applied.describe());

    // Neighbours in the same group: untagged, tagged for another estate, and a hand-made role
    // assignment on the group (role assignments carry no tags).
    let foreign_identity = in_group(Kind::UserAssignedIdentity, "id-hand-made");
    put(
        &mock,
        &foreign_identity,
        Kind::UserAssignedIdentity,
        json!({"location": "eastus"}),
    );
    let other_estate_identity = in_group(Kind::UserAssignedIdentity, "id-other-estate");
    put(
        &mock,
        &other_estate_identity,
        Kind::UserAssignedIdentity,
        json!({"location": "eastus", "tags": {"aksctl-estate": "payments-dev", "managed-by": "aksctl"}}),
    );
    let foreign_registry = in_group(Kind::ContainerRegistry, "acrhandmade");
    put(
        &mock,
        &foreign_registry,
        Kind::ContainerRegistry,
        json!({"location": "eastus", "sku": {"name": "Basic"}}),
    );
    let identity_body = body_of(&mock, &foreign_identity).expect("seeded identity");
    let principal = identity_body["properties"]["principalId"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = ResourceId::resource_group(SUBSCRIPTION, GROUP);
    let foreign_assignment =
        ResourceId::role_assignment(&group, "5e1f0000-0000-4000-8000-00000000beef");
    put(
        &mock,
        &foreign_assignment,
        Kind::RoleAssignment,
        json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"),
            "principalId": principal, "principalType": "ServicePrincipal"}}),
    );
    let foreign = [
        &foreign_identity,
        &other_estate_identity,
        &foreign_registry,
        &foreign_assignment,
    ];
    let before: Vec<Value> = foreign
        .iter()
        .map(|id| body_of(&mock, id).unwrap())
        .collect();

    common::clear_requests(&mock);
    // A plan sees nothing to do about them.
    let planned = run(&mock, &["plan", "-f", estate, "--detailed-exitcode"]);
    assert_eq!(planned.code, 0, "{}", planned.describe());
    // Every flag that allows destruction, then destroy.
    let again = apply_with(&mock, &file, &["--allow-delete", "--allow-replace"], &[]);
    assert_eq!(again.code, 0, "{}", again.describe());
    let destroyed = run(
        &mock,
        &[
            "destroy",
            "-f",
            estate,
            "--allow-delete",
            "--auto-approve",
            "--no-progress",
        ],
    );
    assert!(
        !destroyed.combined().contains("panicked"),
        "{}",
        destroyed.describe()
    );
    for (id, before) in foreign.iter().zip(&before) {
        assert_untouched(&mock, id);
        assert_eq!(
            body_of(&mock, id).as_ref(),
            Some(before),
            "{} changed",
            id.as_str()
        );
    }
    // What the estate owned is gone; the group stays because it holds what it does not own.
    let left: Vec<String> = resources(&mock)
        .iter()
        .filter_map(|body| body["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    let owned_left: Vec<&String> = left
        .iter()
        .filter(|id| {
            !foreign
                .iter()
                .any(|foreign| id.starts_with(&foreign.as_str().to_ascii_lowercase()))
                && !id.ends_with(&format!("/resourcegroups/{GROUP}"))
        })
        .collect();
    assert!(
        owned_left.is_empty(),
        "destroy left owned resources: {owned_left:#?}"
    );
}

#[test]
fn a_declared_resource_that_exists_untagged_is_left_alone_with_an_adopt_hint() {
    let mock = start_mock();
    let file = plan_file("shared-prod.yaml");
    put(
        &mock,
        &ResourceId::resource_group(SUBSCRIPTION, GROUP),
        Kind::ResourceGroup,
        json!({"location": "eastus"}),
    );
    let registry = in_group(Kind::ContainerRegistry, "acrsharedprod");
    put(
        &mock,
        &registry,
        Kind::ContainerRegistry,
        json!({"location": "eastus", "sku": {"name": "Basic"}, "tags": {"Team": "someone"}}),
    );
    let before = body_of(&mock, &registry).unwrap();
    common::clear_requests(&mock);
    let planned = run(&mock, &["plan", "-f", file.to_str().unwrap()]);
    assert!(
        planned.stdout.contains("adopt"),
        "the plan points at `aksctl adopt`: {}",
        planned.describe()
    );
    let applied = apply_with(&mock, &file, &["--allow-replace", "--allow-delete"], &[]);
    assert!(
        !applied.combined().contains("panicked"),
        "{}",
        applied.describe()
    );
    let registry_writes: Vec<Value> = writes(&mock)
        .into_iter()
        .filter(|request| {
            request["path"]
                .as_str()
                .is_some_and(|path| path.eq_ignore_ascii_case(registry.as_str()))
        })
        .collect();
    assert!(
        registry_writes.is_empty(),
        "apply wrote to an unowned registry: {registry_writes:?}\n{}",
        applied.describe()
    );
    assert_eq!(body_of(&mock, &registry), Some(before));
}

#[test]
fn a_declared_resource_owned_by_another_estate_is_refused_before_any_write() {
    let mock = start_mock();
    let file = plan_file("shared-prod.yaml");
    let estate = file.to_str().unwrap();
    put(
        &mock,
        &ResourceId::resource_group(SUBSCRIPTION, GROUP),
        Kind::ResourceGroup,
        json!({"location": "eastus", "tags": {"aksctl-estate": "payments-dev", "managed-by": "aksctl"}}),
    );
    let identity = in_group(Kind::UserAssignedIdentity, "id-orders-prod");
    put(
        &mock,
        &identity,
        Kind::UserAssignedIdentity,
        json!({"location": "eastus", "tags": {"aksctl-estate": "payments-dev", "managed-by": "aksctl"}}),
    );
    let before = body_of(&mock, &identity).unwrap();
    common::clear_requests(&mock);
    for args in [
        vec!["plan", "-f", estate],
        vec![
            "apply",
            "-f",
            estate,
            "--auto-approve",
            "--no-progress",
            "--allow-replace",
            "--allow-delete",
        ],
        vec![
            "destroy",
            "-f",
            estate,
            "--auto-approve",
            "--no-progress",
            "--allow-delete",
        ],
    ] {
        let outcome = run(&mock, &args);
        assert!(
            !outcome.combined().contains("panicked"),
            "{}",
            outcome.describe()
        );
        if args[0] != "destroy" {
            assert_eq!(outcome.code, 1, "{args:?}: {}", outcome.describe());
            assert!(
                outcome.combined().contains("payments-dev"),
                "{args:?}: the refusal names the owning estate: {}",
                outcome.describe()
            );
        }
        assert_untouched(&mock, &identity);
        assert_untouched(&mock, &ResourceId::resource_group(SUBSCRIPTION, GROUP));
    }
    assert_eq!(body_of(&mock, &identity), Some(before));
}

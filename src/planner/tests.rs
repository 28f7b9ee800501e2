//! Planner tests on hand-built desired and live states: deferred resolution, the recreate flow,
//! ownership (delete, not managed, other estate), soft-deleted vaults, order and determinism.

use serde_json::{json, Value};

use super::*;
use crate::desired::{DesiredResource, DesiredState};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::{DeletedVault, LiveState};
use crate::plan::{Action, Deferred, ReasonCode, ReplaceOrder};

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const ISSUER: &str = "https://eastus.oic.prod-aks.azure.com/tenant/1111/";

fn tags() -> Value {
    json!({"aksctl-estate": "northwind", "managed-by": "aksctl"})
}

fn group_id() -> ResourceId {
    ResourceId::resource_group(SUB, "rg-app")
}
fn cluster_id() -> ResourceId {
    ResourceId::in_resource_group(SUB, "rg-app", Kind::ManagedCluster, "aks-a")
}
fn identity_id() -> ResourceId {
    ResourceId::in_resource_group(SUB, "rg-app", Kind::UserAssignedIdentity, "id-orders")
}
fn registry_id() -> ResourceId {
    ResourceId::in_resource_group(SUB, "rg-app", Kind::ContainerRegistry, "acrnorthwind")
}
fn credential_id() -> ResourceId {
    identity_id().child(Kind::FederatedIdentityCredential, "orders")
}
fn pool_id() -> ResourceId {
    cluster_id().child(Kind::AgentPool, "system")
}
fn acr_pull_id() -> ResourceId {
    let name = crate::id::role_assignment_name(
        &registry_id(),
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        &format!("{}/kubelet", cluster_id()),
    );
    ResourceId::role_assignment(&registry_id(), &name)
}

fn resource(
    address: &str,
    kind: Kind,
    id: ResourceId,
    body: Value,
    depends_on: &[&str],
) -> DesiredResource {
    DesiredResource {
        address: address.to_owned(),
        kind,
        id,
        body,
        deferred: Vec::new(),
        depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
    }
}

fn desired() -> DesiredState {
    let mut credential = resource(
        "federatedCredential/id-orders/orders",
        Kind::FederatedIdentityCredential,
        credential_id(),
        json!({"properties": {"issuer": null, "subject": "system:serviceaccount:orders:api",
            "audiences": ["api://AzureADTokenExchange"]}}),
        &["identity/id-orders", "cluster/aks-a"],
    );
    credential.deferred.push(Deferred {
        path: "/properties/issuer".to_owned(),
        source: "cluster/aks-a".to_owned(),
        output: "/properties/oidcIssuerProfile/issuerURL".to_owned(),
    });
    let mut acr_pull = resource(
        "roleAssignment/aks-a-acr-pull",
        Kind::RoleAssignment,
        acr_pull_id(),
        json!({"properties": {"roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"),
            "principalId": null, "principalType": "ServicePrincipal"}}),
        &["registry/acrnorthwind", "cluster/aks-a"],
    );
    acr_pull.deferred.push(Deferred {
        path: "/properties/principalId".to_owned(),
        source: "cluster/aks-a".to_owned(),
        output: "/properties/identityProfile/kubeletidentity/objectId".to_owned(),
    });
    DesiredState {
        estate: "northwind".to_owned(),
        subscription: SUB.to_owned(),
        whole_child_lists: Vec::new(),
        resources: vec![
            resource(
                "resourceGroup/rg-app",
                Kind::ResourceGroup,
                group_id(),
                json!({"location": "eastus", "tags": tags()}),
                &[],
            ),
            resource(
                "registry/acrnorthwind",
                Kind::ContainerRegistry,
                registry_id(),
                json!({"location": "eastus", "tags": tags(), "sku": {"name": "Premium"}}),
                &["resourceGroup/rg-app"],
            ),
            resource(
                "identity/id-orders",
                Kind::UserAssignedIdentity,
                identity_id(),
                json!({"location": "eastus", "tags": tags()}),
                &["resourceGroup/rg-app"],
            ),
            resource(
                "cluster/aks-a",
                Kind::ManagedCluster,
                cluster_id(),
                json!({"location": "eastus", "tags": tags(), "properties": {
                    "kubernetesVersion": "1.33", "dnsPrefix": "aks-a",
                    "oidcIssuerProfile": {"enabled": true}}}),
                &["resourceGroup/rg-app"],
            ),
            resource(
                "pool/aks-a/system",
                Kind::AgentPool,
                pool_id(),
                json!({"properties": {"mode": "System", "vmSize": "Standard_D4ds_v5", "count": 3}}),
                &["cluster/aks-a"],
            ),
            credential,
            acr_pull,
        ],
    }
}

/// A live world equal to the estate, with ARM's read-only fields and defaults.
fn live_world() -> LiveState {
    let mut live = LiveState::new();
    let with_id = |id: &ResourceId, kind: Kind, body: Value| {
        let mut body = body;
        body["id"] = json!(id.as_str());
        body["name"] = json!(id.name());
        body["type"] = json!(kind.arm_type());
        body
    };
    live.insert_body(with_id(&group_id(), Kind::ResourceGroup,
        json!({"location": "eastus", "tags": tags(), "properties": {"provisioningState": "Succeeded"}})));
    live.insert_body(with_id(
        &registry_id(),
        Kind::ContainerRegistry,
        json!({"location": "eastus", "tags": tags(), "sku": {"name": "Premium", "tier": "Premium"},
            "properties": {"loginServer": "acrnorthwind.azurecr.io"}}),
    ));
    live.insert_body(with_id(&identity_id(), Kind::UserAssignedIdentity,
        json!({"location": "eastus", "tags": tags(), "properties": {"principalId": "11111111-0000-0000-0000-000000000001", "clientId": "c"}})));
    live.insert_body(with_id(&cluster_id(), Kind::ManagedCluster,
        json!({"location": "eastus", "tags": tags(), "eTag": "e1", "properties": {
            "kubernetesVersion": "1.33", "currentKubernetesVersion": "1.33.3", "dnsPrefix": "aks-a",
            "oidcIssuerProfile": {"enabled": true, "issuerURL": ISSUER},
            "identityProfile": {"kubeletidentity": {"objectId": "22222222-0000-0000-0000-000000000002"}}}})));
    live.insert_body(with_id(&pool_id(), Kind::AgentPool,
        json!({"eTag": "p1", "properties": {"mode": "System", "vmSize": "Standard_D4ds_v5", "count": 3, "maxPods": 110}})));
    live.insert_body(with_id(&credential_id(), Kind::FederatedIdentityCredential,
        json!({"properties": {"issuer": ISSUER.trim_end_matches('/'), "subject": "system:serviceaccount:orders:api",
            "audiences": ["api://AzureADTokenExchange"]}})));
    live.insert_body(with_id(&acr_pull_id(), Kind::RoleAssignment,
        json!({"properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
            "principalId": "22222222-0000-0000-0000-000000000002", "principalType": "ServicePrincipal",
            "scope": registry_id().as_str()}})));
    live
}

fn action_of(plan: &crate::plan::Plan, address: &str) -> Action {
    plan.changes
        .iter()
        .find(|change| change.address == address)
        .map(|change| change.action)
        .unwrap_or_else(|| panic!("{address} not in plan"))
}

fn plan(desired: &DesiredState, live: &LiveState) -> crate::plan::Plan {
    build(desired, live, &PlanOptions::default()).expect("plan")
}

#[test]
fn empty_world_creates_everything_parents_first_with_unknowns() {
    let plan = plan(&desired(), &LiveState::new());
    assert_eq!(plan.summary.create, 7);
    let order: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(
        order,
        vec![
            "resourceGroup/rg-app",
            "cluster/aks-a",
            "identity/id-orders",
            "federatedCredential/id-orders/orders",
            "pool/aks-a/system",
            "registry/acrnorthwind",
            "roleAssignment/aks-a-acr-pull",
        ]
    );
    let credential = &plan.changes[3];
    assert_eq!(credential.unknown_after_apply, vec!["/properties/issuer"]);
    assert_eq!(credential.deferred.len(), 1);
    assert!(plan.observed.iter().all(|o| o.fingerprint == "absent"));
}

#[test]
fn equal_world_is_all_noops_with_deferred_values_filled_from_live() {
    let plan = plan(&desired(), &live_world());
    assert!(
        !plan.has_changes(),
        "{:#?}",
        plan.changes
            .iter()
            .map(|c| (&c.address, c.action, &c.reasons))
            .collect::<Vec<_>>()
    );
    assert_eq!(plan.summary.noop, 7);
    let credential = plan
        .changes
        .iter()
        .find(|c| c.kind == Kind::FederatedIdentityCredential)
        .expect("fic");
    assert_eq!(
        credential
            .after
            .as_ref()
            .and_then(|a| a.pointer("/properties/issuer")),
        Some(&json!(ISSUER))
    );
    assert!(credential.unknown_after_apply.is_empty() && credential.deferred.is_empty());
    let cluster = plan
        .observed
        .iter()
        .find(|o| o.id == cluster_id())
        .expect("observed");
    assert_eq!(cluster.fingerprint, "etag:e1");
}

#[test]
fn recreated_cluster_updates_credentials_and_replaces_kubelet_grants() {
    let mut live = live_world();
    let mut without_cluster = LiveState::new();
    for resource in live.iter() {
        if resource.id != cluster_id() && resource.id != pool_id() {
            without_cluster.insert(resource.clone());
        }
    }
    live = without_cluster;
    let plan = plan(&desired(), &live);
    assert_eq!(action_of(&plan, "cluster/aks-a"), Action::Create);
    assert_eq!(action_of(&plan, "pool/aks-a/system"), Action::Create);
    assert_eq!(
        action_of(&plan, "federatedCredential/id-orders/orders"),
        Action::Update
    );
    assert_eq!(
        action_of(&plan, "roleAssignment/aks-a-acr-pull"),
        Action::Replace
    );
    assert_eq!(action_of(&plan, "identity/id-orders"), Action::Noop);
    assert_eq!(action_of(&plan, "registry/acrnorthwind"), Action::Noop);
    let credential = plan
        .changes
        .iter()
        .find(|c| c.kind == Kind::FederatedIdentityCredential)
        .expect("fic");
    assert_eq!(credential.reasons[0].code, ReasonCode::DependencyChanged);
    assert_eq!(
        credential.reasons[0].message,
        "properties.issuer: known after apply (cluster/aks-a is created)"
    );
    let grant = plan
        .changes
        .iter()
        .find(|c| c.kind == Kind::RoleAssignment)
        .expect("grant");
    assert_eq!(grant.replace_order, Some(ReplaceOrder::DeleteBeforeCreate));
    assert_eq!(grant.unknown_after_apply, vec!["/properties/principalId"]);
}

#[test]
fn immutable_cluster_change_replaces_cluster_and_its_pools() {
    let mut desired = desired();
    desired.resources[3].body["properties"]["dnsPrefix"] = json!("aks-b");
    let plan = plan(&desired, &live_world());
    assert_eq!(action_of(&plan, "cluster/aks-a"), Action::Replace);
    assert_eq!(action_of(&plan, "pool/aks-a/system"), Action::Replace);
    assert_eq!(
        action_of(&plan, "federatedCredential/id-orders/orders"),
        Action::Update
    );
    assert_eq!(
        action_of(&plan, "roleAssignment/aks-a-acr-pull"),
        Action::Replace
    );
}

#[test]
fn owned_undeclared_resources_are_deleted_and_untagged_ones_reported() {
    let mut live = live_world();
    let stale = ResourceId::in_resource_group(SUB, "rg-app", Kind::UserAssignedIdentity, "id-old");
    live.insert_body(
        json!({"id": stale.as_str(), "type": Kind::UserAssignedIdentity.arm_type(),
        "location": "eastus", "tags": tags()}),
    );
    let stale_credential = stale.child(Kind::FederatedIdentityCredential, "old");
    live.insert_body(json!({"id": stale_credential.as_str(), "type": Kind::FederatedIdentityCredential.arm_type(), "properties": {}}));
    let extra_pool = cluster_id().child(Kind::AgentPool, "gpu");
    live.insert_body(json!({"id": extra_pool.as_str(), "type": Kind::AgentPool.arm_type(), "properties": {"vmSize": "x"}}));
    let foreign = ResourceId::in_resource_group(SUB, "rg-app", Kind::KeyVault, "kv-someone");
    live.insert_body(json!({"id": foreign.as_str(), "type": Kind::KeyVault.arm_type(), "location": "eastus", "tags": {}}));
    let plan = plan(&desired(), &live);
    assert_eq!(
        plan.summary.delete,
        2,
        "{:#?}",
        plan.changes
            .iter()
            .map(|c| (&c.address, c.action))
            .collect::<Vec<_>>()
    );
    assert_eq!(action_of(&plan, "identity/id-old"), Action::Delete);
    assert_eq!(action_of(&plan, "pool/aks-a/gpu"), Action::Delete);
    let identity = plan
        .changes
        .iter()
        .find(|c| c.address == "identity/id-old")
        .expect("delete");
    assert_eq!(identity.reasons[0].code, ReasonCode::NotInEstate);
    assert!(identity.reasons[0]
        .message
        .contains("its 1 child resource goes with it"));
    assert!(!plan
        .changes
        .iter()
        .any(|c| c.id == foreign || c.id == stale_credential));
}

#[test]
fn untagged_declared_resource_is_not_managed() {
    let mut live = live_world();
    let mut registry = live.get(&registry_id()).expect("registry").body.clone();
    registry["tags"] = json!({"team": "x"});
    registry["sku"]["name"] = json!("Basic");
    live.insert_body(registry);
    let plan = plan(&desired(), &live);
    assert_eq!(action_of(&plan, "registry/acrnorthwind"), Action::Noop);
    assert!(plan
        .notices
        .iter()
        .any(|n| n.contains("aksctl adopt -f <estate files> registry/acrnorthwind")));
    let change = plan
        .changes
        .iter()
        .find(|c| c.address == "registry/acrnorthwind")
        .expect("registry");
    assert_eq!(change.reasons[0].code, ReasonCode::ExistsNotManaged);
}

#[test]
fn resource_of_another_estate_is_refused() {
    let mut live = live_world();
    let mut identity = live.get(&identity_id()).expect("identity").body.clone();
    identity["tags"]["aksctl-estate"] = json!("contoso");
    live.insert_body(identity);
    let error = build(&desired(), &live, &PlanOptions::default()).expect_err("refused");
    assert!(
        matches!(&error, PlanError::OwnedByOtherEstate { conflicts } if conflicts[0].owner == "contoso")
    );
    assert!(error.to_string().contains("identity/id-orders"));
}

#[test]
fn soft_deleted_vault_is_recovered_or_explained() {
    let mut desired = desired();
    let vault_id = ResourceId::in_resource_group(SUB, "rg-app", Kind::KeyVault, "kv-northwind");
    desired.resources.push(resource("keyVault/kv-northwind", Kind::KeyVault, vault_id.clone(),
        json!({"location": "eastus", "tags": tags(), "properties": {"enablePurgeProtection": true}}),
        &["resourceGroup/rg-app"]));
    let mut live = live_world();
    live.add_deleted_vault(DeletedVault {
        name: "KV-northwind".to_owned(),
        location: "East US".to_owned(),
        vault_id: Some(vault_id.clone()),
        deletion_date: Some("2026-11-20".to_owned()),
        scheduled_purge_date: Some("2027-02-18".to_owned()),
        purge_protection_enabled: true,
        tags: Default::default(),
    });
    let plan = build(&desired, &live, &PlanOptions::default()).expect("plan");
    let vault = plan
        .changes
        .iter()
        .find(|c| c.address == "keyVault/kv-northwind")
        .expect("vault");
    assert_eq!(vault.action, Action::Create);
    assert_eq!(vault.reasons[0].code, ReasonCode::RecoverSoftDeleted);

    let mut elsewhere = live_world();
    elsewhere.add_deleted_vault(DeletedVault {
        name: "kv-northwind".to_owned(),
        location: "westus".to_owned(),
        vault_id: Some(vault_id),
        deletion_date: None,
        scheduled_purge_date: Some("2027-02-18".to_owned()),
        purge_protection_enabled: true,
        tags: Default::default(),
    });
    let plan = build(&desired, &elsewhere, &PlanOptions::default()).expect("plan");
    let vault = plan
        .changes
        .iter()
        .find(|c| c.address == "keyVault/kv-northwind")
        .expect("vault");
    assert_eq!(vault.reasons[0].code, ReasonCode::NotFound);
    assert!(plan
        .notices
        .iter()
        .any(|n| n.contains("deleted in westus") && n.contains("2027-02-18")));
}

#[test]
fn targets_keep_dependencies_and_skip_deletes() {
    let mut live = live_world();
    let stale = ResourceId::in_resource_group(SUB, "rg-app", Kind::UserAssignedIdentity, "id-old");
    live.insert_body(json!({"id": stale.as_str(), "type": Kind::UserAssignedIdentity.arm_type(), "location": "eastus", "tags": tags()}));
    let options = PlanOptions {
        targets: vec!["federatedCredential/id-orders/orders".to_owned()],
    };
    let plan = build(&desired(), &live, &options).expect("plan");
    let addresses: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(
        addresses,
        vec![
            "resourceGroup/rg-app",
            "cluster/aks-a",
            "identity/id-orders",
            "federatedCredential/id-orders/orders"
        ]
    );
    let cluster_target = PlanOptions {
        targets: vec!["cluster/aks-a".to_owned()],
    };
    let plan = build(&desired(), &live, &cluster_target).expect("plan");
    assert!(plan
        .changes
        .iter()
        .any(|c| c.address == "pool/aks-a/system"));
    let unknown = PlanOptions {
        targets: vec!["cluster/aks".to_owned()],
    };
    let error = build(&desired(), &live, &unknown).expect_err("unknown");
    assert!(
        error.to_string().contains("did you mean cluster/aks-a"),
        "{error}"
    );
}

#[test]
fn plans_are_deterministic() {
    let first = serde_json::to_string(&plan(&desired(), &live_world())).expect("json");
    let mut reversed = desired();
    reversed.resources.reverse();
    let second = serde_json::to_string(&plan(&reversed, &live_world())).expect("json");
    assert_eq!(first, second);
}

#[test]
fn failed_provisioning_is_put_again() {
    let mut live = live_world();
    let mut registry = live.get(&registry_id()).expect("registry").body.clone();
    registry["properties"]["provisioningState"] = json!("Failed");
    live.insert_body(registry);
    let plan = plan(&desired(), &live);
    assert_eq!(action_of(&plan, "registry/acrnorthwind"), Action::Update);
}

#[test]
fn an_equivalent_role_assignment_under_another_name_counts_as_done() {
    // `az role assignment create` picks a random GUID name; ARM would answer RoleAssignmentExists
    // to aksctl's deterministic name, so the plan must neither create nor delete anything.
    let world = live_world();
    let mut live = LiveState::new();
    for resource in world.iter() {
        if resource.id == acr_pull_id() {
            let mut body = resource.body.clone();
            let other =
                ResourceId::role_assignment(&registry_id(), "0b5e4c6e-0000-4000-8000-00000000beef");
            body["id"] = json!(other.as_str());
            body["name"] = json!(other.name());
            live.insert_body(body);
        } else {
            live.insert_body(resource.body.clone());
        }
    }
    let plan = plan(&desired(), &live);
    assert!(!plan.has_changes(), "{:#?}", plan.changes);
    let change = plan
        .changes
        .iter()
        .find(|change| change.id == acr_pull_id())
        .expect("assignment in plan");
    assert_eq!(change.reasons[0].code, ReasonCode::EquivalentExists);
    assert!(change.reasons[0]
        .message
        .contains("0b5e4c6e-0000-4000-8000-00000000beef"));
}

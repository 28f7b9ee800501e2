//! Outputs from hand-made desired and live states: issuers matched per credential, service
//! accounts deduplicated across clusters, the recreate set and its deviations.

use serde_json::{json, Value};

use super::rehearsal::{deviations, expected_recreate_set};
use super::*;
use crate::desired::{DesiredResource, DesiredState};
use crate::id::ResourceId;
use crate::live::LiveState;
use crate::plan::{Action, Deferred, Plan, Reason, ReasonCode, ResourceChange};

const GROUP: &str = "/subscriptions/s/resourceGroups/rg";

fn resource(
    address: &str,
    kind: Kind,
    id: String,
    body: Value,
    deferred: Vec<Deferred>,
) -> DesiredResource {
    DesiredResource {
        address: address.to_owned(),
        kind,
        id: ResourceId::new(id),
        body,
        deferred,
        depends_on: Vec::new(),
    }
}

fn credential(identity: &str, name: &str, cluster: &str, account: &str) -> DesiredResource {
    resource(
        &format!("federatedCredential/{identity}/{name}"),
        Kind::FederatedIdentityCredential,
        format!("{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{identity}/federatedIdentityCredentials/{name}"),
        json!({"properties": {"issuer": null, "subject": format!("system:serviceaccount:{account}"), "audiences": ["api://AzureADTokenExchange"]}}),
        vec![Deferred {
            path: "/properties/issuer".into(),
            source: format!("cluster/{cluster}"),
            output: ISSUER_OUTPUT.into(),
        }],
    )
}

fn estate() -> DesiredState {
    let cluster = |name: &str| {
        resource(
            &format!("cluster/{name}"),
            Kind::ManagedCluster,
            format!("{GROUP}/providers/Microsoft.ContainerService/managedClusters/{name}"),
            json!({}),
            Vec::new(),
        )
    };
    DesiredState {
        estate: "e".into(),
        subscription: "s".into(),
        whole_child_lists: Vec::new(),
        resources: vec![
            cluster("east"),
            cluster("central"),
            resource(
                "pool/east/system",
                Kind::AgentPool,
                format!("{GROUP}/providers/Microsoft.ContainerService/managedClusters/east/agentPools/system"),
                json!({}),
                Vec::new(),
            ),
            resource(
                "identity/id-orders",
                Kind::UserAssignedIdentity,
                format!("{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"),
                json!({}),
                Vec::new(),
            ),
            credential("id-orders", "orders", "east", "orders:orders-sa"),
            credential("id-orders", "orders-central", "central", "orders:orders-sa"),
            resource(
                "roleAssignment/east-kubelet-acrpull",
                Kind::RoleAssignment,
                format!("{GROUP}/providers/Microsoft.Authorization/roleAssignments/1"),
                json!({"properties": {"principalId": null}}),
                vec![Deferred {
                    path: "/properties/principalId".into(),
                    source: "cluster/east".into(),
                    output: "/properties/identityProfile/kubeletidentity/objectId".into(),
                }],
            ),
        ],
    }
}

fn live(east_issuer: &str, credential_issuer: &str) -> LiveState {
    let mut live = LiveState::new();
    let cluster = |name: &str, issuer: &str| {
        json!({"id": format!("{GROUP}/providers/Microsoft.ContainerService/managedClusters/{name}"),
            "name": name, "type": "Microsoft.ContainerService/managedClusters", "location": "eastus2",
            "properties": {"oidcIssuerProfile": {"enabled": true, "issuerURL": issuer},
                "identityProfile": {"kubeletidentity": {"clientId": "kc", "objectId": "ko", "resourceId": "kr"}},
                "nodeResourceGroup": format!("MC_rg_{name}_eastus2"),
                "addonProfiles": {"azureKeyvaultSecretsProvider": {"enabled": true,
                    "identity": {"clientId": "csi-client", "objectId": "csi-object", "resourceId": "csi-id"}}}}})
    };
    live.insert_body(cluster("east", east_issuer));
    live.insert_body(cluster("central", "https://central/"));
    live.insert_body(json!({"id": format!("{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"),
        "name": "id-orders", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
        "properties": {"clientId": "client-1", "principalId": "principal-1", "tenantId": "tenant-1"}}));
    for (name, issuer) in [
        ("orders", credential_issuer),
        ("orders-central", "https://central/"),
    ] {
        live.insert_body(json!({"id": format!("{GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders/federatedIdentityCredentials/{name}"),
            "name": name, "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            "properties": {"issuer": issuer, "subject": "system:serviceaccount:orders:orders-sa"}}));
    }
    live
}

#[test]
fn credentials_match_their_clusters_current_issuer() {
    let outputs = collect(&estate(), &live("https://east-new/", "https://east-new/"));
    assert!(outputs.problems().is_empty(), "{:?}", outputs.problems());
    assert_eq!(
        outputs.clusters[0].oidc_issuer_url.as_deref(),
        Some("https://east-new/")
    );
    assert_eq!(
        outputs.clusters[0]
            .kubelet_identity
            .as_ref()
            .and_then(|k| k.client_id.as_deref()),
        Some("kc")
    );
    assert_eq!(outputs.identities[0].client_id.as_deref(), Some("client-1"));
    assert_eq!(
        outputs.clusters[0].node_resource_group.as_deref(),
        Some("MC_rg_east_eastus2")
    );
    assert_eq!(
        outputs.clusters[0]
            .key_vault_secrets_provider_identity
            .as_ref()
            .and_then(|identity| identity.client_id.as_deref()),
        Some("csi-client")
    );
}

#[test]
fn a_credential_still_on_the_old_issuer_is_stale() {
    let outputs = collect(&estate(), &live("https://east-new/", "https://east-old/"));
    let problems = outputs.problems();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].address, "federatedCredential/id-orders/orders");
    assert_eq!(problems[0].status, CredentialStatus::Stale);
    assert_eq!(problems[0].cluster.as_deref(), Some("east"));
}

#[test]
fn a_missing_cluster_is_reported() {
    let mut live_state = LiveState::new();
    for body in live("x", "x")
        .iter()
        .filter(|r| r.id.name() != "east")
        .map(|r| r.body.clone())
    {
        live_state.insert_body(body);
    }
    let outputs = collect(&estate(), &live_state);
    assert_eq!(outputs.missing_clusters().len(), 1);
    assert_eq!(
        outputs.problems()[0].status,
        CredentialStatus::ClusterMissing
    );
}

#[test]
fn one_service_account_per_subject_with_the_identity_client_id() {
    let outputs = collect(&estate(), &live("https://e/", "https://e/"));
    let accounts = service_accounts(&outputs);
    assert_eq!(accounts.len(), 1, "two clusters, one account: {accounts:?}");
    assert_eq!(accounts[0].namespace, "orders");
    assert_eq!(accounts[0].name, "orders-sa");
    assert_eq!(accounts[0].client_id.as_deref(), Some("client-1"));
    assert_eq!(accounts[0].tenant_id.as_deref(), Some("tenant-1"));
}

fn planned(desired: &DesiredState, actions: &[(&str, Action)]) -> Plan {
    let changes = desired
        .resources
        .iter()
        .map(|resource| {
            let action = actions
                .iter()
                .find(|(address, _)| *address == resource.address)
                .map(|(_, action)| *action)
                .unwrap_or(Action::Noop);
            ResourceChange {
                address: resource.address.clone(),
                arm_type: resource.kind.arm_type().into(),
                kind: resource.kind,
                id: resource.id.clone(),
                api_version: resource.kind.api_version().into(),
                action,
                reasons: vec![Reason {
                    code: ReasonCode::NotFound,
                    message: String::new(),
                    path: None,
                }],
                before: None,
                after: Some(resource.body.clone()),
                unknown_after_apply: Vec::new(),
                deferred: Vec::new(),
                depends_on: Vec::new(),
                replace_order: None,
                procedure: Default::default(),
            }
        })
        .collect();
    Plan::new("e".into(), "s".into(), changes, Vec::new(), Vec::new())
}

#[test]
fn the_recreate_set_is_the_cluster_its_pools_its_credentials_and_its_grants() {
    let desired = estate();
    let expected = expected_recreate_set(&desired, "cluster/east");
    let changing: Vec<(&str, Action)> = expected
        .iter()
        .filter(|(_, action)| **action != Action::Noop)
        .map(|(address, action)| (address.as_str(), *action))
        .collect();
    assert_eq!(
        changing,
        vec![
            ("cluster/east", Action::Create),
            ("federatedCredential/id-orders/orders", Action::Update),
            ("pool/east/system", Action::Create),
            ("roleAssignment/east-kubelet-acrpull", Action::Replace),
        ]
    );
    let exact = planned(&desired, &changing);
    assert!(deviations(&exact, &expected).is_empty());
    let mut extra = changing.clone();
    extra.push((
        "federatedCredential/id-orders/orders-central",
        Action::Update,
    ));
    let deviating = deviations(&planned(&desired, &extra), &expected);
    assert_eq!(deviating.len(), 1);
    assert_eq!(
        deviating[0].address,
        "federatedCredential/id-orders/orders-central"
    );
    assert_eq!(deviating[0].expected, Some(Action::Noop));
}

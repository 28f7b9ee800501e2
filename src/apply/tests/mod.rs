//! Scheduler and write-path tests against an in-memory fake ARM (no HTTP): ordering, per-cluster
//! mutual exclusion, per-identity credential serialization, failure propagation, deferred values,
//! inline pools, read-modify-write, role-assignment idempotency, replace ordering, interruption.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::apply::events::{ExecutionEvent, ExecutionObserver, ExecutionReport, StepOutcome};
use crate::apply::graph::ExecutionGraph;
use crate::apply::operations::ArmFailure;
use crate::apply::scheduler::{execute, ExecutorOptions};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::plan::{Action, Deferred, Plan, ReplaceOrder, ResourceChange};

mod fake_arm;

use fake_arm::{Call, FakeArm, SUB};

fn rg() -> ResourceId {
    ResourceId::resource_group(SUB, "rg")
}

fn top(kind: Kind, name: &str) -> ResourceId {
    ResourceId::in_resource_group(SUB, "rg", kind, name)
}

fn change(
    address: &str,
    kind: Kind,
    id: ResourceId,
    action: Action,
    after: Value,
    depends_on: &[&str],
) -> ResourceChange {
    ResourceChange {
        address: address.into(),
        arm_type: kind.arm_type().into(),
        kind,
        id,
        api_version: kind.api_version().into(),
        action,
        reasons: vec![],
        before: None,
        after: (action != Action::Delete).then_some(after),
        unknown_after_apply: vec![],
        deferred: vec![],
        depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
        replace_order: None,
        procedure: Default::default(),
    }
}

fn plan(changes: Vec<ResourceChange>) -> Plan {
    Plan::new("test".into(), SUB.into(), changes, vec![], vec![])
}

fn options() -> ExecutorOptions {
    ExecutorOptions {
        parallelism: 10,
        initial_wait: Duration::from_millis(5),
        max_wait: Duration::from_millis(20),
        ..ExecutorOptions::default()
    }
}

async fn run(fake: &FakeArm, plan: &Plan) -> ExecutionReport {
    let (_sender, receiver) = watch::channel(false);
    run_with(fake, plan, options(), receiver).await
}

async fn run_with(
    fake: &FakeArm,
    plan: &Plan,
    options: ExecutorOptions,
    cancel: watch::Receiver<bool>,
) -> ExecutionReport {
    execute(
        ExecutionGraph::from_plan(plan),
        Arc::new(fake.clone()),
        Arc::new(crate::apply::events::SilentObserver),
        options,
        cancel,
    )
    .await
}

fn outcome<'a>(report: &'a ExecutionReport, address: &str, operation: &str) -> &'a StepOutcome {
    &report
        .steps
        .iter()
        .find(|r| r.step.address == address && r.step.operation.verb() == operation)
        .unwrap_or_else(|| panic!("no step {operation} {address}"))
        .outcome
}

fn overlaps(a: &Call, b: &Call) -> bool {
    a.start < b.end && b.start < a.end
}

fn finished_before(fake: &FakeArm, first: &ResourceId, then: &ResourceId) -> bool {
    let first_end = fake.write_to(first).iter().map(|c| c.end).max();
    let then_start = fake.write_to(then).iter().map(|c| c.start).min();
    matches!((first_end, then_start), (Some(a), Some(b)) if a <= b)
}

fn cluster_estate() -> (Vec<ResourceChange>, ResourceId, ResourceId) {
    let cluster = top(Kind::ManagedCluster, "aks");
    let identity = top(Kind::UserAssignedIdentity, "id-app");
    let mut changes = vec![
        change(
            "resourceGroup/rg",
            Kind::ResourceGroup,
            rg(),
            Action::Create,
            json!({"location": "eastus"}),
            &[],
        ),
        change(
            "identity/id-app",
            Kind::UserAssignedIdentity,
            identity.clone(),
            Action::Create,
            json!({"location": "eastus"}),
            &["resourceGroup/rg"],
        ),
        change(
            "cluster/aks",
            Kind::ManagedCluster,
            cluster.clone(),
            Action::Create,
            json!({"location": "eastus", "properties": {"dnsPrefix": "aks", "oidcIssuerProfile": {"enabled": true}}}),
            &["resourceGroup/rg"],
        ),
        change(
            "pool/aks/system",
            Kind::AgentPool,
            cluster.child(Kind::AgentPool, "system"),
            Action::Create,
            json!({"properties": {"mode": "System", "count": 3}}),
            &["cluster/aks"],
        ),
    ];
    for name in ["user1", "user2", "user3"] {
        changes.push(change(
            &format!("pool/aks/{name}"),
            Kind::AgentPool,
            cluster.child(Kind::AgentPool, name),
            Action::Create,
            json!({"properties": {"mode": "User", "count": 1}}),
            &["cluster/aks"],
        ));
    }
    for (index, name) in ["a", "b", "c", "d"].iter().enumerate() {
        let mut credential = change(
            &format!("federatedCredential/id-app/{name}"),
            Kind::FederatedIdentityCredential,
            identity.child(Kind::FederatedIdentityCredential, name),
            Action::Create,
            json!({"properties": {"issuer": null, "subject": format!("system:serviceaccount:ns:{index}"), "audiences": ["api://AzureADTokenExchange"]}}),
            &["identity/id-app", "cluster/aks"],
        );
        credential.unknown_after_apply = vec!["/properties/issuer".into()];
        credential.deferred = vec![Deferred {
            path: "/properties/issuer".into(),
            source: "cluster/aks".into(),
            output: "/properties/oidcIssuerProfile/issuerURL".into(),
        }];
        changes.push(credential);
    }
    (changes, cluster, identity)
}

#[tokio::test]
async fn creates_parents_first_and_fills_deferred_values() {
    let fake = FakeArm::new(10);
    let (changes, cluster, identity) = cluster_estate();
    let report = run(&fake, &plan(changes)).await;
    assert!(report.succeeded(), "{report:#?}");
    assert!(finished_before(&fake, &rg(), &cluster));
    assert!(finished_before(
        &fake,
        &identity,
        &identity.child(Kind::FederatedIdentityCredential, "a")
    ));
    assert!(finished_before(
        &fake,
        &cluster,
        &cluster.child(Kind::AgentPool, "user1")
    ));
    let credential = fake.write_to(&identity.child(Kind::FederatedIdentityCredential, "b"));
    assert_eq!(
        credential[0].body.as_ref().unwrap()["properties"]["issuer"],
        "https://issuer.example/aks/"
    );
}

#[tokio::test]
async fn new_cluster_takes_its_system_pool_inline_and_other_pools_via_the_pool_api() {
    let fake = FakeArm::new(10);
    let (changes, cluster, _) = cluster_estate();
    let report = run(&fake, &plan(changes)).await;
    assert!(report.succeeded());
    let cluster_put = &fake.write_to(&cluster)[0];
    let profiles = cluster_put.body.as_ref().unwrap()["properties"]["agentPoolProfiles"].clone();
    assert_eq!(
        profiles,
        json!([{"mode": "System", "count": 3, "name": "system"}])
    );
    assert!(fake
        .write_to(&cluster.child(Kind::AgentPool, "system"))
        .is_empty());
    assert_eq!(
        fake.write_to(&cluster.child(Kind::AgentPool, "user2"))
            .len(),
        1
    );
    assert!(
        matches!(outcome(&report, "pool/aks/system", "create"), StepOutcome::Done { note: Some(n), .. } if n.contains("cluster/aks"))
    );
}

#[tokio::test]
async fn one_write_at_a_time_per_cluster_and_per_identity() {
    let fake = FakeArm::new(25);
    let (mut changes, cluster, identity) = cluster_estate();
    // A second identity's credentials may run alongside the first's.
    let other = top(Kind::UserAssignedIdentity, "id-other");
    changes.push(change(
        "identity/id-other",
        Kind::UserAssignedIdentity,
        other.clone(),
        Action::Create,
        json!({"location": "eastus"}),
        &[],
    ));
    for name in ["x", "y"] {
        changes.push(change(
            &format!("federatedCredential/id-other/{name}"),
            Kind::FederatedIdentityCredential,
            other.child(Kind::FederatedIdentityCredential, name),
            Action::Create,
            json!({"properties": {"issuer": "https://i", "subject": name, "audiences": ["a"]}}),
            &["identity/id-other"],
        ));
    }
    let report = run(&fake, &plan(changes)).await;
    assert!(report.succeeded());
    let writes = fake.writes();
    let under = |parent: &ResourceId, call: &Call| {
        call.id == *parent || call.id.parent().as_ref() == Some(parent)
    };
    for parent in [&cluster, &identity, &other] {
        let group: Vec<&Call> = writes
            .iter()
            .filter(|c| under(parent, c) && (parent == &cluster || c.id != *parent))
            .collect();
        assert!(group.len() >= 2);
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                assert!(!overlaps(a, b), "{} overlaps {}", a.id, b.id);
            }
        }
    }
}

#[tokio::test]
async fn a_failure_skips_only_its_dependants() {
    let fake = FakeArm::new(5);
    let registry = top(Kind::ContainerRegistry, "acr");
    let storage = top(Kind::StorageAccount, "st");
    let assignment = ResourceId::role_assignment(&registry, "11111111-1111-1111-1111-111111111111");
    fake.fail_next(
        &registry,
        ArmFailure {
            status: Some(400),
            code: "SkuNotSupported".into(),
            message: "Premium needed".into(),
            request_id: Some("req-1".into()),
        },
    );
    let changes = vec![
        change(
            "registry/acr",
            Kind::ContainerRegistry,
            registry.clone(),
            Action::Create,
            json!({"location": "eastus"}),
            &[],
        ),
        change(
            "roleAssignment/acr-pull",
            Kind::RoleAssignment,
            assignment.clone(),
            Action::Create,
            json!({"properties": {"roleDefinitionId": "/r/7f951dda-4ed3-4680-a7ca-43fe172d538d", "principalId": "p"}}),
            &["registry/acr"],
        ),
        change(
            "storageAccount/st",
            Kind::StorageAccount,
            storage.clone(),
            Action::Create,
            json!({"location": "eastus"}),
            &[],
        ),
    ];
    let report = run(&fake, &plan(changes)).await;
    assert!(!report.succeeded());
    assert!(
        matches!(outcome(&report, "registry/acr", "create"), StepOutcome::Failed { failure, .. } if failure.code == "SkuNotSupported" && failure.request_id.as_deref() == Some("req-1"))
    );
    assert!(
        matches!(outcome(&report, "roleAssignment/acr-pull", "create"), StepOutcome::Skipped { because } if because.contains("registry/acr"))
    );
    assert!(matches!(
        outcome(&report, "storageAccount/st", "create"),
        StepOutcome::Done { .. }
    ));
    assert!(fake.write_to(&assignment).is_empty());
    assert!(fake.exists(&storage));
}

#[tokio::test]
async fn updates_read_modify_write_the_full_body_with_if_match() {
    let fake = FakeArm::new(5);
    let cluster = top(Kind::ManagedCluster, "aks");
    fake.seed(&cluster, json!({
        "id": cluster.as_str(), "name": "aks", "eTag": "\"v1\"", "location": "eastus",
        "properties": {"provisioningState": "Succeeded", "kubernetesVersion": "1.32", "fqdn": "x",
            "addonProfiles": {"omsagent": {"enabled": true}},
            "agentPoolProfiles": [{"name": "system", "count": 3, "provisioningState": "Succeeded"}]}
    }));
    let changes = vec![change(
        "cluster/aks",
        Kind::ManagedCluster,
        cluster.clone(),
        Action::Update,
        json!({"properties": {"kubernetesVersion": "1.33"}}),
        &[],
    )];
    let report = run(&fake, &plan(changes)).await;
    assert!(report.succeeded());
    let put = &fake.write_to(&cluster)[0];
    let body = put.body.as_ref().unwrap();
    assert_eq!(put.if_match.as_deref(), Some("\"v1\""));
    assert_eq!(body["properties"]["kubernetesVersion"], "1.33");
    assert_eq!(
        body["properties"]["addonProfiles"]["omsagent"]["enabled"],
        true
    );
    assert_eq!(
        body["properties"]["agentPoolProfiles"],
        json!([{"name": "system", "count": 3}])
    );
    assert!(body.get("eTag").is_none() && body["properties"].get("fqdn").is_none());
}

#[tokio::test]
async fn conflicts_from_background_operations_are_retried() {
    let fake = FakeArm::new(5);
    let cluster = top(Kind::ManagedCluster, "aks");
    let pool = cluster.child(Kind::AgentPool, "user");
    fake.seed(
        &cluster,
        json!({"properties": {"provisioningState": "Succeeded"}}),
    );
    fake.fail_next(
        &pool,
        ArmFailure::new(
            Some(409),
            "OperationNotAllowed",
            "another operation is in progress",
        ),
    );
    let changes = vec![change(
        "pool/aks/user",
        Kind::AgentPool,
        pool.clone(),
        Action::Create,
        json!({"properties": {"count": 1}}),
        &[],
    )];
    let report = run(&fake, &plan(changes)).await;
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(fake.write_to(&pool).len(), 2);
}

#[tokio::test]
async fn role_assignment_that_exists_under_another_name_counts_as_done() {
    let fake = FakeArm::new(5);
    let scope = top(Kind::KeyVault, "kv");
    let planned = ResourceId::role_assignment(&scope, "22222222-2222-2222-2222-222222222222");
    let existing = ResourceId::role_assignment(&scope, "33333333-3333-3333-3333-333333333333");
    fake.seed(&existing, json!({"id": existing.as_str(), "properties": {
        "roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
        "principalId": "PRINCIPAL", "scope": scope.as_str()}}));
    fake.fail_next(
        &planned,
        ArmFailure::new(Some(409), "RoleAssignmentExists", "exists"),
    );
    let changes = vec![change(
        "roleAssignment/kv",
        Kind::RoleAssignment,
        planned.clone(),
        Action::Create,
        json!({"properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/4633458B-17de-408a-b874-0445c86b69e6", "principalId": "principal"}}),
        &[],
    )];
    let report = run(&fake, &plan(changes)).await;
    assert!(
        matches!(outcome(&report, "roleAssignment/kv", "create"), StepOutcome::Done { note: Some(n), .. } if n.contains("33333333"))
    );
    assert_eq!(
        fake.write_to(&planned)[0].body.as_ref().unwrap()["properties"]["principalType"],
        "ServicePrincipal"
    );
}

#[tokio::test]
async fn deletes_run_children_first_and_pools_go_with_their_cluster() {
    let fake = FakeArm::new(10);
    let cluster = top(Kind::ManagedCluster, "aks");
    let identity = top(Kind::UserAssignedIdentity, "id");
    let credential = identity.child(Kind::FederatedIdentityCredential, "fic");
    for id in [
        &cluster,
        &cluster.child(Kind::AgentPool, "system"),
        &identity,
        &credential,
    ] {
        fake.seed(
            id,
            json!({"properties": {"provisioningState": "Succeeded"}}),
        );
    }
    let changes = vec![
        change(
            "identity/id",
            Kind::UserAssignedIdentity,
            identity.clone(),
            Action::Delete,
            json!(null),
            &[],
        ),
        change(
            "federatedCredential/id/fic",
            Kind::FederatedIdentityCredential,
            credential.clone(),
            Action::Delete,
            json!(null),
            &["identity/id", "cluster/aks"],
        ),
        change(
            "cluster/aks",
            Kind::ManagedCluster,
            cluster.clone(),
            Action::Delete,
            json!(null),
            &["identity/id"],
        ),
        change(
            "pool/aks/system",
            Kind::AgentPool,
            cluster.child(Kind::AgentPool, "system"),
            Action::Delete,
            json!(null),
            &["cluster/aks"],
        ),
    ];
    let report = run(&fake, &plan(changes)).await;
    assert!(report.succeeded(), "{report:#?}");
    assert!(fake
        .write_to(&cluster.child(Kind::AgentPool, "system"))
        .is_empty());
    assert!(finished_before(&fake, &credential, &identity));
    assert!(finished_before(&fake, &credential, &cluster));
    assert!(finished_before(&fake, &cluster, &identity));
    assert!(!fake.exists(&cluster) && !fake.exists(&identity));
}

#[tokio::test]
async fn replace_orders_follow_the_plan() {
    let fake = FakeArm::new(10);
    let same = top(Kind::StorageAccount, "st");
    fake.seed(&same, json!({"id": same.as_str()}));
    let old = top(Kind::ContainerRegistry, "acrold");
    let new = top(Kind::ContainerRegistry, "acrnew");
    fake.seed(&old, json!({"id": old.as_str()}));
    let mut in_place = change(
        "storageAccount/st",
        Kind::StorageAccount,
        same.clone(),
        Action::Replace,
        json!({"location": "eastus"}),
        &[],
    );
    in_place.replace_order = Some(ReplaceOrder::DeleteBeforeCreate);
    in_place.before = Some(json!({"id": same.as_str()}));
    let mut renamed = change(
        "registry/acr",
        Kind::ContainerRegistry,
        new.clone(),
        Action::Replace,
        json!({"location": "eastus"}),
        &[],
    );
    renamed.replace_order = Some(ReplaceOrder::CreateBeforeDelete);
    renamed.before = Some(json!({"id": old.as_str()}));
    let report = run(&fake, &plan(vec![in_place, renamed])).await;
    assert!(report.succeeded(), "{report:#?}");
    let storage_calls: Vec<&'static str> = fake.write_to(&same).iter().map(|c| c.method).collect();
    assert_eq!(storage_calls, vec!["DELETE", "PUT"]);
    assert!(finished_before(&fake, &new, &old));
    assert!(fake.exists(&new) && !fake.exists(&old) && fake.exists(&same));
}

struct Recorder(Mutex<Vec<String>>);

impl ExecutionObserver for Recorder {
    fn on_event(&self, event: &ExecutionEvent) {
        let text = match event {
            ExecutionEvent::Started { step } => format!("started {}", step.address),
            ExecutionEvent::Interrupted { in_flight } => format!("interrupted {}", in_flight.len()),
            _ => return,
        };
        self.0.lock().unwrap().push(text);
    }
}

#[tokio::test]
async fn interruption_starts_nothing_new_and_reports_in_flight() {
    let fake = FakeArm::new(300);
    let (changes, _, _) = cluster_estate();
    let (sender, receiver) = watch::channel(false);
    let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
    let graph = ExecutionGraph::from_plan(&plan(changes));
    let task = tokio::spawn({
        let fake = fake.clone();
        let recorder = Arc::clone(&recorder);
        async move { execute(graph, Arc::new(fake), recorder, options(), receiver).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    sender.send(true).unwrap();
    let report = task.await.unwrap();
    assert!(report.interrupted && !report.succeeded());
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(
        events,
        vec![
            "started resourceGroup/rg".to_string(),
            "interrupted 1".to_string()
        ]
    );
    assert!(matches!(
        outcome(&report, "resourceGroup/rg", "create"),
        StepOutcome::Interrupted { .. }
    ));
    assert!(matches!(
        outcome(&report, "cluster/aks", "create"),
        StepOutcome::Skipped { .. }
    ));
}

#[tokio::test]
async fn parallelism_bounds_operations_in_flight() {
    let fake = FakeArm::new(30);
    let changes: Vec<ResourceChange> = (0..6)
        .map(|i| {
            change(
                &format!("identity/i{i}"),
                Kind::UserAssignedIdentity,
                top(Kind::UserAssignedIdentity, &format!("i{i}")),
                Action::Create,
                json!({"location": "eastus"}),
                &[],
            )
        })
        .collect();
    let (_sender, receiver) = watch::channel(false);
    let report = run_with(
        &fake,
        &plan(changes),
        ExecutorOptions {
            parallelism: 2,
            ..options()
        },
        receiver,
    )
    .await;
    assert!(report.succeeded());
    let writes = fake.writes();
    for call in &writes {
        let concurrent = writes.iter().filter(|other| overlaps(call, other)).count();
        assert!(concurrent <= 2, "{concurrent} writes in flight");
    }
}

#[tokio::test]
async fn a_resource_group_that_still_holds_resources_is_not_deleted() {
    let fake = FakeArm::new(5);
    let foreign = top(Kind::UserAssignedIdentity, "not-ours");
    fake.seed(&rg(), json!({"id": rg().as_str()}));
    fake.seed(&foreign, json!({"id": foreign.as_str()}));
    let changes = vec![change(
        "resourceGroup/rg",
        Kind::ResourceGroup,
        rg(),
        Action::Delete,
        json!(null),
        &[],
    )];
    let report = run(&fake, &plan(changes)).await;
    assert!(
        matches!(outcome(&report, "resourceGroup/rg", "delete"), StepOutcome::Failed { failure, .. } if failure.code == "ResourceGroupNotEmpty" && failure.message.contains("not-ours"))
    );
    assert!(fake.exists(&rg()) && fake.exists(&foreign));
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn a_removed_assignment_on_a_vault_replaced_in_place_does_not_deadlock() {
    let fake = FakeArm::new(5);
    let vault = top(Kind::KeyVault, "kv");
    let assignment = ResourceId::role_assignment(&vault, "44444444-4444-4444-4444-444444444444");
    fake.seed(&vault, json!({"id": vault.as_str()}));
    fake.seed(&assignment, json!({"id": assignment.as_str()}));
    let mut replaced = change(
        "keyVault/kv",
        Kind::KeyVault,
        vault.clone(),
        Action::Replace,
        json!({"location": "eastus"}),
        &[],
    );
    replaced.replace_order = Some(ReplaceOrder::DeleteBeforeCreate);
    let removed = change(
        "roleAssignment/old",
        Kind::RoleAssignment,
        assignment.clone(),
        Action::Delete,
        json!(null),
        &[],
    );
    let report = run(&fake, &plan(vec![replaced, removed])).await;
    assert!(report.succeeded(), "{report:#?}");
    assert!(finished_before(&fake, &assignment, &vault));
    assert!(fake.exists(&vault) && !fake.exists(&assignment));
}

#[tokio::test]
async fn long_running_cluster_operations_do_not_park_short_writes() {
    // With one slot per lane, identities keep being written while a cluster create polls.
    let fake = FakeArm::new(30);
    let cluster = top(Kind::ManagedCluster, "aks-long");
    let mut changes = vec![change(
        "cluster/aks-long",
        Kind::ManagedCluster,
        cluster.clone(),
        Action::Create,
        json!({"location": "eastus", "properties": {"dnsPrefix": "aks-long"}}),
        &[],
    )];
    for i in 0..3 {
        changes.push(change(
            &format!("identity/i{i}"),
            Kind::UserAssignedIdentity,
            top(Kind::UserAssignedIdentity, &format!("i{i}")),
            Action::Create,
            json!({"location": "eastus"}),
            &[],
        ));
    }
    let (_sender, receiver) = watch::channel(false);
    let report = run_with(
        &fake,
        &plan(changes),
        ExecutorOptions {
            parallelism: 1,
            ..options()
        },
        receiver,
    )
    .await;
    assert!(report.succeeded());
    let writes = fake.writes();
    let cluster_write = fake.write_to(&cluster)[0].clone();
    let short_overlapping = writes
        .iter()
        .filter(|call| overlaps(call, &cluster_write) && call.start != cluster_write.start)
        .count();
    assert!(
        short_overlapping >= 1,
        "short writes waited for the cluster: {writes:#?}"
    );
    for call in writes
        .iter()
        .filter(|call| call.start != cluster_write.start)
    {
        let concurrent_short = writes
            .iter()
            .filter(|other| other.start != cluster_write.start && overlaps(call, other))
            .count();
        assert!(
            concurrent_short <= 1,
            "{concurrent_short} short writes in flight"
        );
    }
}

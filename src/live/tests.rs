//! Live-read tests against an in-memory ARM that records every read: one list per collection,
//! only what the estate and its ownership tags need, soft-deleted vaults only when needed.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{json, Value};

use super::*;
use crate::desired::{DesiredResource, DesiredState};
use crate::kind::Kind;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

#[derive(Clone, Default)]
struct FakeArm {
    resources: Arc<Vec<Value>>,
    deleted_vaults: Arc<Vec<Value>>,
    calls: Arc<Mutex<Vec<String>>>,
}

impl FakeArm {
    fn calls(&self) -> Vec<String> {
        let mut calls = self
            .calls
            .lock()
            .map(|calls| calls.clone())
            .unwrap_or_default();
        calls.sort();
        calls
    }
}

fn collection_path(body: &Value) -> String {
    let id = ResourceId::new(body["id"].as_str().unwrap_or_default());
    collection_of(&id)
        .map(|c| c.path().to_ascii_lowercase())
        .unwrap_or_default()
}

#[async_trait]
impl ArmReader for FakeArm {
    async fn list(&self, path: &str, _api_version: &str) -> Result<Vec<Value>, ReadFailure> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("LIST {path}"));
        }
        if path.ends_with("/deletedVaults") {
            return Ok(self.deleted_vaults.as_ref().clone());
        }
        let wanted = path.to_ascii_lowercase();
        let segments: Vec<&str> = wanted.trim_start_matches('/').split('/').collect();
        if segments.len() == 5 && segments[2] == "providers" && segments[4] != "roleassignments" {
            // Subscription-wide list of a top-level kind.
            let kind = Kind::from_arm_type(&format!("{}/{}", segments[3], segments[4]));
            return Ok(self
                .resources
                .iter()
                .filter(|body| {
                    let id = ResourceId::new(body["id"].as_str().unwrap_or_default());
                    kind.is_some()
                        && crate::live::collections::kind_of_id(&id) == kind
                        && id
                            .subscription_id()
                            .is_some_and(|s| s.eq_ignore_ascii_case(segments[1]))
                })
                .cloned()
                .collect());
        }
        Ok(self
            .resources
            .iter()
            .filter(|body| collection_path(body) == wanted)
            .cloned()
            .collect())
    }

    async fn get(&self, id: &ResourceId, _api_version: &str) -> Result<Option<Value>, ReadFailure> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(format!("GET {id}"));
        }
        Ok(self
            .resources
            .iter()
            .find(|body| ResourceId::new(body["id"].as_str().unwrap_or_default()) == *id)
            .cloned())
    }
}

fn body(id: &ResourceId, kind: Kind, tags: Value) -> Value {
    json!({"id": id.as_str(), "name": id.name(), "type": kind.arm_type(), "tags": tags, "properties": {}})
}

fn owned() -> Value {
    json!({"aksctl-estate": "northwind", "managed-by": "aksctl"})
}

fn declared(address: &str, kind: Kind, id: ResourceId) -> DesiredResource {
    DesiredResource {
        address: address.to_owned(),
        kind,
        id,
        body: json!({}),
        deferred: Vec::new(),
        depends_on: Vec::new(),
    }
}

#[tokio::test]
async fn reads_each_collection_once_and_keeps_only_what_the_estate_needs() {
    let group = ResourceId::resource_group(SUB, "rg-app");
    let old_group = ResourceId::resource_group(SUB, "rg-old");
    let cluster = ResourceId::in_resource_group(SUB, "rg-app", Kind::ManagedCluster, "aks");
    let identity = ResourceId::in_resource_group(SUB, "rg-app", Kind::UserAssignedIdentity, "id");
    let foreign = ResourceId::in_resource_group(SUB, "rg-app", Kind::UserAssignedIdentity, "other");
    let old_identity =
        ResourceId::in_resource_group(SUB, "rg-old", Kind::UserAssignedIdentity, "gone");
    let vault = ResourceId::in_resource_group(SUB, "rg-app", Kind::KeyVault, "kv-app");
    let mut world = vec![
        body(&group, Kind::ResourceGroup, owned()),
        body(&old_group, Kind::ResourceGroup, owned()),
        body(
            &ResourceId::resource_group(SUB, "rg-unrelated"),
            Kind::ResourceGroup,
            json!({}),
        ),
        body(&cluster, Kind::ManagedCluster, owned()),
        body(&identity, Kind::UserAssignedIdentity, owned()),
        body(&foreign, Kind::UserAssignedIdentity, json!({})),
        body(&old_identity, Kind::UserAssignedIdentity, owned()),
    ];
    for pool in ["system", "user", "spot"] {
        world.push(body(
            &cluster.child(Kind::AgentPool, pool),
            Kind::AgentPool,
            Value::Null,
        ));
    }
    for credential in ["a", "b"] {
        world.push(body(
            &identity.child(Kind::FederatedIdentityCredential, credential),
            Kind::FederatedIdentityCredential,
            Value::Null,
        ));
    }
    let grant = ResourceId::role_assignment(&group, "g1");
    world.push(body(&grant, Kind::RoleAssignment, Value::Null));
    world.push(body(
        &ResourceId::role_assignment(&group, "someone-else"),
        Kind::RoleAssignment,
        Value::Null,
    ));
    world.push(body(
        &ResourceId::role_assignment(&ResourceId::subscription(SUB), "elsewhere"),
        Kind::RoleAssignment,
        Value::Null,
    ));
    let fake = FakeArm {
        resources: Arc::new(world),
        deleted_vaults: Arc::new(vec![
            json!({"name": "kv-app", "properties": {"location": "eastus"}}),
        ]),
        ..FakeArm::default()
    };
    let desired = DesiredState {
        estate: "northwind".to_owned(),
        subscription: SUB.to_owned(),
        whole_child_lists: Vec::new(),
        resources: vec![
            declared("resourceGroup/rg-app", Kind::ResourceGroup, group.clone()),
            declared("cluster/aks", Kind::ManagedCluster, cluster.clone()),
            declared(
                "pool/aks/system",
                Kind::AgentPool,
                cluster.child(Kind::AgentPool, "system"),
            ),
            declared("identity/id", Kind::UserAssignedIdentity, identity.clone()),
            declared("keyVault/kv-app", Kind::KeyVault, vault.clone()),
            declared("roleAssignment/g1", Kind::RoleAssignment, grant.clone()),
        ],
    };
    let live = read_with(
        &fake,
        &desired,
        "northwind",
        &ReadOptions { max_parallel: 3 },
    )
    .await
    .expect("read");

    let calls = fake.calls();
    let unique: std::collections::BTreeSet<&String> = calls.iter().collect();
    assert_eq!(
        unique.len(),
        calls.len(),
        "a collection was read twice: {calls:#?}"
    );
    // RGs + role assignments + 8 kinds in rg-app + 8 kinds in the owned, undeclared rg-old +
    // pools, maintenance and flux configurations of the owned cluster (not its extensions: the
    // estate declares none) + credentials of the declared identity + deleted vaults (what is in
    // rg-old goes with it, so its children are not read). The 8 kinds: registries, vaults,
    // storage accounts, workspaces, private DNS zones, clusters, identities, private endpoints.
    assert_eq!(calls.len(), 2 + 8 + 8 + 3 + 1 + 1, "{calls:#?}");
    assert!(!calls.iter().any(|call| call.ends_with("/extensions")));
    assert!(calls
        .iter()
        .any(|call| call.ends_with("/managedClusters/aks/maintenanceConfigurations")));
    assert_eq!(live.collections_read(), calls.len());

    assert!(live.contains(&cluster) && live.contains(&identity) && live.contains(&old_identity));
    assert!(
        live.contains(&old_group),
        "owned but undeclared: a delete candidate"
    );
    assert!(
        !live.contains(&foreign),
        "untagged and undeclared resources are not ours"
    );
    assert!(!live.contains(&ResourceId::resource_group(SUB, "rg-unrelated")));
    assert_eq!(live.children_of(&cluster).count(), 3);
    assert!(live.contains(&grant));
    assert!(
        live.contains(&ResourceId::role_assignment(&group, "someone-else")),
        "an assignment at a scope the estate grants at may be an equivalent one made outside aksctl"
    );
    assert!(!live.contains(&ResourceId::role_assignment(
        &ResourceId::subscription(SUB),
        "elsewhere"
    )));
    assert_eq!(
        live.deleted_vault("KV-APP").map(|v| v.location.as_str()),
        Some("eastus")
    );
}

#[tokio::test]
async fn deleted_vaults_are_not_read_when_every_vault_exists() {
    let group = ResourceId::resource_group(SUB, "rg");
    let vault = ResourceId::in_resource_group(SUB, "rg", Kind::KeyVault, "kv");
    let fake = FakeArm {
        resources: Arc::new(vec![
            body(&group, Kind::ResourceGroup, owned()),
            body(&vault, Kind::KeyVault, owned()),
        ]),
        ..FakeArm::default()
    };
    let desired = DesiredState {
        estate: "northwind".to_owned(),
        subscription: SUB.to_owned(),
        whole_child_lists: Vec::new(),
        resources: vec![declared("keyVault/kv", Kind::KeyVault, vault.clone())],
    };
    let live = read_with(&fake, &desired, "northwind", &ReadOptions::default())
        .await
        .expect("read");
    assert!(live.contains(&vault));
    assert!(!fake
        .calls()
        .iter()
        .any(|call| call.contains("deletedVaults")));
}

#[tokio::test]
async fn read_ids_lists_each_collection_once_and_returns_only_those_ids() {
    let cluster = ResourceId::in_resource_group(SUB, "rg", Kind::ManagedCluster, "aks");
    let pools: Vec<ResourceId> = ["a", "b", "c"]
        .iter()
        .map(|p| cluster.child(Kind::AgentPool, p))
        .collect();
    let policy = ResourceId::in_resource_group(SUB, "rg", Kind::StorageAccount, "st")
        .child(Kind::StorageManagementPolicy, "default");
    let mut world: Vec<Value> = pools
        .iter()
        .map(|id| body(id, Kind::AgentPool, Value::Null))
        .collect();
    world.push(body(&cluster, Kind::ManagedCluster, owned()));
    world.push(body(&policy, Kind::StorageManagementPolicy, Value::Null));
    let fake = FakeArm {
        resources: Arc::new(world),
        ..FakeArm::default()
    };
    let missing = cluster.child(Kind::AgentPool, "gone");
    let ids = vec![
        pools[0].clone(),
        pools[1].clone(),
        missing.clone(),
        cluster.clone(),
        policy.clone(),
    ];
    let live = read_ids_with(&fake, &ids, &ReadOptions::default())
        .await
        .expect("read");
    assert_eq!(fake.calls().len(), 3, "{:#?}", fake.calls());
    assert!(live.contains(&pools[0]) && live.contains(&pools[1]) && live.contains(&policy));
    assert!(!live.contains(&pools[2]), "not asked for");
    assert_eq!(live.fingerprint(&missing), ABSENT);
}

#[tokio::test]
async fn an_estate_in_several_groups_lists_each_kind_once_per_subscription() {
    let groups: Vec<ResourceId> = ["rg-a", "rg-b", "rg-c"]
        .iter()
        .map(|g| ResourceId::resource_group(SUB, g))
        .collect();
    let orphan = ResourceId::resource_group(SUB, "rg-orphan");
    let mut world: Vec<Value> = groups
        .iter()
        .map(|g| body(g, Kind::ResourceGroup, owned()))
        .collect();
    world.push(body(&orphan, Kind::ResourceGroup, owned()));
    let orphan_foreign =
        ResourceId::in_resource_group(SUB, "rg-orphan", Kind::ContainerRegistry, "acrforeign");
    world.push(body(&orphan_foreign, Kind::ContainerRegistry, json!({})));
    let elsewhere =
        ResourceId::in_resource_group(SUB, "rg-other-team", Kind::ContainerRegistry, "acrother");
    world.push(body(&elsewhere, Kind::ContainerRegistry, json!({})));
    let mut desired = DesiredState {
        estate: "northwind".to_owned(),
        subscription: SUB.to_owned(),
        whole_child_lists: Vec::new(),
        resources: Vec::new(),
    };
    for (index, group) in groups.iter().enumerate() {
        let identity = ResourceId::in_resource_group(
            SUB,
            group.name(),
            Kind::UserAssignedIdentity,
            &format!("id-{index}"),
        );
        world.push(body(&identity, Kind::UserAssignedIdentity, owned()));
        desired.resources.push(declared(
            &format!("resourceGroup/{}", group.name()),
            Kind::ResourceGroup,
            group.clone(),
        ));
        desired.resources.push(declared(
            &format!("identity/id-{index}"),
            Kind::UserAssignedIdentity,
            identity,
        ));
    }
    let fake = FakeArm {
        resources: Arc::new(world),
        ..FakeArm::default()
    };
    let live = read_with(&fake, &desired, "northwind", &ReadOptions::default())
        .await
        .expect("read");
    // RGs + role assignments + 8 subscription-wide kind lists + credentials of 3 identities.
    assert_eq!(fake.calls().len(), 2 + 8 + 3, "{:#?}", fake.calls());
    assert!(
        live.contains(&orphan) && live.contains(&orphan_foreign),
        "an owned orphan group and its content"
    );
    assert!(
        !live.contains(&elsewhere),
        "another team's registry is not read into the plan"
    );
    assert_eq!(
        live.iter()
            .filter(|r| r.kind == Kind::UserAssignedIdentity)
            .count(),
        3
    );
}

#[tokio::test]
async fn read_ids_skips_the_children_of_a_wanted_parent_that_is_absent() {
    // A saved plan that creates an identity and its credentials: the identity's absence already
    // says the credentials are absent, so their list is not read.
    let identity = ResourceId::in_resource_group(SUB, "rg", Kind::UserAssignedIdentity, "id-new");
    let credential = identity.child(Kind::FederatedIdentityCredential, "orders");
    let present = ResourceId::in_resource_group(SUB, "rg", Kind::UserAssignedIdentity, "id-old");
    let present_credential = present.child(Kind::FederatedIdentityCredential, "billing");
    let fake = FakeArm {
        resources: Arc::new(vec![
            body(&present, Kind::UserAssignedIdentity, owned()),
            body(
                &present_credential,
                Kind::FederatedIdentityCredential,
                Value::Null,
            ),
        ]),
        ..FakeArm::default()
    };
    let ids = vec![
        identity.clone(),
        credential.clone(),
        present.clone(),
        present_credential.clone(),
    ];
    let live = read_ids_with(&fake, &ids, &ReadOptions::default())
        .await
        .expect("read");
    let calls = fake.calls();
    assert_eq!(
        calls.len(),
        2,
        "identities once, id-old's credentials once: {calls:#?}"
    );
    assert!(
        !calls.iter().any(|call| call.contains("id-new/")),
        "{calls:#?}"
    );
    assert_eq!(live.fingerprint(&credential), ABSENT);
    assert!(live.contains(&present_credential));
}

/// `FakeArm` serving lists one item per page, with a small read budget, counting reads in flight.
#[derive(Clone)]
struct PagedArm {
    inner: FakeArm,
    room: usize,
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    most_in_flight: Arc<std::sync::atomic::AtomicUsize>,
    pages_read: Arc<std::sync::atomic::AtomicUsize>,
}

struct OneItemPages {
    arm: PagedArm,
    path: String,
    items: Option<std::collections::VecDeque<Value>>,
}

#[async_trait]
impl read_queue::PageSource for OneItemPages {
    async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ReadFailure> {
        use std::sync::atomic::Ordering;
        let now = self.arm.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.arm.most_in_flight.fetch_max(now, Ordering::SeqCst);
        self.arm.pages_read.fetch_add(1, Ordering::SeqCst);
        tokio::task::yield_now().await;
        if self.items.is_none() {
            self.items = Some(self.arm.inner.list(&self.path, "v").await?.into());
        }
        let page = self
            .items
            .as_mut()
            .and_then(|items| items.pop_front())
            .into_iter()
            .collect();
        self.arm.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(Some(page))
    }

    fn has_more(&self) -> bool {
        self.items.as_ref().is_none_or(|items| !items.is_empty())
    }
}

#[async_trait]
impl ArmReader for PagedArm {
    async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, ReadFailure> {
        self.inner.list(path, api_version).await
    }

    async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ReadFailure> {
        self.inner.get(id, api_version).await
    }

    fn pages(&self, path: &str, _api_version: &str) -> Box<dyn read_queue::PageSource> {
        Box::new(OneItemPages {
            arm: self.clone(),
            path: path.to_owned(),
            items: None,
        })
    }

    fn read_room(&self) -> usize {
        self.room
    }
}

#[tokio::test]
async fn paged_lists_give_the_same_state_within_the_read_budget() {
    use std::sync::atomic::Ordering;
    let group = ResourceId::resource_group(SUB, "rg");
    let mut world = vec![body(&group, Kind::ResourceGroup, owned())];
    let mut resources = vec![declared(
        "resourceGroup/rg",
        Kind::ResourceGroup,
        group.clone(),
    )];
    for index in 0..6 {
        let identity = ResourceId::in_resource_group(
            SUB,
            "rg",
            Kind::UserAssignedIdentity,
            &format!("id-{index}"),
        );
        let credential = identity.child(Kind::FederatedIdentityCredential, "aks");
        world.push(body(&identity, Kind::UserAssignedIdentity, owned()));
        world.push(body(
            &credential,
            Kind::FederatedIdentityCredential,
            Value::Null,
        ));
        resources.push(declared(
            &format!("identity/id-{index}"),
            Kind::UserAssignedIdentity,
            identity,
        ));
    }
    let desired = DesiredState {
        estate: "northwind".to_owned(),
        subscription: SUB.to_owned(),
        whole_child_lists: Vec::new(),
        resources,
    };
    let whole = FakeArm {
        resources: Arc::new(world),
        ..FakeArm::default()
    };
    let expected = read_with(&whole, &desired, "northwind", &ReadOptions::default())
        .await
        .expect("read");
    let paged = PagedArm {
        inner: FakeArm {
            resources: Arc::clone(&whole.resources),
            ..FakeArm::default()
        },
        room: 2,
        in_flight: Arc::default(),
        most_in_flight: Arc::default(),
        pages_read: Arc::default(),
    };
    let live = read_with(&paged, &desired, "northwind", &ReadOptions::default())
        .await
        .expect("read");
    let ids = |state: &LiveState| state.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&live), ids(&expected));
    assert_eq!(live.len(), 13);
    assert_eq!(live.collections_read(), expected.collections_read());
    assert!(
        paged.pages_read.load(Ordering::SeqCst) > live.collections_read(),
        "lists were read page by page"
    );
    assert!(paged.most_in_flight.load(Ordering::SeqCst) <= 2);
}

//! The inventory reads (one list per collection, against a fake reader) and adoption planning
//! from the planner's `existsNotManaged` changes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::{json, Value};

use super::*;
use crate::export::adopt::{self, adopted_tags, candidates, AdoptError};
use crate::export::{read_inventory, ExportError};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::ArmReader;
use crate::plan::{Action, Reason, ReasonCode, ResourceChange};

#[derive(Clone, Default)]
struct FakeReader {
    lists: Arc<BTreeMap<String, Vec<Value>>>,
    calls: Arc<Mutex<Vec<String>>>,
    /// Lower-case paths that answer with an error.
    failing: Arc<Vec<String>>,
}

#[async_trait]
impl ArmReader for FakeReader {
    async fn list(
        &self,
        path: &str,
        _api_version: &str,
    ) -> Result<Vec<Value>, crate::live::ReadFailure> {
        self.calls.lock().expect("lock").push(path.to_owned());
        if self.failing.contains(&path.to_ascii_lowercase()) {
            return Err("403 AuthorizationFailed".into());
        }
        Ok(self
            .lists
            .get(&path.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default())
    }

    async fn get(
        &self,
        id: &ResourceId,
        _api_version: &str,
    ) -> Result<Option<Value>, crate::live::ReadFailure> {
        self.calls.lock().expect("lock").push(id.to_string());
        Ok(self
            .lists
            .get(&id.as_str().to_ascii_lowercase())
            .and_then(|items| items.first().cloned()))
    }
}

#[test]
fn reads_one_list_per_collection() {
    let source = inventory();
    let mut lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let group_path = format!("/subscriptions/{SUB}/resourceGroups/{GROUP}");
    lists.insert(group_path.to_ascii_lowercase(), source.groups.clone());
    for body in &source.resources {
        let id = body["id"].as_str().expect("id");
        let (collection, _) = id.rsplit_once('/').expect("collection");
        lists
            .entry(collection.to_ascii_lowercase())
            .or_default()
            .push(body.clone());
    }
    for body in &source.children {
        let id = body["id"].as_str().expect("id");
        if id.ends_with("/managementPolicies/default") {
            lists.insert(id.to_ascii_lowercase(), vec![body.clone()]);
            continue;
        }
        let (collection, _) = id.rsplit_once('/').expect("collection");
        lists
            .entry(collection.to_ascii_lowercase())
            .or_default()
            .push(body.clone());
    }
    lists.insert(
        format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments")
            .to_ascii_lowercase(),
        source.role_assignments.clone(),
    );
    let reader = FakeReader {
        lists: Arc::new(lists),
        ..FakeReader::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let read = runtime
        .block_on(read_inventory(&reader, SUB, &[GROUP.to_owned()], 4))
        .expect("read");
    assert_eq!(read.resources.len(), 5);
    assert_eq!(read.children.len(), source.children.len());
    assert_eq!(read.role_assignments.len(), source.role_assignments.len());
    let calls = reader.calls.lock().expect("lock").clone();
    // Group GET, 8 kinds (registries, vaults, storage accounts, workspaces, private DNS zones,
    // clusters, identities, private endpoints), the generic list, role assignments; pools and
    // maintenance configurations, the Premium registry's replicas, credentials, and the
    // account's blob service, containers and policy; the cluster's extensions and flux
    // configurations; the diagnostic settings of the cluster, registry, vault, storage account
    // and blob service (ARM lists them only per resource).
    assert_eq!(
        calls.len(),
        1 + 8 + 1 + 1 + 2 + 1 + 1 + 3 + 2 + 5,
        "{calls:#?}"
    );
    assert!(calls
        .iter()
        .any(|call| call
            .ends_with("/providers/Microsoft.KubernetesConfiguration/fluxConfigurations")));
    assert!(calls.iter().any(|call| call.ends_with("/replications")));
    assert!(calls
        .iter()
        .any(|call| call.ends_with("/maintenanceConfigurations")));
    let mut unique = calls.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        calls.len(),
        "a collection was read twice: {calls:#?}"
    );

    let missing = runtime.block_on(read_inventory(&reader, SUB, &["rg-missing".to_owned()], 4));
    assert!(matches!(
        missing,
        Err(ExportError::ResourceGroupNotFound { .. })
    ));
}

fn change(address: &str, kind: Kind, code: ReasonCode, tags: Value) -> ResourceChange {
    ResourceChange {
        address: address.to_owned(),
        arm_type: kind.arm_type().to_owned(),
        kind,
        id: ResourceId::new(format!(
            "/subscriptions/{SUB}/resourceGroups/{GROUP}/x/{address}"
        )),
        api_version: kind.api_version().to_owned(),
        action: Action::Noop,
        reasons: vec![Reason {
            code,
            message: String::new(),
            path: None,
        }],
        before: Some(json!({"tags": tags})),
        after: None,
        unknown_after_apply: Vec::new(),
        deferred: Vec::new(),
        depends_on: Vec::new(),
        replace_order: None,
        procedure: Default::default(),
    }
}

#[test]
fn adoption_takes_the_planners_unmanaged_tracked_resources_only() {
    let plan = crate::plan::Plan::new(
        "shop".into(),
        SUB.into(),
        vec![
            change(
                "cluster/aks-app",
                Kind::ManagedCluster,
                ReasonCode::ExistsNotManaged,
                json!({"Managed-By": "terraform", "env": "prod"}),
            ),
            change(
                "pool/aks-app/system",
                Kind::AgentPool,
                ReasonCode::ExistsNotManaged,
                json!({}),
            ),
            change(
                "keyVault/kv-app",
                Kind::KeyVault,
                ReasonCode::FieldChanged,
                json!({"aksctl-estate": "shop"}),
            ),
        ],
        Vec::new(),
        Vec::new(),
    );
    let chosen = candidates(&plan, &[]).expect("candidates");
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].address, "cluster/aks-app");
    assert_eq!(
        Value::Object(chosen[0].tags.clone()),
        json!({"env": "prod", "aksctl-estate": "shop", "managed-by": "aksctl"}),
        "a differently spelled managed-by is replaced, other tags kept"
    );
    let adoption = adopt::adoption_plan(&plan, &chosen);
    assert_eq!(adoption.summary.update, 1);
    assert_eq!(adoption.changes[0].reasons[0].code, ReasonCode::Adopt);
    assert_eq!(
        adoption.changes[0].after,
        Some(json!({"tags": chosen[0].tags}))
    );

    assert!(
        candidates(&plan, &["cluster/aks-app".into()])
            .expect("known")
            .len()
            == 1
    );
    assert!(matches!(
        candidates(&plan, &["cluster/nope".into()]),
        Err(AdoptError::UnknownAddress { .. })
    ));
    assert!(matches!(
        candidates(&plan, &["pool/aks-app/system".into()]),
        Err(AdoptError::NotTracked { .. })
    ));
    assert_eq!(
        adopted_tags(&json!({}), "shop"),
        json!({"aksctl-estate": "shop", "managed-by": "aksctl"})
            .as_object()
            .cloned()
            .expect("object")
    );
}

#[test]
fn unreadable_role_assignments_degrade_to_a_note() {
    let group = format!("/subscriptions/{SUB}/resourceGroups/{GROUP}");
    let assignments =
        format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments");
    let reader = FakeReader {
        lists: Arc::new(BTreeMap::from([(
            group.to_ascii_lowercase(),
            inventory().groups,
        )])),
        failing: Arc::new(vec![assignments.to_ascii_lowercase()]),
        ..FakeReader::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let read = runtime
        .block_on(read_inventory(&reader, SUB, &[GROUP.to_owned()], 2))
        .expect("a group without role assignments is still exported");
    assert!(read.role_assignments_unreadable.is_some());
    let exported = crate::export::build_estate(&read, None);
    assert!(exported
        .notes
        .iter()
        .any(|note| note.contains("role assignments") && note.contains("403")));
}

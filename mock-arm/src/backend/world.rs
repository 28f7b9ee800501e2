//! The simulated ARM world: stored resources keyed by lower-case id, soft-deleted vaults,
//! running operations and identity bookkeeping. No HTTP and no per-type rules here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;

use super::durations::DurationTable;
use super::json;
use super::lro::Operations;
use super::types::Kind;

/// Settings the backend needs from `Config`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub time_scale: f64,
    pub page_size: usize,
    pub tenant_id: String,
    pub principal_not_found_window: Duration,
    pub durations: DurationTable,
}

/// One stored resource. `body` is what GET returns (clusters get their pools added on render).
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: String,
    pub kind: Kind,
    /// Lower-case id of the resource group, parent resource or role-assignment scope.
    pub parent_key: String,
    pub body: Value,
}

impl Resource {
    pub fn key(&self) -> String {
        self.id.to_lowercase()
    }

    pub fn provisioning_state(&self) -> Option<&str> {
        json::str_at(&self.body, "/properties/provisioningState")
    }

    pub fn location(&self) -> Option<&str> {
        json::str_at(&self.body, "/location")
    }
}

/// A soft-deleted key vault.
#[derive(Debug, Clone)]
pub struct DeletedVault {
    pub subscription: String,
    pub name: String,
    pub location: String,
    /// The vault's body at deletion time (restored by `createMode: recover`).
    pub vault: Value,
    pub deletion_date: OffsetDateTime,
    pub scheduled_purge_date: OffsetDateTime,
    pub purge_protection: bool,
}

/// A soft-deleted resource of a type that keeps deleted ones in the world (Log Analytics
/// workspaces): it holds its name (in its resource group) until `purge_date`; its provider
/// decides what recovers it (a PUT with the same id and location for a workspace).
#[derive(Debug, Clone)]
pub struct SoftDeleted {
    pub kind: Kind,
    pub location: String,
    /// The resource's GET body at deletion time.
    pub body: Value,
    pub deletion_date: OffsetDateTime,
    pub purge_date: OffsetDateTime,
}

/// A globally unique name (storage account, registry, vault) held by a subscription or tenant
/// outside the mock's world (`takenNames` in `/_mock/state`, `POST /_mock/taken-names`).
#[derive(Debug, Clone)]
pub struct TakenName {
    pub resource_type: String,
    pub name: String,
    pub subscription_id: String,
    pub tenant_id: String,
}

/// A subscription declared through `/_mock/state` (`subscriptions`).
#[derive(Debug, Clone)]
pub struct Subscription {
    pub subscription_id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub state: String,
    pub tags: Value,
    /// False: the caller has no access (403 AuthorizationFailed under it).
    pub authorized: bool,
}

/// Everything mock-arm knows.
#[derive(Debug)]
pub struct World {
    pub settings: Settings,
    pub resources: BTreeMap<String, Resource>,
    /// Key: lower-case `subscription/name`.
    pub deleted_vaults: BTreeMap<String, DeletedVault>,
    /// Soft-deleted resources by their lower-case id (`SoftDeleted`).
    pub soft_deleted: BTreeMap<String, SoftDeleted>,
    /// Keys of resources whose running delete was sent with `force=true` (no soft delete).
    pub forced_deletes: HashSet<String>,
    /// Global names held outside the world, by lower-case `type/name`.
    pub taken_names: BTreeMap<String, TakenName>,
    /// Declared subscriptions by lower-case id; empty = every subscription exists.
    pub subscriptions: BTreeMap<String, Subscription>,
    pub operations: Operations,
    /// Lower-case principal id -> when its identity was created.
    pub principals: HashMap<String, Instant>,
    /// Lower-case identity key -> until when a federated-credential write holds it.
    pub credential_writes_until: HashMap<String, Instant>,
    /// Set by every mutation; the HTTP layer saves the state file and clears it.
    pub dirty: bool,
}

impl World {
    pub fn new(settings: Settings) -> World {
        World {
            settings,
            resources: BTreeMap::new(),
            deleted_vaults: BTreeMap::new(),
            soft_deleted: BTreeMap::new(),
            forced_deletes: HashSet::new(),
            taken_names: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            operations: Operations::default(),
            principals: HashMap::new(),
            credential_writes_until: HashMap::new(),
            dirty: false,
        }
    }

    /// Forgets everything but the settings.
    pub fn clear(&mut self) {
        self.resources.clear();
        self.deleted_vaults.clear();
        self.soft_deleted.clear();
        self.forced_deletes.clear();
        self.taken_names.clear();
        self.subscriptions.clear();
        self.operations = Operations::default();
        self.principals.clear();
        self.credential_writes_until.clear();
        self.dirty = true;
    }

    pub fn get(&self, key: &str) -> Option<&Resource> {
        self.resources.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Resource> {
        self.dirty = true;
        self.resources.get_mut(key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.resources.contains_key(key)
    }

    pub fn insert(&mut self, resource: Resource) {
        self.dirty = true;
        self.resources.insert(resource.key(), resource);
    }

    /// Removes a resource and everything whose id starts with it (children, RG contents).
    pub fn remove_tree(&mut self, key: &str) -> Vec<Resource> {
        let prefix = format!("{key}/");
        let keys: Vec<String> = self
            .resources
            .range(key.to_string()..)
            .map(|(k, _)| k)
            .take_while(|k| k.as_str() == key || k.starts_with(&prefix))
            .cloned()
            .collect();
        self.dirty = true;
        keys.iter()
            .filter_map(|k| self.resources.remove(k))
            .collect()
    }

    /// Stored resources of `kind` directly under `parent_key`.
    pub fn children(&self, parent_key: &str, kind: Kind) -> Vec<&Resource> {
        self.resources
            .values()
            .filter(|resource| resource.kind == kind && resource.parent_key == parent_key)
            .collect()
    }

    /// All stored resources of `kind`.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Resource> {
        self.resources
            .values()
            .filter(move |resource| resource.kind == kind)
    }

    /// Marks an identity principal as just created (for the PrincipalNotFound window).
    pub fn register_principal(&mut self, principal_id: &str, now: Instant) {
        self.principals.insert(principal_id.to_lowercase(), now);
    }

    /// Whether ARM knows `subscription`: every one does until some are declared.
    pub fn knows_subscription(&self, subscription: &str) -> bool {
        self.subscriptions.is_empty()
            || self
                .subscriptions
                .contains_key(&subscription.to_lowercase())
    }

    /// The outside holder of a global `name` of `arm_type`, if one was seeded.
    pub fn held_elsewhere(&self, arm_type: &str, name: &str) -> Option<&TakenName> {
        self.taken_names
            .get(&format!("{arm_type}/{name}").to_lowercase())
    }

    pub fn deleted_vault_key(subscription: &str, name: &str) -> String {
        format!("{}/{}", subscription.to_lowercase(), name.to_lowercase())
    }
}

//! `LiveState`: the live resources read from ARM by id, their fingerprints, and the soft-deleted
//! Key Vaults that may hold a declared vault's name.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::collections::kind_of_id;
use crate::live::fingerprint::{fingerprint_of, ABSENT};

/// The ownership tag aksctl puts on every tracked resource it creates.
pub const OWNER_TAG: &str = "aksctl-estate";
/// The second ownership tag (`managed-by=aksctl`).
pub const MANAGED_BY_TAG: &str = "managed-by";

/// One resource as ARM returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveResource {
    pub id: ResourceId,
    pub kind: Kind,
    /// The body exactly as ARM returned it.
    pub body: Value,
    /// `etag:<eTag>` or `sha256:<hash of the canonical body without systemData>`.
    pub fingerprint: String,
}

impl LiveResource {
    /// Wraps a body ARM returned; `None` when it has no usable `id` or its type is not managed.
    pub fn from_body(body: Value) -> Option<Self> {
        let id = ResourceId::new(body.get("id")?.as_str()?);
        let kind = body
            .get("type")
            .and_then(Value::as_str)
            .and_then(Kind::from_arm_type)
            .or_else(|| kind_of_id(&id))?;
        let fingerprint = fingerprint_of(&body);
        Some(LiveResource {
            id,
            kind,
            body,
            fingerprint,
        })
    }

    /// The value of tag `key` (tag names compared case-insensitively, as ARM does).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.body
            .get("tags")
            .and_then(Value::as_object)?
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .and_then(|(_, value)| value.as_str())
    }

    /// The estate that owns this resource according to its own markers: the `aksctl-estate` tag on
    /// tracked resources, or `aksctl-estate=<name>` in a role assignment's description. Proxy
    /// resources without markers are owned through their parent (decided by the planner).
    pub fn owner(&self) -> Option<&str> {
        if let Some(owner) = self.tag(OWNER_TAG) {
            return Some(owner);
        }
        let description = self
            .body
            .pointer("/properties/description")
            .and_then(Value::as_str)?;
        let marker = format!("{OWNER_TAG}=");
        let start = description.find(&marker)? + marker.len();
        let rest = &description[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        Some(&rest[..end]).filter(|owner| !owner.is_empty())
    }

    /// `properties.provisioningState`, if ARM reports one.
    pub fn provisioning_state(&self) -> Option<&str> {
        self.body
            .pointer("/properties/provisioningState")
            .and_then(Value::as_str)
    }
}

/// A soft-deleted Key Vault (`Microsoft.KeyVault/deletedVaults`): its name stays reserved until
/// purged, and it can be recovered in its original location.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedVault {
    pub name: String,
    pub location: String,
    /// The id the vault had before deletion.
    pub vault_id: Option<ResourceId>,
    pub deletion_date: Option<String>,
    pub scheduled_purge_date: Option<String>,
    pub purge_protection_enabled: bool,
    pub tags: BTreeMap<String, String>,
}

impl DeletedVault {
    /// Parses one item of the `deletedVaults` list.
    pub fn from_body(body: &Value) -> Option<Self> {
        let name = body.get("name")?.as_str()?.to_owned();
        let properties = body.get("properties").cloned().unwrap_or(Value::Null);
        let text = |key: &str| {
            properties
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let tags = properties
            .get("tags")
            .and_then(Value::as_object)
            .map(|tags| {
                tags.iter()
                    .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        Some(DeletedVault {
            name,
            location: text("location").unwrap_or_default(),
            vault_id: text("vaultId").map(ResourceId::new),
            deletion_date: text("deletionDate"),
            scheduled_purge_date: text("scheduledPurgeDate"),
            purge_protection_enabled: properties
                .get("purgeProtectionEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            tags,
        })
    }
}

/// Everything read from ARM for one plan (or one stale-plan check).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    resources: BTreeMap<ResourceId, LiveResource>,
    deleted_vaults: Vec<DeletedVault>,
    /// Collections (list paths and single GETs) that were read, for diagnostics.
    collections_read: usize,
}

impl LiveState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a resource.
    pub fn insert(&mut self, resource: LiveResource) {
        self.resources.insert(resource.id.clone(), resource);
    }

    /// Adds a body as ARM returned it; ignored when it has no id or an unmanaged type.
    pub fn insert_body(&mut self, body: Value) {
        if let Some(resource) = LiveResource::from_body(body) {
            self.insert(resource);
        }
    }

    pub fn add_deleted_vault(&mut self, vault: DeletedVault) {
        self.deleted_vaults.push(vault);
        self.deleted_vaults
            .sort_by_cached_key(|vault| vault.name.to_ascii_lowercase());
    }

    pub(crate) fn count_collection(&mut self) {
        self.collections_read += 1;
    }

    /// How many collections (lists or single GETs) were read to build this state.
    pub fn collections_read(&self) -> usize {
        self.collections_read
    }

    pub fn get(&self, id: &ResourceId) -> Option<&LiveResource> {
        self.resources.get(id)
    }

    pub fn contains(&self, id: &ResourceId) -> bool {
        self.resources.contains_key(id)
    }

    /// The stale-plan fingerprint of `id`: `etag:..`, `sha256:..`, or `absent`.
    pub fn fingerprint(&self, id: &ResourceId) -> String {
        self.resources
            .get(id)
            .map(|resource| resource.fingerprint.clone())
            .unwrap_or_else(|| ABSENT.to_owned())
    }

    /// Every resource, ordered by id (case-insensitively).
    pub fn iter(&self) -> impl Iterator<Item = &LiveResource> {
        self.resources.values()
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Soft-deleted vaults read (only when a declared vault was missing).
    pub fn deleted_vaults(&self) -> &[DeletedVault] {
        &self.deleted_vaults
    }

    /// The soft-deleted vault holding `name`, if any.
    pub fn deleted_vault(&self, name: &str) -> Option<&DeletedVault> {
        self.deleted_vaults
            .iter()
            .find(|vault| vault.name.eq_ignore_ascii_case(name))
    }

    /// Resources whose ARM id is directly under `parent` (pools of a cluster, credentials of an
    /// identity, ...).
    pub fn children_of<'a>(
        &'a self,
        parent: &'a ResourceId,
    ) -> impl Iterator<Item = &'a LiveResource> + 'a {
        self.resources
            .values()
            .filter(move |resource| resource.id.parent().as_ref() == Some(parent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_prefers_etag_and_reports_absent() {
        let mut live = LiveState::new();
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
        live.insert_body(
            json!({"id": id, "type": "Microsoft.ContainerService/managedClusters", "eTag": "abc"}),
        );
        assert_eq!(
            live.fingerprint(&ResourceId::new(id.to_uppercase())),
            "etag:abc"
        );
        assert_eq!(
            live.fingerprint(&ResourceId::new("/subscriptions/s/resourceGroups/other")),
            "absent"
        );
    }

    #[test]
    fn tags_are_found_case_insensitively() {
        let resource = LiveResource::from_body(json!({
            "id": "/subscriptions/s/resourceGroups/rg",
            "type": "Microsoft.Resources/resourceGroups",
            "tags": {"AKSCTL-Estate": "northwind"}
        }))
        .expect("resource");
        assert_eq!(resource.kind, Kind::ResourceGroup);
        assert_eq!(resource.tag("aksctl-estate"), Some("northwind"));
        assert_eq!(resource.owner(), Some("northwind"));
    }

    #[test]
    fn role_assignments_are_owned_through_their_description() {
        let resource = LiveResource::from_body(json!({
            "id": "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/g",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"description": "managed by aksctl (aksctl-estate=northwind)"}
        }))
        .expect("resource");
        assert_eq!(resource.owner(), Some("northwind"));
    }
}

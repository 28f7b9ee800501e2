//! `ResourceId`: an ARM resource id, compared case-insensitively but printed as written, with
//! builders for every kind aksctl manages and the deterministic role-assignment name.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::kind::Kind;

/// An ARM resource id such as `/subscriptions/{sub}/resourceGroups/{rg}/providers/...`.
///
/// Equality, ordering and hashing ignore ASCII case and a trailing slash, as ARM does; `Display`
/// keeps the casing it was built or read with.
#[derive(Clone)]
pub struct ResourceId {
    raw: String,
    key: String,
}

impl ResourceId {
    /// Wraps an id string as ARM returned or as we built it.
    pub fn new(raw: impl Into<String>) -> Self {
        let mut raw: String = raw.into();
        while raw.len() > 1 && raw.ends_with('/') {
            raw.pop();
        }
        let key = raw.to_ascii_lowercase();
        ResourceId { raw, key }
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The logical name of a resource of `kind` with this id: its own name and its ancestors',
    /// top first, without the fixed names of singletons (`<account>/<container>` for a blob
    /// container, whose parent is `blobServices/default`).
    pub fn logical_name(&self, kind: Kind) -> String {
        // An extension resource attached to several kinds names its target by address
        // (`keyVault/kv-prod/audit`): a vault and a cluster may share a name.
        if kind.attaches_to_several() {
            if let Some((target, target_kind)) = self
                .parent()
                .and_then(|target| kind.attached_parent(self).map(|kind| (target, kind)))
            {
                return format!(
                    "{}/{}/{}",
                    target_kind.address_prefix(),
                    target.logical_name(target_kind),
                    self.name()
                );
            }
        }
        let mut names = Vec::new();
        let mut level = Some((kind, self.clone()));
        while let Some((level_kind, level_id)) = level {
            if level_kind.descriptor().singleton_name.is_none() {
                names.push(level_id.name().to_owned());
            }
            level = level_kind.parent().zip(level_id.parent());
        }
        names.reverse();
        names.join("/")
    }

    /// `/subscriptions/{subscription}`.
    pub fn subscription(subscription: &str) -> Self {
        Self::new(format!("/subscriptions/{subscription}"))
    }

    /// `/subscriptions/{subscription}/resourceGroups/{name}`.
    pub fn resource_group(subscription: &str, name: &str) -> Self {
        Self::new(format!(
            "/subscriptions/{subscription}/resourceGroups/{name}"
        ))
    }

    /// A top-level resource of `kind` in a resource group.
    pub fn in_resource_group(
        subscription: &str,
        resource_group: &str,
        kind: Kind,
        name: &str,
    ) -> Self {
        Self::new(format!(
            "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/{}/{name}",
            kind.arm_type()
        ))
    }

    /// A child resource: `{parent}/{last segment of kind's type}/{name}`, or
    /// `{parent}/providers/{type}/{name}` for an extension resource of its parent.
    pub fn child(&self, kind: Kind, name: &str) -> Self {
        Self::new(format!("{}/{}/{name}", self.raw, kind.child_segment()))
    }

    /// A role assignment `name` at `scope`.
    pub fn role_assignment(scope: &ResourceId, name: &str) -> Self {
        Self::new(format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
            scope.raw
        ))
    }

    /// The last path segment: the resource's name.
    pub fn name(&self) -> &str {
        self.raw.rsplit('/').next().unwrap_or_default()
    }

    /// The subscription id segment, if present.
    pub fn subscription_id(&self) -> Option<&str> {
        self.segment_after("subscriptions")
    }

    /// The resource group name segment, if present.
    pub fn resource_group_name(&self) -> Option<&str> {
        self.segment_after("resourcegroups")
    }

    /// The id one `type/name` pair up (a pool's cluster, a credential's identity), if any. A
    /// top-level resource's parent is its resource group, a resource group's is its subscription.
    pub fn parent(&self) -> Option<ResourceId> {
        let segments: Vec<&str> = self.raw.trim_start_matches('/').split('/').collect();
        if segments.len() < 4 {
            return None;
        }
        let providers_at = segments
            .iter()
            .rposition(|segment| segment.eq_ignore_ascii_case("providers"));
        let cut = match providers_at {
            Some(at) if segments.len() - at == 4 => at,
            _ => segments.len() - 2,
        };
        Some(Self::new(format!("/{}", segments[..cut].join("/"))))
    }

    /// The managed kind of this id, from its provider type segments (`None`: not a kind aksctl
    /// manages).
    pub fn kind(&self) -> Option<Kind> {
        let segments: Vec<&str> = self.raw.trim_start_matches('/').split('/').collect();
        let providers_at = segments
            .iter()
            .rposition(|segment| segment.eq_ignore_ascii_case("providers"));
        match providers_at {
            // Ids without a provider segment are `Microsoft.Resources` types (resource groups).
            None => {
                if segments.len() != 4 || !segments[0].eq_ignore_ascii_case("subscriptions") {
                    return None;
                }
                Kind::from_arm_type(&format!("Microsoft.Resources/{}", segments[2]))
            }
            Some(at) => {
                let namespace = segments.get(at + 1)?;
                let types: Vec<&str> = segments[at + 2..].iter().step_by(2).copied().collect();
                if types.is_empty() || segments.len() - (at + 2) != types.len() * 2 {
                    return None;
                }
                Kind::from_arm_type(&format!("{namespace}/{}", types.join("/")))
            }
        }
    }

    fn segment_after(&self, name: &str) -> Option<&str> {
        let mut segments = self.raw.split('/');
        while let Some(segment) = segments.next() {
            if segment.eq_ignore_ascii_case(name) {
                return segments.next();
            }
        }
        None
    }
}

/// The deterministic name of a role assignment: UUIDv5 of scope, role definition GUID and
/// principal id (all lower-cased), so re-runs and other machines pick the same name.
pub fn role_assignment_name(
    scope: &ResourceId,
    role_definition_guid: &str,
    principal_id: &str,
) -> String {
    let seed = format!(
        "{}|{}|{}",
        scope.key,
        role_definition_guid.to_ascii_lowercase(),
        principal_id.to_ascii_lowercase()
    );
    uuid::Uuid::new_v5(&ROLE_ASSIGNMENT_NAMESPACE, seed.as_bytes()).to_string()
}

/// UUIDv5 namespace for role-assignment names (a fixed random UUID; never change it).
const ROLE_ASSIGNMENT_NAMESPACE: uuid::Uuid = uuid::uuid!("5c0b2f0e-5d3c-4c43-9d7e-0a6c2a1f3e51");

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for ResourceId {}
impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}
impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ResourceId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}
impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}
impl fmt::Debug for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceId({})", self.raw)
    }
}
impl Serialize for ResourceId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}
impl<'de> Deserialize<'de> for ResourceId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ResourceId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    #[test]
    fn ids_compare_case_insensitively_and_ignore_trailing_slash() {
        let built = ResourceId::in_resource_group(SUB, "rg-a", Kind::ManagedCluster, "aks-a");
        // As the MSI provider returns it: lower-case `resourcegroups`, other casing, a slash.
        let read = ResourceId::new(
            built
                .as_str()
                .to_uppercase()
                .replace("RESOURCEGROUPS", "resourcegroups")
                + "/",
        );
        assert_eq!(built, read);
        assert_ne!(
            built,
            ResourceId::in_resource_group(SUB, "rg-b", Kind::ManagedCluster, "aks-a")
        );
        assert_eq!(built.as_str(), format!("/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.ContainerService/managedClusters/aks-a"));
    }

    #[test]
    fn children_and_parents() {
        let cluster = ResourceId::in_resource_group(SUB, "rg-a", Kind::ManagedCluster, "aks-a");
        let pool = cluster.child(Kind::AgentPool, "system");
        assert!(pool
            .as_str()
            .ends_with("/managedClusters/aks-a/agentPools/system"));
        assert_eq!(pool.parent(), Some(cluster.clone()));
        assert_eq!(
            cluster.parent(),
            Some(ResourceId::resource_group(SUB, "rg-a"))
        );
        assert_eq!(
            ResourceId::resource_group(SUB, "rg-a").parent(),
            Some(ResourceId::subscription(SUB))
        );
        assert_eq!(pool.name(), "system");
        assert_eq!(pool.resource_group_name(), Some("rg-a"));
        assert_eq!(pool.subscription_id(), Some(SUB));
        let container = ResourceId::in_resource_group(SUB, "rg-a", Kind::StorageAccount, "st")
            .child(Kind::BlobService, "default")
            .child(Kind::BlobContainer, "backups");
        assert!(container
            .as_str()
            .ends_with("/storageAccounts/st/blobServices/default/containers/backups"));
    }

    #[test]
    fn role_assignment_names_are_deterministic_and_case_blind() {
        let scope = ResourceId::resource_group(SUB, "rg-a");
        let a = role_assignment_name(&scope, "7F951DDA-4ed3-4680-a7ca-43fe172d538d", "ABC");
        let b = role_assignment_name(
            &ResourceId::new(scope.as_str().to_uppercase()),
            "7f951dda-4ed3-4680-a7ca-43fe172d538d",
            "abc",
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            role_assignment_name(&scope, "7f951dda-4ed3-4680-a7ca-43fe172d538d", "abd")
        );
    }
}

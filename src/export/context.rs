//! The export workspace shared by the per-area converters: what was read, the facts other
//! resources refer to (identity principals, cluster issuers and kubelet identities, exported
//! scopes), the resources left out with their reason, and small readers of ARM bodies.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::export::inventory::{id_of, Inventory};
use crate::export::Skipped;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::live::{MANAGED_BY_TAG, OWNER_TAG};
use crate::spec::types::Tags;
use crate::spec::ScopeReference;

/// What export knows about a cluster that other resources refer to.
#[derive(Debug, Clone)]
pub struct ClusterFacts {
    pub name: String,
    /// `oidcIssuerProfile.issuerURL`, without a trailing slash, lower case.
    pub issuer: Option<String>,
    /// The kubelet identity's object id (AKS-made or bring-your-own), lower case.
    pub kubelet_object_id: Option<String>,
    /// The system-assigned control plane's principal id, lower case.
    pub system_principal_id: Option<String>,
    /// The node resource group (`MC_*`), lower case.
    pub node_resource_group: Option<String>,
    /// Object ids of the add-on identities AKS made (monitoring, policy, CSI driver...).
    pub addon_object_ids: Vec<String>,
}

/// The export in progress.
pub struct Exporting<'a> {
    pub inventory: &'a Inventory,
    /// The estate's default location (canonical).
    pub location: String,
    /// The estate's tenant, when one could be read (identities, vaults).
    pub tenant: Option<String>,
    /// Canonical location of each exported resource group, by lower-case name.
    pub group_locations: HashMap<String, String>,
    /// Exported identities: lower-case id -> logical name.
    pub identities_by_id: HashMap<String, String>,
    /// Exported identities: lower-case principal id -> logical name.
    pub identities_by_principal: HashMap<String, String>,
    pub clusters: Vec<ClusterFacts>,
    /// Exported resources usable as role assignment scopes: lower-case id -> scope reference.
    pub scopes: HashMap<String, String>,
    /// Every exported resource recorded by `add_scope`: lower-case id -> (kind, logical name).
    pub logical_names: HashMap<String, (Kind, String)>,
    /// Resources found but not exported, with why.
    pub skipped: Vec<Skipped>,
    /// Other things the user should know (as comments in the file).
    pub notes: Vec<String>,
}

impl<'a> Exporting<'a> {
    pub fn new(inventory: &'a Inventory) -> Self {
        Exporting {
            inventory,
            location: String::new(),
            tenant: None,
            group_locations: HashMap::new(),
            identities_by_id: HashMap::new(),
            identities_by_principal: HashMap::new(),
            clusters: Vec::new(),
            scopes: HashMap::new(),
            logical_names: HashMap::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records a resource left out of the estate.
    pub fn skip(&mut self, arm_type: &str, id: &str, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            arm_type: arm_type.to_owned(),
            id: id.to_owned(),
            reason: reason.into(),
        });
    }

    /// The resource's own location when it differs from its group's (which the estate implies).
    pub fn own_location(&self, body: &Value, group: &str) -> Option<String> {
        let location = canonical_location(str_at(body, "/location")?);
        let implied = self
            .group_locations
            .get(&group.to_ascii_lowercase())
            .unwrap_or(&self.location);
        (&location != implied).then_some(location)
    }

    /// Whether `id` is inside the node resource group of an exported cluster.
    pub fn in_node_resource_group(&self, id: &str) -> bool {
        let group = ResourceId::new(id)
            .resource_group_name()
            .map(str::to_ascii_lowercase);
        group.is_some_and(|group| {
            self.clusters
                .iter()
                .any(|cluster| cluster.node_resource_group.as_deref() == Some(group.as_str()))
        })
    }

    /// Registers an exported resource as a role assignment scope.
    /// Records an exported resource of `kind`: a role assignment on it names it by its
    /// logical scope (`keyVault/kv-prod`, `storageContainer/<account>/<container>`), other
    /// resources by its logical name (`logical_name`).
    pub fn add_scope(&mut self, id: &ResourceId, kind: Kind) {
        let name = id.logical_name(kind);
        let key = id.as_str().to_ascii_lowercase();
        self.logical_names.insert(key.clone(), (kind, name.clone()));
        if kind.descriptor().scope_prefix.is_some() {
            let scope = ScopeReference::Resource { kind, name };
            self.scopes.insert(key, scope.to_string());
        }
    }

    /// The logical name of the exported resource of `kind` with id `id` (any casing).
    pub fn logical_name(&self, id: &str, kind: Kind) -> Option<&str> {
        self.logical_names
            .get(&id.to_ascii_lowercase())
            .filter(|(found, _)| *found == kind)
            .map(|(_, name)| name.as_str())
    }
}

/// The string at a JSON pointer.
pub fn str_at<'v>(body: &'v Value, pointer: &str) -> Option<&'v str> {
    body.pointer(pointer).and_then(Value::as_str)
}

/// The boolean at a JSON pointer (also `"true"`/`"false"` strings, as add-on configs have them).
pub fn bool_at(body: &Value, pointer: &str) -> Option<bool> {
    match body.pointer(pointer)? {
        Value::Bool(value) => Some(*value),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// The non-negative integer at a JSON pointer.
pub fn u32_at(body: &Value, pointer: &str) -> Option<u32> {
    let value = body.pointer(pointer)?;
    value
        .as_u64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        })
        .and_then(|number| u32::try_from(number).ok())
}

/// The strings of the array at a JSON pointer.
pub fn strings_at(body: &Value, pointer: &str) -> Vec<String> {
    body.pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The resource's tags without aksctl's ownership tags.
pub fn tags_of(body: &Value) -> Tags {
    body.get("tags")
        .and_then(Value::as_object)
        .map(|tags| {
            tags.iter()
                .filter(|(key, _)| !is_ownership_tag(key))
                .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// `aksctl-estate` or `managed-by` (compared case-insensitively, as ARM does).
pub fn is_ownership_tag(key: &str) -> bool {
    key.eq_ignore_ascii_case(OWNER_TAG) || key.eq_ignore_ascii_case(MANAGED_BY_TAG)
}

/// The value of the `aksctl-estate` tag.
pub fn owner_of(body: &Value) -> Option<String> {
    body.get("tags")
        .and_then(Value::as_object)?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(OWNER_TAG))
        .and_then(|(_, value)| value.as_str())
        .map(str::to_owned)
}

/// ARM's canonical short location: lower case, no whitespace (`East US 2` -> `eastus2`).
pub fn canonical_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The value of a closed set whose ARM spelling matches `text` case-insensitively.
pub fn pick<T: Copy>(all: &[T], spelling: fn(T) -> &'static str, text: &str) -> Option<T> {
    all.iter()
        .copied()
        .find(|value| spelling(*value).eq_ignore_ascii_case(text.trim()))
}

/// An issuer URL as compared: lower case, without trailing slashes.
pub fn issuer_key(url: &str) -> String {
    url.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The resource group name of a top-level body.
pub fn group_of(body: &Value) -> String {
    id_of(body)
        .and_then(|id| id.resource_group_name().map(str::to_owned))
        .unwrap_or_default()
}

/// The logical name (ARM name) of a body.
pub fn name_of(body: &Value) -> String {
    id_of(body)
        .map(|id| id.name().to_owned())
        .or_else(|| body.get("name").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// Tags every exported tracked resource carries with the same value: they become estate tags.
pub fn common_tags<'t>(all: impl IntoIterator<Item = &'t Tags>) -> Tags {
    let mut iterator = all.into_iter();
    let Some(first) = iterator.next() else {
        return Tags::new();
    };
    let mut common: BTreeMap<String, String> = first.clone();
    for tags in iterator {
        common.retain(|key, value| tags.get(key) == Some(value));
    }
    common
}

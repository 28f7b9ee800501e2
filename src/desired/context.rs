//! The lowering workspace shared by the per-kind modules: the estate, the subscription, ARM ids
//! of logical references, canonical locations, tags with ownership, and the resources so far.

use serde_json::{Map, Value};

use crate::desired::lower::{LowerContext, LowerError};
use crate::desired::DesiredResource;
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::plan::Deferred;
use crate::spec::types::{Cluster, Estate, Identity, Tags, TrackedResource};

/// The ownership tag whose value is the estate name.
pub const ESTATE_TAG: &str = "aksctl-estate";
/// The ownership tag marking a resource as managed by aksctl.
pub const MANAGED_BY_TAG: &str = "managed-by";
/// The value of [`MANAGED_BY_TAG`].
pub const MANAGED_BY_VALUE: &str = "aksctl";

/// The estate being lowered and the resources lowered so far.
pub struct Lowering<'a> {
    pub estate: &'a Estate,
    pub context: &'a LowerContext,
    pub subscription: String,
    resources: Vec<DesiredResource>,
}

impl<'a> Lowering<'a> {
    pub fn new(estate: &'a Estate, context: &'a LowerContext) -> Self {
        let subscription = context
            .subscription
            .clone()
            .unwrap_or_else(|| estate.subscription.clone());
        Lowering {
            estate,
            context,
            subscription,
            resources: Vec::new(),
        }
    }

    pub fn push(&mut self, resource: DesiredResource) {
        self.resources.push(resource);
    }

    pub fn resources(&self) -> &[DesiredResource] {
        &self.resources
    }

    pub fn into_resources(self) -> Vec<DesiredResource> {
        self.resources
    }

    /// `/subscriptions/{s}/resourceGroups/{name}`.
    pub fn group_id(&self, name: &str) -> ResourceId {
        ResourceId::resource_group(&self.subscription, name)
    }

    /// A top-level resource of `kind` in resource group `group`.
    pub fn top_level_id(&self, kind: Kind, group: &str, name: &str) -> ResourceId {
        ResourceId::in_resource_group(&self.subscription, group, kind, name)
    }

    /// The canonical short location (`eastus`) of a resource: declared, else its group's, else
    /// the estate's.
    pub fn location(&self, declared: Option<&str>, group: &str) -> String {
        canonical_location(self.estate.effective_location(declared, group))
    }

    /// Estate tags, the resource's own tags over them, then aksctl's ownership tags (which always
    /// win: they are how aksctl recognizes what it manages).
    pub fn tags(&self, declared: &Tags) -> Value {
        let mut tags = self.estate.effective_tags(declared);
        tags.insert(ESTATE_TAG.to_string(), self.estate.name().to_string());
        tags.insert(MANAGED_BY_TAG.to_string(), MANAGED_BY_VALUE.to_string());
        Value::Object(
            tags.into_iter()
                .map(|(key, value)| (key, Value::String(value)))
                .collect(),
        )
    }

    /// `{location, tags}`: the envelope of a tracked resource's body.
    pub fn tracked_body(
        &self,
        declared_location: Option<&str>,
        group: &str,
        tags: &Tags,
    ) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert(
            "location".to_string(),
            Value::String(self.location(declared_location, group)),
        );
        body.insert("tags".to_string(), self.tags(tags));
        body
    }

    /// A cluster of the estate by logical name, or an error naming who referred to it.
    pub fn cluster(
        &self,
        name: &str,
        address: &str,
        reference: &str,
    ) -> Result<&'a Cluster, LowerError> {
        self.estate
            .cluster(name)
            .ok_or_else(|| unknown(address, reference, "cluster", name))
    }

    /// An identity of the estate by logical name, or an error naming who referred to it.
    pub fn identity(
        &self,
        name: &str,
        address: &str,
        reference: &str,
    ) -> Result<&'a Identity, LowerError> {
        self.estate
            .identity(name)
            .ok_or_else(|| unknown(address, reference, "identity", name))
    }

    /// The ARM id of a tracked estate resource (registry, vault, cluster, identity, ...).
    pub fn id_of(&self, resource: &dyn TrackedResource) -> ResourceId {
        self.top_level_id(resource.kind(), resource.resource_group(), resource.name())
    }

    /// Checks that a resource group the estate refers to is declared; returns its address.
    pub fn group_address(
        &self,
        group: &str,
        address: &str,
        reference: &str,
    ) -> Result<String, LowerError> {
        if self.estate.resource_group(group).is_some() {
            Ok(address_of(Kind::ResourceGroup, &[group]))
        } else {
            Err(unknown(address, reference, "resource group", group))
        }
    }
}

/// `<kind prefix>/<part>/<part>...`.
pub fn address_of(kind: Kind, parts: &[&str]) -> String {
    let mut address = kind.address_prefix().to_string();
    for part in parts {
        address.push('/');
        address.push_str(part);
    }
    address
}

/// The plan address of a tracked estate resource (`cluster/<name>`).
pub fn address_of_resource(resource: &dyn TrackedResource) -> String {
    address_of(resource.kind(), &[resource.name()])
}

/// ARM's canonical short location: lower case, no whitespace (`East US 2` -> `eastus2`).
pub fn canonical_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn unknown(address: &str, reference: &str, kind: &'static str, name: &str) -> LowerError {
    LowerError::UnknownReference {
        address: address.to_string(),
        reference: reference.to_string(),
        kind,
        name: name.to_string(),
    }
}

/// A deferred value: `path` in this body comes from `output` of the resource at `source`.
pub fn deferred(path: &str, source: &str, output: &str) -> Deferred {
    Deferred {
        path: path.to_string(),
        source: source.to_string(),
        output: output.to_string(),
    }
}

/// An estate resource as the estate writes it (camelCase keys), for the kind's field mapping
/// (`crate::kind::fields`). Plain data structs always serialize; `Null` would map nothing.
pub fn estate_value(resource: &impl serde::Serialize) -> Value {
    serde_json::to_value(resource).unwrap_or_default()
}

/// Inserts `key: value` when `value` is `Some`.
pub fn insert_some<T: Into<Value>>(object: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(value) = value {
        object.insert(key.to_string(), value.into());
    }
}

/// Inserts `key: object` when `object` is not empty.
pub fn insert_non_empty(object: &mut Map<String, Value>, key: &str, value: Map<String, Value>) {
    if !value.is_empty() {
        object.insert(key.to_string(), Value::Object(value));
    }
}

/// A JSON array of strings.
pub fn strings<'s>(items: impl IntoIterator<Item = &'s String>) -> Value {
    Value::Array(
        items
            .into_iter()
            .map(|item| Value::String(item.clone()))
            .collect(),
    )
}

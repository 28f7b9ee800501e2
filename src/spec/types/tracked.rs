//! The fields every tracked estate resource shares (name, resource group, location, tags) as one
//! trait, and the table of the estate's lists of them (YAML key, kind, item type), so defaulting,
//! reference checks, scope resolution, the schema, lowering and export iterate one table instead
//! of one loop per kind. The table is declared once, with the `Estate` struct, by
//! `declare_estate!` in `spec/types/mod.rs`.

use serde_json::Value;

use crate::kind::Kind;
use crate::spec::types::{
    Cluster, Estate, Identity, KeyVault, PrivateDnsZone, Registry, ResourceGroup, StorageAccount,
    Tags, GLOBAL_LOCATION, IN_GROUP_LISTS,
};

/// A tracked resource declared in the estate (it has a location and tags in ARM).
pub trait TrackedResource {
    fn kind(&self) -> Kind;
    fn name(&self) -> &str;
    /// The logical name of its resource group (a resource group's own name).
    fn resource_group(&self) -> &str;
    fn location(&self) -> Option<&str>;
    fn location_mut(&mut self) -> &mut Option<String>;
    fn tags(&self) -> &Tags;
    fn tags_mut(&mut self) -> &mut Tags;
    /// The names of the children of `kind` it declares that a role may be granted on (a storage
    /// account's containers).
    fn scope_children(&self, _kind: Kind) -> Vec<&str> {
        Vec::new()
    }
    /// The resource as the estate writes it (camelCase keys), for its kind's field mapping
    /// (`crate::kind::fields`). Plain data always serializes; `Null` would map nothing.
    fn estate_value(&self) -> Value;
}

/// The kind of an estate type, known without an instance (the static side of
/// [`TrackedResource::kind`]): stages that pick an estate type's resources out of the desired
/// state or a plan (outputs, the DR rehearsal) ask the type instead of naming the kind.
pub trait DeclaredKind {
    const KIND: Kind;
}

/// The JSON Schema definition (`$defs/<type name>`) of an estate list's item type, written beside
/// the type; `spec::schema` collects it through [`EstateList::schema_definition`].
pub trait SchemaDefinition {
    /// `None`: the definition is written in `spec::schema::definitions` (the kinds that predate
    /// the table).
    fn schema_definition() -> Option<Value> {
        None
    }
}

/// One list of tracked resources in the estate.
#[derive(Debug, Clone, Copy)]
pub struct EstateList {
    /// The YAML key (`keyVaults`).
    pub key: &'static str,
    pub kind: Kind,
    /// The item type's name, also its `$defs` entry in the estate schema (`KeyVault`).
    pub type_name: &'static str,
    /// The item type's schema definition, when it is written beside the type.
    pub schema_definition: fn() -> Option<Value>,
    /// Appends one item, given as the estate writes it (camelCase keys), to this list of an
    /// estate: how export fills the lists of kinds lowered from their field mapping.
    pub push: fn(&mut Estate, Value) -> Result<(), serde_json::Error>,
}

/// Lists are the same when they have the same key and kind.
impl PartialEq for EstateList {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.kind == other.kind
    }
}

impl Eq for EstateList {}

impl EstateList {
    /// The table entry of the list `key` of `T` (`declare_estate!` writes these).
    pub const fn of<T: DeclaredKind + SchemaDefinition>(
        key: &'static str,
        type_name: &'static str,
        push: fn(&mut Estate, Value) -> Result<(), serde_json::Error>,
    ) -> EstateList {
        EstateList {
            key,
            kind: T::KIND,
            type_name,
            schema_definition: T::schema_definition,
            push,
        }
    }

    /// The list declaring `kind`, if it is a tracked kind living in a resource group.
    pub fn declaring(kind: Kind) -> Option<EstateList> {
        IN_GROUP_LISTS.into_iter().find(|list| list.kind == kind)
    }
}

/// Declares the `Estate` struct and, from its lists of tracked resources in resource groups
/// (`field: Type = "yamlKey"`, in estate order), the table `IN_GROUP_LISTS` and the estate's
/// `tracked_lists`/`tracked_mut`: a new top-level kind is one line in the invocation.
macro_rules! declare_estate {
    (
        $(#[$meta:meta])*
        pub struct Estate {
            $($head:tt)*
        }
        in_groups {
            $($(#[$list_meta:meta])* $field:ident: $type:ident = $key:literal),+ $(,)?
        }
        then {
            $($tail:tt)*
        }
    ) => {
        $(#[$meta])*
        pub struct Estate {
            $($head)*
            $(
                $(#[$list_meta])*
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                pub $field: Vec<$type>,
            )+
            $($tail)*
        }

        /// The lists of tracked resources that live in a resource group, in estate order.
        pub const IN_GROUP_LISTS: [EstateList; [$(stringify!($field)),+].len()] = [$(
            EstateList::of::<$type>($key, stringify!($type), |estate, item| {
                estate.$field.push(serde_json::from_value(item)?);
                Ok(())
            })
        ),+];

        impl Estate {
            /// Every list of tracked resources living in a resource group, with its items, in
            /// `IN_GROUP_LISTS` order.
            pub fn tracked_lists(&self) -> Vec<(EstateList, Vec<&dyn TrackedResource>)> {
                let items = [$(tracked::dyn_list(&self.$field)),+];
                IN_GROUP_LISTS.into_iter().zip(items).collect()
            }

            /// Every tracked resource, the resource groups first, mutably.
            pub fn tracked_mut(&mut self) -> Vec<&mut dyn TrackedResource> {
                [
                    tracked::dyn_list_mut(&mut self.resource_groups),
                    $(tracked::dyn_list_mut(&mut self.$field)),+
                ]
                .into_iter()
                .flatten()
                .collect()
            }
        }
    };
}

pub(super) use declare_estate;

/// Implements [`DeclaredKind`] and [`TrackedResource`] for an estate type with `name`,
/// `resource_group`, `location` and `tags` fields (`Type => KindVariant`); `with scope children`
/// leaves `ScopeChildren` to a hand-written impl.
macro_rules! tracked_in_group {
    ($type:ty => $kind:ident) => {
        $crate::spec::types::tracked_in_group!($type => $kind, with scope children);
        impl $crate::spec::types::ScopeChildren for $type {}
    };
    ($type:ty => $kind:ident, with scope children) => {
        impl $crate::spec::types::DeclaredKind for $type {
            const KIND: $crate::kind::Kind = $crate::kind::Kind::$kind;
        }

        impl $crate::spec::types::TrackedResource for $type {
            fn kind(&self) -> $crate::kind::Kind {
                <Self as $crate::spec::types::DeclaredKind>::KIND
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn resource_group(&self) -> &str {
                &self.resource_group
            }
            fn location(&self) -> Option<&str> {
                self.location.as_deref()
            }
            fn location_mut(&mut self) -> &mut Option<String> {
                &mut self.location
            }
            fn tags(&self) -> &$crate::spec::types::Tags {
                &self.tags
            }
            fn tags_mut(&mut self) -> &mut $crate::spec::types::Tags {
                &mut self.tags
            }
            fn scope_children(&self, kind: $crate::kind::Kind) -> Vec<&str> {
                $crate::spec::types::ScopeChildren::children_for(self, kind)
            }
            fn estate_value(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap_or_default()
            }
        }
    };
}

pub(crate) use tracked_in_group;

tracked_in_group!(Registry => ContainerRegistry);
tracked_in_group!(KeyVault => KeyVault);
tracked_in_group!(StorageAccount => StorageAccount, with scope children);
tracked_in_group!(Cluster => ManagedCluster);
tracked_in_group!(Identity => UserAssignedIdentity);

impl SchemaDefinition for ResourceGroup {}
impl SchemaDefinition for Registry {}
impl SchemaDefinition for KeyVault {}
impl SchemaDefinition for StorageAccount {}
impl SchemaDefinition for PrivateDnsZone {}
impl SchemaDefinition for Cluster {}
impl SchemaDefinition for Identity {}

/// Children a role may be granted on: only storage accounts declare some (their containers).
pub trait ScopeChildren {
    fn children_for(&self, _kind: Kind) -> Vec<&str> {
        Vec::new()
    }
}

impl ScopeChildren for StorageAccount {
    fn children_for(&self, kind: Kind) -> Vec<&str> {
        if kind == Kind::BlobContainer {
            self.containers.iter().map(|c| c.name.as_str()).collect()
        } else {
            Vec::new()
        }
    }
}

impl DeclaredKind for ResourceGroup {
    const KIND: Kind = Kind::ResourceGroup;
}

impl DeclaredKind for PrivateDnsZone {
    const KIND: Kind = Kind::PrivateDnsZone;
}

/// Private DNS zones are always `global`: defaulting's location goes to a field the estate never
/// shows.
impl TrackedResource for PrivateDnsZone {
    fn kind(&self) -> Kind {
        <Self as DeclaredKind>::KIND
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn resource_group(&self) -> &str {
        &self.resource_group
    }
    fn location(&self) -> Option<&str> {
        Some(GLOBAL_LOCATION)
    }
    fn location_mut(&mut self) -> &mut Option<String> {
        &mut self.defaulted_location
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    fn estate_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl TrackedResource for ResourceGroup {
    fn kind(&self) -> Kind {
        <Self as DeclaredKind>::KIND
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn resource_group(&self) -> &str {
        &self.name
    }
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
    fn location_mut(&mut self) -> &mut Option<String> {
        &mut self.location
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn tags_mut(&mut self) -> &mut Tags {
        &mut self.tags
    }
    fn estate_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The estate's resource groups list.
pub const RESOURCE_GROUPS: EstateList =
    EstateList::of::<ResourceGroup>("resourceGroups", "ResourceGroup", |estate, item| {
        estate.resource_groups.push(serde_json::from_value(item)?);
        Ok(())
    });

pub(super) fn dyn_list<T: TrackedResource>(items: &[T]) -> Vec<&dyn TrackedResource> {
    items
        .iter()
        .map(|item| item as &dyn TrackedResource)
        .collect()
}

pub(super) fn dyn_list_mut<T: TrackedResource>(items: &mut [T]) -> Vec<&mut dyn TrackedResource> {
    items
        .iter_mut()
        .map(|item| item as &mut dyn TrackedResource)
        .collect()
}

impl Estate {
    /// Every tracked resource living in a resource group, mutably, in `tracked_lists` order.
    pub fn tracked_in_groups_mut(&mut self) -> Vec<&mut dyn TrackedResource> {
        let groups = self.resource_groups.len();
        self.tracked_mut().into_iter().skip(groups).collect()
    }

    /// The list `kind`'s resources are declared in (resource groups included).
    pub fn list_of(kind: Kind) -> Option<EstateList> {
        std::iter::once(RESOURCE_GROUPS)
            .chain(IN_GROUP_LISTS)
            .find(|list| list.kind == kind)
    }

    /// The names declared for `kind` (resource groups included).
    pub fn names_of(&self, kind: Kind) -> Vec<&str> {
        if kind.is_resource_group() {
            return self
                .resource_groups
                .iter()
                .map(|g| g.name.as_str())
                .collect();
        }
        self.tracked_lists()
            .into_iter()
            .filter(|(list, _)| list.kind == kind)
            .flat_map(|(_, items)| items.into_iter().map(TrackedResource::name))
            .collect()
    }

    /// The tracked resource of `kind` named `name` (resource groups included).
    pub fn tracked(&self, kind: Kind, name: &str) -> Option<&dyn TrackedResource> {
        if kind.is_resource_group() {
            return self
                .resource_groups
                .iter()
                .find(|group| group.name == name)
                .map(|group| group as &dyn TrackedResource);
        }
        self.tracked_lists()
            .into_iter()
            .filter(|(list, _)| list.kind == kind)
            .flat_map(|(_, items)| items)
            .find(|item| item.name() == name)
    }
}

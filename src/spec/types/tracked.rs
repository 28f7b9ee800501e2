//! The fields every tracked estate resource shares (name, resource group, location, tags) as one
//! trait, and the table of the estate's lists of them (YAML key, kind), so defaulting,
//! reference checks, scope resolution and export iterate one table instead of one loop per kind.

use crate::kind::Kind;
use crate::spec::types::{
    Cluster, Estate, Identity, KeyVault, LogAnalyticsWorkspace, PrivateDnsZone, Registry,
    ResourceGroup, StorageAccount, Tags, GLOBAL_LOCATION,
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
}

/// The kind of an estate type, known without an instance (the static side of
/// [`TrackedResource::kind`]): stages that pick an estate type's resources out of the desired
/// state or a plan (outputs, the DR rehearsal) ask the type instead of naming the kind.
pub trait DeclaredKind {
    const KIND: Kind;
}

/// One list of tracked resources in the estate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EstateList {
    /// The YAML key (`keyVaults`).
    pub key: &'static str,
    pub kind: Kind,
}

impl EstateList {
    /// The list declaring `kind`, if it is a tracked kind living in a resource group.
    pub fn declaring(kind: Kind) -> Option<EstateList> {
        IN_GROUP_LISTS.into_iter().find(|list| list.kind == kind)
    }
}

macro_rules! tracked_in_group {
    ($($type:ty => $kind:ident),+ $(,)?) => {$(
        impl DeclaredKind for $type {
            const KIND: Kind = Kind::$kind;
        }

        impl TrackedResource for $type {
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
            fn scope_children(&self, kind: Kind) -> Vec<&str> {
                ScopeChildren::children_for(self, kind)
            }
        }
    )+};
}

tracked_in_group!(
    Registry => ContainerRegistry,
    KeyVault => KeyVault,
    StorageAccount => StorageAccount,
    LogAnalyticsWorkspace => LogAnalyticsWorkspace,
    Cluster => ManagedCluster,
    Identity => UserAssignedIdentity,
);

/// Children a role may be granted on: only storage accounts declare some (their containers).
trait ScopeChildren {
    fn children_for(&self, _kind: Kind) -> Vec<&str> {
        Vec::new()
    }
}

impl ScopeChildren for Registry {}
impl ScopeChildren for KeyVault {}
impl ScopeChildren for LogAnalyticsWorkspace {}
impl ScopeChildren for Cluster {}
impl ScopeChildren for Identity {}
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
    const KIND: Kind = RESOURCE_GROUPS.kind;
}

/// Private DNS zones are always `global`: defaulting's location goes to a field the estate never
/// shows.
impl TrackedResource for PrivateDnsZone {
    fn kind(&self) -> Kind {
        Kind::PrivateDnsZone
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
}

impl TrackedResource for ResourceGroup {
    fn kind(&self) -> Kind {
        RESOURCE_GROUPS.kind
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
}

/// The estate's resource groups list.
pub const RESOURCE_GROUPS: EstateList = EstateList {
    key: "resourceGroups",
    kind: Kind::ResourceGroup,
};

/// The lists of tracked resources that live in a resource group, in estate order (a new
/// top-level kind adds one entry here and one line in each function below).
pub const IN_GROUP_LISTS: [EstateList; 7] = [
    EstateList {
        key: "registries",
        kind: Kind::ContainerRegistry,
    },
    EstateList {
        key: "keyVaults",
        kind: Kind::KeyVault,
    },
    EstateList {
        key: "storageAccounts",
        kind: Kind::StorageAccount,
    },
    EstateList {
        key: "logAnalyticsWorkspaces",
        kind: Kind::LogAnalyticsWorkspace,
    },
    EstateList {
        key: "clusters",
        kind: Kind::ManagedCluster,
    },
    EstateList {
        key: "identities",
        kind: Kind::UserAssignedIdentity,
    },
    EstateList {
        key: "privateDnsZones",
        kind: Kind::PrivateDnsZone,
    },
];

fn dyn_list<T: TrackedResource>(items: &[T]) -> Vec<&dyn TrackedResource> {
    items
        .iter()
        .map(|item| item as &dyn TrackedResource)
        .collect()
}

fn dyn_list_mut<T: TrackedResource>(items: &mut [T]) -> Vec<&mut dyn TrackedResource> {
    items
        .iter_mut()
        .map(|item| item as &mut dyn TrackedResource)
        .collect()
}

impl Estate {
    /// Every list of tracked resources living in a resource group, with its items, in
    /// `IN_GROUP_LISTS` order.
    pub fn tracked_lists(&self) -> Vec<(EstateList, Vec<&dyn TrackedResource>)> {
        let items = [
            dyn_list(&self.registries),
            dyn_list(&self.key_vaults),
            dyn_list(&self.storage_accounts),
            dyn_list(&self.log_analytics_workspaces),
            dyn_list(&self.clusters),
            dyn_list(&self.identities),
            dyn_list(&self.private_dns_zones),
        ];
        IN_GROUP_LISTS.into_iter().zip(items).collect()
    }

    /// Every tracked resource living in a resource group, mutably, in `tracked_lists` order.
    pub fn tracked_in_groups_mut(&mut self) -> Vec<&mut dyn TrackedResource> {
        let groups = self.resource_groups.len();
        self.tracked_mut().into_iter().skip(groups).collect()
    }

    /// Every tracked resource, the resource groups first, mutably.
    pub fn tracked_mut(&mut self) -> Vec<&mut dyn TrackedResource> {
        [
            dyn_list_mut(&mut self.resource_groups),
            dyn_list_mut(&mut self.registries),
            dyn_list_mut(&mut self.key_vaults),
            dyn_list_mut(&mut self.storage_accounts),
            dyn_list_mut(&mut self.log_analytics_workspaces),
            dyn_list_mut(&mut self.clusters),
            dyn_list_mut(&mut self.identities),
            dyn_list_mut(&mut self.private_dns_zones),
        ]
        .into_iter()
        .flatten()
        .collect()
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

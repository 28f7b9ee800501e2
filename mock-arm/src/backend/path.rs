//! Parses an ARM request path into what it addresses (`Target`) and builds canonical ids.

use super::soft_deleted;
use super::types::Kind;

/// A resource's address: subscription, resource group and one name per type segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    pub kind: Kind,
    pub subscription: String,
    pub resource_group: String,
    /// One name per type segment of `kind` (empty for resource groups).
    pub names: Vec<String>,
}

impl ResourcePath {
    pub fn resource_group(subscription: &str, name: &str) -> ResourcePath {
        ResourcePath {
            kind: Kind::ResourceGroup,
            subscription: subscription.to_string(),
            resource_group: name.to_string(),
            names: Vec::new(),
        }
    }

    pub fn top_level(kind: Kind, subscription: &str, group: &str, name: &str) -> ResourcePath {
        ResourcePath {
            kind,
            subscription: subscription.to_string(),
            resource_group: group.to_string(),
            names: vec![name.to_string()],
        }
    }

    /// The resource's own name.
    pub fn name(&self) -> &str {
        match self.kind {
            Kind::ResourceGroup => &self.resource_group,
            _ => self.names.last().map(String::as_str).unwrap_or_default(),
        }
    }

    /// Canonical id with ARM's `resourceGroups` casing.
    pub fn id(&self) -> String {
        self.id_with_group_segment("resourceGroups")
    }

    /// Canonical id with a chosen spelling of the resource-group segment (MSI writes
    /// `resourcegroups`).
    pub fn id_with_group_segment(&self, group_segment: &str) -> String {
        let mut id = format!(
            "/subscriptions/{}/{group_segment}/{}",
            self.subscription, self.resource_group
        );
        if self.kind == Kind::ResourceGroup {
            return id;
        }
        let info = self.kind.info();
        if self.kind.is_extension() {
            if let Some(parent) = self.parent() {
                return format!(
                    "{}/providers/{}/{}/{}",
                    parent.id_with_group_segment(group_segment),
                    info.namespace,
                    self.kind.leaf_segment(),
                    self.name()
                );
            }
        }
        id.push_str("/providers/");
        id.push_str(info.namespace);
        for (segment, name) in info.segments.iter().zip(&self.names) {
            id.push('/');
            id.push_str(segment);
            id.push('/');
            id.push_str(name);
        }
        id
    }

    /// Lower-case id used as the store key.
    pub fn key(&self) -> String {
        self.id().to_lowercase()
    }

    pub fn group_path(&self) -> ResourcePath {
        ResourcePath::resource_group(&self.subscription, &self.resource_group)
    }

    /// The containing resource (the resource group for top-level resources).
    pub fn parent(&self) -> Option<ResourcePath> {
        let parent_kind = self.kind.parent()?;
        if parent_kind == Kind::ResourceGroup {
            return Some(self.group_path());
        }
        let mut names = self.names.clone();
        names.pop();
        Some(ResourcePath {
            kind: parent_kind,
            names,
            ..self.clone()
        })
    }

    /// A child of this resource.
    pub fn child(&self, kind: Kind, name: &str) -> ResourcePath {
        let mut names = self.names.clone();
        names.push(name.to_string());
        ResourcePath {
            kind,
            names,
            ..self.clone()
        }
    }
}

/// Where a list request looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListScope {
    Subscription(String),
    ResourceGroup(String, String),
    Parent(ResourcePath),
}

/// What an ARM request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    SubscriptionList,
    Subscription {
        subscription: String,
    },
    /// `/subscriptions/{s}[/resourceGroups/{g}]/resources`: every top-level resource.
    GenericList {
        subscription: String,
        group: Option<String>,
    },
    ResourceGroupList {
        subscription: String,
    },
    Item(ResourcePath),
    List {
        kind: Kind,
        scope: ListScope,
    },
    /// POST `{resource}/{action}` (listCredentials, ...).
    Action {
        path: ResourcePath,
        action: String,
    },
    CheckName {
        subscription: String,
        namespace: String,
    },
    Operation {
        subscription: String,
        namespace: String,
        location: String,
        id: String,
        result: bool,
    },
    DeletedVaultList {
        subscription: String,
    },
    /// The soft-deleted resources of `kind` per subscription or group
    /// (`.../Microsoft.OperationalInsights/deletedWorkspaces`, `Provider::soft_deleted_collection`).
    SoftDeletedList {
        kind: Kind,
        subscription: String,
        group: Option<String>,
    },
    DeletedVault {
        subscription: String,
        location: String,
        name: String,
        purge: bool,
    },
    RoleAssignmentList {
        scope: String,
    },
    RoleAssignment {
        scope: String,
        name: String,
    },
    RoleDefinitionList {
        scope: String,
    },
    RoleDefinition {
        scope: String,
        name: String,
    },
}

/// Decodes `%XX` escapes in a path segment.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' && index + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("zz");
            if let Ok(value) = u8::from_str_radix(hex, 16) {
                out.push(value);
                index += 3;
                continue;
            }
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Normalizes a role-assignment scope: leading slash, no trailing slash.
pub fn normalize_scope(segments: &[String]) -> String {
    format!("/{}", segments.join("/"))
}

/// Parses an ARM path (without query string).
pub fn parse(path: &str) -> Option<Target> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(percent_decode)
        .collect();
    let lower: Vec<String> = segments
        .iter()
        .map(|segment| segment.to_lowercase())
        .collect();

    if let Some(index) = (0..segments.len().saturating_sub(2)).find(|&i| {
        lower[i] == "providers"
            && lower[i + 1] == "microsoft.authorization"
            && (lower[i + 2] == "roleassignments" || lower[i + 2] == "roledefinitions")
    }) {
        let scope = normalize_scope(&segments[..index]);
        let rest = &segments[index + 3..];
        let assignments = lower[index + 2] == "roleassignments";
        return match (rest.len(), assignments) {
            (0, true) => Some(Target::RoleAssignmentList { scope }),
            (1, true) => Some(Target::RoleAssignment {
                scope,
                name: rest[0].clone(),
            }),
            (0, false) => Some(Target::RoleDefinitionList { scope }),
            (1, false) => Some(Target::RoleDefinition {
                scope,
                name: rest[0].clone(),
            }),
            _ => None,
        };
    }

    match (lower.first().map(String::as_str), lower.len()) {
        (Some("subscriptions"), 1) => return Some(Target::SubscriptionList),
        (Some("subscriptions"), 2) => {
            return Some(Target::Subscription {
                subscription: segments[1].clone(),
            })
        }
        (Some("subscriptions"), _) => {}
        _ => return None,
    }
    let subscription = segments[1].clone();
    let rest = &segments[2..];
    let rest_lower = &lower[2..];
    if rest_lower.len() == 1 && rest_lower[0] == "resources" {
        return Some(Target::GenericList {
            subscription,
            group: None,
        });
    }
    if rest_lower[0] == "resourcegroups" {
        if rest.len() == 3 && rest_lower[2] == "resources" {
            return Some(Target::GenericList {
                subscription,
                group: Some(rest[1].clone()),
            });
        }
        return match rest.len() {
            1 => Some(Target::ResourceGroupList { subscription }),
            2 => Some(Target::Item(ResourcePath::resource_group(
                &subscription,
                &rest[1],
            ))),
            5 if rest_lower[2] == "providers"
                && soft_deleted::collection_kind(&rest[3], &rest[4]).is_some() =>
            {
                Some(Target::SoftDeletedList {
                    kind: soft_deleted::collection_kind(&rest[3], &rest[4])?,
                    subscription,
                    group: Some(rest[1].clone()),
                })
            }
            n if n >= 5 && rest_lower[2] == "providers" => {
                provider_path(&subscription, Some(&rest[1]), &rest[3], &rest[4..])
            }
            _ => None,
        };
    }
    if rest_lower[0] != "providers" || rest.len() < 3 {
        return None;
    }
    let namespace = rest[1].clone();
    let tail = &rest[2..];
    let tail_lower = &rest_lower[2..];
    match (tail_lower[0].as_str(), tail.len()) {
        ("checknameavailability", 1) => Some(Target::CheckName {
            subscription,
            namespace,
        }),
        ("deletedvaults", 1) => Some(Target::DeletedVaultList { subscription }),
        (_, 1) if soft_deleted::collection_kind(&namespace, &tail[0]).is_some() => {
            Some(Target::SoftDeletedList {
                kind: soft_deleted::collection_kind(&namespace, &tail[0])?,
                subscription,
                group: None,
            })
        }
        ("locations", 4)
            if tail_lower[2] == "operations" || tail_lower[2] == "operationresults" =>
        {
            Some(Target::Operation {
                subscription,
                namespace,
                location: tail[1].clone(),
                id: tail[3].clone(),
                result: tail_lower[2] == "operationresults",
            })
        }
        ("locations", 4 | 5) if tail_lower[2] == "deletedvaults" => {
            let purge = tail.len() == 5;
            if purge && tail_lower[4] != "purge" {
                return None;
            }
            Some(Target::DeletedVault {
                subscription,
                location: tail[1].clone(),
                name: tail[3].clone(),
                purge,
            })
        }
        (_, 1) => Kind::top_level_in(&namespace, &tail[0]).map(|kind| Target::List {
            kind,
            scope: ListScope::Subscription(subscription),
        }),
        _ => None,
    }
}

fn provider_path(
    subscription: &str,
    group: Option<&String>,
    namespace: &str,
    tail: &[String],
) -> Option<Target> {
    let group = group?;
    // An extension resource: `{parent}/providers/{namespace}/{type}[/{name}]`.
    if let Some(at) = (2..tail.len())
        .step_by(2)
        .find(|&i| tail[i].eq_ignore_ascii_case("providers"))
    {
        return extension_path(subscription, group, namespace, tail, at);
    }
    let types: Vec<&str> = tail.iter().step_by(2).map(String::as_str).collect();
    let names: Vec<String> = tail.iter().skip(1).step_by(2).cloned().collect();
    if let Some(kind) = Kind::lookup(namespace, &types) {
        let path = ResourcePath {
            kind,
            subscription: subscription.to_string(),
            resource_group: group.clone(),
            names: names.clone(),
        };
        if names.len() == types.len() {
            return Some(Target::Item(path));
        }
        // A collection: the parent is the same path without the last type.
        let scope = match kind.parent() {
            Some(Kind::ResourceGroup) | None => {
                ListScope::ResourceGroup(subscription.to_string(), group.clone())
            }
            Some(parent_kind) => ListScope::Parent(ResourcePath {
                kind: parent_kind,
                subscription: subscription.to_string(),
                resource_group: group.clone(),
                names,
            }),
        };
        return Some(Target::List { kind, scope });
    }
    // `{resource}/{action}`: an odd-length tail whose prefix is an item.
    if tail.len() >= 3 && tail.len() % 2 == 1 {
        let kind = Kind::lookup(namespace, &types[..types.len() - 1])?;
        let path = ResourcePath {
            kind,
            subscription: subscription.to_string(),
            resource_group: group.clone(),
            names,
        };
        return Some(Target::Action {
            path,
            action: tail[tail.len() - 1].clone(),
        });
    }
    None
}

/// An extension resource under the resource `tail[..at]` of `namespace` (a flux configuration
/// under a managed cluster): its kind has the parent's type segments plus its own.
fn extension_path(
    subscription: &str,
    group: &str,
    parent_namespace: &str,
    tail: &[String],
    at: usize,
) -> Option<Target> {
    let namespace = tail.get(at + 1)?;
    let own = &tail[at + 2..];
    let parent_types: Vec<&str> = tail[..at].iter().step_by(2).map(String::as_str).collect();
    let parent_names: Vec<String> = tail[..at].iter().skip(1).step_by(2).cloned().collect();
    let parent_kind = Kind::lookup(parent_namespace, &parent_types)?;
    let leaf = own.first()?;
    let mut types = parent_types.clone();
    types.push(leaf);
    let kind = Kind::lookup(namespace, &types).filter(|kind| kind.parent() == Some(parent_kind))?;
    let parent = ResourcePath {
        kind: parent_kind,
        subscription: subscription.to_string(),
        resource_group: group.to_string(),
        names: parent_names,
    };
    match own.len() {
        1 => Some(Target::List {
            kind,
            scope: ListScope::Parent(parent),
        }),
        2 => Some(Target::Item(parent.child(kind, &own[1]))),
        3 => Some(Target::Action {
            path: parent.child(kind, &own[1]),
            action: own[2].clone(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_extension_resources_of_a_cluster() {
        let cluster = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c";
        let item =
            format!("{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/f");
        let Some(Target::Item(path)) = parse(&item) else {
            panic!("expected item")
        };
        assert_eq!(path.kind, Kind::FluxConfiguration);
        assert_eq!(path.id(), item);
        assert_eq!(
            path.parent().map(|parent| parent.id()),
            Some(cluster.to_string())
        );
        let list = parse(&format!(
            "{}/providers/microsoft.kubernetesconfiguration/extensions",
            cluster.to_lowercase()
        ));
        assert!(matches!(
            list,
            Some(Target::List {
                kind: Kind::ClusterExtension,
                scope: ListScope::Parent(_)
            })
        ));
    }

    #[test]
    fn parses_children_and_lists() {
        let target = parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/agentPools/p");
        let Some(Target::Item(path)) = target else {
            panic!("expected item")
        };
        assert_eq!(path.kind, Kind::AgentPool);
        assert_eq!(path.id(), "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/agentPools/p");
        let list = parse("/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/c/agentpools");
        assert!(matches!(
            list,
            Some(Target::List {
                kind: Kind::AgentPool,
                scope: ListScope::Parent(_)
            })
        ));
    }

    #[test]
    fn parses_role_assignment_scopes() {
        let target = parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a/providers/Microsoft.Authorization/roleAssignments/x");
        assert_eq!(
            target,
            Some(Target::RoleAssignment {
                scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a"
                    .into(),
                name: "x".into()
            })
        );
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
    }
}

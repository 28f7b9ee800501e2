//! Deleting resources with ARM's cascades: children and RG contents go with their parent,
//! vaults become soft-deleted, a cluster takes its node resource group with it.

use time::OffsetDateTime;

use super::types::Kind;
use super::world::World;
use super::{json, keyvault, workspace};

/// Removes the resource under `key` and everything that goes with it.
pub fn delete_resource(world: &mut World, key: &str, wall: OffsetDateTime) {
    let removed = world.remove_tree(key);
    for resource in removed {
        match resource.kind {
            Kind::Vault => keyvault::soft_delete(world, &resource, wall),
            Kind::Workspace => workspace::soft_delete(world, &resource, wall),
            Kind::ManagedCluster => {
                let node_group = json::str_at(&resource.body, "/properties/nodeResourceGroup")
                    .map(str::to_string);
                let subscription = resource
                    .id
                    .split('/')
                    .nth(2)
                    .unwrap_or_default()
                    .to_string();
                if let Some(group) = node_group {
                    let group_key = format!("/subscriptions/{subscription}/resourcegroups/{group}")
                        .to_lowercase();
                    delete_resource(world, &group_key, wall);
                }
            }
            _ => {}
        }
    }
}

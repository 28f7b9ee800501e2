//! Deleting resources with ARM's cascades: children and RG contents go with their parent, and
//! each removed resource's type runs its on-removed hook (soft delete, node resource group...).

use time::OffsetDateTime;

use super::provider;
use super::world::World;

/// Removes the resource under `key` and everything that goes with it.
pub fn delete_resource(world: &mut World, key: &str, wall: OffsetDateTime) {
    let removed = world.remove_tree(key);
    for resource in removed {
        provider::of(resource.kind).on_removed(world, &resource, wall);
    }
}

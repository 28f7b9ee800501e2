//! Where a resource lives: its resource group and parents must exist (ARM's 404s), and the
//! stored resource at a path.

use super::error::ArmError;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};

/// The resource group of `path` must exist and not be being deleted.
pub fn ensure_group(world: &World, path: &ResourcePath, for_write: bool) -> Result<(), ArmError> {
    let group = path.group_path();
    let resource = world
        .get(&group.key())
        .ok_or_else(|| ArmError::resource_group_not_found(&path.resource_group))?;
    if for_write && resource.provisioning_state() == Some("Deleting") {
        return Err(ArmError::conflict(
            "ResourceGroupBeingDeleted",
            format!(
                "The resource group '{}' is in deprovisioning state and cannot perform this operation.",
                path.resource_group
            ),
        ));
    }
    Ok(())
}

/// Checks the resource group and every parent of `path`; returns the direct parent's key.
pub fn ensure_parents(
    world: &World,
    path: &ResourcePath,
    for_write: bool,
) -> Result<String, ArmError> {
    ensure_group(world, path, for_write)?;
    let mut ancestors = Vec::new();
    let mut current = path.parent();
    while let Some(parent) = current {
        if parent.kind == Kind::ResourceGroup {
            break;
        }
        current = parent.parent();
        ancestors.push(parent);
    }
    for ancestor in ancestors.iter().rev() {
        if !world.contains(&ancestor.key()) {
            return Err(ArmError::parent_not_found(
                ancestor.kind.arm_type(),
                ancestor.name(),
            ));
        }
    }
    Ok(path.parent().map(|parent| parent.key()).unwrap_or_default())
}

/// The stored resource at `path`, or ARM's 404 for the first missing level.
pub fn existing<'a>(world: &'a World, path: &ResourcePath) -> Result<&'a Resource, ArmError> {
    if path.kind != Kind::ResourceGroup {
        ensure_parents(world, path, false)?;
    }
    world.get(&path.key()).ok_or_else(|| {
        if path.kind == Kind::ResourceGroup {
            ArmError::resource_group_not_found(&path.resource_group)
        } else {
            ArmError::resource_not_found(
                path.kind.arm_type(),
                path.name(),
                Some(&path.resource_group),
            )
        }
    })
}

//! Turns stored resources into what ARM's GET returns, through each type's render hook.

use serde_json::Value;

use super::provider;
use super::world::World;

/// The GET body of the resource stored under `key`.
pub fn render_key(world: &World, key: &str, _api_version: &str) -> Option<Value> {
    let resource = world.get(key)?;
    Some(provider::of(resource.kind).render(world, resource))
}

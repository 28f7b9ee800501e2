//! Turns stored resources into what ARM's GET returns (clusters show their current pools,
//! replications a display status that follows their provisioning state).

use serde_json::{json, Value};

use super::json;
use super::types::Kind;
use super::world::World;

/// The GET body of the resource stored under `key`.
pub fn render_key(world: &World, key: &str, _api_version: &str) -> Option<Value> {
    let resource = world.get(key)?;
    Some(match resource.kind {
        Kind::ManagedCluster => render_cluster(world, key, &resource.body),
        Kind::Replication => super::replication::render(&resource.body),
        _ => resource.body.clone(),
    })
}

fn render_cluster(world: &World, key: &str, body: &Value) -> Value {
    let mut rendered = body.clone();
    let profiles: Vec<Value> = world
        .children(key, Kind::AgentPool)
        .into_iter()
        .map(|pool| pool_profile(&pool.body))
        .collect();
    json::set(
        json::child(&mut rendered, "properties"),
        "agentPoolProfiles",
        Value::Array(profiles),
    );
    rendered
}

/// An agent pool as it appears in a cluster's `agentPoolProfiles`.
pub fn pool_profile(pool: &Value) -> Value {
    let mut profile = json!({ "name": pool.get("name").cloned().unwrap_or(Value::Null) });
    if let Some(Value::Object(properties)) = pool.get("properties") {
        for (key, value) in properties {
            json::set(&mut profile, key, value.clone());
        }
    }
    profile
}

//! `rollout:`: the order in which an estate's clusters are applied, in stages (seed 002: dev,
//! then qa, then prod). Apply finishes a stage (all its clusters' changes Succeeded) before it
//! starts the next; `apply --stage NAME` applies one stage. Without it, clusters proceed in
//! parallel.

use serde::{Deserialize, Serialize};

/// The stages, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rollout {
    pub stages: Vec<RolloutStage>,
}

/// One stage: a name and the clusters (estate names) it contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolloutStage {
    pub name: String,
    pub clusters: Vec<String>,
}

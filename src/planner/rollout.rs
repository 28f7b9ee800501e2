//! Rollout stages (`rollout:` in the estate): validated against the declared clusters and turned
//! into the plan's `stages` (cluster addresses), which apply's execution graph orders.

use crate::desired::DesiredState;
use crate::plan::PlanStage;
use crate::planner::PlanError;
use crate::spec::types::{Cluster, DeclaredKind, Rollout};

/// The plan stages of `rollout`: each cluster must be declared and in one stage only.
pub fn stages(
    rollout: Option<&Rollout>,
    desired: &DesiredState,
) -> Result<Vec<PlanStage>, PlanError> {
    let Some(rollout) = rollout else {
        return Ok(Vec::new());
    };
    let prefix = Cluster::KIND.descriptor().address_prefix;
    let mut seen: Vec<String> = Vec::new();
    let mut stages = Vec::new();
    for stage in &rollout.stages {
        if stages
            .iter()
            .any(|known: &PlanStage| known.name == stage.name)
        {
            return Err(PlanError::Rollout(format!(
                "stage {} is named twice; give each stage its own name",
                stage.name
            )));
        }
        let mut clusters = Vec::new();
        for cluster in &stage.clusters {
            let address = format!("{prefix}/{cluster}");
            if desired.by_address(&address).is_none() {
                return Err(PlanError::Rollout(format!(
                    "stage {} names cluster {cluster}, which the estate does not declare",
                    stage.name
                )));
            }
            if seen.contains(&address) {
                return Err(PlanError::Rollout(format!(
                    "cluster {cluster} is in more than one stage; keep it in one"
                )));
            }
            seen.push(address.clone());
            clusters.push(address);
        }
        stages.push(PlanStage {
            name: stage.name.clone(),
            clusters,
        });
    }
    Ok(stages)
}

/// The `--target`s of one stage: its clusters (with what they contain and depend on).
pub fn stage_targets(stages: &[PlanStage], name: &str) -> Result<Vec<String>, PlanError> {
    stages
        .iter()
        .find(|stage| stage.name == name)
        .map(|stage| stage.clusters.clone())
        .ok_or_else(|| {
            PlanError::Rollout(format!(
                "--stage {name}: the estate's rollout has no such stage (stages: {})",
                if stages.is_empty() {
                    "none: add `rollout:` to the estate".to_owned()
                } else {
                    stages
                        .iter()
                        .map(|stage| stage.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ))
        })
}

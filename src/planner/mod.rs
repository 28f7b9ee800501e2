//! The plan engine: desired state + live state -> `Plan`. Decides each declared resource's action
//! (create, update, replace, no-op) in dependency order so values copied from other resources are
//! resolved against live or marked known after apply, applies the ownership rules (delete what
//! the estate owns and no longer declares, never touch what it does not own), orders the changes
//! parents first, and records the fingerprints apply re-checks. Pure and deterministic.

mod build;
mod deferred;
pub mod names;
mod order;
mod ownership;
pub mod refusals;
pub mod rollout;
pub mod rotation;
pub mod skew;
mod targets;
pub mod versions;

#[cfg(test)]
mod tests;

pub use build::build;
pub use deferred::{pointer_display, pointer_rule_path, set_pointer};
pub use order::topological;
pub use ownership::{address_for, ownership, Ownership};

/// What to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// `--target KIND/NAME`: plan only these (plus what they contain and depend on); deletions
    /// of undeclared resources are left out of a targeted plan.
    pub targets: Vec<String>,
}

/// Why no plan could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "--target {target}: the estate declares no such resource{}",
        hint(suggestions)
    )]
    UnknownTarget {
        target: String,
        suggestions: Vec<String>,
    },
    /// Without an auto-upgrade channel, the live version is above the declared one: ARM refuses
    /// downgrades (`OperationNotAllowed`).
    #[error("{address}: the Kubernetes version \"{declared}\" is older than the running {live}, and AKS refuses downgrades (OperationNotAllowed). Declare \"{live}\" (or its minor) in the estate; to let AKS move it, set autoUpgrade.channel")]
    VersionDowngrade {
        address: String,
        declared: String,
        live: String,
    },
    /// A version more than one minor ahead: AKS refuses minor skips (`OperationNotAllowed`).
    #[error("{address}: kubernetesVersion {live} -> \"{declared}\" skips a minor version, which AKS refuses (OperationNotAllowed). Upgrade one minor at a time: declare {}, apply, and so on up to \"{declared}\"", path.iter().map(|version| format!("\"{version}\"")).collect::<Vec<_>>().join(", then "))]
    MinorSkip {
        address: String,
        declared: String,
        live: String,
        /// The minors to go through, in order (the last is the declared one).
        path: Vec<String>,
    },
    /// The estate's `rollout:` does not fit its clusters, or `--stage` names no stage.
    #[error("rollout: {0}")]
    Rollout(String),
    /// Resources the estate declares exist in ARM tagged for another estate (`ownedByOtherEstate`).
    #[error("refusing to plan: {} owned by another estate: {}", if conflicts.len() == 1 { "a declared resource is" } else { "declared resources are" }, describe(conflicts))]
    OwnedByOtherEstate { conflicts: Vec<OwnershipConflict> },
    /// Changes ARM would refuse, or could reach only by deleting data (`refusals`): nothing is
    /// planned, nothing written.
    #[error("refusing to plan: ARM would refuse {}:\n  {}", if refusals.len() == 1 { "this change" } else { "these changes" }, refusals.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    RefusedByArm { refusals: Vec<refusals::Refusal> },
    /// Global names of resources the plan creates that ARM says are not available
    /// (`checkNameAvailability`): held by another subscription or tenant, or invalid.
    #[error("refusing to plan: {} the plan would create {} not available (checkNameAvailability), nothing was written:\n  {}\nChoose other names; if these resources exist in the estate's own subscription, check --subscription / AZURE_SUBSCRIPTION_ID (the plan reads subscription {subscription})", if taken.len() == 1 { "a global name" } else { "global names" }, if taken.len() == 1 { "is" } else { "are" }, taken.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    GlobalNamesTaken {
        subscription: String,
        taken: Vec<names::TakenName>,
    },
}

/// A declared resource that another estate owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnershipConflict {
    pub address: String,
    pub id: String,
    pub owner: String,
}

fn hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

fn describe(conflicts: &[OwnershipConflict]) -> String {
    conflicts
        .iter()
        .map(|conflict| {
            format!(
                "{} ({}) is tagged aksctl-estate={}",
                conflict.address, conflict.id, conflict.owner
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

//! Flux GitOps on a cluster (`flux:`): the `microsoft.flux` cluster extension and its flux
//! configurations, each a Git repository with kustomizations (seed 002's `flux bootstrap` per
//! cluster, as data).

use serde::{Deserialize, Serialize};

/// Flux on a cluster: the extension and the configurations it reconciles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Flux {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configurations: Vec<FluxConfiguration>,
}

/// One flux configuration: a Git source and the kustomizations applied from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FluxConfiguration {
    /// Also the name of the ARM resource; lowercase letters, digits, `-` and `.`.
    pub name: String,
    /// Namespace of the Flux source and kustomization objects; defaults to `flux-system`
    /// (create-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `https://`, `http://` or `ssh://` (or `git@host:path`) URL of the repository.
    pub url: String,
    /// Branch to follow; defaults to `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Seconds between fetches of the repository (ARM's default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u32>,
    /// Stop reconciling (a warm standby's configuration until failover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// User name for an `https://` private repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_user: Option<String>,
    /// Name of the environment variable holding the password or token of a private `https://`
    /// repository. Read only when apply sends it: never in plans, logs or outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_key_variable: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kustomizations: Vec<Kustomization>,
}

/// A kustomization: a path of the repository applied to the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Kustomization {
    pub name: String,
    /// Path in the repository, e.g. `./clusters/prod-eastus2/apps`.
    pub path: String,
    /// Names of kustomizations of the same configuration applied first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Delete what the repository no longer declares (ARM's default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Seconds between reconciliations (ARM's default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_seconds: Option<u32>,
}

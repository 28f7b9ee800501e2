//! The estate's `checks:` block: which `aksctl check` profile applies (estate-wide and per
//! cluster) and which findings are accepted on purpose, each with its reason.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

string_enum!(
    /// How strict `aksctl check` is: `dev` relaxes the availability and change-safety rules.
    CheckProfile { Production => "production", Dev => "dev" }
);

/// `checks:`. Merged across files like any mapping: `clusterProfiles` key by key, `ignore`
/// replaced as a whole by a later file that sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Checks {
    /// The estate-wide profile; absent means `production` (`--profile` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<CheckProfile>,
    /// Cluster name -> profile for that cluster, its pools and its maintenance window (wins
    /// over the estate-wide profile and `--profile`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cluster_profiles: BTreeMap<String, CheckProfile>,
    /// Findings accepted on purpose.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<CheckIgnore>,
}

/// One accepted finding: rule `rule` on resource `resource` (every resource when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckIgnore {
    /// A rule id such as `AKS012`.
    pub rule: String,
    /// A plan address such as `cluster/aks-dev` or `pool/aks-dev/system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Why the finding is accepted; an ignore without one is itself a finding (and ignores
    /// nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

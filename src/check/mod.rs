//! `aksctl check`: the seeds' production checklists as rules over the merged estate, offline.
//!
//! A rule is data (`rules::Rule`: id, severity, title, rationale, fix, predicate); `rules`
//! holds one file per area. `context` indexes the estate once for the cross-resource rules,
//! `locate` maps a finding's field path back to `file:line:col` in the estate files, `evaluate`
//! runs every rule, applies the profile (estate-wide, per cluster, `--profile`) and the estate's
//! accepted findings (`checks.ignore`), and returns a [`Report`]. Rendering lives in
//! `render::check_*`.

pub mod context;
mod evaluate;
pub mod locate;
pub mod rules;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use evaluate::{check, check_estate, plan_notices, CheckOptions};
pub use rules::{all_rules, Area, Rule, Unchecked, UNCHECKED};

use crate::spec::CheckProfile;

/// How serious a finding is; ordered, so `--fail-on warning` also fails on errors.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// `--profile production|dev`, for clap.
pub fn parse_profile(text: &str) -> Result<CheckProfile, String> {
    CheckProfile::ALL
        .iter()
        .copied()
        .find(|profile| profile.as_str() == text)
        .ok_or_else(|| format!("unknown profile `{text}` (production, dev)"))
}

/// Where a finding is in the estate files (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourceLocation {
    /// The file as given to `-f`.
    pub file: String,
    pub line: u64,
    pub column: u64,
}

/// One rule violated by one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// `AKS012`.
    pub rule: &'static str,
    /// After the profile: a rule relaxed in `dev` reports `info` there.
    pub severity: Severity,
    /// The plan address, e.g. `cluster/aks-prod` or `pool/aks-prod/system`.
    pub resource: String,
    /// What exactly is wrong with this resource.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    /// The profile that applied to this resource.
    pub profile: CheckProfile,
}

/// The result of one check run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The estate-wide profile used.
    pub profile: CheckProfile,
    /// How many rules ran.
    pub rules_evaluated: usize,
    /// Findings, errors first, then by location.
    pub findings: Vec<Finding>,
    /// Findings suppressed by a reasoned `checks.ignore` entry.
    pub ignored: usize,
}

impl Report {
    /// How many findings are at `level` or above.
    pub fn count_at_least(&self, level: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity >= level)
            .count()
    }

    /// How many findings have exactly `severity`.
    pub fn count_of(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .count()
    }

    /// Whether `--fail-on level` fails this report.
    pub fn fails(&self, level: Severity) -> bool {
        self.count_at_least(level) > 0
    }
}

//! The rule table: one file per area, each a `static` slice of [`Rule`]s. A rule is data (id,
//! severity, title, the seed practice it enforces, the fix) plus a predicate over the indexed
//! estate that reports a [`Hit`] per offending resource.

use crate::check::context::{address, Context};
use crate::check::locate::FieldPath;
use crate::check::Severity;
use crate::kind::Kind;
use crate::spec::{Cluster, NodePool, RoleAssignment};

mod data_services;
mod identity;
pub(crate) mod ignores;
mod network;
mod observability;
mod pools;
mod security;
mod upgrades;

pub(crate) use ignores::{STALE_IGNORE, UNREASONED_IGNORE};

/// What part of the platform a rule is about (one file each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Area {
    Pools,
    Network,
    Identity,
    Security,
    Observability,
    Upgrades,
    DataServices,
    Checks,
}

impl Area {
    pub fn title(self) -> &'static str {
        match self {
            Area::Pools => "Node pools and availability",
            Area::Network => "Network",
            Area::Identity => "Identity and access",
            Area::Security => "Security",
            Area::Observability => "Observability",
            Area::Upgrades => "Upgrades",
            Area::DataServices => "Data services",
            Area::Checks => "The checks block itself",
        }
    }
}

/// One rule.
pub struct Rule {
    /// `AKS012`: stable forever, referenced by `checks.ignore`.
    pub id: &'static str,
    pub area: Area,
    /// Under the production profile.
    pub severity: Severity,
    /// Availability and change-safety rules: reported as `info` under the `dev` profile.
    pub relaxed_in_dev: bool,
    /// What the rule wants, in a few words.
    pub title: &'static str,
    /// Why it matters, naming the seed practice.
    pub rationale: &'static str,
    /// How to fix a finding in the estate.
    pub fix: &'static str,
    /// Reports a hit per offending resource.
    pub evaluate: fn(&Context<'_>, &mut Vec<Hit>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

/// Every rule, in id order.
pub fn all_rules() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = [
        pools::RULES,
        network::RULES,
        identity::RULES,
        security::RULES,
        observability::RULES,
        upgrades::RULES,
        data_services::RULES,
        ignores::RULES,
    ]
    .into_iter()
    .flatten()
    .collect();
    rules.sort_by_key(|rule| rule.id);
    rules
}

/// The rule with id `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    all_rules().into_iter().find(|rule| rule.id == id)
}

/// One offending resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Plan address.
    pub resource: String,
    /// The cluster the resource belongs to (its profile applies), if any.
    pub cluster: Option<String>,
    /// The field the finding is about (for `file:line:col`).
    pub path: FieldPath,
    pub message: String,
}

impl Hit {
    /// A cluster, at field `key` (the cluster itself when `None`).
    pub fn cluster(cluster: &Cluster, key: Option<&'static str>, message: String) -> Self {
        let mut path = FieldPath::cluster(&cluster.name);
        if let Some(key) = key {
            path = path.key(key);
        }
        Hit {
            resource: address(Kind::ManagedCluster, &[&cluster.name]),
            cluster: Some(cluster.name.clone()),
            path,
            message,
        }
    }

    /// A pool, at field `key` (the pool itself when `None`).
    pub fn pool(
        cluster: &Cluster,
        pool: &NodePool,
        key: Option<&'static str>,
        message: String,
    ) -> Self {
        let mut path = FieldPath::pool(&cluster.name, &pool.name);
        if let Some(key) = key {
            path = path.key(key);
        }
        Hit {
            resource: address(Kind::AgentPool, &[&cluster.name, &pool.name]),
            cluster: Some(cluster.name.clone()),
            path,
            message,
        }
    }

    /// A top-level resource of `kind` declared in list `list`, at field `key`.
    pub fn resource(
        kind: Kind,
        list: &'static str,
        name: &str,
        key: Option<&'static str>,
        message: String,
    ) -> Self {
        let mut path = FieldPath::resource(list, name);
        if let Some(key) = key {
            path = path.key(key);
        }
        Hit {
            resource: address(kind, &[name]),
            cluster: None,
            path,
            message,
        }
    }

    /// A role assignment (located by its role and scope, since its name may be derived).
    pub fn role_assignment(assignment: &RoleAssignment, key: &'static str, message: String) -> Self {
        let name = assignment.name.clone().unwrap_or_default();
        Hit {
            resource: address(Kind::RoleAssignment, &[&name]),
            cluster: None,
            path: FieldPath::default()
                .item_where(
                    "roleAssignments",
                    vec![
                        ("role", assignment.role.clone()),
                        ("scope", assignment.scope.clone()),
                    ],
                )
                .key(key),
            message,
        }
    }
}

/// Every area's failing cases (see `check::tests`).
#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    [
        pools::failing_cases(),
        network::failing_cases(),
        identity::failing_cases(),
        security::failing_cases(),
        observability::failing_cases(),
        upgrades::failing_cases(),
        data_services::failing_cases(),
        ignores::failing_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

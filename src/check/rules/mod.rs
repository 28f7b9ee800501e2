//! The rule table: one file per area, each a `static` slice of [`Rule`]s. A rule is data (id,
//! severity, title, the seed practice it enforces, the fix) plus a predicate over the indexed
//! estate that reports a [`Hit`] per offending resource.

use crate::check::context::{address, Context};
use crate::check::locate::{FieldPath, Step};
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

    /// A role assignment (located by its declared name, else by its role and scope, since its
    /// name may be derived).
    pub fn role_assignment(
        assignment: &RoleAssignment,
        key: &'static str,
        message: String,
    ) -> Self {
        let name = assignment.name.clone().unwrap_or_default();
        Hit {
            resource: address(Kind::RoleAssignment, &[&name]),
            cluster: None,
            path: FieldPath {
                steps: vec![
                    Step::Key("roleAssignments"),
                    Step::FirstOf(vec![
                        vec![("name", name.clone())],
                        vec![
                            ("role", assignment.role.clone()),
                            ("scope", assignment.scope.clone()),
                        ],
                    ]),
                ],
            }
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

/// A checklist item of the seeds that no rule checks, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unchecked {
    pub item: &'static str,
    /// Which seed checklist names it.
    pub seed: &'static str,
    pub reason: &'static str,
    /// `true`: the estate format is expected to express it (a rule will follow); `false`: it
    /// lives outside the estate for good.
    pub pending: bool,
}

/// Checklist items the estate cannot express (listed in `docs/checks.md`).
pub static UNCHECKED: &[Unchecked] = &[
    Unchecked { item: "HPA configured for all stateless services", seed: "003", reason: "Kubernetes workload objects, not Azure resources: the estate declares clusters, not what runs in them (GitOps owns those).", pending: false },
    Unchecked { item: "KEDA for event-driven processors", seed: "003", reason: "In-cluster workload scaling objects; the estate has no KEDA add-on field.", pending: false },
    Unchecked { item: "PodDisruptionBudgets on all production deployments", seed: "003, 001", reason: "Kubernetes objects in the workload manifests, outside the estate.", pending: false },
    Unchecked { item: "Resource requests and limits on every container", seed: "003", reason: "Pod specs, outside the estate.", pending: false },
    Unchecked { item: "Pinned image digests, signed images, signatures enforced at admission", seed: "001, 002", reason: "Image references and admission policies live in manifests and Gatekeeper constraints; AKS030 checks that Azure Policy (the enforcement point) is on.", pending: false },
    Unchecked { item: "Mesh mTLS STRICT and default-deny AuthorizationPolicy", seed: "001", reason: "Istio resources in the cluster; the estate only enables the managed mesh add-on.", pending: false },
    Unchecked { item: "Namespaces per team, no workloads in `default`, no kubectl alongside GitOps", seed: "001", reason: "Cluster contents and process; AKS026 checks the estate's side (one identity per namespace).", pending: false },
    Unchecked { item: "Flux reconciles, pull requests gate changes, drains scripted, SLOs define paging", seed: "002", reason: "Process and in-cluster tooling; `aksctl plan` in pull requests and `aksctl drift` cover the estate's side.", pending: false },
    Unchecked { item: "Backups verified monthly, restore playbook tested", seed: "002", reason: "An operation, not a setting; AKS064/AKS065/AKS068 check that a versioned, redundant backup target exists.", pending: false },
    Unchecked { item: "Private endpoints for registries, vaults and storage of a private cluster", seed: "001, 002", reason: "The estate cannot declare private endpoints yet; AKS014-AKS017 check what it can (public network access off, Premium registry). A rule that every such resource has a private endpoint in the cluster's VNet follows when the estate gains private endpoints.", pending: true },
    Unchecked { item: "Microsoft Defender for Containers", seed: "001", reason: "The estate has no `securityProfile.defender` field yet; a rule follows when it does.", pending: true },
    Unchecked { item: "kube-audit logs to Log Analytics (diagnostic settings)", seed: "001", reason: "Diagnostic settings are not an estate kind yet; AKS040/AKS041 check Container Insights and its workspace.", pending: true },
    Unchecked { item: "Egress through a firewall with pinned public IPs (the NAT gateway or firewall itself)", seed: "002", reason: "Networking resources (VNets, NAT gateways, firewalls) are referenced by id, not declared; AKS012 checks the cluster's outbound type.", pending: true },
];

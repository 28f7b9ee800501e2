//! Checks made before anything is written: destructive changes need their flag, and a saved plan
//! is refused when ARM changed since it was made.

use std::collections::HashMap;

use crate::id::ResourceId;
use crate::kind::Kind;
use crate::plan::{Action, Observation, Plan};

/// A change the user has not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedChange {
    pub address: String,
    pub action: Action,
    /// The flag that allows it.
    pub flag: &'static str,
    pub why: String,
}

/// Kinds whose replacement loses data or identity (a new issuer, new keys, lost images): the
/// kind descriptor's gate.
fn replace_is_destructive(kind: Kind) -> bool {
    kind.descriptor().destructive_replace
}

/// Every change of `plan` that needs `--allow-delete` or `--allow-replace` and did not get it.
pub fn blocked_changes(plan: &Plan, allow_delete: bool, allow_replace: bool) -> Vec<BlockedChange> {
    plan.changes
        .iter()
        .filter_map(|change| match change.action {
            Action::Delete if !allow_delete => Some(BlockedChange {
                address: change.address.clone(),
                action: change.action,
                flag: "--allow-delete",
                why: change
                    .reasons
                    .first()
                    .map(|reason| reason.message.clone())
                    .unwrap_or_else(|| "owned by this estate but no longer declared".to_owned()),
            }),
            Action::Replace if !allow_replace && replace_is_destructive(change.kind) => {
                Some(BlockedChange {
                    address: change.address.clone(),
                    action: change.action,
                    flag: "--allow-replace",
                    why: change
                        .reasons
                        .iter()
                        .map(|reason| reason.message.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                })
            }
            // Rotations (and other changes that drain nodes) name the flag they need.
            _ if !allow_replace
                && change
                    .procedure
                    .requires
                    .iter()
                    .any(|flag| flag == "allow-replace") =>
            {
                Some(BlockedChange {
                    address: change.address.clone(),
                    action: change.action,
                    flag: "--allow-replace",
                    why: format!(
                        "{} ({} node{} drained)",
                        change
                            .reasons
                            .iter()
                            .map(|reason| reason.message.clone())
                            .collect::<Vec<_>>()
                            .join("; "),
                        change.procedure.drained_nodes.unwrap_or(0),
                        if change.procedure.drained_nodes == Some(1) {
                            ""
                        } else {
                            "s"
                        }
                    ),
                })
            }
            _ => None,
        })
        .collect()
}

/// A resource whose live fingerprint differs from the one the saved plan recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleResource {
    pub id: ResourceId,
    pub planned: String,
    pub now: String,
}

/// Compares the plan's observations with fingerprints read now (missing = `absent`).
pub fn stale_resources(
    observed: &[Observation],
    current: &HashMap<ResourceId, String>,
) -> Vec<StaleResource> {
    observed
        .iter()
        .filter_map(|observation| {
            let now = current
                .get(&observation.id)
                .cloned()
                .unwrap_or_else(|| "absent".to_owned());
            (now != observation.fingerprint).then(|| StaleResource {
                id: observation.id.clone(),
                planned: observation.fingerprint.clone(),
                now,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Reason, ReasonCode, ResourceChange};

    fn change(address: &str, kind: Kind, action: Action) -> ResourceChange {
        ResourceChange {
            address: address.into(),
            arm_type: kind.arm_type().into(),
            kind,
            id: ResourceId::new(format!("/subscriptions/s/resourceGroups/rg/x/{address}")),
            api_version: kind.api_version().into(),
            action,
            reasons: vec![Reason {
                code: ReasonCode::ImmutableFieldChanged,
                message: "dnsPrefix cannot change".into(),
                path: None,
            }],
            before: None,
            after: None,
            unknown_after_apply: vec![],
            deferred: vec![],
            depends_on: vec![],
            replace_order: None,
            procedure: Default::default(),
        }
    }

    #[test]
    fn deletes_and_destructive_replaces_need_flags() {
        let plan = Plan::new(
            "e".into(),
            "s".into(),
            vec![
                change("cluster/a", Kind::ManagedCluster, Action::Replace),
                change("pool/a/b", Kind::AgentPool, Action::Replace),
                change("identity/x", Kind::UserAssignedIdentity, Action::Delete),
                change("registry/r", Kind::ContainerRegistry, Action::Update),
            ],
            vec![],
            vec![],
        );
        let blocked = blocked_changes(&plan, false, false);
        let flags: Vec<(&str, &str)> = blocked
            .iter()
            .map(|b| (b.address.as_str(), b.flag))
            .collect();
        assert_eq!(
            flags,
            vec![
                ("cluster/a", "--allow-replace"),
                ("identity/x", "--allow-delete")
            ]
        );
        assert!(blocked_changes(&plan, true, true).is_empty());
    }

    #[test]
    fn stale_when_fingerprint_differs_or_resource_vanished() {
        let a = ResourceId::new("/a");
        let b = ResourceId::new("/b");
        let observed = vec![
            Observation {
                id: a.clone(),
                fingerprint: "etag:1".into(),
            },
            Observation {
                id: b.clone(),
                fingerprint: "etag:2".into(),
            },
            Observation {
                id: ResourceId::new("/c"),
                fingerprint: "absent".into(),
            },
        ];
        let current = HashMap::from([(a, "etag:1".to_owned()), (b.clone(), "etag:3".to_owned())]);
        let stale = stale_resources(&observed, &current);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].id, b);
        assert_eq!(stale[0].now, "etag:3");
    }
}

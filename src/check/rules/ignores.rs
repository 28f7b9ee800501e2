//! Rules about the `checks:` block itself: an accepted finding must say why, and must still
//! match something (a stale ignore hides the next real finding of that rule).

use crate::check::context::Context;
use crate::check::locate::FieldPath;
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;
use crate::spec::CheckIgnore;

/// Id of the rule for an ignore without a reason (never ignorable itself).
pub(crate) const UNREASONED_IGNORE: &str = "AKS900";
/// Id of the rule for an ignore or cluster profile that matches nothing.
pub(crate) const STALE_IGNORE: &str = "AKS901";

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: UNREASONED_IGNORE,
        area: Area::Checks,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Every ignored finding says why",
        rationale: "An accepted risk nobody can explain is an unreviewed one; the reason is what the PR reviewer and the next auditor read. Such an ignore suppresses nothing.",
        fix: "Add `reason: \"...\"` to the `checks.ignore` entry.",
        evaluate: unreasoned_ignores,
    },
    Rule {
        id: STALE_IGNORE,
        area: Area::Checks,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Every ignore and cluster profile matches something",
        rationale: "A stale ignore (unknown rule, or no finding left to suppress) silently hides the next real finding of that rule on that resource.",
        fix: "Remove the entry, or correct its `rule` or `resource` (a plan address such as `cluster/aks-dev`).",
        evaluate: unknown_references,
    },
];

/// Where ignore entry `ignore` is declared.
pub(crate) fn ignore_path(ignore: &CheckIgnore) -> FieldPath {
    let mut values = vec![("rule", ignore.rule.clone())];
    if let Some(resource) = &ignore.resource {
        values.push(("resource", resource.clone()));
    }
    FieldPath::default()
        .key("checks")
        .item_where("ignore", values)
}

pub(crate) fn ignore_hit(ignore: &CheckIgnore, key: &'static str, message: String) -> Hit {
    Hit {
        resource: format!("checks/ignore/{}", ignore.rule),
        cluster: None,
        path: ignore_path(ignore).key(key),
        message,
    }
}

fn unreasoned_ignores(context: &Context<'_>, hits: &mut Vec<Hit>) {
    let Some(checks) = &context.estate.checks else {
        return;
    };
    for ignore in &checks.ignore {
        if ignore
            .reason
            .as_deref()
            .is_none_or(|reason| reason.trim().is_empty())
        {
            hits.push(ignore_hit(
                ignore,
                "reason",
                format!(
                    "ignore of {} on {} has no reason",
                    ignore.rule,
                    ignore.resource.as_deref().unwrap_or("every resource")
                ),
            ));
        }
    }
}

fn unknown_references(context: &Context<'_>, hits: &mut Vec<Hit>) {
    let Some(checks) = &context.estate.checks else {
        return;
    };
    for ignore in &checks.ignore {
        if super::rule(&ignore.rule).is_none() {
            hits.push(ignore_hit(
                ignore,
                "rule",
                format!("ignore names unknown rule `{}`", ignore.rule),
            ));
        }
    }
    for cluster in checks.cluster_profiles.keys() {
        if context.cluster(cluster).is_none() {
            hits.push(Hit {
                resource: format!("checks/clusterProfiles/{cluster}"),
                cluster: None,
                path: FieldPath::default().key("checks").key("clusterProfiles"),
                message: format!("profile set for unknown cluster `{cluster}`"),
            });
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::case;
    use crate::spec::Checks;
    vec![
        case(UNREASONED_IGNORE, |estate| {
            estate.checks = Some(Checks {
                ignore: vec![CheckIgnore {
                    rule: "AKS007".into(),
                    resource: None,
                    reason: None,
                }],
                ..Checks::default()
            });
        }),
        case(STALE_IGNORE, |estate| {
            estate.checks = Some(Checks {
                ignore: vec![CheckIgnore {
                    rule: "AKS999".into(),
                    resource: None,
                    reason: Some("typo".into()),
                }],
                ..Checks::default()
            });
        }),
    ]
}

//! Observability: Container Insights to a Log Analytics workspace the platform owns (seed 003,
//! seed 001).

use crate::check::context::{addon_on, Context};
use crate::check::rules::{Area, Hit, Rule};
use crate::check::Severity;

pub(super) static RULES: &[Rule] = &[
    Rule {
        id: "AKS040",
        area: Area::Observability,
        severity: Severity::Error,
        relaxed_in_dev: false,
        title: "Container Insights is on",
        rationale: "Seed 003 Production Checklist: Container Insights enabled to Log Analytics; without it nobody sees the node and pod signals SLOs page on.",
        fix: "Add `addons: {monitoring: {logAnalyticsWorkspaceId: ...}}`.",
        evaluate: container_insights,
    },
    Rule {
        id: "AKS041",
        area: Area::Observability,
        severity: Severity::Warning,
        relaxed_in_dev: false,
        title: "Container Insights writes to a declared Log Analytics workspace",
        rationale: "Seed 003 Production Checklist: Container Insights to Log Analytics; seed 001: kube-audit to Log Analytics. AKS's default workspace has default retention and no owner.",
        fix: "Set `addons.monitoring.logAnalyticsWorkspaceId` to the platform's workspace.",
        evaluate: declared_workspace,
    },
];

fn container_insights(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let monitoring = cluster
            .addons
            .as_ref()
            .and_then(|addons| addons.monitoring.as_ref())
            .map(|monitoring| monitoring.enabled);
        if !addon_on(monitoring) {
            hits.push(Hit::cluster(
                cluster,
                Some("addons"),
                format!("cluster `{}` has no Container Insights", cluster.name),
            ));
        }
    }
}

fn declared_workspace(context: &Context<'_>, hits: &mut Vec<Hit>) {
    for cluster in &context.estate.clusters {
        let Some(monitoring) = cluster
            .addons
            .as_ref()
            .and_then(|addons| addons.monitoring.as_ref())
        else {
            continue;
        };
        if addon_on(Some(monitoring.enabled)) && monitoring.log_analytics_workspace_id.is_none() {
            hits.push(Hit::cluster(
                cluster,
                Some("addons"),
                format!(
                    "cluster `{}` sends Container Insights to AKS's default workspace",
                    cluster.name
                ),
            ));
        }
    }
}

#[cfg(test)]
pub(crate) fn failing_cases() -> Vec<crate::check::tests::Case> {
    use crate::check::tests::case;
    vec![
        case("AKS040", |estate| {
            if let Some(addons) = estate.clusters[0].addons.as_mut() {
                addons.monitoring = None;
            }
        }),
        case("AKS041", |estate| {
            if let Some(monitoring) = estate.clusters[0]
                .addons
                .as_mut()
                .and_then(|addons| addons.monitoring.as_mut())
            {
                monitoring.log_analytics_workspace_id = None;
            }
        }),
    ]
}

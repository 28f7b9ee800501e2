//! Export of issue 14's cluster settings and Flux: the live bodies (as ARM answers them, defaults
//! filled in) come back as the estate fields, and lowering the exported estate gives the same
//! declared values back (round trip).

use serde_json::json;

use super::*;
use crate::desired::{lower, LowerContext};
use crate::export::build_estate;
use crate::kind::Kind;
use crate::spec::types::AutoscalerExpander;

#[test]
fn cluster_settings_and_flux_round_trip_through_export_and_lowering() {
    let mut read = inventory();
    let workspace_id =
        format!("/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-app");
    read.resources.push(json!({
        "id": workspace_id, "name": "log-app", "type": "Microsoft.OperationalInsights/workspaces",
        "location": "eastus", "properties": {"provisioningState": "Succeeded", "sku": {"name": "PerGB2018"}}
    }));
    let cluster = read
        .resources
        .iter_mut()
        .find(|body| body["type"] == "Microsoft.ContainerService/managedClusters")
        .expect("cluster body");
    let properties = &mut cluster["properties"];
    properties["securityProfile"]["defender"] = json!({
        "logAnalyticsWorkspaceResourceId": workspace_id, "securityMonitoring": {"enabled": true}});
    properties["securityProfile"]["imageCleaner"] = json!({"enabled": true, "intervalHours": 48});
    properties["azureMonitorProfile"] = json!({"metrics": {"enabled": true}});
    properties["autoScalerProfile"] = json!({
        "balance-similar-node-groups": "false", "expander": "least-waste",
        "max-graceful-termination-sec": "600", "max-node-provision-time": "15m",
        "scan-interval": "10s", "scale-down-delay-after-add": "10m",
        "scale-down-unneeded-time": "5m", "scale-down-utilization-threshold": "0.5",
        "skip-nodes-with-local-storage": "false", "skip-nodes-with-system-pods": "true"});
    let cluster_id = cluster_id();
    read.children.push(json!({
        "id": format!("{cluster_id}/providers/Microsoft.KubernetesConfiguration/extensions/flux"),
        "name": "flux", "type": "Microsoft.KubernetesConfiguration/extensions",
        "properties": {"extensionType": "microsoft.flux", "autoUpgradeMinorVersion": true,
                       "releaseTrain": "Stable", "scope": {"cluster": {"releaseNamespace": "flux-system"}},
                       "provisioningState": "Succeeded", "currentVersion": "1.15.1"}}));
    read.children.push(json!({
        "id": format!("{cluster_id}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/config"),
        "name": "config", "type": "Microsoft.KubernetesConfiguration/fluxConfigurations",
        "properties": {"scope": "cluster", "namespace": "flux-system", "sourceKind": "GitRepository",
            "suspend": true, "complianceState": "Suspended", "provisioningState": "Succeeded",
            "gitRepository": {"url": "https://github.com/example/config", "timeoutInSeconds": 600,
                              "syncIntervalInSeconds": 60,
                              "repositoryRef": {"branch": "env/prod", "tag": null, "semver": null, "commit": null}},
            "kustomizations": {
                "platform": {"name": "platform", "path": "./platform", "dependsOn": [], "timeoutInSeconds": 600,
                             "syncIntervalInSeconds": 600, "prune": true, "force": false, "wait": true},
                "apps": {"name": "apps", "path": "./apps", "dependsOn": ["platform"], "timeoutInSeconds": 600,
                         "syncIntervalInSeconds": 600, "prune": false, "force": false, "wait": true}}}}));

    let exported = build_estate(&read, None);
    let cluster = &exported.estate.clusters[0];
    let defender = cluster.defender.as_ref().expect("defender");
    assert_eq!(defender.workspace.as_deref(), Some("log-app"));
    assert_eq!(defender.log_analytics_workspace_id, None);
    assert_eq!(
        cluster
            .image_cleaner
            .as_ref()
            .and_then(|c| c.interval_hours),
        Some(48)
    );
    assert!(cluster.managed_prometheus.is_some());
    let autoscaler = cluster.autoscaler_profile.as_ref().expect("autoscaler");
    assert_eq!(autoscaler.expander, Some(AutoscalerExpander::LeastWaste));
    assert_eq!(autoscaler.scale_down_unneeded_time.as_deref(), Some("5m"));
    assert_eq!(autoscaler.scan_interval, None, "AKS's default");
    let flux = cluster.flux.as_ref().expect("flux");
    let configuration = &flux.configurations[0];
    assert_eq!(configuration.name, "config");
    assert_eq!(configuration.namespace, None, "the estate's default");
    assert_eq!(configuration.branch.as_deref(), Some("env/prod"));
    assert_eq!(configuration.interval_seconds, Some(60));
    assert_eq!(configuration.suspend, Some(true));
    assert_eq!(configuration.kustomizations.len(), 2);

    // Lowering the export gives back what ARM holds, field for field.
    let desired = lower(&exported.estate, &LowerContext::default()).expect("lowers");
    let body = |kind: Kind| {
        desired
            .resources
            .iter()
            .find(|resource| resource.kind == kind)
            .map(|resource| resource.body.clone())
            .expect("lowered")
    };
    let lowered = body(Kind::FluxConfiguration);
    let live = &read.children.last().expect("flux")["properties"];
    for pointer in [
        "/properties/namespace",
        "/properties/suspend",
        "/properties/gitRepository/url",
        "/properties/gitRepository/repositoryRef/branch",
        "/properties/gitRepository/syncIntervalInSeconds",
        "/properties/kustomizations/apps/dependsOn",
        "/properties/kustomizations/apps/path",
        "/properties/kustomizations/platform/prune",
    ] {
        assert_eq!(
            lowered.pointer(pointer),
            live.pointer(pointer.trim_start_matches("/properties")),
            "{pointer}"
        );
    }
    let cluster_body = body(Kind::ManagedCluster);
    assert_eq!(
        cluster_body.pointer("/properties/autoScalerProfile"),
        Some(&json!({"expander": "least-waste", "scale-down-unneeded-time": "5m"}))
    );
    assert_eq!(
        cluster_body
            .pointer("/properties/securityProfile/defender/logAnalyticsWorkspaceResourceId"),
        Some(&json!(workspace_id))
    );
    assert_eq!(
        body(Kind::ClusterExtension).pointer("/properties/extensionType"),
        Some(&json!("microsoft.flux"))
    );
}

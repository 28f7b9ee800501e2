//! Conversion of raw ARM bodies to an estate: logical references, defaults left out, tags,
//! locations, what is skipped, and the YAML written.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::export::{adopt, build_estate, export_yaml};
use crate::spec::types::Principal;

#[test]
fn references_become_logical() {
    let exported = build_estate(&inventory(), None);
    let estate = &exported.estate;
    let identity = &estate.identities[0];
    let api = &identity.federated_credentials[0];
    assert_eq!(api.cluster.as_deref(), Some("aks-app"), "issuer -> cluster");
    assert_eq!(api.service_account.as_deref(), Some("shop/api"));
    assert!(api.audiences.is_empty() && api.issuer.is_none() && api.subject.is_none());
    let github = &identity.federated_credentials[1];
    assert_eq!(
        github.issuer.as_deref(),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(
        github.subject.as_deref(),
        Some("repo:org/app:ref:refs/heads/main")
    );

    let cluster = &estate.clusters[0];
    assert_eq!(
        cluster.acr_pull,
        vec!["acrapp".to_owned()],
        "kubelet AcrPull -> acrPull"
    );
    let by_scope: BTreeMap<&str, (&Principal, &str)> = estate
        .role_assignments
        .iter()
        .map(|a| (a.scope.as_str(), (&a.principal, a.role.as_str())))
        .collect();
    assert_eq!(
        by_scope.get("keyVault/kv-app"),
        Some(&(
            &Principal::Identity("id-api".into()),
            "Key Vault Secrets User"
        ))
    );
    assert_eq!(
        by_scope
            .get("storageContainer/stapp/backups")
            .map(|(p, _)| *p),
        Some(&Principal::Identity("id-api".into()))
    );
    assert_eq!(
        by_scope.get("cluster/aks-app").map(|(_, role)| *role),
        Some("Azure Kubernetes Service RBAC Cluster Admin")
    );
    let network = by_scope
        .get(format!("/subscriptions/{SUB}/resourceGroups/rg-network").as_str())
        .expect("control plane's grant on a group outside the estate, as a raw id");
    assert_eq!(network.0, &Principal::ClusterIdentity("aks-app".into()));
    assert_eq!(network.1, "Network Contributor");
    assert_eq!(
        by_scope
            .get(format!("resourceGroup/{GROUP}").as_str())
            .map(|(_, role)| *role),
        Some("acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        "a role without a built-in name stays a GUID"
    );
    assert_eq!(
        estate.role_assignments.len(),
        5,
        "{:#?}",
        estate.role_assignments
    );
}

#[test]
fn defaults_and_server_fields_are_left_out() {
    let exported = build_estate(&inventory(), None);
    let estate = &exported.estate;
    assert_eq!(estate.location, "eastus");
    assert_eq!(estate.tenant_id.as_deref(), Some(TENANT));
    let cluster = &estate.clusters[0];
    assert_eq!(cluster.tier, None, "Free is ARM's default");
    assert_eq!(
        cluster.dns_prefix, None,
        "the cluster name is aksctl's default"
    );
    assert_eq!(cluster.identity, None, "system-assigned is the default");
    assert_eq!(
        cluster.kubelet_identity, None,
        "AKS-made kubelet identity is not declared"
    );
    assert_eq!(cluster.local_accounts, None);
    assert_eq!(cluster.auto_upgrade, None);
    let network = cluster.network.as_ref().expect("plugin kept");
    assert_eq!(
        network.plugin,
        Some(crate::spec::types::NetworkPlugin::Azure)
    );
    assert!(
        network.pod_cidr.is_none()
            && network.service_cidr.is_none()
            && network.dns_service_ip.is_none()
    );
    assert!(
        network.dataplane.is_none()
            && network.outbound_type.is_none()
            && network.load_balancer_sku.is_none()
    );
    let addons = cluster.addons.as_ref().expect("monitoring is on");
    assert!(addons.monitoring.is_some() && addons.azure_policy.is_none());
    assert!(exported
        .notes
        .iter()
        .any(|note| note.contains("httpApplicationRouting")));

    let system = &cluster.pools[0];
    assert_eq!(system.name, "system");
    assert_eq!(system.critical_addons_only, Some(true));
    assert!(system.taints.is_empty());
    assert_eq!(
        system.kubernetes_version, None,
        "same minor as the control plane"
    );
    assert!(
        system.os_sku.is_none()
            && system.os_disk_type.is_none()
            && system.os_disk_size_gb.is_none()
    );
    assert!(system.max_pods.is_none() && system.max_surge.is_none() && system.os_type.is_none());
    let spot = &cluster.pools[1];
    assert_eq!(spot.autoscale.map(|a| (a.min, a.max)), Some((0, 9)));
    assert_eq!(spot.count, None, "the autoscaler owns the count");
    assert_eq!(spot.max_pods, Some(60));
    assert_eq!(spot.max_surge.as_deref(), Some("33%"));
    assert_eq!(spot.kubernetes_version.as_deref(), Some("1.32"));
    assert!(spot.taints.is_empty(), "AKS's spot taint is AKS's");
    assert_eq!(spot.labels.keys().collect::<Vec<_>>(), vec!["tier"]);
    let spot_settings = spot.spot.as_ref().expect("spot pool");
    assert!(spot_settings.max_price.is_none() && spot_settings.eviction_policy.is_none());

    let registry = &estate.registries[0];
    assert!(registry.admin_user_enabled.is_none() && registry.public_network_access.is_none());
    assert!(registry.zone_redundancy.is_none() && registry.location.is_none());
    let vault = &estate.key_vaults[0];
    assert!(vault.sku.is_none() && vault.tenant_id.is_none() && vault.rbac_authorization.is_none());
    assert!(vault.soft_delete_retention_days.is_none());
    assert_eq!(vault.purge_protection, Some(true));
    assert!(vault.public_network_access.is_some());
    let account = &estate.storage_accounts[0];
    assert_eq!(
        account.location.as_deref(),
        Some("westus"),
        "differs from its group"
    );
    assert!(account.kind.is_none() && account.minimum_tls_version.is_none());
    assert_eq!(account.allow_shared_key_access, Some(false));
    assert_eq!(account.blob_versioning, Some(true));
    assert_eq!(account.blob_soft_delete_days, Some(14));
    assert_eq!(account.container_soft_delete_days, None);
    assert_eq!(account.containers[0].name, "backups");
    assert_eq!(account.lifecycle_rules[0].tier_to_cool_after_days, Some(30));
    assert_eq!(account.lifecycle_rules[0].delete_after_days, Some(365));
    assert_eq!(account.lifecycle_rules[0].enabled, None);
}

#[test]
fn common_tags_move_to_the_estate_and_ownership_tags_are_dropped() {
    let mut read = inventory();
    read.groups[0]["tags"]["aksctl-estate"] = json!("shop");
    read.groups[0]["tags"]["managed-by"] = json!("aksctl");
    let exported = build_estate(&read, None);
    let estate = &exported.estate;
    assert_eq!(
        estate.metadata.name, "shop",
        "the groups' owner names the estate"
    );
    assert_eq!(
        estate.tags,
        BTreeMap::from([
            ("createdBy".to_owned(), "az".to_owned()),
            ("env".to_owned(), "prod".to_owned())
        ])
    );
    assert!(estate.resource_groups[0].tags.is_empty());
    assert_eq!(
        estate.storage_accounts[0]
            .tags
            .get("data")
            .map(String::as_str),
        Some("backups")
    );
    assert_eq!(
        build_estate(&read, Some("renamed")).estate.metadata.name,
        "renamed"
    );
    assert_eq!(build_estate(&inventory(), None).estate.metadata.name, GROUP);
}

#[test]
fn yaml_lists_what_is_not_exported_and_loads_back_valid() {
    let mut read = inventory();
    read.children.push(json!({"id": format!("{}/managementPolicies/default", id("Microsoft.Storage/storageAccounts", "stother")),
        "type": "Microsoft.Storage/storageAccounts/managementPolicies"}));
    let exported = build_estate(&read, None);
    let yaml = export_yaml(&exported).expect("yaml");
    assert!(yaml.starts_with("# Exported by aksctl"), "{yaml}");
    assert!(
        yaml.contains("# not exported: Microsoft.Network/virtualNetworks /subscriptions/"),
        "{yaml}"
    );
    assert!(
        !yaml.contains("MC_"),
        "node resource group content leaked:\n{yaml}"
    );
    assert!(!yaml.contains("Rendered by aksctl"), "{yaml}");
    let input = crate::spec::Input {
        name: "exported.yaml".into(),
        bytes: Ok(yaml.clone().into_bytes()),
    };
    let loaded = crate::spec::load_inputs(vec![input], &|_| None)
        .unwrap_or_else(|diagnostics| panic!("{diagnostics:?}\n{yaml}"));
    assert_eq!(loaded.estate.clusters[0].pools.len(), 2);
    let lowered = crate::desired::lower(&loaded.estate, &crate::desired::LowerContext::default())
        .expect("the exported estate lowers");
    // Role assignment ids are aksctl's deterministic ones; the kubelet grant keeps its address.
    assert!(lowered
        .by_address("roleAssignment/aks-app-kubelet-acrpull-on-acrapp")
        .is_some());
}

#[test]
fn unsupported_lifecycle_rules_skip_the_policy_with_a_reason() {
    let mut read = inventory();
    let policy = read
        .children
        .iter_mut()
        .find(|body| body["type"] == "Microsoft.Storage/storageAccounts/managementPolicies")
        .expect("policy");
    policy["properties"]["policy"]["rules"][0]["definition"]["actions"]["snapshot"] =
        json!({"delete": {"daysAfterCreationGreaterThan": 30}});
    let exported = build_estate(&read, None);
    assert!(exported.estate.storage_accounts[0]
        .lifecycle_rules
        .is_empty());
    assert!(exported.skipped.iter().any(|skipped| skipped
        .id
        .ends_with("/managementPolicies/default")
        && skipped.reason.contains("tiering")));
}

#[test]
fn a_user_assigned_control_plane_outside_the_groups_skips_the_cluster() {
    let mut read = inventory();
    let cluster = read
        .resources
        .iter_mut()
        .find(|body| body["type"] == "Microsoft.ContainerService/managedClusters")
        .expect("cluster");
    cluster["identity"] = json!({"type": "UserAssigned", "userAssignedIdentities": {
        format!("/subscriptions/{SUB}/resourceGroups/rg-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cp"): {}}});
    let exported = build_estate(&read, None);
    assert!(exported.estate.clusters.is_empty());
    assert!(exported
        .skipped
        .iter()
        .any(|s| s.reason.contains("--resource-group")));

    let mut read = inventory();
    let cluster = read
        .resources
        .iter_mut()
        .find(|body| body["type"] == "Microsoft.ContainerService/managedClusters")
        .expect("cluster");
    cluster["identity"] =
        json!({"type": "UserAssigned", "userAssignedIdentities": {identity_id(): {}}});
    let exported = build_estate(&read, None);
    let identity = exported.estate.clusters[0]
        .identity
        .as_ref()
        .expect("identity");
    assert_eq!(identity.user_assigned.as_deref(), Some("id-api"));
}

/// A reader that serves fixed lists and records every path it was asked for.
#[test]
fn per_cluster_credentials_are_written_back_as_one_multi_cluster_entry() {
    let mut read = inventory();
    let second = read.resources[4].clone();
    let mut standby = second.clone();
    standby["id"] = json!(id("Microsoft.ContainerService/managedClusters", "aks-dr"));
    standby["properties"]["oidcIssuerProfile"]["issuerURL"] = json!("https://centralus.oic/dr/");
    standby["properties"]["nodeResourceGroup"] = json!("MC_rg-app_aks-dr_centralus");
    read.resources.push(standby);
    let mut standby_pool = read.children[0].clone();
    standby_pool["id"] = json!(format!(
        "{}/agentPools/system",
        id("Microsoft.ContainerService/managedClusters", "aks-dr")
    ));
    read.children.push(standby_pool);
    read.children.push(json!({"id": format!("{}/federatedIdentityCredentials/api-aks-dr", identity_id()),
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        "properties": {"issuer": "https://centralus.oic/dr/", "subject": "system:serviceaccount:shop:api",
                       "audiences": ["api://AzureADTokenExchange"]}}));
    let exported = build_estate(&read, None);
    let credentials = &exported.estate.identities[0].federated_credentials;
    assert_eq!(credentials.len(), 2, "{credentials:#?}");
    assert_eq!(credentials[0].name, "api");
    assert_eq!(credentials[0].cluster, None);
    assert_eq!(
        credentials[0].clusters,
        vec!["aks-app".to_owned(), "aks-dr".to_owned()]
    );
    // Expanding it again gives the same ARM resources back.
    let expanded =
        crate::desired::lower(&exported.estate, &crate::desired::LowerContext::default())
            .expect("lowers");
    assert!(expanded
        .by_address("federatedCredential/id-api/api")
        .is_some());
    assert!(expanded
        .by_address("federatedCredential/id-api/api-aks-dr")
        .is_some());
}

#[test]
fn other_managers_and_odd_group_names_are_handled() {
    let mut read = inventory();
    read.groups[0]["id"] = json!(format!(
        "/subscriptions/{SUB}/resourceGroups/(legacy) rg.app"
    ));
    read.resources[0]["tags"]["managed-by"] = json!("terraform");
    let exported = build_estate(&read, None);
    assert_eq!(exported.estate.metadata.name, "legacy--rg.app");
    assert!(exported
        .notes
        .iter()
        .any(|note| note.contains("managed-by=terraform") && note.contains("acrapp")));
    assert_eq!(
        adopt::previous_manager(&json!({"tags": {"Managed-By": "bicep"}})).as_deref(),
        Some("bicep")
    );
    assert_eq!(
        adopt::previous_manager(&json!({"tags": {"managed-by": "aksctl"}})),
        None
    );
}

#[test]
fn ownership_markers_are_not_exported_as_descriptions() {
    use crate::desired::user_description;
    assert_eq!(
        user_description("Managed by aksctl (aksctl-estate=shop)"),
        None
    );
    assert_eq!(
        user_description("Velero backups (managed by aksctl: aksctl-estate=shop)").as_deref(),
        Some("Velero backups")
    );
    assert_eq!(
        user_description("  granted by hand ").as_deref(),
        Some("granted by hand")
    );
    assert_eq!(user_description(""), None);
}

#[test]
fn workspaces_are_exported_and_a_cluster_refers_to_its_workspace_logically() {
    let outside = build_estate(&inventory(), None);
    let monitoring = outside.estate.clusters[0]
        .addons
        .as_ref()
        .and_then(|addons| addons.monitoring.as_ref())
        .expect("monitoring");
    assert_eq!(monitoring.workspace, None, "a workspace outside the groups");
    assert!(monitoring
        .log_analytics_workspace_id
        .as_deref()
        .is_some_and(|id| id.ends_with("/workspaces/w")));

    let mut inventory = inventory();
    // Log Analytics answers ids in lower case; the cluster's config keeps the casing it was sent.
    let workspace_id = format!(
        "/subscriptions/{SUB}/resourcegroups/{GROUP}/providers/microsoft.operationalinsights/workspaces/log-app"
    )
    .to_ascii_lowercase();
    inventory.resources.push(json!({
        "id": workspace_id, "name": "log-app", "type": "Microsoft.OperationalInsights/workspaces",
        "location": "eastus", "tags": {"env": "prod"},
        "properties": {"customerId": "bc089d7b-485c-4aff-a71e-c00f362d8d2f", "provisioningState": "Succeeded",
                       "sku": {"name": "PerGB2018", "lastSkuUpdate": "2026-01-01T00:00:00Z"},
                       "retentionInDays": 90,
                       "workspaceCapping": {"dailyQuotaGb": 50.0, "quotaNextResetTime": "x", "dataIngestionStatus": "RespectQuota"},
                       "publicNetworkAccessForIngestion": "Enabled", "publicNetworkAccessForQuery": "Disabled"}
    }));
    let cluster = inventory
        .resources
        .iter_mut()
        .find(|body| body["type"] == "Microsoft.ContainerService/managedClusters")
        .expect("cluster body");
    cluster["properties"]["addonProfiles"]["omsagent"]["config"]["logAnalyticsWorkspaceResourceID"] = json!(format!(
        "/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.OperationalInsights/workspaces/log-app"
    ));
    let exported = build_estate(&inventory, None);
    let workspace = &exported.estate.log_analytics_workspaces[0];
    assert_eq!(workspace.name, "log-app");
    assert_eq!(workspace.resource_group, GROUP);
    assert_eq!(
        workspace.sku,
        Some(crate::spec::types::WorkspaceSku::PerGb2018)
    );
    assert_eq!(workspace.retention_in_days, Some(90));
    assert_eq!(workspace.daily_quota_gb, Some(50.0));
    assert_eq!(
        workspace.public_network_access_for_ingestion, None,
        "ARM's default"
    );
    assert_eq!(
        workspace.public_network_access_for_query,
        Some(crate::spec::types::WorkspaceNetworkAccess::Disabled)
    );
    let monitoring = exported.estate.clusters[0]
        .addons
        .as_ref()
        .and_then(|addons| addons.monitoring.as_ref())
        .expect("monitoring");
    assert_eq!(monitoring.workspace.as_deref(), Some("log-app"));
    assert_eq!(monitoring.log_analytics_workspace_id, None);
    let yaml = export_yaml(&exported).expect("yaml");
    assert!(
        yaml.contains("logAnalyticsWorkspaces:") && yaml.contains("workspace: log-app"),
        "{yaml}"
    );
}

#[test]
fn a_field_mapped_workspace_reads_enums_in_any_casing_and_leaves_out_values_it_cannot_hold() {
    let mut inventory = inventory();
    inventory.resources.push(json!({
        "id": format!("/subscriptions/{SUB}/resourcegroups/{GROUP}/providers/microsoft.operationalinsights/workspaces/log-odd"),
        "name": "log-odd", "type": "Microsoft.OperationalInsights/workspaces",
        "location": "eastus",
        "properties": {"sku": {"name": "pergb2018"},
                       "retentionInDays": -5,
                       "workspaceCapping": {"dailyQuotaGb": -1},
                       "publicNetworkAccessForIngestion": "disabled",
                       "publicNetworkAccessForQuery": "SomethingNew"}
    }));
    let exported = build_estate(&inventory, None);
    let workspace = &exported.estate.log_analytics_workspaces[0];
    assert_eq!(workspace.name, "log-odd");
    assert_eq!(
        workspace.sku,
        Some(crate::spec::types::WorkspaceSku::PerGb2018),
        "ARM's casing read back in the estate's"
    );
    assert_eq!(workspace.retention_in_days, None, "not a number of days");
    assert_eq!(workspace.daily_quota_gb, None, "-1 is ARM's default");
    assert_eq!(
        workspace.public_network_access_for_ingestion,
        Some(crate::spec::types::WorkspaceNetworkAccess::Disabled)
    );
    assert_eq!(
        workspace.public_network_access_for_query, None,
        "a value the estate has no spelling for"
    );
    assert!(exported
        .skipped
        .iter()
        .all(|skipped| !skipped.id.contains("log-odd")));
}

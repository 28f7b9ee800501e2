//! Diff regressions: one named test per perpetual diff users of other tools fight, and the
//! immutable-field classification per kind.

use serde_json::{json, Value};

use super::*;
use crate::plan::{Action, ReasonCode};

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn pool_desired() -> Value {
    json!({"properties": {
        "mode": "User", "vmSize": "Standard_D4ds_v5", "enableAutoScaling": true,
        "minCount": 2, "maxCount": 10, "count": 2, "orchestratorVersion": "1.33",
        "availabilityZones": ["1", "2", "3"], "osDiskType": "Ephemeral", "maxPods": 50,
        "nodeLabels": {"workload": "batch"}, "nodeTaints": ["workload=batch:NoSchedule"]
    }})
}

fn pool_live() -> Value {
    json!({
        "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/batch"),
        "name": "batch", "type": "Microsoft.ContainerService/managedClusters/agentPools",
        "properties": {
            "mode": "User", "vmSize": "Standard_D4ds_v5", "enableAutoScaling": true,
            "minCount": 2, "maxCount": 10, "count": 2, "orchestratorVersion": "1.33.2",
            "currentOrchestratorVersion": "1.33.2", "availabilityZones": ["1", "2", "3"],
            "osDiskType": "Ephemeral", "osDiskSizeGB": 128, "maxPods": 50, "osType": "Linux",
            "upgradeSettings": {"maxSurge": "10%"}, "provisioningState": "Succeeded",
            "nodeLabels": {"workload": "batch"}, "nodeTaints": ["workload=batch:NoSchedule"]
        }
    })
}

fn assert_noop(kind: Kind, desired: &Value, live: &Value) {
    let comparison = compare(kind, desired, live);
    assert_eq!(comparison.action, Action::Noop, "{:#?}", comparison.reasons);
    assert!(comparison.blocked.is_empty(), "{:#?}", comparison.blocked);
}

#[test]
fn identical_pool_is_a_noop() {
    assert_noop(Kind::AgentPool, &pool_desired(), &pool_live());
}

#[test]
fn autoscaler_count_is_not_a_diff() {
    let mut live = pool_live();
    live["properties"]["count"] = json!(7);
    assert_noop(Kind::AgentPool, &pool_desired(), &live);

    let mut manual = pool_desired();
    manual["properties"]["enableAutoScaling"] = json!(false);
    live["properties"]["enableAutoScaling"] = json!(false);
    let comparison = compare(Kind::AgentPool, &manual, &live);
    assert_eq!(comparison.action, Action::Update);
    assert_eq!(comparison.reasons[0].message, "properties.count: 7 -> 2");
}

#[test]
fn patch_version_satisfies_minor() {
    let mut live = pool_live();
    live["properties"]["orchestratorVersion"] = json!("1.33.7");
    assert_noop(Kind::AgentPool, &pool_desired(), &live);

    let desired = json!({"location": "eastus", "properties": {"kubernetesVersion": "1.33"}});
    let cluster = json!({"location": "eastus", "properties": {
        "kubernetesVersion": "1.32", "currentKubernetesVersion": "1.33.4"}});
    assert_noop(Kind::ManagedCluster, &desired, &cluster);

    let behind = json!({"location": "eastus", "properties": {
        "kubernetesVersion": "1.32", "currentKubernetesVersion": "1.32.9"}});
    let comparison = compare(Kind::ManagedCluster, &desired, &behind);
    assert_eq!(comparison.action, Action::Update);
    assert_eq!(
        comparison.reasons[0].message,
        "properties.kubernetesVersion: \"1.32\" -> \"1.33\""
    );
    assert_eq!(
        comparison.reasons[0].path.as_deref(),
        Some("/properties/kubernetesVersion")
    );
}

#[test]
fn spot_taint_and_label_are_not_diffs() {
    let mut desired = pool_desired();
    desired["properties"]["scaleSetPriority"] = json!("Spot");
    desired["properties"]["scaleSetEvictionPolicy"] = json!("Delete");
    desired["properties"]["spotMaxPrice"] = json!(-1);
    let mut live = pool_live();
    live["properties"]["scaleSetPriority"] = json!("Spot");
    live["properties"]["nodeTaints"] = json!([
        "kubernetes.azure.com/scalesetpriority=spot:NoSchedule",
        "workload=batch:NoSchedule"
    ]);
    live["properties"]["nodeLabels"] = json!({
        "kubernetes.azure.com/scalesetpriority": "spot", "workload": "batch"});
    // Eviction policy and max price omitted by ARM: its defaults are what was declared.
    assert_noop(Kind::AgentPool, &desired, &live);

    live["properties"]["nodeLabels"]["team"] = json!("data");
    let comparison = compare(Kind::AgentPool, &desired, &live);
    assert_eq!(
        comparison.action,
        Action::Update,
        "a label we did not declare is drift"
    );
}

#[test]
fn policy_added_tags_are_not_diffs() {
    let desired = json!({"location": "eastus", "tags": {
        "aksctl-estate": "northwind", "managed-by": "aksctl", "team": "platform"}});
    let live = json!({"location": "East US", "tags": {
        "aksctl-estate": "northwind", "managed-by": "aksctl", "team": "platform",
        "created-on": "2026-11-01", "CostCenter": "42"}});
    assert_noop(Kind::UserAssignedIdentity, &desired, &live);

    let mut drifted = live.clone();
    drifted["tags"]["team"] = json!("apps");
    let comparison = compare(Kind::UserAssignedIdentity, &desired, &drifted);
    assert_eq!(comparison.action, Action::Update);
    assert_eq!(
        comparison.reasons[0].message,
        "tags.team: \"apps\" -> \"platform\""
    );
}

#[test]
fn id_casing_is_not_a_diff() {
    let subnet = format!("/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks");
    let mut desired = pool_desired();
    desired["properties"]["vnetSubnetID"] = json!(subnet);
    let mut live = pool_live();
    live["properties"]["vnetSubnetID"] = json!(subnet.to_lowercase() + "/");
    assert_noop(Kind::AgentPool, &desired, &live);

    let identity = format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks");
    let desired = json!({"identity": {"type": "UserAssigned", "userAssignedIdentities": {identity.clone(): {}}}});
    let live = json!({"identity": {"type": "UserAssigned", "userAssignedIdentities": {
        identity.to_lowercase(): {"principalId": "p", "clientId": "c"}}}});
    assert_noop(Kind::ManagedCluster, &desired, &live);
}

#[test]
fn pool_order_is_not_a_diff() {
    let desired = json!({"properties": {"agentPoolProfiles": [
        {"name": "system", "vmSize": "a"}, {"name": "user", "vmSize": "b"}]}});
    let live = json!({"properties": {"agentPoolProfiles": [
        {"name": "user", "vmSize": "b", "count": 3}, {"name": "system", "vmSize": "a"}]}});
    // Named elements are matched by name wherever they appear (here via a kind without the
    // cluster's pool-profile exclusion).
    assert!(differences(Kind::BlobService, &desired, &live).is_empty());
    let reordered_zones = json!({"properties": {"availabilityZones": ["3", "1", "2"]}});
    let zones = json!({"properties": {"availabilityZones": ["1", "2", "3"]}});
    assert_noop(Kind::AgentPool, &zones, &reordered_zones);

    let changed = json!({"properties": {"agentPoolProfiles": [
        {"name": "user", "vmSize": "c"}, {"name": "system", "vmSize": "a"}]}});
    let found = differences(Kind::BlobService, &desired, &changed);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].display,
        "properties.agentPoolProfiles[user].vmSize"
    );
    assert_eq!(found[0].pointer, "/properties/agentPoolProfiles/1/vmSize");
}

#[test]
fn issuer_trailing_slash_is_not_a_diff() {
    let desired = json!({"properties": {
        "issuer": "https://eastus.oic.prod-aks.azure.com/tenant/1111/",
        "subject": "system:serviceaccount:orders:orders-api",
        "audiences": ["api://AzureADTokenExchange"]}});
    let live = json!({"properties": {
        "issuer": "https://eastus.oic.prod-aks.azure.com/tenant/1111",
        "subject": "system:serviceaccount:orders:orders-api",
        "audiences": ["api://AzureADTokenExchange"]}});
    assert_noop(Kind::FederatedIdentityCredential, &desired, &live);
}

#[test]
fn federated_credential_issuer_change_is_an_update() {
    let desired =
        json!({"properties": {"issuer": "https://new/", "subject": "s", "audiences": ["a"]}});
    let live =
        json!({"properties": {"issuer": "https://old/", "subject": "s", "audiences": ["a"]}});
    let comparison = compare(Kind::FederatedIdentityCredential, &desired, &live);
    assert_eq!(comparison.action, Action::Update);
}

#[test]
fn pool_vm_size_change_replaces_the_pool() {
    let mut live = pool_live();
    live["properties"]["vmSize"] = json!("Standard_D2ds_v5");
    let comparison = compare(Kind::AgentPool, &pool_desired(), &live);
    assert_eq!(comparison.action, Action::Replace);
    assert_eq!(
        comparison.reasons[0].code,
        ReasonCode::ImmutableFieldChanged
    );
    assert!(comparison.reasons[0]
        .message
        .starts_with("properties.vmSize: \"Standard_D2ds_v5\" -> \"Standard_D4ds_v5\""));
}

#[test]
fn pool_changes_inside_the_cluster_body_are_ignored() {
    let desired = json!({"location": "eastus", "properties": {"agentPoolProfiles": [
        {"name": "system", "vmSize": "big"}]}});
    let live = json!({"location": "eastus", "properties": {"agentPoolProfiles": [
        {"name": "system", "vmSize": "small"}]}});
    assert_noop(Kind::ManagedCluster, &desired, &live);
}

#[test]
fn cluster_network_plugin_change_replaces_the_cluster() {
    let desired = json!({"location": "eastus", "properties": {"networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"}}});
    let live = json!({"location": "eastus", "properties": {"networkProfile": {"networkPlugin": "kubenet", "networkPolicy": "cilium"}}});
    assert_eq!(
        compare(Kind::ManagedCluster, &desired, &live).action,
        Action::Replace
    );
    let policy = json!({"location": "eastus", "properties": {"networkProfile": {"networkPlugin": "Azure", "networkPolicy": "calico"}}});
    let comparison = compare(
        Kind::ManagedCluster,
        &policy,
        &json!({"location": "eastus", "properties": {"networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"}}}),
    );
    assert_eq!(comparison.action, Action::Update);
}

#[test]
fn purge_protection_cannot_be_disabled() {
    let desired = json!({"location": "eastus", "properties": {"enablePurgeProtection": false, "sku": {"family": "A", "name": "standard"}}});
    let live = json!({"location": "eastus", "properties": {"enablePurgeProtection": true, "sku": {"family": "A", "name": "Standard"}}});
    let comparison = compare(Kind::KeyVault, &desired, &live);
    assert_eq!(comparison.action, Action::Noop);
    assert_eq!(comparison.blocked.len(), 1);
    assert!(comparison.blocked[0].message.contains("cannot be disabled"));
    let retention = json!({"location": "eastus", "properties": {"softDeleteRetentionInDays": 30}});
    let live = json!({"location": "eastus", "properties": {"softDeleteRetentionInDays": 90}});
    assert_eq!(
        compare(Kind::KeyVault, &retention, &live).action,
        Action::Replace
    );
}

#[test]
fn storage_and_registry_immutables() {
    let desired = json!({"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_GRS"}, "properties": {"isHnsEnabled": true}});
    let live = json!({"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS", "tier": "Standard"}, "properties": {"isHnsEnabled": true}});
    assert_eq!(
        compare(Kind::StorageAccount, &desired, &live).action,
        Action::Update
    );
    // Issue 13: LRS -> ZRS is ARM's account migration, in place (`kind::storage_sku_change`);
    // pairs ARM cannot convert are refused at plan time (`planner::refusals`), never replaced.
    let zrs = json!({"location": "eastus", "sku": {"name": "Standard_ZRS"}});
    assert_eq!(
        compare(Kind::StorageAccount, &zrs, &live).action,
        Action::Update
    );
    let premium = json!({"location": "eastus", "sku": {"name": "Premium_LRS"}});
    assert_ne!(
        compare(Kind::StorageAccount, &premium, &live).action,
        Action::Replace
    );
    let hns = json!({"properties": {"isHnsEnabled": false}});
    assert_eq!(
        compare(Kind::StorageAccount, &hns, &live).action,
        Action::Replace
    );
    let registry = json!({"properties": {"zoneRedundancy": "Enabled"}});
    let live = json!({"properties": {"zoneRedundancy": "Disabled"}});
    assert_eq!(
        compare(Kind::ContainerRegistry, &registry, &live).action,
        Action::Replace
    );
}

#[test]
fn role_assignment_principal_change_replaces_and_definition_form_does_not() {
    let desired = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"),
        "principalId": "AAAAAAAA-0000-0000-0000-000000000001", "principalType": "ServicePrincipal"}});
    let live = json!({"properties": {
        "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
        "principalId": "aaaaaaaa-0000-0000-0000-000000000001", "principalType": "ServicePrincipal",
        "scope": "/subscriptions/x"}});
    assert_noop(Kind::RoleAssignment, &desired, &live);
    let mut other = live.clone();
    other["properties"]["principalId"] = json!("bbbbbbbb-0000-0000-0000-000000000001");
    assert_eq!(
        compare(Kind::RoleAssignment, &desired, &other).action,
        Action::Replace
    );
}

#[test]
fn set_arrays_detect_added_and_removed_entries() {
    let desired = json!({"properties": {"apiServerAccessProfile": {"authorizedIPRanges": ["10.0.0.0/8", "192.168.1.1/32"]}}});
    let live = json!({"properties": {"apiServerAccessProfile": {"authorizedIPRanges": ["192.168.1.1/32", "10.0.0.0/8", "1.2.3.4/32"]}}});
    let comparison = compare(Kind::ManagedCluster, &desired, &live);
    assert_eq!(comparison.action, Action::Update);
    let same = json!({"properties": {"apiServerAccessProfile": {"authorizedIPRanges": ["192.168.1.1/32", "10.0.0.0/8"]}}});
    assert_noop(Kind::ManagedCluster, &desired, &same);
}

#[test]
fn secrets_and_write_only_fields_are_never_compared() {
    let desired =
        json!({"properties": {"createMode": "recover", "windowsProfile": {"adminPassword": "x"}}});
    assert_noop(Kind::KeyVault, &desired, &json!({"properties": {}}));
}

#[test]
fn missing_declared_fields_are_differences() {
    let desired = json!({"properties": {"publicNetworkAccess": "Disabled", "enableRbacAuthorization": false}});
    let comparison = compare(Kind::KeyVault, &desired, &json!({"properties": {}}));
    assert_eq!(comparison.action, Action::Update);
    assert_eq!(
        comparison.reasons.len(),
        1,
        "false is what ARM assumes for an omitted flag"
    );
    assert_eq!(
        comparison.reasons[0].message,
        "properties.publicNetworkAccess: (none) -> \"Disabled\""
    );
}

fn replica_desired() -> Value {
    json!({"location": "centralus",
           "tags": {"aksctl-estate": "northwind", "managed-by": "aksctl"},
           "properties": {"zoneRedundancy": "Enabled"}})
}

fn replica_live() -> Value {
    json!({
        "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr/replications/centralus"),
        "name": "centralus", "type": "Microsoft.ContainerRegistry/registries/replications",
        "location": "Central US",
        "tags": {"aksctl-estate": "northwind", "managed-by": "aksctl"},
        "systemData": {"createdBy": "x"},
        "properties": {"provisioningState": "Succeeded", "regionEndpointEnabled": true,
                       "zoneRedundancy": "Enabled",
                       "status": {"displayStatus": "Ready", "timestamp": "2026-11-29T00:00:00Z"}}
    })
}

#[test]
fn replica_server_fields_and_defaults_are_not_diffs() {
    assert_noop(
        Kind::RegistryReplication,
        &replica_desired(),
        &replica_live(),
    );
    let mut desired = replica_desired();
    desired["properties"] = json!({"regionEndpointEnabled": true, "zoneRedundancy": "Disabled"});
    let mut live = replica_live();
    if let Some(properties) = live["properties"].as_object_mut() {
        properties.remove("regionEndpointEnabled");
        properties.remove("zoneRedundancy");
    }
    assert_noop(Kind::RegistryReplication, &desired, &live);
}

#[test]
fn replica_zone_redundancy_and_location_force_replacement_tags_do_not() {
    let mut live = replica_live();
    live["properties"]["zoneRedundancy"] = json!("Disabled");
    let comparison = compare(Kind::RegistryReplication, &replica_desired(), &live);
    assert_eq!(comparison.action, Action::Replace);
    assert_eq!(
        comparison.reasons[0].path.as_deref(),
        Some("/properties/zoneRedundancy")
    );

    let mut moved = replica_desired();
    moved["location"] = json!("westus3");
    assert_eq!(
        compare(Kind::RegistryReplication, &moved, &replica_live()).action,
        Action::Replace
    );

    let mut retagged = replica_desired();
    retagged["tags"]["env"] = json!("prod");
    let comparison = compare(Kind::RegistryReplication, &retagged, &replica_live());
    assert_eq!(comparison.action, Action::Update);
    assert_eq!(comparison.reasons[0].code, ReasonCode::FieldChanged);
}

fn maintenance_desired() -> Value {
    json!({"properties": {"maintenanceWindow": {
        "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
        "durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00"}}})
}

#[test]
fn maintenance_window_server_defaults_are_not_diffs() {
    let live = json!({
        "id": format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/maintenanceConfigurations/aksManagedAutoUpgradeSchedule"),
        "name": "aksManagedAutoUpgradeSchedule",
        "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        "systemData": {"lastModifiedAt": "2026-11-29T00:00:00Z"},
        "properties": {"maintenanceWindow": {
            "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
            "durationHours": 4, "startTime": "02:00",
            "notAllowedDates": [{"start": "2026-12-24", "end": "2026-12-26"}]}}
    });
    assert_noop(
        Kind::MaintenanceConfiguration,
        &maintenance_desired(),
        &live,
    );
}

#[test]
fn maintenance_window_changes_are_in_place() {
    let live = maintenance_desired();
    for (pointer, value) in [
        ("/properties/maintenanceWindow/startTime", json!("03:00")),
        ("/properties/maintenanceWindow/durationHours", json!(6)),
        ("/properties/maintenanceWindow/utcOffset", json!("-05:00")),
        (
            "/properties/maintenanceWindow/schedule/weekly/dayOfWeek",
            json!("Saturday"),
        ),
    ] {
        let mut desired = maintenance_desired();
        if let Some(slot) = desired.pointer_mut(pointer) {
            *slot = value;
        }
        let comparison = compare(Kind::MaintenanceConfiguration, &desired, &live);
        assert_eq!(comparison.action, Action::Update, "{pointer}");
        assert_eq!(comparison.reasons[0].path.as_deref(), Some(pointer));
    }
    let daily = json!({"properties": {"maintenanceWindow": {
        "schedule": {"daily": {"intervalDays": 1}},
        "durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00"}}});
    assert_eq!(
        compare(
            Kind::MaintenanceConfiguration,
            &maintenance_desired(),
            &daily
        )
        .action,
        Action::Update
    );
}

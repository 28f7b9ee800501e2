//! Body shapes per kind on the fixture estate: tags and locations, cluster, pools, vaults,
//! storage, registries, and the subscription override.

use serde_json::{json, Value};

use super::*;

#[test]
fn fixture_counts_per_kind() {
    let state = fixture();
    assert_eq!(state.estate, "northwind");
    assert_eq!(state.subscription, SUB);
    let expected = [
        (Kind::ResourceGroup, 2),
        (Kind::ContainerRegistry, 1),
        (Kind::RegistryReplication, 1),
        (Kind::KeyVault, 2),
        (Kind::StorageAccount, 1),
        (Kind::BlobService, 1),
        (Kind::BlobContainer, 2),
        (Kind::StorageManagementPolicy, 1),
        (Kind::UserAssignedIdentity, 2),
        (Kind::FederatedIdentityCredential, 3),
        (Kind::ManagedCluster, 2),
        (Kind::AgentPool, 4),
        // aks-east's window, for both of its upgrade channels (nodeOsChannel NodeImage).
        (Kind::MaintenanceConfiguration, 2),
        // 4 declared + 1 implied by aks-east's acrPull.
        (Kind::RoleAssignment, 5),
    ];
    for (kind, expected) in expected {
        assert_eq!(count(&state, kind), expected, "{kind:?}");
    }
    assert_eq!(state.resources.len(), load(FIXTURE).resource_count());
}

#[test]
fn tracked_resources_carry_merged_and_ownership_tags_and_canonical_locations() {
    let state = fixture();
    for resource in &state.resources {
        let tags = resource.body.get("tags");
        if resource.kind.is_tracked() {
            let tags = tags.unwrap_or_else(|| panic!("{} has no tags", resource.address));
            assert_eq!(tags["aksctl-estate"], "northwind", "{}", resource.address);
            assert_eq!(tags["managed-by"], "aksctl", "{}", resource.address);
            let location = resource.body["location"].as_str().unwrap_or_default();
            assert!(
                !location.is_empty()
                    && location == location.to_lowercase()
                    && !location.contains(' '),
                "{}: {location}",
                resource.address
            );
        } else {
            assert!(tags.is_none(), "{} is a proxy resource", resource.address);
            assert!(
                resource.body.get("location").is_none(),
                "{}",
                resource.address
            );
        }
    }
    let group = resource(&state, "resourceGroup/rg-platform");
    assert_eq!(
        group.body,
        json!({"location": "eastus", "tags": {"aksctl-estate": "northwind", "costCenter": "42",
            "env": "prod", "managed-by": "aksctl"}})
    );
    let dr = resource(&state, "cluster/aks-central");
    assert_eq!(dr.body["location"], "centralus");
    // Resource group tags are not inherited: estate tags, then the resource's own.
    assert_eq!(dr.body["tags"]["env"], "prod");
    assert_eq!(
        resource(&state, "resourceGroup/rg-dr").body["tags"]["env"],
        "dr"
    );
    assert_eq!(dr.depends_on, vec!["resourceGroup/rg-dr"]);
}

#[test]
fn cluster_body_has_declared_fields_and_only_system_pools_inline() {
    let state = fixture();
    let cluster = resource(&state, "cluster/aks-east");
    let control = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aks-control"
    );
    assert_eq!(
        cluster.id.as_str(),
        format!("/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-east")
    );
    let expected = json!({
        "location": "eastus",
        "tags": {"aksctl-estate": "northwind", "costCenter": "42", "env": "prod", "managed-by": "aksctl"},
        "sku": {"name": "Base", "tier": "Standard"},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {control.clone(): {}}},
        "properties": {
            "kubernetesVersion": "1.33",
            "dnsPrefix": "aks-east",
            "agentPoolProfiles": [{
                "name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 3,
                "enableAutoScaling": false, "availabilityZones": ["1", "2", "3"],
                "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"],
                "upgradeSettings": {"maxSurge": "33%"}
            }],
            "apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24"]},
            "oidcIssuerProfile": {"enabled": true},
            "securityProfile": {"workloadIdentity": {"enabled": true}},
            "networkProfile": {
                "networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "cilium",
                "networkDataplane": "cilium", "podCidr": "10.244.0.0/16", "serviceCidr": "10.0.0.0/16",
                "dnsServiceIP": "10.0.0.10", "outboundType": "loadBalancer"
            },
            "aadProfile": {"managed": true, "enableAzureRBAC": true,
                "adminGroupObjectIDs": ["22222222-2222-2222-2222-222222222222"]},
            "disableLocalAccounts": true,
            "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
            "addonProfiles": {
                "omsagent": {"enabled": true, "config": {"logAnalyticsWorkspaceResourceID":
                    format!("/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.OperationalInsights/workspaces/law-northwind")}},
                "azureKeyvaultSecretsProvider": {"enabled": true, "config": {
                    "enableSecretRotation": "true", "rotationPollInterval": "2m"}},
                "azurepolicy": {"enabled": true}
            },
            "serviceMeshProfile": {"mode": "Istio", "istio": {"revisions": ["asm-1-25"],
                "components": {"ingressGateways": [{"mode": "Internal", "enabled": true}]}}}
        }
    });
    assert_eq!(cluster.body, expected, "{:#}", cluster.body);
    assert_eq!(
        cluster.depends_on,
        vec!["resourceGroup/rg-platform", "identity/id-aks-control"]
    );
    assert!(cluster.deferred.is_empty());

    // The DR cluster: system-assigned, only what it declares (no network, sku, addons...).
    let dr = resource(&state, "cluster/aks-central");
    assert_eq!(dr.body["identity"], json!({"type": "SystemAssigned"}));
    assert!(dr.body.get("sku").is_none());
    let keys: Vec<&str> = dr.body["properties"]
        .as_object()
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        vec![
            "kubernetesVersion",
            "dnsPrefix",
            "agentPoolProfiles",
            "oidcIssuerProfile",
            "securityProfile"
        ]
    );
}

#[test]
fn every_pool_is_its_own_resource_and_the_spot_pool_body_is_exact() {
    let state = fixture();
    let system = resource(&state, "pool/aks-east/system");
    assert!(system
        .id
        .as_str()
        .ends_with("/managedClusters/aks-east/agentPools/system"));
    assert_eq!(system.depends_on, vec!["cluster/aks-east"]);
    assert_eq!(system.body["properties"]["mode"], "System");
    let spot = resource(&state, "pool/aks-east/spot");
    assert_eq!(
        spot.body,
        json!({"properties": {
            "mode": "User", "vmSize": "Standard_D8ds_v5",
            "enableAutoScaling": true, "minCount": 0, "maxCount": 20,
            "scaleSetPriority": "Spot", "scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1.0,
            "nodeTaints": ["workload=batch:NoSchedule"],
            "nodeLabels": {"workload": "batch"}
        }}),
        "{:#}",
        spot.body
    );
    let apps = resource(&state, "pool/aks-east/apps");
    assert_eq!(apps.body["properties"]["osSKU"], "AzureLinux");
    assert_eq!(apps.body["properties"]["maxPods"], 50);
}

#[test]
fn autoscaled_pools_send_no_count_and_no_aks_system_labels_or_taints() {
    // Validation refuses AKS's own entries; lowering drops them even if one slips through.
    let mut estate = load(FIXTURE);
    let spot = &mut estate.clusters[0].pools[2];
    spot.taints
        .push("kubernetes.azure.com/scalesetpriority=spot:NoSchedule".into());
    spot.labels.insert(
        "kubernetes.azure.com/scalesetpriority".into(),
        "spot".into(),
    );
    let state = lower(&estate, &context()).expect("lowers");
    assert_eq!(state, fixture());
    let mut bodies: Vec<Value> = state
        .resources
        .iter()
        .filter(|r| r.kind == Kind::AgentPool)
        .map(|r| r.body["properties"].clone())
        .collect();
    for cluster in state
        .resources
        .iter()
        .filter(|r| r.kind == Kind::ManagedCluster)
    {
        bodies.extend(
            cluster.body["properties"]["agentPoolProfiles"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    assert_eq!(bodies.len(), 6);
    for pool in &bodies {
        if pool["enableAutoScaling"] == json!(true) {
            assert!(pool.get("count").is_none(), "{pool}");
            assert!(
                pool["minCount"].is_u64() && pool["maxCount"].is_u64(),
                "{pool}"
            );
        }
        let text = pool.to_string();
        assert!(!text.contains("kubernetes.azure.com"), "{text}");
    }
}

#[test]
fn user_pools_are_not_inlined() {
    let state = fixture();
    let profiles =
        resource(&state, "cluster/aks-east").body["properties"]["agentPoolProfiles"].clone();
    let names: Vec<&str> = profiles
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, vec!["system"]);
}

#[test]
fn key_vaults_send_tenant_sku_rbac_and_purge_protection_only_when_on() {
    let state = fixture();
    let vault = resource(&state, "keyVault/kv-northwind");
    assert_eq!(
        vault.body["properties"],
        json!({"tenantId": TENANT, "sku": {"family": "A", "name": "standard"},
            "enableRbacAuthorization": true, "accessPolicies": [],
            "softDeleteRetentionInDays": 90, "enablePurgeProtection": true,
            "publicNetworkAccess": "Disabled"})
    );
    let scratch = resource(&state, "keyVault/kv-scratch");
    assert!(scratch.body["properties"]
        .get("enablePurgeProtection")
        .is_none());

    let mut estate = load(FIXTURE);
    estate.tenant_id = Some("44444444-4444-4444-4444-444444444444".into());
    estate.key_vaults[1].tenant_id = None;
    let state = lower(&estate, &context()).expect("lowers");
    // The estate's tenant wins over the credential's.
    assert_eq!(
        resource(&state, "keyVault/kv-scratch").body["properties"]["tenantId"],
        "44444444-4444-4444-4444-444444444444"
    );
}

#[test]
fn a_vault_without_any_tenant_is_an_error_naming_the_fix() {
    let error = lower(&load(FIXTURE), &LowerContext::default()).expect_err("no tenant");
    assert_eq!(
        error,
        LowerError::MissingTenant {
            vault: "kv-northwind".into()
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("keyVaults[].tenantId") && message.contains("log in"),
        "{message}"
    );
}

#[test]
fn storage_account_and_children() {
    let state = fixture();
    let account = resource(&state, "storageAccount/stnorthwindbackups");
    assert_eq!(account.body["sku"], json!({"name": "Standard_ZRS"}));
    assert_eq!(account.body["kind"], "StorageV2");
    assert_eq!(
        account.body["properties"],
        json!({"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": false,
            "allowSharedKeyAccess": false})
    );
    let service = resource(&state, "blobService/stnorthwindbackups");
    assert!(service
        .id
        .as_str()
        .ends_with("/storageAccounts/stnorthwindbackups/blobServices/default"));
    assert_eq!(
        service.body,
        json!({"properties": {"isVersioningEnabled": true,
            "deleteRetentionPolicy": {"enabled": true, "days": 14},
            "containerDeleteRetentionPolicy": {"enabled": true, "days": 7}}})
    );
    assert_eq!(
        service.depends_on,
        vec!["storageAccount/stnorthwindbackups"]
    );
    let exports = resource(&state, "blobContainer/stnorthwindbackups/exports");
    assert_eq!(
        exports.body,
        json!({"properties": {"metadata": {"owner": "data"}}})
    );
    assert_eq!(exports.depends_on, vec!["blobService/stnorthwindbackups"]);
    assert_eq!(
        resource(&state, "blobContainer/stnorthwindbackups/velero").body,
        json!({"properties": {}})
    );
    let policy = resource(&state, "managementPolicy/stnorthwindbackups");
    // Its prefix names the `velero` container, not `exports`.
    assert_eq!(
        policy.depends_on,
        vec![
            "storageAccount/stnorthwindbackups",
            "blobContainer/stnorthwindbackups/velero"
        ]
    );
    assert!(policy
        .id
        .as_str()
        .ends_with("/storageAccounts/stnorthwindbackups/managementPolicies/default"));
    assert_eq!(
        policy.body,
        json!({"properties": {"policy": {"rules": [{
            "enabled": true, "name": "ageout", "type": "Lifecycle",
            "definition": {
                "actions": {"baseBlob": {
                    "tierToCool": {"daysAfterModificationGreaterThan": 30},
                    "tierToArchive": {"daysAfterModificationGreaterThan": 90},
                    "delete": {"daysAfterModificationGreaterThan": 365}}},
                "filters": {"blobTypes": ["blockBlob"], "prefixMatch": ["velero/"]}
            }
        }]}}})
    );
}

#[test]
fn registry_body_and_replicas() {
    let state = fixture();
    let registry = resource(&state, "registry/acrnorthwind");
    assert_eq!(registry.body["sku"], json!({"name": "Premium"}));
    assert_eq!(
        registry.body["properties"],
        json!({"adminUserEnabled": false, "zoneRedundancy": "Enabled"})
    );
    let replica = resource(&state, "registryReplication/acrnorthwind/centralus");
    assert_eq!(replica.kind, Kind::RegistryReplication);
    assert!(replica
        .id
        .as_str()
        .ends_with("/registries/acrnorthwind/replications/centralus"));
    assert_eq!(replica.body["location"], "centralus");
    assert_eq!(replica.body["tags"], registry.body["tags"]);
    assert_eq!(
        replica.body["properties"],
        json!({"zoneRedundancy": "Enabled"})
    );
    assert_eq!(
        replica.depends_on,
        vec!["registry/acrnorthwind".to_string()]
    );
    assert!(unlowered_fields(&load(FIXTURE)).is_empty());
}

#[test]
fn maintenance_window_lowers_to_both_upgrade_schedules() {
    let state = fixture();
    let window = json!({"properties": {"maintenanceWindow": {
        "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
        "durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00"}}});
    for name in [
        "aksManagedAutoUpgradeSchedule",
        "aksManagedNodeOSUpgradeSchedule",
    ] {
        let configuration = resource(&state, &format!("maintenanceConfiguration/aks-east/{name}"));
        assert_eq!(configuration.body, window, "{name}");
        assert!(configuration.id.as_str().ends_with(&format!(
            "/managedClusters/aks-east/maintenanceConfigurations/{name}"
        )));
        assert_eq!(
            configuration.depends_on,
            vec!["cluster/aks-east".to_string()]
        );
    }

    let source = FIXTURE.replace(
        "autoUpgrade: {channel: patch, nodeOsChannel: NodeImage}\n    maintenanceWindow: {day: Sunday, startTime: \"02:00\", durationHours: 4}",
        "autoUpgrade: {channel: patch, nodeOsChannel: Unmanaged}\n    maintenanceWindow: {day: Friday, startTime: \"22:30\", durationHours: 6, utcOffset: \"-05:00\", intervalWeeks: 2}",
    );
    assert_ne!(
        source, FIXTURE,
        "the fixture text changed: update this test"
    );
    let state = lower(&load(&source), &context()).expect("lowers");
    assert!(state
        .by_address("maintenanceConfiguration/aks-east/aksManagedNodeOSUpgradeSchedule")
        .is_none());
    assert_eq!(
        resource(
            &state,
            "maintenanceConfiguration/aks-east/aksManagedAutoUpgradeSchedule"
        )
        .body,
        json!({"properties": {"maintenanceWindow": {
            "schedule": {"weekly": {"intervalWeeks": 2, "dayOfWeek": "Friday"}},
            "durationHours": 6, "startTime": "22:30", "utcOffset": "-05:00"}}})
    );
}

#[test]
fn replicas_in_the_home_region_or_twice_are_errors() {
    let estate = load(FIXTURE);
    let home = lower(&estate, &context())
        .map(|state| resource(&state, "registry/acrnorthwind").body["location"].clone())
        .expect("fixture lowers");
    let home = home.as_str().unwrap_or_default().to_string();
    for replicas in [
        vec![home],
        vec!["centralus".to_string(), "Central US".to_string()],
    ] {
        let mut estate = estate.clone();
        estate.registries[0].geo_replications = replicas.clone();
        assert!(lower(&estate, &context()).is_err(), "{replicas:?}");
    }
}

#[test]
fn locations_are_canonical() {
    assert_eq!(context::canonical_location("East US 2"), "eastus2");
    assert_eq!(context::canonical_location("westeurope"), "westeurope");
}

#[test]
fn the_subscription_can_be_overridden() {
    let other = "99999999-9999-9999-9999-999999999999";
    let state = lower(
        &load(FIXTURE),
        &LowerContext {
            tenant_id: Some(TENANT.into()),
            subscription: Some(other.into()),
            ..LowerContext::default()
        },
    )
    .expect("lowers");
    assert_eq!(state.subscription, other);
    assert!(state
        .resources
        .iter()
        .all(|r| r.id.subscription_id() == Some(other)));
    let assignment = resource(&state, "roleAssignment/control-plane-network");
    assert!(assignment.body["properties"]["roleDefinitionId"]
        .as_str()
        .is_some_and(|id| id.starts_with(&format!("/subscriptions/{other}/"))));
}

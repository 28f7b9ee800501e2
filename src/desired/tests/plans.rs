//! Every shipped `plans/*.yaml` lowers, with the invariants the plan engine and executor rely on,
//! and key facts of `plans/northwind.yaml`.

use serde_json::{json, Value};

use super::*;

pub(super) fn plans_directory() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("plans")
}

fn input(path: &std::path::Path) -> Input {
    Input {
        name: path.display().to_string(),
        bytes: std::fs::read(path).map_err(|error| error.to_string()),
    }
}

/// Loads plan files with every `${VAR}` set to the test subscription.
pub(super) fn load_plan(paths: &[std::path::PathBuf]) -> Result<Estate, String> {
    let inputs = paths.iter().map(|path| input(path)).collect();
    load_inputs(inputs, &|_| Some(SUB.to_string()))
        .map(|loaded| loaded.estate)
        .map_err(|diagnostics| diagnostics.to_string())
}

/// Every shipped estate lowers. An overlay that does not load alone (`northwind-dr.yaml`) is
/// loaded over its base (`northwind.yaml`), as the DR runbook does.
#[test]
fn shipped_plans_lower() {
    let Ok(entries) = std::fs::read_dir(plans_directory()) else {
        return;
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    files.sort();
    for file in &files {
        let estate = load_plan(std::slice::from_ref(file)).or_else(|alone| {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let base = files.iter().find(|candidate| {
                candidate
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|base| base != stem && stem.starts_with(&format!("{base}-")))
            });
            match base {
                Some(base) => load_plan(&[base.clone(), file.clone()]),
                None => Err(alone),
            }
        });
        let estate =
            estate.unwrap_or_else(|error| panic!("{} does not load:\n{error}", file.display()));
        let state = lower(&estate, &context())
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        assert_invariants(&state, &estate);
    }
}

#[test]
fn northwind_lowers_to_the_expected_resources() {
    let path = plans_directory().join("northwind.yaml");
    if !path.exists() {
        return;
    }
    let estate = load_plan(&[path]).unwrap_or_else(|error| panic!("{error}"));
    let state = lower(&estate, &context()).expect("northwind lowers");
    assert_eq!(state.estate, "northwind-prod");
    let expected = [
        (Kind::ResourceGroup, 2),
        (Kind::ContainerRegistry, 1),
        (Kind::KeyVault, 1),
        (Kind::ManagedCluster, 2),
        (Kind::AgentPool, 8),
        (Kind::StorageAccount, 1),
        (Kind::BlobContainer, 1),
        (Kind::UserAssignedIdentity, 29),
        // One credential per service (and Velero) and cluster.
        (Kind::FederatedIdentityCredential, 58),
        // 28 secrets readers + Velero's blob writer + 3 platform-admin grants + the 2 kubelet
        // AcrPulls + each control plane's Network Contributor on its node subnet (the route
        // tables need the plan-time subnet reads, absent here).
        (Kind::RoleAssignment, 36),
        (Kind::PrivateEndpoint, 3),
        (Kind::PrivateDnsZoneGroup, 3),
        (Kind::PrivateDnsZone, 3),
        (Kind::VirtualNetworkLink, 6),
    ];
    for (kind, expected) in expected {
        assert_eq!(count(&state, kind), expected, "{kind:?}");
    }

    let primary = resource(&state, "cluster/aks-northwind-eastus2");
    let properties = &primary.body["properties"];
    assert_eq!(primary.body["location"], "eastus2");
    assert_eq!(
        primary.body["sku"],
        json!({"name": "Base", "tier": "Standard"})
    );
    assert_eq!(primary.body["tags"]["aksctl-estate"], "northwind-prod");
    assert_eq!(
        properties["apiServerAccessProfile"],
        json!({"enablePrivateCluster": true, "privateDNSZone": "system"})
    );
    assert_eq!(
        properties["networkProfile"]["outboundType"],
        "userDefinedRouting"
    );
    assert_eq!(
        properties["agentPoolProfiles"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(properties["agentPoolProfiles"][0]["name"], "system");
    assert_eq!(
        properties["agentPoolProfiles"][0]["nodeTaints"],
        json!(["CriticalAddonsOnly=true:NoSchedule"])
    );

    let spot = resource(&state, "pool/aks-northwind-eastus2/spot");
    assert_eq!(
        spot.body,
        json!({"properties": {
            "mode": "User", "vmSize": "Standard_D8as_v5",
            "enableAutoScaling": true, "minCount": 0, "maxCount": 20,
            "osSKU": "AzureLinux",
            "scaleSetPriority": "Spot", "scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1.0,
            "nodeLabels": {"workload-class": "spot"},
            "vnetSubnetID": format!("/subscriptions/{SUB}/resourceGroups/rg-northwind-network/providers/Microsoft.Network/virtualNetworks/vnet-northwind-eastus2/subnets/snet-aks-nodes")
        }}),
        "{:#}",
        spot.body
    );

    let standby_credential = resource(
        &state,
        "federatedCredential/id-driver-api/driver-api-aks-northwind-centralus",
    );
    assert_eq!(standby_credential.body["properties"]["issuer"], Value::Null);
    assert_eq!(
        standby_credential.deferred[0].source,
        "cluster/aks-northwind-centralus"
    );
    assert_eq!(
        standby_credential.body["properties"]["subject"],
        "system:serviceaccount:drivers:driver-api"
    );
    assert!(state
        .by_address("federatedCredential/id-driver-api/driver-api")
        .is_some_and(|primary| primary.deferred[0].source == "cluster/aks-northwind-eastus2"));

    let reader = resource(
        &state,
        "roleAssignment/id-driver-api-key-vault-secrets-user-on-kv-northwind-prod",
    );
    let vault = ResourceId::in_resource_group(
        SUB,
        "rg-northwind-prod",
        Kind::KeyVault,
        "kv-northwind-prod",
    );
    let identity = ResourceId::in_resource_group(
        SUB,
        "rg-northwind-prod",
        Kind::UserAssignedIdentity,
        "id-driver-api",
    );
    assert_eq!(
        reader.id,
        ResourceId::role_assignment(
            &vault,
            &crate::id::role_assignment_name(
                &vault,
                "4633458b-17de-408a-b874-0445c86b69e6",
                identity.as_str()
            )
        )
    );
    assert_eq!(reader.body["properties"]["principalId"], Value::Null);
    assert_eq!(reader.deferred[0].source, "identity/id-driver-api");
    assert!(state
        .by_address("roleAssignment/aks-northwind-centralus-kubelet-acrpull-on-northwind")
        .is_some_and(|pull| pull.deferred[0].output
            == "/properties/identityProfile/kubeletidentity/objectId"));
    assert!(unlowered_fields(&estate).is_empty());
    assert_eq!(
        state
            .resources
            .iter()
            .filter(|resource| resource.kind == Kind::MaintenanceConfiguration)
            .count(),
        4,
        "two clusters with a window, NodeImage node OS channel: two schedules each"
    );
    assert!(state
        .by_address("registryReplication/northwind/centralus")
        .is_some());
    // Each cluster sends Container Insights to the workspace of its region, by logical name.
    for (cluster, workspace) in [
        ("aks-northwind-eastus2", "log-northwind-eastus2"),
        ("aks-northwind-centralus", "log-northwind-centralus"),
    ] {
        let declared = state
            .by_address(&format!("logAnalyticsWorkspace/{workspace}"))
            .expect("workspace lowered");
        assert_eq!(declared.body["properties"]["sku"]["name"], "PerGB2018");
        let cluster = state
            .by_address(&format!("cluster/{cluster}"))
            .expect("cluster");
        assert_eq!(
            cluster.body["properties"]["addonProfiles"]["omsagent"]["config"]
                ["logAnalyticsWorkspaceResourceID"],
            declared.id.to_string()
        );
        assert!(cluster.depends_on.contains(&declared.address));
    }
}

pub(super) fn assert_invariants(state: &DesiredState, estate: &Estate) {
    assert_eq!(
        state.resources.len(),
        estate.resource_count(),
        "resource count"
    );
    for (index, resource) in state.resources.iter().enumerate() {
        assert!(
            resource.address.starts_with(resource.kind.address_prefix()),
            "{}",
            resource.address
        );
        for dependency in &resource.depends_on {
            let position = state
                .resources
                .iter()
                .position(|r| &r.address == dependency);
            assert!(
                position.is_some_and(|p| p < index),
                "{} depends on {dependency}",
                resource.address
            );
        }
        for deferred in &resource.deferred {
            assert_eq!(
                resource.body.pointer(&deferred.path),
                Some(&Value::Null),
                "{} {}",
                resource.address,
                deferred.path
            );
            assert!(
                state.by_address(&deferred.source).is_some(),
                "{}",
                deferred.source
            );
        }
        if resource.kind.is_tracked() {
            assert_eq!(resource.body["tags"]["aksctl-estate"], json!(estate.name()));
            assert_eq!(resource.body["tags"]["managed-by"], "aksctl");
        }
        if resource.kind == Kind::AgentPool {
            let properties = &resource.body["properties"];
            if properties["enableAutoScaling"] == json!(true) {
                let pool_name = resource.id.name();
                let cluster_name = resource.id.parent().map(|id| id.name().to_string());
                let declared_count = estate
                    .clusters
                    .iter()
                    .filter(|c| Some(&c.name) == cluster_name.as_ref())
                    .flat_map(|c| &c.pools)
                    .find(|p| p.name == pool_name)
                    .and_then(|p| p.count);
                assert_eq!(
                    properties.get("count").and_then(Value::as_u64),
                    declared_count.map(u64::from)
                );
            }
            assert!(!properties.to_string().contains("kubernetes.azure.com"));
        }
    }
}

//! Desired state against mock-arm: every shipped estate's lowered bodies, PUT in lowering order
//! with deferred values filled from what ARM returned, are accepted, and read back without a
//! difference on any declared field (the bodies are valid PUTs and the plan after apply is quiet).

use std::collections::HashMap;

use aksctl::arm::WriteOptions;
use aksctl::desired::{lower, DesiredState, LowerContext};
use aksctl::plan::Action;
use aksctl::planner::set_pointer;
use aksctl::spec::{load_inputs, Input};
use serde_json::Value;

use crate::common::{arm_client, block_on, repo_path, start_mock, tenant, SUBSCRIPTION};

fn lowered(plan: &str) -> DesiredState {
    let path = repo_path(&format!("plans/{plan}"));
    lowered_input(
        plan,
        Input {
            name: path.display().to_string(),
            bytes: std::fs::read(&path).map_err(|error| error.to_string()),
        },
    )
}

fn lowered_input(plan: &str, input: Input) -> DesiredState {
    let loaded = load_inputs(vec![input], &|name| {
        (name == "AZURE_SUBSCRIPTION_ID").then(|| SUBSCRIPTION.to_owned())
    })
    .unwrap_or_else(|diagnostics| panic!("{plan} does not load:\n{diagnostics}"));
    let context = LowerContext {
        tenant_id: Some(tenant()),
        subscription: None,
        ..LowerContext::default()
    };
    lower(&loaded.estate, &context).unwrap_or_else(|error| panic!("{plan}: {error}"))
}

fn put_all_and_compare(plan: &str) {
    put_desired_and_compare(plan, &lowered(plan));
}

fn put_desired_and_compare(plan: &str, desired: &DesiredState) {
    let mock = start_mock();
    let client = arm_client(&mock);
    block_on(async {
        let mut live: HashMap<String, Value> = HashMap::new();
        for resource in &desired.resources {
            let mut body = resource.body.clone();
            for deferred in &resource.deferred {
                let value = live
                    .get(&deferred.source)
                    .and_then(|source| source.pointer(&deferred.output))
                    .cloned()
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: {} has no {}",
                            resource.address, deferred.source, deferred.output
                        )
                    });
                set_pointer(&mut body, &deferred.path, value);
            }
            let api_version = resource.kind.api_version();
            if let Err(error) = client
                .put(&resource.id, api_version, &body, &WriteOptions::default())
                .await
            {
                panic!(
                    "{plan}: PUT {} refused: {error}\n{body:#}",
                    resource.address
                );
            }
            let read = client
                .get(&resource.id, api_version)
                .await
                .unwrap_or_else(|error| panic!("GET {}: {error}", resource.address))
                .unwrap_or_else(|| panic!("{} missing after PUT", resource.address));
            let comparison = aksctl::diff::compare(resource.kind, &body, &read);
            assert_eq!(
                comparison.action,
                Action::Noop,
                "{plan}: {} differs after PUT: {:?}\nsent {body:#}\nread {read:#}",
                resource.address,
                comparison.reasons
            );
            live.insert(resource.address.clone(), read);
        }
    });
}

#[test]
fn northwind_bodies_are_valid_puts_that_read_back_unchanged() {
    put_all_and_compare("northwind.yaml");
}

#[test]
fn shared_prod_bodies_are_valid_puts_that_read_back_unchanged() {
    put_all_and_compare("shared-prod.yaml");
}

#[test]
fn gitops_fleet_bodies_are_valid_puts_that_read_back_unchanged() {
    put_all_and_compare("gitops-fleet.yaml");
}

/// Identities in every role: a user-assigned control plane, a bring-your-own kubelet identity
/// (deferred client and object ids in the cluster body), a system-assigned cluster, and
/// assignments to each kind of principal.
const IDENTITIES: &str = "
apiVersion: aksctl.dev/v1alpha1
kind: Estate
metadata: {name: identities}
subscription: ${AZURE_SUBSCRIPTION_ID}
location: westeurope
resourceGroups: [{name: rg-id}]
registries: [{name: acridentities, resourceGroup: rg-id, sku: Standard}]
identities:
  - {name: id-control, resourceGroup: rg-id}
  - {name: id-kubelet, resourceGroup: rg-id}
clusters:
  - name: aks-byo
    resourceGroup: rg-id
    identity: {type: UserAssigned, userAssigned: id-control}
    kubeletIdentity: id-kubelet
    acrPull: [acridentities]
    pools: [{name: system, mode: System, vmSize: Standard_D4ds_v5, count: 1}]
  - name: aks-sys
    resourceGroup: rg-id
    acrPull: [acridentities]
    pools: [{name: system, mode: System, vmSize: Standard_D4ds_v5, autoscale: {min: 1, max: 3}}]
roleAssignments:
  - principal: {clusterIdentity: aks-byo}
    role: Managed Identity Operator
    scope: identity/id-kubelet
  - principal: {clusterIdentity: aks-sys}
    role: Network Contributor
    scope: resourceGroup/rg-id
";

#[test]
fn identity_references_resolve_against_arm() {
    let desired = lowered_input(
        "identities",
        Input {
            name: "identities.yaml".into(),
            bytes: Ok(IDENTITIES.as_bytes().to_vec()),
        },
    );
    assert_eq!(desired.resources.len(), 12);
    put_desired_and_compare("identities", &desired);
}

/// Every body aksctl sends for the kinds of issue 14 (flux extension and configurations) and for
/// the clusters and pools that gained fields (Defender, image cleaner, managed Prometheus,
/// autoscaler profile, pool upgrade settings) conforms to the official schema of its pinned
/// api-version: no unknown property, no read-only one, required ones present, types and closed
/// enums respected.
#[test]
fn request_bodies_of_the_issue_14_kinds_conform_to_the_official_schemas() {
    use aksctl::kind::Kind;

    use crate::common::openapi::Specs;

    const AKS: &str = "containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2026-08-01/managedClusters.json";
    const EXTENSIONS: &str = "kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/extensions/stable/2025-03-01/extensions.json";
    const FLUX: &str = "kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/stable/2025-04-01/fluxconfiguration.json";
    const DIAGNOSTICS: &str =
        "monitor/resource-manager/Microsoft.Insights/Insights/preview/2021-05-01-preview/openapi.json";
    let mut specs = Specs::default();
    let mut checked = HashMap::new();
    for plan in ["northwind.yaml", "gitops-fleet.yaml", "shared-prod.yaml"] {
        for resource in lowered(plan).resources {
            let (file, definition) = match resource.kind {
                Kind::ManagedCluster => (AKS, "ManagedCluster"),
                Kind::AgentPool => (AKS, "AgentPool"),
                Kind::ClusterExtension => (EXTENSIONS, "Extension"),
                Kind::FluxConfiguration => (FLUX, "FluxConfiguration"),
                Kind::DiagnosticSetting => (DIAGNOSTICS, "DiagnosticSettingsResource"),
                _ => continue,
            };
            assert_eq!(
                resource.kind.api_version(),
                file.split('/').rev().nth(1).unwrap_or_default(),
                "{definition}: the spec checked is the pinned api-version's"
            );
            let problems = specs.problems(file, definition, &resource.body);
            assert!(
                problems.is_empty(),
                "{plan} {}: {problems:#?}",
                resource.address
            );
            *checked.entry(resource.kind).or_insert(0) += 1;
        }
    }
    assert!(
        checked
            .get(&Kind::FluxConfiguration)
            .is_some_and(|n| *n >= 5),
        "{checked:?}"
    );
    assert!(
        checked
            .get(&Kind::ClusterExtension)
            .is_some_and(|n| *n >= 5),
        "{checked:?}"
    );
    // Northwind's settings on both clusters, the vault, the registry and the blob service.
    assert!(
        checked
            .get(&Kind::DiagnosticSetting)
            .is_some_and(|n| *n >= 5),
        "{checked:?}"
    );
}

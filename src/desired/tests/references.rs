//! Cross-resource values on the fixture estates: federated credentials and their issuers, role
//! assignment names and principals, bring-your-own kubelet identity, order and errors.

use serde_json::json;

use super::*;

#[test]
fn multi_cluster_credentials_expand_with_deferred_issuers() {
    let state = fixture();
    let identity = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"
    );
    for (address, cluster) in [
        ("federatedCredential/id-orders/orders", "aks-east"),
        (
            "federatedCredential/id-orders/orders-aks-central",
            "aks-central",
        ),
    ] {
        let credential = resource(&state, address);
        let name = address.rsplit('/').next().unwrap_or_default();
        assert_eq!(
            credential.id.as_str(),
            format!("{identity}/federatedIdentityCredentials/{name}")
        );
        assert_eq!(
            credential.body,
            json!({"properties": {"issuer": null,
                "subject": "system:serviceaccount:orders:orders-api",
                "audiences": ["api://AzureADTokenExchange"]}})
        );
        assert_eq!(
            credential.deferred,
            vec![crate::plan::Deferred {
                path: "/properties/issuer".into(),
                source: format!("cluster/{cluster}"),
                output: "/properties/oidcIssuerProfile/issuerURL".into(),
            }]
        );
        assert_eq!(
            credential.depends_on,
            vec![
                "identity/id-orders".to_string(),
                format!("cluster/{cluster}")
            ]
        );
    }
    let github = resource(&state, "federatedCredential/id-orders/github");
    assert_eq!(
        github.body["properties"]["issuer"],
        "https://token.actions.githubusercontent.com"
    );
    assert_eq!(
        github.body["properties"]["subject"],
        "repo:northwind/orders:ref:refs/heads/main"
    );
    assert!(github.deferred.is_empty());
    assert_eq!(github.depends_on, vec!["identity/id-orders"]);
}

#[test]
fn expansion_matches_the_spec_rule_on_an_unexpanded_credential() {
    let mut estate = load(FIXTURE);
    // Re-collapse the two expanded credentials, as an estate that skipped defaulting would be.
    let identity = &mut estate.identities[1];
    identity
        .federated_credentials
        .retain(|c| c.name != "orders-aks-central");
    let first = &mut identity.federated_credentials[0];
    first.cluster = None;
    first.clusters = vec!["aks-east".into(), "aks-central".into()];
    assert_eq!(lower(&estate, &context()), Ok(fixture()));
}

#[test]
fn role_assignments_have_deterministic_names_and_deferred_principals() {
    let state = fixture();
    let vault = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.KeyVault/vaults/kv-northwind"
    );
    let identity = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"
    );
    let secrets_user = "4633458b-17de-408a-b874-0445c86b69e6";
    let assignment = resource(
        &state,
        "roleAssignment/id-orders-key-vault-secrets-user-on-kv-northwind",
    );
    let name =
        crate::id::role_assignment_name(&ResourceId::new(vault.clone()), secrets_user, &identity);
    assert_eq!(
        assignment.id.as_str(),
        format!("{vault}/providers/Microsoft.Authorization/roleAssignments/{name}")
    );
    assert_eq!(
        assignment.body,
        json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{secrets_user}"),
            "principalId": null,
            "principalType": "ServicePrincipal",
            "description": "Managed by aksctl (aksctl-estate=northwind)"
        }})
    );
    assert_eq!(
        assignment.deferred,
        vec![crate::plan::Deferred {
            path: "/properties/principalId".into(),
            source: "identity/id-orders".into(),
            output: "/properties/principalId".into(),
        }]
    );
    assert_eq!(
        assignment.depends_on,
        vec!["identity/id-orders", "keyVault/kv-northwind"]
    );

    // The kubelet's AcrPull, implied by `acrPull`: keyed on `<cluster id>/kubelet`.
    let registry = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerRegistry/registries/acrnorthwind"
    );
    let cluster = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-platform/providers/Microsoft.ContainerService/managedClusters/aks-east"
    );
    let acr_pull = resource(
        &state,
        "roleAssignment/aks-east-kubelet-acrpull-on-acrnorthwind",
    );
    let name = crate::id::role_assignment_name(
        &ResourceId::new(registry.clone()),
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        &format!("{cluster}/kubelet"),
    );
    assert_eq!(acr_pull.id.name(), name);
    assert_eq!(acr_pull.deferred[0].source, "cluster/aks-east");
    assert_eq!(
        acr_pull.deferred[0].output,
        "/properties/identityProfile/kubeletidentity/objectId"
    );
    assert_eq!(
        acr_pull.depends_on,
        vec!["cluster/aks-east", "registry/acrnorthwind"]
    );

    // A user-assigned control plane is its identity; a system-assigned one is read off the cluster.
    let network = resource(&state, "roleAssignment/control-plane-network");
    assert_eq!(network.deferred[0].source, "identity/id-aks-control");
    assert_eq!(network.deferred[0].output, "/properties/principalId");
    let reader = resource(
        &state,
        "roleAssignment/aks-central-identity-azure-kubernetes-service-rbac-reader-on-aks-central",
    );
    assert_eq!(reader.deferred[0].source, "cluster/aks-central");
    assert_eq!(reader.deferred[0].output, "/identity/principalId");

    // A literal object id: no deferred value, the declared principal type, container scope.
    let group = resource(
        &state,
        "roleAssignment/33333333-storage-blob-data-reader-on-stnorthwindbackups-exports",
    );
    assert!(group.deferred.is_empty());
    assert_eq!(
        group.body["properties"]["principalId"],
        "33333333-3333-3333-3333-333333333333"
    );
    assert_eq!(group.body["properties"]["principalType"], "Group");
    assert!(group
        .id
        .as_str()
        .contains("/storageAccounts/stnorthwindbackups/blobServices/default/containers/exports/providers/Microsoft.Authorization/roleAssignments/"));
    assert_eq!(
        group.depends_on,
        vec!["blobContainer/stnorthwindbackups/exports"]
    );
}

#[test]
fn lowering_is_deterministic_and_names_are_stable_across_runs() {
    let first = fixture();
    let second = fixture();
    assert_eq!(first, second);
    // Pinned: a change to the naming scheme would orphan every existing assignment.
    let assignment = resource(
        &first,
        "roleAssignment/id-orders-key-vault-secrets-user-on-kv-northwind",
    );
    let name = assignment.id.name().to_string();
    assert_eq!(name.len(), 36);
    assert_eq!(
        lower(&load(FIXTURE), &context())
            .ok()
            .and_then(|state| state
                .by_address(&assignment.address)
                .map(|r| r.id.name().to_string())),
        Some(name)
    );
}

#[test]
fn resources_come_after_their_dependencies() {
    let state = fixture();
    for (index, resource) in state.resources.iter().enumerate() {
        for dependency in &resource.depends_on {
            let position = state
                .resources
                .iter()
                .position(|r| &r.address == dependency);
            assert!(
                position.is_some_and(|position| position < index),
                "{} depends on {dependency}",
                resource.address
            );
        }
        if let Some(parent) = resource.kind.parent() {
            assert!(
                resource
                    .depends_on
                    .iter()
                    .any(|d| state.by_address(d).is_some_and(
                        |p| p.kind == parent && resource.id.parent().as_ref() == Some(&p.id)
                    )),
                "{} does not depend on its parent",
                resource.address
            );
        }
    }
    assert_eq!(state.resources[0].address, "resourceGroup/rg-platform");
}

#[test]
fn a_bring_your_own_kubelet_identity_is_deferred_and_keys_its_assignments() {
    let state = lower(&load(KUBELET_ESTATE), &context()).expect("lowers");
    let cluster = resource(&state, "cluster/aks-a");
    let kubelet_id = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-kubelet"
    );
    assert_eq!(
        cluster.body["properties"]["identityProfile"],
        json!({"kubeletidentity": {"resourceId": kubelet_id, "clientId": null, "objectId": null}})
    );
    let outputs: Vec<(&str, &str, &str)> = cluster
        .deferred
        .iter()
        .map(|d| (d.path.as_str(), d.source.as_str(), d.output.as_str()))
        .collect();
    assert_eq!(
        outputs,
        vec![
            (
                "/properties/identityProfile/kubeletidentity/clientId",
                "identity/id-kubelet",
                "/properties/clientId"
            ),
            (
                "/properties/identityProfile/kubeletidentity/objectId",
                "identity/id-kubelet",
                "/properties/principalId"
            ),
        ]
    );
    assert_eq!(
        cluster.depends_on,
        vec![
            "resourceGroup/rg-a",
            "identity/id-control",
            "identity/id-kubelet"
        ]
    );
    // The explicit kubelet AcrPull and the one `acrPull` implies are the same assignment: once.
    let acr_pulls: Vec<&DesiredResource> = state
        .resources
        .iter()
        .filter(|r| r.kind == Kind::RoleAssignment && r.id.as_str().contains("/registries/acrbyo/"))
        .collect();
    assert_eq!(acr_pulls.len(), 1);
    assert_eq!(acr_pulls[0].deferred[0].source, "identity/id-kubelet");
    let expected_name = crate::id::role_assignment_name(
        &acr_pulls[0]
            .id
            .as_str()
            .split("/providers/Microsoft.Authorization")
            .next()
            .map(ResourceId::new)
            .unwrap_or_else(|| ResourceId::new("")),
        "7f951dda-4ed3-4680-a7ca-43fe172d538d",
        &kubelet_id,
    );
    assert_eq!(acr_pulls[0].id.name(), expected_name);
    let operator = resource(
        &state,
        "roleAssignment/aks-a-identity-managed-identity-operator-on-id-kubelet",
    );
    assert_eq!(operator.deferred[0].source, "identity/id-control");
    assert_eq!(
        operator.depends_on,
        vec!["identity/id-control", "identity/id-kubelet"]
    );
}

#[test]
fn references_to_undeclared_resources_are_errors_not_panics() {
    let mut estate = load(KUBELET_ESTATE);
    estate.role_assignments[1].scope = "keyVault/kv-missing".into();
    let error = lower(&estate, &context()).expect_err("unknown vault");
    assert!(
        matches!(&error, LowerError::UnknownReference { kind: "key vault", name, .. } if name == "kv-missing"),
        "{error}"
    );
    let mut estate = load(KUBELET_ESTATE);
    estate.clusters[0].pools[0].mode = Some(crate::spec::types::PoolMode::User);
    assert!(matches!(
        lower(&estate, &context()),
        Err(LowerError::Invalid { address, .. }) if address == "cluster/aks-a"
    ));
}

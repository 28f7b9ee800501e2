//! Role assignments and role definitions.

use serde_json::json;

use crate::support::*;

const ACR_PULL: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";

fn assignment(role: &str, principal: &str, principal_type: Option<&str>) -> serde_json::Value {
    let mut body = json!({ "properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": principal,
    } });
    if let Some(kind) = principal_type {
        body["properties"]["principalType"] = json!(kind);
    }
    body
}

fn assignment_path(scope: &str, name: &str) -> String {
    at(
        &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        AUTH_VERSION,
    )
}

#[tokio::test]
async fn assignments_at_resource_scope() {
    let arm = Arm::start();
    let group = arm.group("rg-ra").await;
    let registry = format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrroles01");
    let created = arm
        .put(
            &at(&registry, ACR_VERSION),
            json!({ "location": "eastus", "sku": { "name": "Basic" } }),
        )
        .await;
    arm.wait(&created).await;
    let principal = "11111111-2222-3333-4444-555555555555";
    let name = "0b1f3c2e-0000-4000-8000-000000000001";
    let response = arm
        .put(
            &assignment_path(&registry, name),
            assignment(ACR_PULL, principal, Some("ServicePrincipal")),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(
        response.str("/id"),
        format!("{registry}/providers/Microsoft.Authorization/roleAssignments/{name}")
    );
    assert_eq!(
        response.str("/properties/roleDefinitionId"),
        format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{ACR_PULL}"
        )
    );
    assert_eq!(response.str("/properties/scope"), registry);
    assert_eq!(
        response.str("/properties/principalType"),
        "ServicePrincipal"
    );
    let same = arm
        .put(
            &assignment_path(&registry, name),
            assignment(ACR_PULL, principal, Some("ServicePrincipal")),
        )
        .await;
    assert_eq!(same.status, 200);
    let changed = arm
        .put(
            &assignment_path(&registry, name),
            assignment(SECRETS_USER, principal, None),
        )
        .await;
    assert_eq!(changed.code(), "RoleAssignmentUpdateNotPermitted");
    let duplicate = arm
        .put(
            &assignment_path(&registry, "0b1f3c2e-0000-4000-8000-000000000002"),
            assignment(ACR_PULL, principal, None),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.code(), "RoleAssignmentExists");
    let bad_name = arm
        .put(
            &assignment_path(&registry, "not-a-guid"),
            assignment(ACR_PULL, principal, None),
        )
        .await;
    assert_eq!(bad_name.code(), "InvalidRoleAssignmentId");
    let bad_role = arm
        .put(
            &assignment_path(&registry, "0b1f3c2e-0000-4000-8000-000000000003"),
            assignment("00000000-1111-2222-3333-444444444444", principal, None),
        )
        .await;
    assert_eq!(bad_role.code(), "RoleDefinitionDoesNotExist");
    let missing_scope = arm
        .put(
            &assignment_path(
                &format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrnone01"),
                "0b1f3c2e-0000-4000-8000-000000000004",
            ),
            assignment(ACR_PULL, principal, None),
        )
        .await;
    assert_eq!(missing_scope.status, 404);
    // Subnets are modelled (learnt from /_mock/state): an unknown one is a missing scope, a seeded
    // one takes assignments.
    let subnet_scope =
        format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks");
    let network_role = "4d97b98b-1d4f-4787-a291-c67834d212e7";
    let unknown = arm
        .put(
            &assignment_path(&subnet_scope, "0b1f3c2e-0000-4000-8000-000000000005"),
            assignment(network_role, principal, Some("ServicePrincipal")),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let mut state = arm.control("GET", "/_mock/state", None).await.body;
    let vnet = subnet_scope.trim_end_matches("/subnets/aks").to_string();
    state["resources"]
        .as_array_mut()
        .expect("resources")
        .push(json!({ "id": vnet, "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] }, "subnets": [{ "name": "aks", "properties": { "addressPrefix": "10.0.0.0/22" } }] } }));
    let seeded = arm.control("PUT", "/_mock/state", Some(state)).await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    let on_subnet = arm
        .put(
            &assignment_path(&subnet_scope, "0b1f3c2e-0000-4000-8000-000000000005"),
            assignment(network_role, principal, Some("ServicePrincipal")),
        )
        .await;
    assert_eq!(on_subnet.status, 201, "{}", on_subnet.body);

    let at_scope = arm.get(&format!("{registry}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_VERSION}&$filter=atScope()")).await;
    assert_eq!(at_scope.body["value"].as_array().map(Vec::len), Some(1));
    let by_principal = arm.get(&format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_VERSION}&$filter=principalId%20eq%20'{principal}'")).await;
    assert_eq!(by_principal.body["value"].as_array().map(Vec::len), Some(2));
    let group_at_scope = arm.get(&format!("{group}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_VERSION}&$filter=atScope()")).await;
    assert_eq!(
        group_at_scope.body["value"].as_array().map(Vec::len),
        Some(0),
        "atScope excludes assignments below the scope"
    );

    let deleted = arm.delete(&assignment_path(&registry, name)).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.str("/name"), name);
    assert_eq!(
        arm.delete(&assignment_path(&registry, name)).await.status,
        204
    );
    let gone = arm.get(&assignment_path(&registry, name)).await;
    assert_eq!(gone.code(), "RoleAssignmentNotFound");
}

#[tokio::test]
async fn principal_not_found_right_after_identity_creation() {
    let arm = Arm::with(mock_arm::Config {
        time_scale: 1.0,
        principal_not_found_window: std::time::Duration::from_millis(1000),
        ..Default::default()
    });
    let group = arm.group("rg-pnf").await;
    let identity = arm
        .put(
            &at(
                &format!(
                    "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-new"
                ),
                MSI_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    let principal = identity.str("/properties/principalId").to_string();
    let scope = group.clone();
    let early = arm
        .put(
            &assignment_path(&scope, "0b1f3c2e-0000-4000-8000-0000000000a1"),
            assignment(ACR_PULL, &principal, None),
        )
        .await;
    assert_eq!(early.status, 400);
    assert_eq!(early.code(), "PrincipalNotFound");
    let typed = arm
        .put(
            &assignment_path(&scope, "0b1f3c2e-0000-4000-8000-0000000000a1"),
            assignment(ACR_PULL, &principal, Some("ServicePrincipal")),
        )
        .await;
    assert_eq!(
        typed.status, 201,
        "principalType skips the directory lookup"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1050)).await;
    let later = arm
        .put(
            &assignment_path(&scope, "0b1f3c2e-0000-4000-8000-0000000000a2"),
            assignment(SECRETS_USER, &principal, None),
        )
        .await;
    assert_eq!(later.status, 201, "after the window the principal is found");
    assert_eq!(later.str("/properties/principalType"), "ServicePrincipal");
}

#[tokio::test]
async fn role_definitions_filter_by_name() {
    let arm = Arm::start();
    let list = arm.get(&format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter=roleName%20eq%20'AcrPull'")).await;
    let values = list.body["value"].as_array().expect("value");
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["name"], ACR_PULL);
    assert_eq!(
        values[0]["id"],
        format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{ACR_PULL}"
        )
    );
    assert_eq!(values[0]["properties"]["roleName"], "AcrPull");
    let one = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_USER}"),
            "2022-04-01",
        ))
        .await;
    assert_eq!(one.str("/properties/roleName"), "Key Vault Secrets User");
}

//! User-assigned identities and federated identity credentials.

use serde_json::json;

use crate::support::*;

fn credential(issuer: &str, subject: &str) -> serde_json::Value {
    json!({ "properties": { "issuer": issuer, "subject": subject, "audiences": ["api://AzureADTokenExchange"] } })
}

#[tokio::test]
async fn identities_get_fresh_ids_on_every_create() {
    let arm = Arm::start();
    let group = arm.group("rg-id").await;
    let path = at(
        &format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"),
        MSI_VERSION,
    );
    let created = arm
        .put(&path, json!({ "location": "eastus", "tags": { "a": "b" } }))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.str("/id"), format!("/subscriptions/{SUB}/resourcegroups/rg-id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"), "MSI writes 'resourcegroups' in lower case");
    assert_eq!(
        created.str("/properties/tenantId"),
        "00000000-0000-0000-0000-00000000a0a0"
    );
    assert_eq!(created.str("/properties/isolationScope"), "None");
    let principal = created.str("/properties/principalId").to_string();
    let client = created.str("/properties/clientId").to_string();
    let again = arm.put(&path, json!({ "location": "eastus" })).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.str("/properties/principalId"),
        principal,
        "update keeps ids"
    );
    let patched = arm.patch(&path, json!({ "tags": { "c": "d" } })).await;
    assert_eq!(patched.body["tags"], json!({ "c": "d" }));
    assert_eq!(arm.delete(&path).await.status, 200);
    assert_eq!(arm.delete(&path).await.status, 204);
    let recreated = arm.put(&path, json!({ "location": "eastus" })).await;
    assert_ne!(recreated.str("/properties/principalId"), principal);
    assert_ne!(recreated.str("/properties/clientId"), client);
    let bad = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/-x"),
                MSI_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(bad.code(), "InvalidResourceName");
    let older = arm
        .get(&at(
            &format!(
                "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"
            ),
            "2023-01-31",
        ))
        .await;
    assert_eq!(older.status, 200);
}

#[tokio::test]
async fn federated_credential_rules() {
    let arm = Arm::start();
    let group = arm.group("rg-fic").await;
    let identity =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-fic");
    let missing_parent = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-a"),
                MSI_VERSION,
            ),
            credential("https://issuer.example/", "system:serviceaccount:a:b"),
        )
        .await;
    assert_eq!(missing_parent.code(), "ParentResourceNotFound");
    arm.put(&at(&identity, MSI_VERSION), json!({ "location": "eastus" }))
        .await;
    let first = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-a"),
                MSI_VERSION,
            ),
            credential("https://issuer.example/", "system:serviceaccount:a:b"),
        )
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(
        first.str("/type"),
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
    );
    let duplicate = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-b"),
                MSI_VERSION,
            ),
            credential("https://issuer.example/", "system:serviceaccount:a:b"),
        )
        .await;
    assert_eq!(duplicate.status, 400);
    assert!(duplicate.body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("Issuer and subject"));
    let two_audiences = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-c"),
                MSI_VERSION,
            ),
            json!({ "properties": { "issuer": "https://i/", "subject": "s", "audiences": ["a", "b"] } }),
        )
        .await;
    assert_eq!(two_audiences.status, 400);
    let empty = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-d"),
                MSI_VERSION,
            ),
            json!({ "properties": {} }),
        )
        .await;
    assert_eq!(empty.status, 400);
    for index in 1..20 {
        let response = arm
            .put(
                &at(
                    &format!("{identity}/federatedIdentityCredentials/fic-n{index}"),
                    MSI_VERSION,
                ),
                credential(
                    "https://issuer.example/",
                    &format!("system:serviceaccount:n:{index}"),
                ),
            )
            .await;
        assert_eq!(response.status, 201, "sequential writes succeed ({index})");
    }
    let twenty_first = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-over"),
                MSI_VERSION,
            ),
            credential("https://issuer.example/", "system:serviceaccount:n:over"),
        )
        .await;
    assert_eq!(twenty_first.status, 400, "at most 20 per identity");
    let list = arm
        .get(&at(
            &format!("{identity}/federatedIdentityCredentials"),
            MSI_VERSION,
        ))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(20));
    assert_eq!(
        arm.delete(&at(
            &format!("{identity}/federatedIdentityCredentials/fic-a"),
            MSI_VERSION
        ))
        .await
        .status,
        200
    );
    assert_eq!(
        arm.delete(&at(
            &format!("{identity}/federatedIdentityCredentials/fic-a"),
            MSI_VERSION
        ))
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn concurrent_credential_writes_on_one_identity_conflict() {
    let arm = Arm::with(mock_arm::Config {
        time_scale: 0.1,
        ..Default::default()
    });
    let group = arm.group("rg-fic-c").await;
    let identity =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-busy");
    let other =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-other");
    arm.put(&at(&identity, MSI_VERSION), json!({ "location": "eastus" }))
        .await;
    arm.put(&at(&other, MSI_VERSION), json!({ "location": "eastus" }))
        .await;
    let mut tasks = Vec::new();
    for (parent, name) in [
        (&identity, "fic-0"),
        (&identity, "fic-1"),
        (&identity, "fic-2"),
        (&identity, "fic-3"),
        (&other, "fic-x"),
    ] {
        let client = arm.client.clone();
        let url = arm.url(&at(
            &format!("{parent}/federatedIdentityCredentials/{name}"),
            MSI_VERSION,
        ));
        let body = credential(
            "https://issuer.example/",
            &format!("system:serviceaccount:c:{name}"),
        );
        tasks.push(tokio::spawn(async move {
            let response = client
                .put(url)
                .bearer_auth("t")
                .json(&body)
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            (
                status,
                body["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    let (same_identity, other_identity) = results.split_at(4);
    assert_eq!(
        same_identity
            .iter()
            .filter(|(status, _)| *status == 201)
            .count(),
        1,
        "exactly one concurrent write wins: {results:?}"
    );
    let conflicts: Vec<_> = same_identity
        .iter()
        .filter(|(status, _)| *status == 409)
        .collect();
    assert_eq!(conflicts.len(), 3);
    assert_eq!(
        conflicts[0].1,
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"
    );
    assert_eq!(
        other_identity[0].0, 201,
        "writes under another identity are independent"
    );
}

#[tokio::test]
async fn credential_names_and_fields_are_validated() {
    let arm = Arm::start();
    let group = arm.group("rg-fic-v").await;
    let identity =
        format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-v");
    arm.put(&at(&identity, MSI_VERSION), json!({ "location": "eastus" }))
        .await;
    let bad_name = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/-x"),
                MSI_VERSION,
            ),
            credential("https://issuer.example/", "s"),
        )
        .await;
    assert_eq!(bad_name.status, 400);
    let wildcard = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-w"),
                MSI_VERSION,
            ),
            credential("https://issuer.example/", "system:serviceaccount:*:x"),
        )
        .await;
    assert_eq!(wildcard.status, 400);
    let http_issuer = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-h"),
                MSI_VERSION,
            ),
            credential("http://issuer.example/", "s"),
        )
        .await;
    assert_eq!(http_issuer.status, 400);
    let no_subject = arm
        .put(
            &at(
                &format!("{identity}/federatedIdentityCredentials/fic-s"),
                MSI_VERSION,
            ),
            json!({ "properties": { "issuer": "https://i/", "audiences": ["a"] } }),
        )
        .await;
    assert_eq!(no_subject.status, 400);
    let moved = arm
        .put(&at(&identity, MSI_VERSION), json!({ "location": "westus" }))
        .await;
    assert_eq!(moved.code(), "InvalidResourceLocation");
}

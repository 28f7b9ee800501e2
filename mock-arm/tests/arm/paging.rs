//! nextLink paging with small page sizes.

use serde_json::{json, Value};

use crate::support::*;

async fn collect(arm: &Arm, first: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(first.to_string());
    while let Some(url) = next {
        let page = arm.get(&url).await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        items.extend(page.body["value"].as_array().cloned().unwrap_or_default());
        next = page.body["nextLink"].as_str().map(str::to_string);
        if let Some(link) = &next {
            assert!(link.starts_with("http://127.0.0.1:"), "absolute nextLink");
            assert!(link.contains("api-version="), "nextLink keeps api-version");
        }
    }
    (items, pages)
}

#[tokio::test]
async fn lists_page_with_skiptoken() {
    let arm = Arm::with(mock_arm::Config {
        page_size: 2,
        time_scale: 0.001,
        ..Default::default()
    });
    let group = arm.group("rg-page").await;
    for index in 0..5 {
        arm.put(
            &at(
                &format!(
                    "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-{index}"
                ),
                MSI_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    }
    let (by_group, pages) = collect(
        &arm,
        &at(
            &format!("{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
            MSI_VERSION,
        ),
    )
    .await;
    assert_eq!(by_group.len(), 5);
    assert_eq!(pages, 3);
    let (by_subscription, _) = collect(
        &arm,
        &at(
            &format!(
                "/subscriptions/{SUB}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
            ),
            MSI_VERSION,
        ),
    )
    .await;
    assert_eq!(by_subscription.len(), 5);
    let names: Vec<&str> = by_subscription
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    assert_eq!(names, vec!["id-0", "id-1", "id-2", "id-3", "id-4"]);
}

#[tokio::test]
async fn page_size_one_pages_role_assignments_with_filters() {
    let arm = Arm::with(mock_arm::Config {
        page_size: 1,
        time_scale: 0.001,
        ..Default::default()
    });
    let group = arm.group("rg-page-ra").await;
    for index in 0..3 {
        let body = json!({ "properties": { "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d", "principalId": format!("00000000-0000-0000-0000-00000000000{index}"), "principalType": "ServicePrincipal" } });
        let name = format!("00000000-0000-4000-8000-00000000000{index}");
        arm.put(
            &at(
                &format!("{group}/providers/Microsoft.Authorization/roleAssignments/{name}"),
                AUTH_VERSION,
            ),
            body,
        )
        .await;
    }
    let first = format!("{group}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_VERSION}&$filter=atScope()");
    let (items, pages) = collect(&arm, &first).await;
    assert_eq!(items.len(), 3);
    assert_eq!(pages, 3);
}

//! `GET /subscriptions/{id}`: every subscription in the mock's tenant until some are declared
//! through `/_mock/state`; then only those, with their tenants, and 404 SubscriptionNotFound.

use serde_json::json;

use crate::support::*;

const OTHER: &str = "00000000-0000-0000-0000-0000000000ff";
const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

#[tokio::test]
async fn every_subscription_exists_in_the_mock_tenant_by_default() {
    let arm = Arm::start();
    let got = arm
        .get(&at(&format!("/subscriptions/{OTHER}"), "2022-12-01"))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.str("/subscriptionId"), OTHER);
    assert_eq!(got.str("/tenantId"), mock_arm::Config::default().tenant_id);
    assert_eq!(got.str("/state"), "Enabled");
}

#[tokio::test]
async fn declared_subscriptions_carry_their_tenant_and_others_are_not_found() {
    let arm = Arm::start();
    let seeded = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({ "resources": [], "subscriptions": [{ "subscriptionId": SUB, "tenantId": TENANT, "displayName": "Prod" }] })),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    assert_eq!(seeded.body["subscriptions"][0]["tenantId"], json!(TENANT));
    let got = arm
        .get(&at(&format!("/subscriptions/{SUB}"), "2022-12-01"))
        .await;
    assert_eq!(got.str("/tenantId"), TENANT);
    assert_eq!(got.str("/displayName"), "Prod");
    let missing = arm
        .get(&at(&format!("/subscriptions/{OTHER}"), "2022-12-01"))
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (404, "SubscriptionNotFound")
    );
    assert!(missing.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains(OTHER));
    // Any ARM path under an unknown subscription answers the same.
    let group = arm
        .put(
            &at(
                &format!("/subscriptions/{OTHER}/resourcegroups/rg"),
                RG_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!((group.status, group.code()), (404, "SubscriptionNotFound"));
    let list = arm.get(&at("/subscriptions", "2022-12-01")).await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1));
    // A reset forgets the declaration.
    arm.control("POST", "/_mock/reset", None).await;
    let again = arm
        .get(&at(&format!("/subscriptions/{OTHER}"), "2022-12-01"))
        .await;
    assert_eq!(again.status, 200);
}

#[tokio::test]
async fn a_subscription_the_caller_cannot_use_answers_authorization_failed() {
    let arm = Arm::start();
    let seeded = arm
        .control(
            "PUT",
            "/_mock/state",
            Some(json!({ "resources": [], "subscriptions": [{ "subscriptionId": SUB }, { "subscriptionId": OTHER, "authorized": false }] })),
        )
        .await;
    assert_eq!(seeded.status, 200, "{}", seeded.body);
    assert_eq!(seeded.body["subscriptions"][1]["authorized"], json!(false));
    let denied = arm
        .get(&at(&format!("/subscriptions/{OTHER}"), "2022-12-01"))
        .await;
    assert_eq!((denied.status, denied.code()), (403, "AuthorizationFailed"));
    assert!(denied.body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains(OTHER));
    let groups = arm
        .get(&at(
            &format!("/subscriptions/{OTHER}/resourcegroups"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(groups.status, 403);
    let allowed = arm
        .get(&at(&format!("/subscriptions/{SUB}"), "2022-12-01"))
        .await;
    assert_eq!(allowed.status, 200);
}

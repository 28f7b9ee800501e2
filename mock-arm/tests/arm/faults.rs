//! Fault injection, latency and throttling.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn respond_rules_fire_after_and_times() {
    let arm = Arm::start();
    let group = format!("/subscriptions/{SUB}/resourcegroups/rg-fault");
    let rule = json!({ "method": "GET", "path": "/resourcegroups/rg-fault$", "status": 503, "code": "ServiceUnavailable", "message": "try later", "retryAfter": 2, "times": 2, "after": 1 });
    let added = arm.control("POST", "/_mock/faults", Some(rule)).await;
    assert_eq!(added.status, 201);
    arm.put(&at(&group, RG_VERSION), json!({ "location": "eastus" }))
        .await;
    let statuses = [
        arm.get(&at(&group, RG_VERSION)).await,
        arm.get(&at(&group, RG_VERSION)).await,
        arm.get(&at(&group, RG_VERSION)).await,
        arm.get(&at(&group, RG_VERSION)).await,
    ];
    let codes: Vec<u16> = statuses.iter().map(|r| r.status).collect();
    assert_eq!(codes, vec![200, 503, 503, 200]);
    assert_eq!(statuses[1].code(), "ServiceUnavailable");
    assert_eq!(statuses[1].header("retry-after"), Some("2"));
    assert_eq!(statuses[1].header("retry-after-ms"), Some("2000"));
    let bad = arm
        .control("POST", "/_mock/faults", Some(json!({ "path": "(" })))
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        arm.control("DELETE", "/_mock/faults", None).await.status,
        204
    );
}

#[tokio::test]
async fn drop_closes_the_connection_and_delay_waits() {
    let arm = Arm::start();
    let group = at(
        &format!("/subscriptions/{SUB}/resourcegroups/rg-drop"),
        RG_VERSION,
    );
    arm.control(
        "POST",
        "/_mock/faults",
        Some(json!({ "action": "drop", "method": "GET" })),
    )
    .await;
    let dropped = arm
        .client
        .get(arm.url(&group))
        .bearer_auth("t")
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "the connection is closed without a response"
    );
    let log = arm.control("GET", "/_mock/requests", None).await;
    assert_eq!(log.body[0]["status"], 0);
    let after = arm.get(&group).await;
    assert_eq!(after.status, 404, "only one request is dropped");

    arm.control(
        "POST",
        "/_mock/faults",
        Some(json!({ "action": "delay", "delayMs": 150 })),
    )
    .await;
    let start = Instant::now();
    let delayed = arm.get(&group).await;
    assert!(start.elapsed() >= Duration::from_millis(150));
    assert_eq!(
        delayed.status, 404,
        "delayed requests are answered normally"
    );
}

#[tokio::test]
async fn latency_is_added_to_arm_routes() {
    let arm = Arm::with(mock_arm::Config {
        latency: Duration::from_millis(60),
        ..Default::default()
    });
    let start = Instant::now();
    arm.get(&at(
        &format!("/subscriptions/{SUB}/resourcegroups/rg"),
        RG_VERSION,
    ))
    .await;
    assert!(start.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn throttle_enforces_subscription_write_bucket() {
    let arm = Arm::with(mock_arm::Config {
        throttle: true,
        time_scale: 0.001,
        ..Default::default()
    });
    let mut throttled = None;
    for index in 0..400 {
        let response = arm
            .put(
                &at(
                    &format!("/subscriptions/{SUB}/resourcegroups/rg-t{index}"),
                    RG_VERSION,
                ),
                json!({ "location": "eastus" }),
            )
            .await;
        if response.status == 429 {
            throttled = Some((index, response));
            break;
        }
        let remaining: i64 = response
            .header("x-ms-ratelimit-remaining-subscription-writes")
            .expect("header")
            .parse()
            .expect("number");
        assert!(remaining < 200, "remaining count is reported");
    }
    let (index, response) = throttled.expect("writes are throttled after the burst");
    assert!(
        index >= 199,
        "burst of 200 writes (refilling at 10/s): {index}"
    );
    assert_eq!(response.code(), "SubscriptionRequestsThrottled");
    assert!(response.header("retry-after").is_some());
    assert!(response.header("retry-after-ms").is_some());
    let other = arm
        .get(&at(
            &format!("/subscriptions/{SUB}/resourcegroups/rg-t0"),
            RG_VERSION,
        ))
        .await;
    assert_eq!(other.status, 200, "reads have their own bucket");
    let other_subscription = arm
        .put(
            &at(
                "/subscriptions/00000000-0000-0000-0000-000000000002/resourcegroups/rg",
                RG_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(
        other_subscription.status, 201,
        "buckets are per subscription"
    );
}

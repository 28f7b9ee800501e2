//! Microsoft.Resources/subscriptions: `GET /subscriptions/{id}` and `GET /subscriptions`, and
//! which subscriptions exist. Until `/_mock/state` declares subscriptions every id exists in the
//! mock's tenant; once declared, only those (404 SubscriptionNotFound), and a declared one with
//! `"authorized": false` answers 403 AuthorizationFailed to every request under it.

use serde_json::{json, Value};

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::listing;
use super::world::{Subscription, World};

/// 404 SubscriptionNotFound or 403 AuthorizationFailed for a path under a subscription the
/// caller cannot use.
pub fn check_access(world: &World, path: &str) -> Result<(), ArmError> {
    let mut segments = path.split('/').filter(|segment| !segment.is_empty());
    let (Some(first), Some(subscription)) = (segments.next(), segments.next()) else {
        return Ok(());
    };
    if !first.eq_ignore_ascii_case("subscriptions") {
        return Ok(());
    }
    if !world.knows_subscription(subscription) {
        return Err(subscription_not_found(subscription));
    }
    match world.subscriptions.get(&subscription.to_lowercase()) {
        Some(declared) if !declared.authorized => Err(ArmError::new(
            403,
            "AuthorizationFailed",
            format!("The client '{CLIENT}' with object id '{CLIENT}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/{subscription}' or the scope is invalid. If access was recently granted, please refresh your credentials."),
        )),
        _ => Ok(()),
    }
}

/// The caller mock-arm names in authorization errors (it does not inspect tokens).
const CLIENT: &str = "00000000-0000-0000-0000-00000000c11e";

/// 404 SubscriptionNotFound in ARM's error shape.
pub fn subscription_not_found(subscription: &str) -> ArmError {
    ArmError::new(
        404,
        "SubscriptionNotFound",
        format!("The subscription '{subscription}' could not be found."),
    )
}

/// `GET /subscriptions/{s}`: a declared subscription, or (none declared) every subscription,
/// enabled, in the mock's tenant.
pub fn subscription(world: &World, subscription: &str) -> Outcome {
    if !world.knows_subscription(subscription) {
        return Err(subscription_not_found(subscription));
    }
    let declared = world.subscriptions.get(&subscription.to_lowercase());
    Ok(Reply::ok(match declared {
        Some(declared) => declared_body(declared),
        None => subscription_body(subscription, &world.settings.tenant_id),
    }))
}

fn subscription_body(subscription: &str, tenant: &str) -> Value {
    declared_body(&Subscription {
        subscription_id: subscription.to_string(),
        tenant_id: tenant.to_string(),
        display_name: format!("mock-arm subscription {subscription}"),
        state: "Enabled".to_string(),
        tags: json!({}),
        authorized: true,
    })
}

fn declared_body(subscription: &Subscription) -> Value {
    json!({
        "id": format!("/subscriptions/{}", subscription.subscription_id),
        "subscriptionId": subscription.subscription_id,
        "tenantId": subscription.tenant_id,
        "displayName": subscription.display_name,
        "state": subscription.state,
        "subscriptionPolicies": { "locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off" },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": subscription.tags,
    })
}

/// A subscription entry of `/_mock/state` (`subscriptions[]`): `subscriptionId` required;
/// `tenantId` (default: the mock's tenant), `displayName`, `state` (default `Enabled`), `tags`,
/// `authorized` (default true; false = 403 AuthorizationFailed under it).
pub fn parse_subscription(entry: &Value, default_tenant: &str) -> Result<Subscription, ArmError> {
    let subscription_id = json::str_at(entry, "/subscriptionId")
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidState",
                "Every entry of 'subscriptions' needs a 'subscriptionId'.",
            )
        })?
        .to_string();
    let state = json::str_at(entry, "/state")
        .unwrap_or("Enabled")
        .to_string();
    if !["Enabled", "Warned", "PastDue", "Disabled", "Deleted"].contains(&state.as_str()) {
        return Err(ArmError::bad_request(
            "InvalidState",
            format!("Subscription '{subscription_id}': state '{state}' is not one of Enabled, Warned, PastDue, Disabled, Deleted."),
        ));
    }
    Ok(Subscription {
        tenant_id: json::str_at(entry, "/tenantId")
            .unwrap_or(default_tenant)
            .to_string(),
        display_name: json::str_at(entry, "/displayName")
            .map(str::to_string)
            .unwrap_or_else(|| format!("mock-arm subscription {subscription_id}")),
        state,
        tags: json::at(entry, "/tags")
            .cloned()
            .unwrap_or_else(|| json!({})),
        authorized: json::bool_at(entry, "/authorized").unwrap_or(true),
        subscription_id,
    })
}

/// The state-document form of the declared subscriptions (what GET returns for each).
pub fn declared_subscriptions(world: &World) -> Vec<Value> {
    world
        .subscriptions
        .values()
        .map(|subscription| {
            let mut body = declared_body(subscription);
            if !subscription.authorized {
                body["authorized"] = json!(false);
            }
            body
        })
        .collect()
}

/// `GET /subscriptions`: the declared subscriptions, or (none declared) those holding resources.
pub fn list_subscriptions(world: &World, request: &Request) -> Outcome {
    if !world.subscriptions.is_empty() {
        return Ok(listing::page(
            request,
            declared_subscriptions(world),
            world.settings.page_size,
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for resource in world.resources.values() {
        if let Some(subscription) = resource.id.split('/').nth(2) {
            if !seen.iter().any(|s| s.eq_ignore_ascii_case(subscription)) {
                seen.push(subscription.to_string());
            }
        }
    }
    let items = seen
        .iter()
        .map(|s| subscription_body(s, &world.settings.tenant_id))
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

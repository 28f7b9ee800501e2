//! Scalar equality as ARM sees it: location spelling, resource-id and GUID casing, trailing
//! slashes on URLs, role definitions by trailing GUID, case-insensitive enums, numbers by value,
//! and `major.minor` versions satisfied by any patch.

use serde_json::Value;

/// Fields whose values ARM treats as case-insensitive enums (and where it may re-space lists
/// such as `"SystemAssigned, UserAssigned"`).
const CASE_INSENSITIVE_KEYS: &[&str] = &[
    "publicNetworkAccess",
    "networkPlugin",
    "networkPluginMode",
    "networkPolicy",
    "networkDataplane",
    "networkMode",
    "outboundType",
    "loadBalancerSku",
    "mode",
    "osType",
    "osSKU",
    "osDiskType",
    "scaleSetPriority",
    "scaleSetEvictionPolicy",
    "scaleDownMode",
    "upgradeChannel",
    "nodeOSUpgradeChannel",
    "defaultAction",
    "bypass",
    "action",
    "minimumTlsVersion",
    "accessTier",
    "zoneRedundancy",
    "type",
    "tier",
    "family",
    "name",
    "kind",
    "principalType",
    "supportPlan",
    "privateDNSZone",
    "keySource",
    "publicAccess",
    "restrictionLevel",
    "roleAssignmentMode",
    "networkRuleBypassOptions",
    "ipFamilies",
    // Diagnostic-setting categories and destination type (compared as ARM names them).
    "category",
    "categoryGroup",
    "logAnalyticsDestinationType",
];

/// Keys that carry a Kubernetes version (`"1.33"` is satisfied by any `1.33.x`).
pub const VERSION_KEYS: &[&str] = &["kubernetesVersion", "orchestratorVersion"];

/// The read-only sibling that reports the version actually running.
pub fn current_version_key(key: &str) -> Option<&'static str> {
    match key {
        "kubernetesVersion" => Some("currentKubernetesVersion"),
        "orchestratorVersion" => Some("currentOrchestratorVersion"),
        _ => None,
    }
}

/// Whether the live scalar `live` satisfies the declared scalar `desired` at field `key`.
pub fn scalars_equal(key: &str, desired: &Value, live: &Value) -> bool {
    match (desired, live) {
        (Value::Number(a), Value::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(a), Some(b)) => a == b,
            _ => a == b,
        },
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::String(a), Value::String(b)) => strings_equal(key, a, b),
        (Value::Number(a), Value::String(b)) | (Value::String(b), Value::Number(a)) => {
            a.to_string() == b.trim()
        }
        (Value::Bool(a), Value::String(b)) | (Value::String(b), Value::Bool(a)) => {
            b.eq_ignore_ascii_case(if *a { "true" } else { "false" })
        }
        (a, b) => a == b,
    }
}

fn strings_equal(key: &str, desired: &str, live: &str) -> bool {
    if desired == live {
        return true;
    }
    if key.eq_ignore_ascii_case("location") {
        return normalize_location(desired) == normalize_location(live);
    }
    if key == "roleDefinitionId" {
        return trailing_segment(desired).eq_ignore_ascii_case(trailing_segment(live));
    }
    if VERSION_KEYS.contains(&key) {
        return version_satisfied(desired, live);
    }
    if is_resource_id(desired) || is_resource_id(live) {
        return desired
            .trim_end_matches('/')
            .eq_ignore_ascii_case(live.trim_end_matches('/'));
    }
    if is_url(desired) && is_url(live) {
        return desired
            .trim_end_matches('/')
            .eq_ignore_ascii_case(live.trim_end_matches('/'));
    }
    if is_guid(desired) && is_guid(live) {
        return desired.eq_ignore_ascii_case(live);
    }
    if CASE_INSENSITIVE_KEYS.contains(&key) {
        return squash(desired) == squash(live);
    }
    false
}

/// `East US` and `eastus` are the same location.
pub fn normalize_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether a running version `live` satisfies a declared `desired`: `1.33` by any `1.33.x`, a
/// full `1.33.2` only by itself.
pub fn version_satisfied(desired: &str, live: &str) -> bool {
    let desired = desired.trim().trim_start_matches('v');
    let live = live.trim().trim_start_matches('v');
    if desired == live {
        return true;
    }
    desired.split('.').count() == 2 && live.starts_with(&format!("{desired}."))
}

fn trailing_segment(value: &str) -> &str {
    value
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(value)
}

fn is_resource_id(value: &str) -> bool {
    let lower = value.get(..15).unwrap_or(value).to_ascii_lowercase();
    lower.starts_with("/subscriptions/") || lower.starts_with("/providers/")
}

fn is_url(value: &str) -> bool {
    value.starts_with("https://") || value.starts_with("http://")
}

fn is_guid(value: &str) -> bool {
    uuid::Uuid::parse_str(value).is_ok()
}

fn squash(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn locations_ignore_case_and_spaces() {
        assert!(scalars_equal(
            "location",
            &json!("eastus2"),
            &json!("East US 2")
        ));
        assert!(!scalars_equal(
            "location",
            &json!("eastus"),
            &json!("westus")
        ));
    }

    #[test]
    fn role_definitions_compare_by_trailing_guid() {
        assert!(scalars_equal(
            "roleDefinitionId",
            &json!("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"),
            &json!("/providers/Microsoft.Authorization/roleDefinitions/7F951DDA-4ED3-4680-A7CA-43FE172D538D")
        ));
    }

    #[test]
    fn versions_match_by_minor_or_exactly() {
        assert!(version_satisfied("1.33", "1.33.4"));
        assert!(!version_satisfied("1.33", "1.34.0"));
        assert!(!version_satisfied("1.33", "1.330.1"));
        assert!(!version_satisfied("1.33.2", "1.33.4"));
        assert!(version_satisfied("1.33.2", "1.33.2"));
    }

    #[test]
    fn guids_enums_and_numbers() {
        assert!(scalars_equal(
            "principalId",
            &json!("ABCDEF00-0000-0000-0000-000000000001"),
            &json!("abcdef00-0000-0000-0000-000000000001")
        ));
        assert!(scalars_equal(
            "type",
            &json!("SystemAssigned, UserAssigned"),
            &json!("SystemAssigned,UserAssigned")
        ));
        assert!(scalars_equal(
            "publicNetworkAccess",
            &json!("Enabled"),
            &json!("enabled")
        ));
        assert!(!scalars_equal(
            "subject",
            &json!("system:serviceaccount:a:b"),
            &json!("system:serviceaccount:A:b")
        ));
        assert!(scalars_equal("count", &json!(3), &json!(3.0)));
    }
}

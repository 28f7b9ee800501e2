//! Cassettes: recorded ARM interactions. Record mode proxies to an upstream ARM and writes a
//! sanitized cassette; playback mode serves one strictly.
//!
//! Sanitizing replaces subscription and tenant ids with placeholders, the upstream and local base
//! URLs with `{{base}}`, and secret values (passwords, keys, tokens, kubeconfigs) with `REDACTED`;
//! request headers (tokens) are never stored.

pub mod playback;
pub mod record;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Stands for every subscription id in a cassette.
pub const SUBSCRIPTION_PLACEHOLDER: &str = "00000000-0000-0000-0000-000000000000";
/// Stands for every tenant id in a cassette.
pub const TENANT_PLACEHOLDER: &str = "00000000-0000-0000-0000-0000000000aa";
/// Stands for the server's base URL in recorded URLs.
pub const BASE_PLACEHOLDER: &str = "{{base}}";
pub const REDACTED: &str = "REDACTED";

/// Response headers worth keeping (polling and paging behaviour).
const KEPT_HEADERS: &[&str] = &[
    "location",
    "azure-asyncoperation",
    "retry-after",
    "retry-after-ms",
    "etag",
];
/// JSON keys whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "secret",
    "password",
    "adminpassword",
    "clientsecret",
    "serverappsecret",
    "access_token",
    "refresh_token",
    "primarykey",
    "secondarykey",
    "connectionstring",
    "primaryconnectionstring",
    "secondaryconnectionstring",
    "keydata_private",
];

/// One recorded request and its answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Interaction {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub request_body: Value,
    pub status: u16,
    #[serde(default)]
    pub response_headers: BTreeMap<String, String>,
    #[serde(default)]
    pub response_body: Value,
}

/// A cassette file.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct Cassette {
    pub version: u32,
    pub interactions: Vec<Interaction>,
}

impl Cassette {
    pub fn load(path: &Path) -> Result<Cassette, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Writes the cassette atomically (temp file + rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&temporary, text)?;
        std::fs::rename(&temporary, path)
    }
}

/// The subscription id in an ARM path, if any.
pub fn subscription_in(path: &str) -> Option<&str> {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    while let Some(segment) = segments.next() {
        if segment.eq_ignore_ascii_case("subscriptions") {
            return segments.next();
        }
    }
    None
}

fn collect_tenants(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key.eq_ignore_ascii_case("tenantId") {
                    if let Some(text) = child.as_str() {
                        found.push(text.to_string());
                    }
                }
                collect_tenants(child, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_tenants(item, found)),
        Value::String(text) => {
            if let Some(rest) = text.split(".oic.prod-aks.azure.com/").nth(1) {
                if let Some(tenant) = rest.split('/').next() {
                    found.push(tenant.to_string());
                }
            }
        }
        _ => {}
    }
}

fn redact(value: &mut Value, parent_key: &str) {
    match value {
        Value::Object(map) => {
            let value_is_secret = map.contains_key("keyName")
                || matches!(parent_key, "passwords" | "kubeconfigs" | "keys");
            for (key, child) in map.iter_mut() {
                let lower = key.to_ascii_lowercase();
                if SECRET_KEYS.contains(&lower.as_str()) || (lower == "value" && value_is_secret) {
                    if !child.is_null() {
                        *child = Value::String(REDACTED.to_string());
                    }
                } else {
                    redact(child, key);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact(item, parent_key)),
        _ => {}
    }
}

/// Replaces `needle` (any ASCII case) with `replacement`.
fn replace_ignoring_case(text: &str, needle: &str, replacement: &str) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    let lower_text = text.to_ascii_lowercase();
    let lower_needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut position = 0;
    while let Some(found) = lower_text[position..].find(&lower_needle) {
        out.push_str(&text[position..position + found]);
        out.push_str(replacement);
        position += found + needle.len();
    }
    out.push_str(&text[position..]);
    out
}

/// Sanitizes an interaction in place; `bases` are the URLs to turn into `{{base}}`.
pub fn sanitize(interaction: &mut Interaction, bases: &[&str]) {
    redact(&mut interaction.request_body, "");
    redact(&mut interaction.response_body, "");
    let mut subscriptions: Vec<String> = subscription_in(&interaction.path)
        .map(str::to_string)
        .into_iter()
        .collect();
    let mut tenants = Vec::new();
    collect_tenants(&interaction.request_body, &mut tenants);
    collect_tenants(&interaction.response_body, &mut tenants);
    for value in interaction.response_headers.values() {
        if let Some(subscription) = value
            .split("/subscriptions/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
        {
            subscriptions.push(subscription.to_string());
        }
    }
    let Ok(mut text) = serde_json::to_string(&*interaction) else {
        return;
    };
    for base in bases.iter().filter(|base| !base.is_empty()) {
        text = replace_ignoring_case(&text, base.trim_end_matches('/'), BASE_PLACEHOLDER);
    }
    for subscription in subscriptions
        .iter()
        .filter(|s| s.len() >= 8 && s.as_str() != SUBSCRIPTION_PLACEHOLDER)
    {
        text = replace_ignoring_case(&text, subscription, SUBSCRIPTION_PLACEHOLDER);
    }
    let is_subscription = |candidate: &str| {
        candidate.eq_ignore_ascii_case(SUBSCRIPTION_PLACEHOLDER)
            || subscriptions
                .iter()
                .any(|s| s.eq_ignore_ascii_case(candidate))
    };
    for tenant in tenants
        .iter()
        .filter(|t| t.len() >= 8 && t.as_str() != TENANT_PLACEHOLDER && !is_subscription(t))
    {
        text = replace_ignoring_case(&text, tenant, TENANT_PLACEHOLDER);
    }
    if let Ok(sanitized) = serde_json::from_str(&text) {
        *interaction = sanitized;
    }
}

/// Keeps the response headers a cassette records.
pub fn kept_headers<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, String> {
    headers
        .filter(|(name, _)| KEPT_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrubs_ids_urls_and_secrets() {
        let mut interaction = Interaction {
            method: "PUT".into(),
            path: "/subscriptions/1234abcd-0000-0000-0000-000000000009/resourceGroups/rg".into(),
            query: "api-version=1".into(),
            request_body: json!({ "properties": { "servicePrincipalProfile": { "clientId": "c", "secret": "hunter2" }, "tenantId": "99999999-aaaa-bbbb-cccc-dddddddddddd" } }),
            status: 200,
            response_headers: [(
                "location".to_string(),
                "https://management.azure.com/subscriptions/1234ABCD-0000-0000-0000-000000000009/x"
                    .to_string(),
            )]
            .into_iter()
            .collect(),
            response_body: json!({ "keys": [{ "keyName": "key1", "value": "c2VjcmV0" }], "issuer": "https://eastus.oic.prod-aks.azure.com/99999999-aaaa-bbbb-cccc-dddddddddddd/x/" }),
        };
        sanitize(&mut interaction, &["https://management.azure.com"]);
        let text = serde_json::to_string(&interaction).expect("json");
        for secret in [
            "hunter2",
            "c2VjcmV0",
            "1234abcd",
            "1234ABCD",
            "99999999",
            "management.azure.com",
        ] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(
            interaction.response_headers["location"],
            format!("{{{{base}}}}/subscriptions/{SUBSCRIPTION_PLACEHOLDER}/x")
        );
    }
}

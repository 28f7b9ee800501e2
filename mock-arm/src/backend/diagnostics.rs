//! Microsoft.Insights `diagnosticSettings` (`../shared/arm/FACTS-2.md` §2; spec
//! `monitor/.../2021-05-01-preview/openapi.json` and its examples): an extension resource on a
//! managed cluster, key vault, registry, storage account or blob service
//! (`{target}/providers/Microsoft.Insights/diagnosticSettings/{name}`), one mock kind per target
//! type. PUT is synchronous and answers 200 on create too; DELETE is synchronous (200, 204 when
//! absent); the list is per target; a missing target is a 404; settings go with their target.
//!
//! Rules: `properties` required; `logs[]`/`metrics[]` entries need `enabled` (spec `required`)
//! and a category the target type has (its log categories and groups, its metric categories:
//! FACTS-2 §2.3 for clusters; the vault, registry and storage names are those FACTS-2 lists as
//! unverified plus Azure Monitor's storage metrics); a log entry names exactly one of `category`
//! and `categoryGroup`; a `retentionPolicy` has `enabled` and `days` (spec `required`, days ≥ 0);
//! at least one destination; `logAnalyticsDestinationType` is `Dedicated`, `AzureDiagnostics`
//! or absent (FACTS-2 §2.2); the same workspace may not receive the same category from two
//! settings of one target (409 `Conflict`, FACTS-2 §2.4); at most 5 settings per target
//! (FACTS-2 §2.4; the error code is unverified, a 400 here). What is stored is what was sent, in
//! the envelope of the example GET (`id`, `type`, `name`, `properties`: no `systemData`, no
//! provisioning state).

use serde_json::{json, Map, Value};

use super::common;
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::parents;
use super::path::ResourcePath;
use super::provider::Provider;
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;

/// The destinations a setting may send to (spec `DiagnosticSettings`).
const DESTINATIONS: &[&str] = &[
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "serviceBusRuleId",
    "marketplacePartnerId",
];
/// `logAnalyticsDestinationType` values accepted (FACTS-2 §2.2).
const DESTINATION_TYPES: &[&str] = &["Dedicated", "AzureDiagnostics"];
/// At most this many settings per resource (FACTS-2 §2.4).
const MOST_PER_RESOURCE: usize = 5;
const GROUPS: &[&str] = &["allLogs", "audit"];

/// What one target type offers: log categories, category groups, metric categories.
struct Categories {
    logs: &'static [&'static str],
    groups: &'static [&'static str],
    metrics: &'static [&'static str],
}

fn categories(kind: Kind) -> Categories {
    match kind {
        Kind::DiagnosticSettingOfCluster => Categories {
            logs: &[
                "kube-audit",
                "kube-audit-admin",
                "kube-apiserver",
                "kube-controller-manager",
                "kube-scheduler",
                "cluster-autoscaler",
                "guard",
                "cloud-controller-manager",
                "csi-azuredisk-controller",
                "csi-azurefile-controller",
                "csi-snapshot-controller",
            ],
            groups: GROUPS,
            metrics: &["AllMetrics"],
        },
        Kind::DiagnosticSettingOfVault => Categories {
            logs: &["AuditEvent", "AzurePolicyEvaluationDetails"],
            groups: GROUPS,
            metrics: &["AllMetrics"],
        },
        Kind::DiagnosticSettingOfRegistry => Categories {
            logs: &[
                "ContainerRegistryLoginEvents",
                "ContainerRegistryRepositoryEvents",
            ],
            groups: GROUPS,
            metrics: &["AllMetrics"],
        },
        Kind::DiagnosticSettingOfStorageAccount => Categories {
            logs: &[],
            groups: &[],
            metrics: &["Transaction", "Capacity"],
        },
        _ => Categories {
            logs: &["StorageRead", "StorageWrite", "StorageDelete"],
            groups: GROUPS,
            metrics: &["Transaction", "Capacity"],
        },
    }
}

fn bad(target: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", message).with_target(target)
}

fn known(list: &[&str], name: &str) -> bool {
    list.iter().any(|known| known.eq_ignore_ascii_case(name))
}

/// Checks one `logs[]` or `metrics[]` entry at `at`; returns its category or group name.
fn check_entry(
    entry: &Value,
    at: &str,
    logs: bool,
    offered: &Categories,
) -> Result<String, ArmError> {
    let Some(object) = entry.as_object() else {
        return Err(bad(at, format!("'{at}' must be an object.")));
    };
    if !object.get("enabled").is_some_and(Value::is_boolean) {
        return Err(ArmError::required(&format!("{at}.enabled")));
    }
    if let Some(retention) = object.get("retentionPolicy") {
        let days_ok = retention
            .get("days")
            .and_then(Value::as_i64)
            .is_some_and(|days| days >= 0);
        if !retention.get("enabled").is_some_and(Value::is_boolean) || !days_ok {
            return Err(bad(
                &format!("{at}.retentionPolicy"),
                "A retention policy needs 'enabled' and 'days' (0 or more).",
            ));
        }
    }
    let category = object.get("category").and_then(Value::as_str);
    let group = object
        .get("categoryGroup")
        .and_then(Value::as_str)
        .filter(|_| logs);
    match (category, group) {
        (Some(category), None) => {
            let list = if logs { offered.logs } else { offered.metrics };
            if !known(list, category) {
                return Err(bad(
                    &format!("{at}.category"),
                    format!("Category '{category}' is not supported."),
                ));
            }
            Ok(category.to_owned())
        }
        (None, Some(group)) => {
            if !known(offered.groups, group) {
                return Err(bad(
                    &format!("{at}.categoryGroup"),
                    format!("Category group '{group}' is not supported."),
                ));
            }
            Ok(group.to_owned())
        }
        (Some(_), Some(_)) => Err(bad(
            at,
            "Specify either 'category' or 'categoryGroup', not both.",
        )),
        (None, None) => Err(ArmError::required(&format!("{at}.category"))),
    }
}

/// The enabled categories (and groups) a setting body sends.
fn enabled_categories(properties: &Value) -> Vec<String> {
    ["logs", "metrics"]
        .iter()
        .flat_map(|list| {
            properties
                .get(*list)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .filter(|entry| entry.get("enabled").and_then(Value::as_bool) == Some(true))
        .filter_map(|entry| {
            entry
                .get("category")
                .or_else(|| entry.get("categoryGroup"))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        })
        .collect()
}

fn validate(properties: &Map<String, Value>, kind: Kind) -> Result<(), ArmError> {
    let offered = categories(kind);
    for (list, logs) in [("logs", true), ("metrics", false)] {
        match properties.get(list) {
            None | Some(Value::Null) => {}
            Some(Value::Array(entries)) => {
                for (index, entry) in entries.iter().enumerate() {
                    check_entry(
                        entry,
                        &format!("properties.{list}[{index}]"),
                        logs,
                        &offered,
                    )?;
                }
            }
            Some(_) => {
                return Err(bad(
                    &format!("properties.{list}"),
                    format!("'{list}' must be an array."),
                ))
            }
        }
    }
    let has_destination = DESTINATIONS.iter().any(|key| {
        properties
            .get(*key)
            .and_then(Value::as_str)
            .is_some_and(|id| !id.is_empty())
    });
    if !has_destination {
        return Err(bad(
            "properties",
            "A diagnostic setting needs at least one destination: workspaceId, storageAccountId, \
             eventHubAuthorizationRuleId or marketplacePartnerId.",
        ));
    }
    match properties.get("logAnalyticsDestinationType") {
        None | Some(Value::Null) => {}
        Some(Value::String(value)) if known(DESTINATION_TYPES, value) => {}
        Some(other) => {
            return Err(bad(
                "properties.logAnalyticsDestinationType",
                format!("'{other}' is not a valid destination type: Dedicated or null."),
            ))
        }
    }
    Ok(())
}

/// 409 when another setting of the target already sends one of the same categories to the same
/// workspace (FACTS-2 §2.4).
fn check_sink_reuse(
    world: &World,
    path: &ResourcePath,
    parent_key: &str,
    properties: &Value,
) -> Result<(), ArmError> {
    let Some(workspace) = properties.get("workspaceId").and_then(Value::as_str) else {
        return Ok(());
    };
    let mine = enabled_categories(properties);
    for other in world.children(parent_key, path.kind) {
        if other.key() == path.key() {
            continue;
        }
        let other_properties = &other.body["properties"];
        let same_sink = other_properties
            .get("workspaceId")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(workspace));
        if !same_sink {
            continue;
        }
        if let Some(category) = enabled_categories(other_properties)
            .into_iter()
            .find(|category| mine.contains(category))
        {
            let other_name = other.body["name"].as_str().unwrap_or_default();
            return Err(ArmError::conflict(
                "Conflict",
                format!(
                    "Data sink '{workspace}' is already used in diagnostic setting '{other_name}' \
                     for category '{category}'. Data sinks can't be reused in different settings \
                     on the same category for the same resource."
                ),
            ));
        }
    }
    Ok(())
}

fn envelope(path: &ResourcePath, properties: Map<String, Value>) -> Value {
    json!({
        "id": path.id(),
        "type": path.kind.arm_type(),
        "name": path.name(),
        "properties": properties,
    })
}

fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let properties = match input.get("properties") {
        Some(Value::Object(properties)) => properties.clone(),
        _ => return Err(ArmError::required("properties")),
    };
    validate(&properties, path.kind)?;
    let existing = world.contains(&path.key());
    if !existing && world.children(&parent_key, path.kind).len() >= MOST_PER_RESOURCE {
        return Err(bad(
            "name",
            format!("A resource can have at most {MOST_PER_RESOURCE} diagnostic settings."),
        ));
    }
    check_sink_reuse(world, path, &parent_key, &Value::Object(properties.clone()))?;
    let body = envelope(path, properties);
    world.insert(Resource {
        id: path.id(),
        kind: path.kind,
        parent_key,
        body: body.clone(),
    });
    Ok(Reply::ok(body))
}

/// The provider hooks of diagnostic settings (every target type).
pub struct DiagnosticSettings;

impl Provider for DiagnosticSettings {
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        put(world, request, path)
    }

    fn delete(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        writes::delete_sync(world, request, path)
    }

    fn seed(
        &self,
        world: &mut World,
        _request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError> {
        let parent_key = path.parent().map(|parent| parent.key()).unwrap_or_default();
        let properties = match body.get("properties") {
            Some(Value::Object(properties)) => properties.clone(),
            _ => Map::new(),
        };
        world.insert(Resource {
            id: path.id(),
            kind: path.kind,
            parent_key,
            body: envelope(path, properties),
        });
        Ok(())
    }
}

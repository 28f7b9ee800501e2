//! Request bodies for writes: deep-merging the declared `after` into the live body (read-modify-
//! write, never a sparse PUT), stripping what ARM rejects in a PUT, and JSON-pointer helpers.

use serde_json::{Map, Value};

use crate::kind::descriptor::{ENVELOPE_FIELDS, PROVISIONING_STATE};
use crate::kind::Kind;

/// Merges `declared` into `live`: objects by key, arrays of named objects (`agentPoolProfiles`)
/// by `name`, anything else replaced by the declared value. `null` in `declared` means "not
/// declared / not known" and keeps the live value.
pub fn deep_merge(live: &Value, declared: &Value) -> Value {
    match (live, declared) {
        (_, Value::Null) => live.clone(),
        (Value::Object(live_map), Value::Object(declared_map)) => {
            let mut merged: Map<String, Value> = live_map.clone();
            for (key, declared_value) in declared_map {
                let value = match live_map.get(key) {
                    Some(live_value) => deep_merge(live_value, declared_value),
                    None => without_nulls(declared_value),
                };
                merged.insert(key.clone(), value);
            }
            Value::Object(merged)
        }
        (Value::Array(live_items), Value::Array(declared_items))
            if is_named_list(live_items) && is_named_list(declared_items) =>
        {
            let mut merged: Vec<Value> = live_items.clone();
            for declared_item in declared_items {
                let name = item_name(declared_item);
                match merged.iter_mut().find(|item| item_name(item) == name) {
                    Some(slot) => *slot = deep_merge(slot, declared_item),
                    None => merged.push(without_nulls(declared_item)),
                }
            }
            Value::Array(merged)
        }
        _ => without_nulls(declared),
    }
}

/// The body of a read-modify-write PUT of `kind`: `declared` merged into `live` (see
/// `deep_merge`) with the exceptions the kind's descriptor states, then stripped of what ARM
/// rejects:
/// - create-only fields keep their live value (a cluster's `agentPoolProfiles`: after creation
///   pools are written only through the agent-pool API);
/// - maps the diff rules own whole (a pool's `nodeLabels`) drop the live keys the estate does not
///   declare, except those with the service's own prefix (`kubernetes.azure.com/`);
/// - fields the write rules replace whole (a maintenance configuration's schedule: ARM takes one
///   and only one schedule type, so a declared `weekly` replaces a live `daily`).
pub fn body_for_update(kind: Kind, live: &Value, declared: &Value) -> Value {
    let descriptor = kind.descriptor();
    let mut declared = declared.clone();
    for path in descriptor.diff.create_only {
        let pointer = pointer_of(path);
        let segments: Vec<&str> = pointer.split('/').skip(1).collect();
        remove_path(&mut declared, &segments);
    }
    let mut merged = deep_merge(live, &declared);
    for map in descriptor.diff.owned_whole_maps {
        let pointer = pointer_of(map.path);
        if let Some(Value::Object(entries)) = declared.pointer(&pointer) {
            let mut owned = entries.clone();
            if let Some(Value::Object(live_entries)) = live.pointer(&pointer) {
                for (key, value) in live_entries {
                    if key.starts_with(map.service_prefix) {
                        owned.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
            }
            set_pointer(&mut merged, &pointer, Value::Object(owned));
        }
    }
    for pointer in descriptor.write.replaced_whole {
        if let Some(value) = declared.pointer(pointer) {
            set_pointer(&mut merged, pointer, without_nulls(value));
        }
    }
    strip_read_only(kind, &mut merged);
    if kind.is_cluster() {
        pools_move_with_channel_upgrade(live, &mut merged);
    }
    merged
}

/// Under an auto-upgrade channel AKS refuses a control-plane-only minor upgrade (FACTS-AKS-DAY2
/// §4): a cluster write raising the minor names the new version for every embedded pool, so the
/// one PUT moves the control plane and the pools (`planner::versions`).
fn pools_move_with_channel_upgrade(live: &Value, merged: &mut Value) {
    use crate::planner::versions::{minor_of, upgrade_channel};
    if upgrade_channel(live).is_none() {
        return;
    }
    let running = live
        .pointer("/properties/currentKubernetesVersion")
        .or_else(|| live.pointer("/properties/kubernetesVersion"))
        .and_then(Value::as_str)
        .and_then(minor_of);
    let Some(target) = merged
        .pointer("/properties/kubernetesVersion")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    if minor_of(&target) <= running {
        return;
    }
    if let Some(profiles) = merged
        .pointer_mut("/properties/agentPoolProfiles")
        .and_then(Value::as_array_mut)
    {
        for profile in profiles {
            if let Some(profile) = profile.as_object_mut() {
                profile.insert(
                    "orchestratorVersion".to_owned(),
                    Value::from(target.clone()),
                );
            }
        }
    }
}

/// The JSON pointer of a dotted rule path (`properties.nodeLabels` -> `/properties/nodeLabels`).
fn pointer_of(rule_path: &str) -> String {
    rule_path
        .split('.')
        .fold(String::new(), |pointer, key| pointer + "/" + key)
}

fn is_named_list(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|item| item_name(item).is_some())
}

fn item_name(item: &Value) -> Option<String> {
    item.get("name")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
}

/// A copy of `value` without object members whose value is `null` (unknowns not yet filled).
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key.clone(), without_nulls(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Removes from a live body everything a PUT of `kind` must not send: the common ARM envelope
/// (`id`, `name`, `type`, `systemData`, eTags), the provisioning state, and the fields the kind's
/// descriptor marks server-owned.
pub fn strip_read_only(kind: Kind, body: &mut Value) {
    if let Value::Object(map) = body {
        for key in ENVELOPE_FIELDS {
            map.remove(*key);
        }
    }
    let provisioning_state = pointer_of(PROVISIONING_STATE);
    let segments: Vec<&str> = provisioning_state.split('/').skip(1).collect();
    remove_path(body, &segments);
    for path in kind.descriptor().diff.server_owned {
        let segments: Vec<&str> = path.split('/').skip(1).collect();
        remove_path(body, &segments);
    }
}

fn remove_path(value: &mut Value, segments: &[&str]) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() {
        if let Value::Object(map) = value {
            map.remove(*first);
        }
        return;
    }
    match (value, *first) {
        (Value::Object(map), "*") => map.values_mut().for_each(|m| remove_path(m, rest)),
        (Value::Array(items), "*") => items.iter_mut().for_each(|m| remove_path(m, rest)),
        (Value::Object(map), key) => {
            if let Some(member) = map.get_mut(key) {
                remove_path(member, rest);
            }
        }
        _ => {}
    }
}

/// Sets the value at JSON `pointer` in `target`, creating intermediate objects. Returns false
/// when the pointer crosses a non-object or an array index that does not exist.
pub fn set_pointer(target: &mut Value, pointer: &str, value: Value) -> bool {
    if pointer.is_empty() {
        *target = value;
        return true;
    }
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut current = target;
    for segment in parents {
        if current.is_null() {
            *current = Value::Object(Map::new());
        }
        current = match current {
            Value::Object(map) => map
                .entry(segment.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            Value::Array(items) => {
                match segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
    if current.is_null() {
        *current = Value::Object(Map::new());
    }
    match current {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            true
        }
        Value::Array(items) => match last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// ARM's `provisioningState` of a body (`None` when absent: counts as Succeeded).
pub fn provisioning_state(body: &Value) -> Option<&str> {
    body.pointer("/properties/provisioningState")
        .and_then(Value::as_str)
}

/// Whether a provisioning state is terminal (`Succeeded`, `Failed`, `Canceled`) or absent.
pub fn is_terminal_state(state: Option<&str>) -> bool {
    match state {
        None => true,
        Some(state) => ["succeeded", "failed", "canceled", "cancelled"]
            .iter()
            .any(|terminal| state.eq_ignore_ascii_case(terminal)),
    }
}

/// The eTag of a body, as ARM spells it for the kind (`eTag` on AKS, `etag` elsewhere).
pub fn etag(body: &Value) -> Option<String> {
    body.get("eTag")
        .or_else(|| body.get("etag"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_keeps_live_fields_and_merges_pools_by_name() {
        let live = json!({
            "location": "eastus",
            "properties": {
                "addonProfiles": {"omsagent": {"enabled": true}},
                "agentPoolProfiles": [
                    {"name": "system", "count": 3, "mode": "System"},
                    {"name": "user", "count": 2}
                ],
                "kubernetesVersion": "1.32"
            }
        });
        let declared = json!({
            "properties": {
                "kubernetesVersion": "1.33",
                "agentPoolProfiles": [{"name": "SYSTEM", "count": 5}],
                "oidcIssuerProfile": {"enabled": true, "issuerURL": null}
            }
        });
        let merged = deep_merge(&live, &declared);
        assert_eq!(merged["properties"]["kubernetesVersion"], "1.33");
        assert_eq!(
            merged["properties"]["addonProfiles"]["omsagent"]["enabled"],
            true
        );
        let pools = merged["properties"]["agentPoolProfiles"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(pools.len(), 2);
        assert_eq!(pools[0]["count"], 5);
        assert_eq!(pools[0]["mode"], "System");
        assert_eq!(
            merged["properties"]["oidcIssuerProfile"],
            json!({"enabled": true})
        );
    }

    #[test]
    fn cluster_updates_keep_live_pool_profiles_and_pool_labels_are_owned_whole() {
        let live = json!({"properties": {
            "agentPoolProfiles": [{"name": "system", "count": 4, "provisioningState": "Succeeded"}],
            "kubernetesVersion": "1.32"}});
        let declared = json!({"properties": {
            "agentPoolProfiles": [{"name": "system", "count": 3}], "kubernetesVersion": "1.33"}});
        let cluster = body_for_update(Kind::ManagedCluster, &live, &declared);
        assert_eq!(
            cluster["properties"]["agentPoolProfiles"],
            json!([{"name": "system", "count": 4}])
        );
        assert_eq!(cluster["properties"]["kubernetesVersion"], "1.33");

        let live = json!({"properties": {"nodeLabels": {
            "team": "a", "stale": "x", "kubernetes.azure.com/scalesetpriority": "spot"}}});
        let declared = json!({"properties": {"nodeLabels": {"team": "b"}}});
        let pool = body_for_update(Kind::AgentPool, &live, &declared);
        assert_eq!(
            pool["properties"]["nodeLabels"],
            json!({"team": "b", "kubernetes.azure.com/scalesetpriority": "spot"})
        );
    }

    #[test]
    fn maintenance_schedules_are_replaced_whole_and_replica_status_is_stripped() {
        let live = json!({"id": "/x", "name": "aksManagedAutoUpgradeSchedule", "properties": {
            "maintenanceWindow": {"schedule": {"daily": {"intervalDays": 2}},
                                  "durationHours": 6, "startTime": "01:00",
                                  "notAllowedDates": [{"start": "2026-12-24", "end": "2026-12-26"}]}}});
        let declared = json!({"properties": {"maintenanceWindow": {
            "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
            "durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00"}}});
        let body = body_for_update(Kind::MaintenanceConfiguration, &live, &declared);
        assert_eq!(
            body,
            json!({"properties": {"maintenanceWindow": {
                "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
                "durationHours": 4, "startTime": "02:00", "utcOffset": "+00:00",
                "notAllowedDates": [{"start": "2026-12-24", "end": "2026-12-26"}]}}})
        );

        let live = json!({"location": "centralus", "tags": {"a": "b"}, "properties": {
            "provisioningState": "Succeeded", "regionEndpointEnabled": true,
            "zoneRedundancy": "Disabled", "status": {"displayStatus": "Ready"}}});
        let declared = json!({"location": "centralus", "tags": {"a": "c"},
                              "properties": {"regionEndpointEnabled": false}});
        let body = body_for_update(Kind::RegistryReplication, &live, &declared);
        assert_eq!(
            body,
            json!({"location": "centralus", "tags": {"a": "c"}, "properties": {
                "regionEndpointEnabled": false, "zoneRedundancy": "Disabled"}})
        );
    }

    #[test]
    fn declared_plain_arrays_replace_live_ones() {
        let live = json!({"rules": [{"value": "1.1.1.1"}, {"value": "2.2.2.2"}]});
        let declared = json!({"rules": [{"value": "3.3.3.3"}]});
        assert_eq!(deep_merge(&live, &declared), declared);
    }

    #[test]
    fn strips_envelope_and_kind_read_only_fields() {
        let mut body = json!({
            "id": "/x", "name": "aks", "type": "t", "eTag": "\"1\"", "systemData": {},
            "identity": {"type": "UserAssigned", "principalId": "p",
                         "userAssignedIdentities": {"/u": {"clientId": "c", "principalId": "p"}}},
            "properties": {
                "provisioningState": "Succeeded", "fqdn": "f", "powerState": {"code": "Running"},
                "oidcIssuerProfile": {"enabled": true, "issuerURL": "https://issuer"},
                "agentPoolProfiles": [{"name": "system", "provisioningState": "Succeeded", "count": 3}]
            }
        });
        strip_read_only(Kind::ManagedCluster, &mut body);
        assert_eq!(
            body,
            json!({
                "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/u": {}}},
                "properties": {
                    "oidcIssuerProfile": {"enabled": true},
                    "agentPoolProfiles": [{"name": "system", "count": 3}]
                }
            })
        );
    }

    #[test]
    fn set_pointer_creates_intermediate_objects() {
        let mut body = json!({"properties": {"issuer": null}});
        assert!(set_pointer(
            &mut body,
            "/properties/issuer",
            json!("https://i")
        ));
        assert!(set_pointer(&mut body, "/properties/a/b", json!(1)));
        assert_eq!(
            body,
            json!({"properties": {"issuer": "https://i", "a": {"b": 1}}})
        );
        let mut scalar = json!({"properties": 3});
        assert!(!set_pointer(&mut scalar, "/properties/x", json!(1)));
    }

    #[test]
    fn terminal_states() {
        assert!(is_terminal_state(None));
        assert!(is_terminal_state(Some("Succeeded")));
        assert!(is_terminal_state(Some("failed")));
        assert!(!is_terminal_state(Some("Updating")));
    }
}

//! Small helpers for editing ARM JSON bodies (`serde_json::Value`) without panicking.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The object inside `value`, turning `value` into an empty object first if it is not one.
pub fn object(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable_object(),
    }
}

#[allow(clippy::unreachable)]
fn unreachable_object() -> ! {
    // `object` replaced any non-object with an object just above.
    unreachable!("value was just made an object")
}

/// The object under `key` in `value`, created when missing or not an object.
pub fn child<'a>(value: &'a mut Value, key: &str) -> &'a mut Value {
    let map = object(value);
    let entry = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry
}

/// Sets `key` to `default` when it is missing or null.
pub fn default(value: &mut Value, key: &str, default: Value) {
    let map = object(value);
    match map.get(key) {
        Some(existing) if !existing.is_null() => {}
        _ => {
            map.insert(key.to_string(), default);
        }
    }
}

/// Sets `key` unconditionally.
pub fn set(value: &mut Value, key: &str, new_value: Value) {
    object(value).insert(key.to_string(), new_value);
}

/// Removes `key` when present.
pub fn remove(value: &mut Value, key: &str) -> Option<Value> {
    match value {
        Value::Object(map) => map.remove(key),
        _ => None,
    }
}

/// The string at a JSON pointer (`/properties/x`).
pub fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// The boolean at a JSON pointer.
pub fn bool_at(value: &Value, pointer: &str) -> Option<bool> {
    value.pointer(pointer).and_then(Value::as_bool)
}

/// A present, non-null value at a JSON pointer.
pub fn at<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    value.pointer(pointer).filter(|found| !found.is_null())
}

/// Merges `patch` into `target` the way ARM PATCH does: objects recursively, everything else
/// replaced (null values are ignored rather than removing the field).
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target_map), Value::Object(patch_map)) => {
            for (key, patch_value) in patch_map {
                if patch_value.is_null() {
                    continue;
                }
                match target_map.get_mut(key) {
                    Some(existing) if existing.is_object() && patch_value.is_object() => {
                        merge(existing, patch_value)
                    }
                    _ => {
                        target_map.insert(key.clone(), patch_value.clone());
                    }
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// RFC 3339 UTC timestamp with 7 fractional digits, as ARM writes them.
pub fn timestamp(wall: OffsetDateTime) -> String {
    let base = wall
        .replace_nanosecond(wall.nanosecond() / 100 * 100)
        .unwrap_or(wall)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string());
    // Rfc3339 trims trailing zeros; pad the fraction to 7 digits like ARM does.
    match base.strip_suffix('Z') {
        Some(stem) => {
            let (seconds, fraction) = match stem.split_once('.') {
                Some((seconds, fraction)) => (seconds.to_string(), fraction.to_string()),
                None => (stem.to_string(), String::new()),
            };
            format!("{seconds}.{:0<7}Z", fraction)
        }
        None => base,
    }
}

/// A fresh GUID string.
pub fn guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` random lower-case hex characters.
pub fn random_hex(n: usize) -> String {
    let mut text = String::new();
    while text.len() < n {
        text.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    text.truncate(n);
    text
}

/// Canonical short location: lower case without spaces (`East US` -> `eastus`).
pub fn normalize_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// An eTag value compared the way HTTP does: without quotes or a weak prefix.
pub fn etag_value(raw: &str) -> &str {
    raw.trim().trim_start_matches("W/").trim_matches('"')
}

/// Whether two values hold the same JSON, comparing strings case-insensitively.
pub fn same_ignoring_case(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_ignoring_case(x, y))
        }
        _ => left == right,
    }
}

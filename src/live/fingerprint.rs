//! Fingerprints of live bodies for the stale-plan check: the eTag when ARM gives one, otherwise a
//! SHA-256 of the canonical JSON (keys sorted, `systemData` dropped).

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fingerprint of a resource the plan saw as missing.
pub const ABSENT: &str = "absent";

/// `etag:<eTag>` when the body carries `etag`/`eTag`, else `sha256:<hex>` of its canonical JSON
/// without `systemData`.
pub fn fingerprint_of(body: &Value) -> String {
    let etag = ["eTag", "etag"]
        .iter()
        .find_map(|key| body.get(*key).and_then(Value::as_str));
    if let Some(etag) = etag {
        return format!("etag:{}", etag.trim_matches('"'));
    }
    let mut stripped = body.clone();
    if let Some(object) = stripped.as_object_mut() {
        object.remove("systemData");
    }
    let digest = Sha256::digest(canonical_json(&stripped).as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// JSON with object keys sorted at every level and no insignificant whitespace.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(item) = object.get(key) {
                    write_canonical(item, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_ignores_key_order_and_system_data() {
        let a = json!({"id": "x", "properties": {"a": 1, "b": [1, 2]}, "systemData": {"createdAt": "1"}});
        let b = json!({"properties": {"b": [1, 2], "a": 1}, "id": "x", "systemData": {"createdAt": "2"}});
        assert_eq!(fingerprint_of(&a), fingerprint_of(&b));
        assert!(fingerprint_of(&a).starts_with("sha256:"));
        let c = json!({"id": "x", "properties": {"a": 2, "b": [1, 2]}});
        assert_ne!(fingerprint_of(&a), fingerprint_of(&c));
    }

    #[test]
    fn etag_wins_and_loses_its_quotes() {
        assert_eq!(fingerprint_of(&json!({"etag": "\"0x8D\""})), "etag:0x8D");
        assert_eq!(fingerprint_of(&json!({"eTag": "abc"})), "etag:abc");
    }
}

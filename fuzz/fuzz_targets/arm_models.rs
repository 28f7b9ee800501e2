//! libFuzzer target: arbitrary bytes as an ARM answer body, through every model that reads one
//! (live resources, deleted vaults, fingerprints, the per-kind diff, saved plans, redaction).
#![no_main]

use aksctl::kind::Kind;
use aksctl::live::{canonical_json, fingerprint_of, DeletedVault, LiveResource};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let _ = aksctl::arm::redact(&String::from_utf8_lossy(data));
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let _ = LiveResource::from_body(body.clone());
    let _ = DeletedVault::from_body(&body);
    let _ = fingerprint_of(&body);
    let _ = canonical_json(&body);
    for kind in Kind::ALL {
        let _ = aksctl::diff::compare(kind, &body, &body);
        let _ = aksctl::diff::compare(kind, &Value::Null, &body);
    }
    let _ = serde_json::from_value::<aksctl::plan::Plan>(body.clone());
    if let Some(items) = body.get("value").and_then(Value::as_array) {
        for item in items {
            let _ = LiveResource::from_body(item.clone());
        }
    }
});

//! Defensive redaction for rendered plans: bodies should never carry secrets, but if one slips
//! through (a service principal secret, an admin password, keys), it is masked before printing.

use serde_json::Value;

use crate::plan::Plan;

/// The mask shown instead of a secret value.
pub const REDACTED: &str = "(sensitive)";

/// Object keys whose values are secrets wherever they appear.
const SECRET_KEYS: &[&str] = &[
    "secret",
    "clientSecret",
    "adminPassword",
    "serverAppSecret",
    "password",
    "primaryKey",
    "secondaryKey",
    "connectionString",
    "primaryConnectionString",
    "secondaryConnectionString",
    "accessToken",
    "refreshToken",
    "sasToken",
];

fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(key))
}

/// Masks secret values in place.
pub fn redact_value(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                if is_secret_key(key) && !item.is_null() {
                    *item = Value::String(REDACTED.to_owned());
                } else {
                    redact_value(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// A copy of the plan with every `before`/`after` body (and every step's body) redacted.
pub fn redacted(plan: &Plan) -> Plan {
    let mut plan = plan.clone();
    for change in &mut plan.changes {
        if let Some(before) = change.before.as_mut() {
            redact_value(before);
        }
        if let Some(after) = change.after.as_mut() {
            redact_value(after);
        }
        for step in &mut change.procedure.steps {
            if let Some(body) = step.body.as_mut() {
                redact_value(body);
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let mut body = json!({"properties": {"servicePrincipalProfile": {"clientId": "msi", "secret": "hunter2"},
            "windowsProfile": {"adminPassword": "p"}, "list": [{"password": "x"}]}});
        redact_value(&mut body);
        let text = body.to_string();
        assert!(!text.contains("hunter2") && !text.contains("\"p\"") && !text.contains("\"x\""));
        assert!(text.contains("msi"));
    }
}

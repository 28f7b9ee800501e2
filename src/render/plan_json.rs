//! `--output json`: the plan exactly as its JSON contract (`docs/plan-json.md`), pretty-printed,
//! with secret fields masked defensively.

use crate::plan::Plan;
use crate::render::plan_redact::redacted;

/// The plan as pretty JSON (with a trailing newline).
pub fn render(plan: &Plan) -> String {
    match serde_json::to_string_pretty(&redacted(plan)) {
        Ok(json) => json + "\n",
        // Serializing plain data cannot fail; keep a valid JSON answer if it ever does.
        Err(error) => format!(
            "{{\"error\":{}}}\n",
            serde_json::Value::String(error.to_string())
        ),
    }
}

/// Prints the plan as JSON on stdout.
pub fn print(plan: &Plan) {
    print!("{}", render(plan));
}

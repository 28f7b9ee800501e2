//! Printing a rendered estate as YAML (`aksctl render`) and the estate JSON Schema
//! (`aksctl schema`) to stdout.

use serde_json::Value;

use crate::spec::types::{Estate, API_VERSION};

/// Why an estate could not be turned into YAML.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the estate as YAML: {0}")]
pub struct RenderError(String);

/// The estate as YAML, with a header comment saying what it is. Strings keep one line each, and
/// a literal `${` is written as `$${` so the output reads back to the same estate.
pub fn estate_yaml(estate: &Estate) -> Result<String, RenderError> {
    let mut value = serde_json::to_value(estate).map_err(|error| RenderError(error.to_string()))?;
    escape_substitutions(&mut value);
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    let body = serde_saphyr::to_string_with_options(&value, options)
        .map_err(|error| RenderError(error.to_string()))?;
    Ok(format!(
        "# Rendered by aksctl: the merged, defaulted estate `{}` ({API_VERSION}).\n{body}",
        estate.name()
    ))
}

fn escape_substitutions(value: &mut Value) {
    match value {
        Value::String(text) if text.contains("${") => *text = text.replace("${", "$${"),
        Value::Array(items) => items.iter_mut().for_each(escape_substitutions),
        Value::Object(fields) => fields.values_mut().for_each(escape_substitutions),
        _ => {}
    }
}

pub fn print_estate_yaml(yaml: &str) {
    print!("{yaml}");
    if !yaml.ends_with('\n') {
        println!();
    }
}

/// Prints a JSON document (the schema) pretty-printed.
pub fn print_json(value: &Value) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("error: cannot print JSON: {error}"),
    }
}

/// Writes generated text (a completion script, a man page) to stdout as it is.
pub fn print_bytes(bytes: &[u8]) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{load_inputs, Input};

    #[test]
    fn rendering_reads_back_to_the_same_estate() {
        let text = "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nmetadata: {name: e}\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: eastus\ntags: {note: 'costs $${PRICE}', version: '1.30'}\n";
        let load = |name: &str, text: String| {
            let input = Input {
                name: name.into(),
                bytes: Ok(text.into_bytes()),
            };
            load_inputs(vec![input], &|_| None).map(|loaded| loaded.estate)
        };
        let estate = load("a.yaml", text.to_string()).expect("valid");
        assert_eq!(estate.tags["note"], "costs ${PRICE}");
        let rendered = estate_yaml(&estate).expect("renders");
        assert_eq!(load("b.yaml", rendered).expect("rendered is valid"), estate);
    }
}

//! Small builders for JSON Schema fragments (objects closed to unknown fields, named items that
//! merge by `name`, enums from the estate's string enums).

use serde_json::{json, Map, Value};

use crate::spec::merge::REMOVE_KEY;

pub(crate) fn object(
    description: &str,
    required: &[&str],
    properties: Vec<(&str, Value)>,
) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!("object"));
    if !description.is_empty() {
        map.insert("description".into(), json!(description));
    }
    map.insert(
        "properties".into(),
        Value::Object(
            properties
                .into_iter()
                .map(|(name, schema)| (name.to_string(), schema))
                .collect(),
        ),
    );
    if !required.is_empty() {
        map.insert("required".into(), json!(required));
    }
    map.insert("additionalProperties".into(), json!(false));
    Value::Object(map)
}

/// An object merged by `name` across files: `name` is required and `remove` is allowed.
pub(crate) fn named_object(
    description: &str,
    required: &[&str],
    mut properties: Vec<(&str, Value)>,
) -> Value {
    properties.insert(
        0,
        ("name", string("Name (also the merge key across files).")),
    );
    properties.push((REMOVE_KEY, remove_flag()));
    let mut all_required = vec!["name"];
    all_required.extend_from_slice(required);
    object(description, &all_required, properties)
}

pub(crate) fn remove_flag() -> Value {
    json!({"type": "boolean", "description": "In a later `-f` file: delete the item of this name declared earlier."})
}

pub(crate) fn add(schema: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = schema {
        map.insert(key.into(), value);
    }
}

pub(crate) fn reference(definition: &str) -> Value {
    json!({"$ref": format!("#/$defs/{definition}")})
}

pub(crate) fn named_list(definition: &str) -> Value {
    json!({"type": "array", "items": reference(definition)})
}

pub(crate) fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

pub(crate) fn string(description: &str) -> Value {
    if description.is_empty() {
        json!({"type": "string"})
    } else {
        json!({"type": "string", "description": description})
    }
}

pub(crate) fn boolean(description: &str) -> Value {
    if description.is_empty() {
        json!({"type": "boolean"})
    } else {
        json!({"type": "boolean", "description": description})
    }
}

pub(crate) fn count(description: &str) -> Value {
    let mut schema = json!({"type": "integer", "minimum": 0, "maximum": u32::MAX});
    if !description.is_empty() {
        add(&mut schema, "description", json!(description));
    }
    schema
}

pub(crate) fn strings<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    json!({"type": "string", "enum": values.collect::<Vec<_>>()})
}

pub(crate) fn location() -> Value {
    string("Azure region; defaults to the resource group's, then the estate's.")
}

pub(crate) fn resource_group() -> Value {
    string("Logical name of a resource group in `resourceGroups`.")
}

//! The JSON Schema (draft 2020-12) of the estate format: what `aksctl schema` prints for editors,
//! and what `check` validates the located YAML tree against before typed conversion. It covers
//! structure (fields, types, enums, exclusive choices); naming rules, references and cross-field
//! rules stay in `validate`, which reports them with better hints.

use serde_json::{json, Map, Value};

use crate::spec::types::{API_VERSION, IN_GROUP_LISTS, KIND};

pub(crate) mod builders;
mod checks;
mod definitions;
mod diagnostics;
mod network;
mod rollout;
mod settings;

use builders::{named_list, object, reference, string};

/// The `$id` of the schema.
pub const SCHEMA_ID: &str = "https://aksctl.dev/schemas/estate-v1alpha1.json";

/// The whole schema.
pub fn estate_schema() -> Value {
    let mut definitions = Map::new();
    for (name, definition) in definitions::definitions_list()
        .into_iter()
        .chain(checks::definitions())
        .chain(rollout::definitions())
        .chain(network::network_definitions())
        .chain(settings::settings_definitions())
        .chain(diagnostics::definitions())
    {
        definitions.insert(name.to_string(), definition);
    }
    // The definitions written beside their estate types.
    for list in IN_GROUP_LISTS {
        if let Some(definition) = (list.schema_definition)() {
            definitions.insert(list.type_name.to_string(), definition);
        }
    }
    let mut properties = vec![
        (
            "apiVersion",
            json!({"const": API_VERSION, "description": "Format version."}),
        ),
        ("kind", json!({"const": KIND})),
        ("metadata", reference("Metadata")),
        (
            "subscription",
            string("Subscription id (GUID), literal or `${ENV_VAR}`."),
        ),
        (
            "tenantId",
            string("Entra tenant id; defaults to the credential's tenant."),
        ),
        ("location", string("Default Azure region, e.g. `eastus2`.")),
        ("tags", reference("Tags")),
        ("resourceGroups", named_list("ResourceGroup")),
    ];
    properties.extend(
        IN_GROUP_LISTS
            .iter()
            .map(|list| (list.key, named_list(list.type_name))),
    );
    properties.extend([
        ("roleAssignments", named_list("RoleAssignment")),
        ("checks", reference("Checks")),
        ("rollout", reference("Rollout")),
    ]);
    let mut root = object(
        "An aksctl estate: every Azure resource of one AKS platform, in one subscription.",
        &["apiVersion", "kind", "metadata", "subscription", "location"],
        properties,
    );
    if let Value::Object(root) = &mut root {
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        root.insert("$id".into(), json!(SCHEMA_ID));
        root.insert("title".into(), json!("aksctl estate"));
        root.insert("$defs".into(), Value::Object(definitions));
    }
    root
}

#[cfg(test)]
mod type_fields;

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::Value;

    use super::estate_schema;
    use super::type_fields::{shapes_of, Shape};
    use crate::spec::merge::REMOVE_KEY;
    use crate::spec::types::Estate;

    /// The schema node at a type path (`clusters[].addons.monitoring`), following `$ref`s.
    fn node_at<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
        let mut node = resolve(schema, schema);
        if path.is_empty() {
            return Some(node);
        }
        for segment in path.split('.') {
            let key = segment.trim_end_matches("[]");
            node = resolve(schema, node.get("properties")?.get(key)?);
            for _ in 0..(segment.len() - key.len()) / 2 {
                node = resolve(schema, node.get("items")?);
            }
        }
        Some(node)
    }

    fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix("#/$defs/")
                .and_then(|name| schema.get("$defs")?.get(name))
                .map_or(node, |found| resolve(schema, found)),
            None => node,
        }
    }

    /// Every path of the schema that is an object with properties.
    fn schema_objects(schema: &Value, node: &Value, path: String, found: &mut BTreeSet<String>) {
        let node = resolve(schema, node);
        if let Some(Value::Object(properties)) = node.get("properties") {
            if !found.insert(path.clone()) {
                return;
            }
            for (key, child) in properties {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                schema_objects(schema, child, child_path, found);
            }
        }
        if let Some(items) = node.get("items") {
            schema_objects(schema, items, format!("{path}[]"), found);
        }
    }

    #[test]
    fn the_schema_has_exactly_the_fields_and_values_of_the_estate_types() {
        let schema = estate_schema();
        let shapes: BTreeMap<String, Shape> = shapes_of::<Estate>();
        assert!(shapes.len() > 30, "too few types recorded: {shapes:#?}");
        let mut problems = Vec::new();
        for (path, shape) in &shapes {
            let Some(node) = node_at(&schema, path) else {
                problems.push(format!("`{path}` is in the types but not in the schema"));
                continue;
            };
            match shape {
                Shape::Struct(fields) => {
                    let in_types: BTreeSet<&str> = fields.iter().copied().collect();
                    let in_schema: BTreeSet<&str> = node
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|properties| {
                            properties
                                .keys()
                                .map(String::as_str)
                                .filter(|key| *key != REMOVE_KEY)
                                .collect()
                        })
                        .unwrap_or_default();
                    for missing in in_types.difference(&in_schema) {
                        problems.push(format!("`{path}.{missing}` is not in the schema"));
                    }
                    for extra in in_schema.difference(&in_types) {
                        problems.push(format!("schema `{path}.{extra}` is not in the types"));
                    }
                }
                Shape::Enum(variants) => {
                    let in_types: BTreeSet<&str> = variants.iter().copied().collect();
                    let in_schema: BTreeSet<&str> = node
                        .get("enum")
                        .and_then(Value::as_array)
                        .map(|values| values.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    if in_types != in_schema {
                        problems.push(format!(
                            "`{path}`: values {in_types:?} in the types, {in_schema:?} in the schema"
                        ));
                    }
                }
            }
        }
        let mut objects = BTreeSet::new();
        schema_objects(&schema, &schema, String::new(), &mut objects);
        for path in objects {
            if !matches!(shapes.get(&path), Some(Shape::Struct(_))) {
                problems.push(format!(
                    "schema object `{path}` is not a type of the estate"
                ));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

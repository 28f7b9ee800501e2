//! Structural check of a located YAML tree against the estate JSON Schema (the subset
//! `schema.rs` emits: `$ref`, `type`, `const`, `enum`, `properties`, `required`,
//! `additionalProperties`, `items`, `minimum`, `maximum`, `oneOf`, `allOf`). Reports
//! every problem with its position: unknown fields with "did you mean", wrong types, bad enum
//! values, missing fields.

use serde_json::Value;

use crate::spec::diagnostic::Diagnostic;
use crate::spec::node::{index_path, key_path, Located, Node};
use crate::spec::suggest::closest;

/// Checks `tree` against `schema` (a root schema with `$defs`); returns every problem.
pub fn check(tree: &Located<Node>, schema: &Value) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    Checker { root: schema }.check(tree, schema, "", &mut diagnostics);
    diagnostics
}

struct Checker<'a> {
    root: &'a Value,
}

impl<'a> Checker<'a> {
    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..16 {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return current;
            };
            let target = reference
                .strip_prefix("#/$defs/")
                .and_then(|name| self.root.get("$defs")?.get(name));
            match target {
                Some(target) => current = target,
                None => return current,
            }
        }
        current
    }

    fn check(
        &self,
        node: &Located<Node>,
        schema: &'a Value,
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let schema = self.resolve(schema);
        if let Some(expected) = schema.get("const") {
            if node.value.to_json() != *expected {
                let text = expected
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| expected.to_string());
                out.push(
                    Diagnostic::new(
                        node.at,
                        path,
                        format!("must be `{text}`, found {}", found(&node.value)),
                    )
                    .with_hint(format!("write `{text}`")),
                );
                return;
            }
        }
        if let Some(types) = schema.get("type") {
            if !type_matches(&node.value, types) {
                out.push(type_mismatch(node, types, path));
                return;
            }
        }
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.contains(&node.value.to_json()) {
                out.push(enum_mismatch(node, allowed, path));
                return;
            }
        }
        self.check_range(node, schema, path, out);
        match &node.value {
            Node::Mapping(entries) => self.check_mapping(node, entries, schema, path, out),
            Node::Sequence(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.check(item, item_schema, &index_path(path, index), out);
                    }
                }
            }
            _ => {}
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for part in all {
                self.check(node, part, path, out);
            }
        }
        if let Some(Value::Array(branches)) = schema.get("oneOf") {
            self.check_one_of(node, branches, path, out);
        }
    }

    fn check_range(
        &self,
        node: &Located<Node>,
        schema: &Value,
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let number = match node.value {
            Node::Integer(value) => value as f64,
            Node::Float(value) => value,
            _ => return,
        };
        if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64) {
            if number < minimum {
                out.push(
                    Diagnostic::new(
                        node.at,
                        path,
                        format!("must be at least {minimum}, found {}", found(&node.value)),
                    )
                    .with_hint(format!("use a value of {minimum} or more")),
                );
            }
        }
        if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64) {
            if number > maximum {
                out.push(
                    Diagnostic::new(
                        node.at,
                        path,
                        format!("must be at most {maximum}, found {}", found(&node.value)),
                    )
                    .with_hint(format!("use a value of {maximum} or less")),
                );
            }
        }
    }

    fn check_mapping(
        &self,
        node: &Located<Node>,
        entries: &[(Located<String>, Located<Node>)],
        schema: &'a Value,
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        for (key, value) in entries {
            let field_path = key_path(path, &key.value);
            match properties.and_then(|properties| properties.get(&key.value)) {
                Some(property_schema) => self.check(value, property_schema, &field_path, out),
                None => match additional {
                    Some(Value::Bool(false)) => {
                        let known: Vec<&str> = properties
                            .map(|properties| properties.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        let elsewhere = self.definitions_with_field(&key.value);
                        out.push(unknown_field(key, &known, &elsewhere, &field_path));
                    }
                    Some(additional_schema @ Value::Object(_)) => {
                        self.check(value, additional_schema, &field_path, out);
                    }
                    _ => {}
                },
            }
        }
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !entries.iter().any(|(key, _)| key.value == name) {
                    out.push(
                        Diagnostic::new(node.at, path, format!("missing required field `{name}`"))
                            .with_hint(format!("add `{name}:` here")),
                    );
                }
            }
        }
    }

    /// Names of the schema definitions that have a property `name` (for "wrong place" hints).
    fn definitions_with_field(&self, name: &str) -> Vec<&'a str> {
        self.root
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, definition)| {
                definition
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|properties| properties.contains_key(name))
            })
            .map(|(definition_name, _)| definition_name.as_str())
            .collect()
    }

    fn check_one_of(
        &self,
        node: &Located<Node>,
        branches: &'a [Value],
        path: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let matching: Vec<&Value> = branches
            .iter()
            .filter(|branch| {
                let mut scratch = Vec::new();
                self.check(node, branch, path, &mut scratch);
                scratch.is_empty()
            })
            .collect();
        if matching.len() == 1 {
            return;
        }
        let describe = |branch: &Value| -> String {
            branch
                .get("required")
                .and_then(Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .unwrap_or_else(|| "another form".to_string())
        };
        let choices: Vec<String> = branches.iter().map(describe).collect();
        let message = if matching.is_empty() {
            format!("needs one of {}", choices.join(", "))
        } else {
            let chosen: Vec<String> = matching.iter().map(|branch| describe(branch)).collect();
            format!("{} cannot be used together", chosen.join(" and "))
        };
        out.push(
            Diagnostic::new(node.at, path, message)
                .with_hint(if matching.is_empty() {
                    format!("set exactly one of {}", choices.join(", "))
                } else {
                    format!(
                        "set exactly one of {}; a later `-f` file drops an inherited field with `field: null`",
                        choices.join(", ")
                    )
                }),
        );
    }
}

fn type_matches(node: &Node, types: &Value) -> bool {
    let matches_one = |name: &str| match name {
        "string" => matches!(node, Node::String(_)),
        "integer" => matches!(node, Node::Integer(_)),
        "number" => matches!(node, Node::Integer(_) | Node::Float(_)),
        "boolean" => matches!(node, Node::Bool(_)),
        "object" => matches!(node, Node::Mapping(_)),
        "array" => matches!(node, Node::Sequence(_)),
        "null" => matches!(node, Node::Null),
        _ => true,
    };
    match types {
        Value::String(name) => matches_one(name),
        Value::Array(names) => names.iter().filter_map(Value::as_str).any(matches_one),
        _ => true,
    }
}

fn type_name(name: &str) -> &str {
    match name {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "object" => "a mapping",
        "array" => "a list",
        "null" => "null",
        other => other,
    }
}

fn found(node: &Node) -> String {
    match node {
        Node::String(text) => format!("`{text}`"),
        other => other.describe(),
    }
}

fn type_mismatch(node: &Located<Node>, types: &Value, path: &str) -> Diagnostic {
    let expected: Vec<&str> = match types {
        Value::String(name) => vec![type_name(name)],
        Value::Array(names) => names
            .iter()
            .filter_map(Value::as_str)
            .map(type_name)
            .collect(),
        _ => vec![],
    };
    let expected = expected.join(" or ");
    let diagnostic = Diagnostic::new(
        node.at,
        path,
        format!("expected {expected}, found {}", node.value.describe()),
    );
    let wants_string = match types {
        Value::String(name) => name == "string",
        Value::Array(names) => names.iter().any(|name| name == "string"),
        _ => false,
    };
    match (&node.value, wants_string) {
        (Node::Integer(_) | Node::Float(_) | Node::Bool(_), true) => diagnostic.with_hint(
            "quote the value so YAML reads it as text, e.g. `\"1.30\"` (unquoted 1.30 is the number 1.3)",
        ),
        (Node::Null, _) => diagnostic.with_hint("give it a value, or delete the line"),
        (Node::Sequence(_), _) if expected.contains("mapping") => {
            diagnostic.with_hint("remove the leading `- `: this field is a mapping, not a list")
        }
        (Node::Mapping(_), _) if expected.contains("list") => {
            diagnostic.with_hint("write each entry as a list item starting with `- `")
        }
        _ => diagnostic.with_hint(format!("write {expected} here (see `aksctl schema`)")),
    }
}

fn enum_mismatch(node: &Located<Node>, allowed: &[Value], path: &str) -> Diagnostic {
    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
    let diagnostic = Diagnostic::new(
        node.at,
        path,
        format!("{} is not one of: {}", found(&node.value), names.join(", ")),
    );
    match node
        .value
        .as_str()
        .map(|text| closest(text, names.iter().copied()))
    {
        Some(suggestions) if !suggestions.is_empty() => {
            diagnostic.with_hint(format!("did you mean `{}`?", suggestions[0]))
        }
        _ => diagnostic.with_hint("values are case-sensitive"),
    }
}

fn unknown_field(
    key: &Located<String>,
    known: &[&str],
    elsewhere: &[&str],
    path: &str,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(key.at, path, format!("unknown field `{}`", key.value));
    let suggestions = closest(&key.value, known.iter().copied());
    if let Some(best) = suggestions.first() {
        diagnostic.with_hint(format!("did you mean `{best}`?"))
    } else if !elsewhere.is_empty() {
        diagnostic.with_hint(format!(
            "`{}` is a field of {}, not of this mapping; check the indentation",
            key.value,
            elsewhere.join(" / ")
        ))
    } else if known.is_empty() {
        diagnostic.with_hint("this mapping takes no fields")
    } else {
        diagnostic.with_hint(format!("allowed fields here: {}", known.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::diagnostic::SourceId;
    use crate::spec::node::parse;
    use crate::spec::schema::estate_schema;

    fn problems(text: &str) -> Vec<Diagnostic> {
        let tree = parse(text, SourceId(0)).expect("parses");
        check(&tree, &estate_schema())
    }

    const MINIMAL: &str = "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nmetadata: {name: e}\nsubscription: s\nlocation: eastus\n";

    #[test]
    fn a_minimal_estate_passes() {
        assert_eq!(problems(MINIMAL), vec![]);
    }

    #[test]
    fn unknown_fields_suggest_the_closest_name() {
        let text = format!("{MINIMAL}clusters:\n  - name: a\n    resourceGroup: rg\n    pools:\n      - name: system\n        vmSise: x\n        count: 1\n");
        let found = problems(&text);
        assert_eq!(found.len(), 2, "{found:?}");
        let unknown = found
            .iter()
            .find(|d| d.message.contains("unknown field"))
            .expect("unknown");
        assert_eq!(unknown.path, "clusters[0].pools[0].vmSise");
        assert_eq!(unknown.hint.as_deref(), Some("did you mean `vmSize`?"));
        assert_eq!(unknown.position.map(|p| (p.line, p.column)), Some((11, 9)));
        assert!(found
            .iter()
            .any(|d| d.message == "missing required field `vmSize`"));
    }

    #[test]
    fn types_enums_and_choices() {
        let text = format!(
            "{MINIMAL}clusters:\n  - name: a\n    resourceGroup: rg\n    kubernetesVersion: 1.30\n    tier: standard\n    pools:\n      - name: system\n        vmSize: x\n        count: 1\n        autoscale: {{min: 1, max: 2}}\n"
        );
        let found = problems(&text);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages.contains(&"expected a string, found the number `1.3`"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("`standard` is not one of")),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"`count` and `autoscale` cannot be used together"),
            "{messages:?}"
        );
    }

    #[test]
    fn a_field_in_the_wrong_mapping_names_its_home() {
        let text = format!("{MINIMAL}clusters:\n  - name: a\n    resourceGroup: rg\n    network: {{oidcIssuer: true}}\n    pools: [{{name: system, vmSize: x, count: 1}}]\n");
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].hint.as_deref(),
            Some("`oidcIssuer` is a field of Cluster, not of this mapping; check the indentation")
        );
    }
}

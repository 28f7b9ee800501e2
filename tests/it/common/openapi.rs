//! A reusable checker of request bodies against the official OpenAPI (swagger 2.0) specs in
//! `../shared/arm/specs/`: follows `$ref` (within the file and to other files, such as the
//! common types), merges `allOf`, and reports every property the definition does not have (unless
//! it allows additional properties), every required property missing, every read-only property
//! sent and every value of the wrong JSON type or outside a closed enum.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The specs directory: `$AKSCTL_ARM_SPECS`, else `shared/arm/specs/specification` beside the
/// checkout (`../shared`, or `../../shared` from a worktree).
pub fn specs_root() -> PathBuf {
    if let Ok(root) = std::env::var("AKSCTL_ARM_SPECS") {
        return PathBuf::from(root);
    }
    let repository = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["..", "../.."]
        .iter()
        .map(|up| repository.join(up).join("shared/arm/specs/specification"))
        .find(|candidate| candidate.is_dir())
        .unwrap_or_else(|| panic!("the ARM specs are not beside {}", repository.display()))
}

/// An object schema's properties (each with the file it was declared in), required names and
/// additional-properties schema.
type ObjectShape = (Map<String, Value>, Vec<String>, Option<(PathBuf, Value)>);

/// Parsed spec files, by path.
#[derive(Default)]
pub struct Specs {
    files: HashMap<PathBuf, Value>,
}

impl Specs {
    fn file(&mut self, path: &Path) -> Value {
        let key = normalize(path);
        self.files
            .entry(key.clone())
            .or_insert_with(|| {
                let text = std::fs::read_to_string(&key)
                    .unwrap_or_else(|error| panic!("{}: {error}", key.display()));
                serde_json::from_str(&text)
                    .unwrap_or_else(|error| panic!("{}: {error}", key.display()))
            })
            .clone()
    }

    /// Problems of `body` against `definition` of the spec `file` (relative to `specs_root()`).
    pub fn problems(&mut self, file: &str, definition: &str, body: &Value) -> Vec<String> {
        let path = specs_root().join(file);
        let schema = serde_json::json!({"$ref": format!("#/definitions/{definition}")});
        let mut problems = Vec::new();
        self.walk(&path, &schema, body, "", &mut problems);
        problems
    }

    /// `(file, schema)` after following `$ref`s.
    fn resolve(&mut self, file: &Path, schema: &Value) -> (PathBuf, Value) {
        let mut file = file.to_path_buf();
        let mut schema = schema.clone();
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
            if !target.is_empty() {
                file = normalize(&file.parent().unwrap_or(Path::new("/")).join(target));
            }
            let document = self.file(&file);
            schema = document
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} not found in {}", file.display()))
                .clone();
        }
        (file, schema)
    }

    /// The properties, required names and additional-properties rule of an object schema,
    /// `allOf` merged.
    fn object_shape(&mut self, file: &Path, schema: &Value) -> ObjectShape {
        let (file, schema) = self.resolve(file, schema);
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut additional = None;
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let (more, more_required, more_additional) = self.object_shape(&file, &part);
            properties.extend(more);
            required.extend(more_required);
            additional = additional.or(more_additional);
        }
        for (name, property) in schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
        {
            // Keep the file the property was declared in for its own `$ref`s.
            properties.insert(
                name,
                serde_json::json!({"schema": property, "file": file.display().to_string()}),
            );
        }
        required.extend(
            schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_owned)),
        );
        match schema.get("additionalProperties") {
            Some(Value::Bool(true)) => additional = Some((file.clone(), serde_json::json!({}))),
            Some(extra @ Value::Object(_)) => additional = Some((file.clone(), extra.clone())),
            _ => {}
        }
        (properties, required, additional)
    }

    fn walk(
        &mut self,
        file: &Path,
        schema: &Value,
        value: &Value,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        let (file, resolved) = self.resolve(file, schema);
        let declared_type = resolved.get("type").and_then(Value::as_str);
        let is_object = declared_type == Some("object")
            || resolved.get("properties").is_some()
            || resolved.get("allOf").is_some();
        match value {
            Value::Object(members) if is_object => {
                let (properties, required, additional) = self.object_shape(&file, &resolved);
                for name in &required {
                    if !members.contains_key(name) {
                        problems.push(format!("{at}: required property `{name}` is missing"));
                    }
                }
                for (name, member) in members {
                    let path = format!("{at}/{name}");
                    match properties.get(name) {
                        Some(entry) => {
                            let property_file =
                                PathBuf::from(entry["file"].as_str().unwrap_or_default());
                            let (_, property) = self.resolve(&property_file, &entry["schema"]);
                            if property.get("readOnly") == Some(&Value::Bool(true))
                                || entry["schema"].get("readOnly") == Some(&Value::Bool(true))
                            {
                                problems.push(format!("{path}: read-only property sent"));
                            }
                            self.walk(&property_file, &entry["schema"], member, &path, problems);
                        }
                        None => match &additional {
                            Some((extra_file, extra)) => self.walk(
                                &extra_file.clone(),
                                &extra.clone(),
                                member,
                                &path,
                                problems,
                            ),
                            None => problems.push(format!("{path}: unknown property")),
                        },
                    }
                }
            }
            Value::Object(_) if declared_type.is_some() => {
                problems.push(format!(
                    "{at}: an object where the spec has {declared_type:?}"
                ));
            }
            Value::Array(items) => {
                if declared_type.is_some_and(|kind| kind != "array") {
                    problems.push(format!(
                        "{at}: an array where the spec has {declared_type:?}"
                    ));
                }
                if let Some(item_schema) = resolved.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.walk(&file, item_schema, item, &format!("{at}/{index}"), problems);
                    }
                }
            }
            Value::String(text) => {
                if declared_type.is_some_and(|kind| kind != "string") {
                    problems.push(format!(
                        "{at}: a string where the spec has {declared_type:?}"
                    ));
                }
                let open = resolved
                    .pointer("/x-ms-enum/modelAsString")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if let (Some(values), false) =
                    (resolved.get("enum").and_then(Value::as_array), open)
                {
                    if !values.iter().any(|allowed| allowed.as_str() == Some(text)) {
                        problems.push(format!("{at}: `{text}` is not one of {values:?}"));
                    }
                }
            }
            Value::Bool(_) if declared_type.is_some_and(|kind| kind != "boolean") => {
                problems.push(format!(
                    "{at}: a boolean where the spec has {declared_type:?}"
                ));
            }
            Value::Number(number)
                if declared_type.is_some_and(|kind| kind != "integer" && kind != "number")
                    || (declared_type == Some("integer")
                        && !number.is_i64()
                        && !number.is_u64()) =>
            {
                problems.push(format!(
                    "{at}: a number where the spec has {declared_type:?}"
                ));
            }
            _ => {}
        }
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<std::path::Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[test]
fn the_walker_finds_unknown_missing_read_only_and_mistyped_fields() {
    let mut specs = Specs::default();
    let file = "kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/stable/2025-04-01/fluxconfiguration.json";
    let problems = specs.problems(
        file,
        "FluxConfiguration",
        &serde_json::json!({"properties": {
            "scope": "cluster",
            "suspend": "no",
            "complianceState": "Compliant",
            "gitRepository": {"url": "https://x", "colour": "blue"},
            "kustomizations": {"a": {"path": "./a", "prune": true}},
        }}),
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("/properties/suspend: a string")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("complianceState: read-only")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("gitRepository/colour: unknown")),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("kustomizations/a")),
        "{problems:?}"
    );
}

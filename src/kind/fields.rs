//! The export mapping of a kind: which estate field is which ARM field, and ARM's default for it.
//! Lowering copies estate fields into the ARM body with it, export copies them back (leaving out
//! ARM's defaults), so a field like a registry's `adminUserEnabled` is written down once.

use serde_json::{Map, Value};

use crate::kind::descriptor::Implied;
use crate::kind::Kind;

/// How a kind's ARM body is built from its estate resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lowering {
    /// The envelope (location, tags) plus `fields`, nothing else: `desired` lowers it and
    /// `export` reads it back from the descriptor alone; no per-kind code.
    Fields,
    /// Its own lowering in `desired/` and its own export in `export/` (they may still use
    /// `lower_fields`/`exported_field` for the plain fields).
    Custom,
}

/// One estate field and where ARM keeps it.
#[derive(Debug, Clone, Copy)]
pub struct FieldMapping {
    /// The estate key (camelCase, as the YAML spells it).
    pub estate: &'static str,
    /// The JSON pointer in the ARM body (`/properties/adminUserEnabled`).
    pub arm: &'static str,
    /// ARM's value when the field is not sent: export leaves it out.
    pub arm_default: Option<Implied>,
}

/// Copies every mapped field the estate resource declares (`estate`, the resource serialized as
/// the estate writes it) into `body`, in mapping order.
pub fn lower_fields(kind: Kind, estate: &Value, body: &mut Map<String, Value>) {
    for mapping in kind.descriptor().fields {
        if let Some(value) = estate.get(mapping.estate).filter(|value| !value.is_null()) {
            set(body, mapping.arm, value.clone());
        }
    }
}

/// The value of the estate field `estate_key` of `kind` in an ARM body, unless it is ARM's
/// default (export leaves defaults out) or the kind maps no such field.
pub fn exported_field<'b>(kind: Kind, estate_key: &str, body: &'b Value) -> Option<&'b Value> {
    let mapping = kind
        .descriptor()
        .fields
        .iter()
        .find(|mapping| mapping.estate == estate_key)?;
    let value = body.pointer(mapping.arm).filter(|value| !value.is_null())?;
    let is_default = mapping
        .arm_default
        .is_some_and(|default| same(&default.to_value(), value));
    (!is_default).then_some(value)
}

/// The mapped fields of an ARM body as estate keys, without ARM's defaults.
pub fn export_fields(kind: Kind, body: &Value) -> Map<String, Value> {
    kind.descriptor()
        .fields
        .iter()
        .filter_map(|mapping| {
            exported_field(kind, mapping.estate, body)
                .map(|value| (mapping.estate.to_owned(), value.clone()))
        })
        .collect()
}

/// Equal, strings compared ignoring ASCII case (ARM echoes enums in its own casing).
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::String(left), Value::String(right)) => left.eq_ignore_ascii_case(right),
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        _ => left == right,
    }
}

fn set(body: &mut Map<String, Value>, pointer: &str, value: Value) {
    let keys: Vec<&str> = pointer.split('/').skip(1).collect();
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut current = body;
    for key in parents {
        let entry = current
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = entry else {
            return;
        };
        current = next;
    }
    current.insert((*last).to_owned(), value);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fields_go_to_arm_and_come_back_without_arm_defaults() {
        let estate = json!({"name": "acr", "sku": "Premium", "adminUserEnabled": false,
                            "zoneRedundancy": "Enabled"});
        let mut body = Map::new();
        lower_fields(Kind::ContainerRegistry, &estate, &mut body);
        assert_eq!(
            Value::Object(body.clone()),
            json!({"sku": {"name": "Premium"},
                   "properties": {"adminUserEnabled": false, "zoneRedundancy": "Enabled"}})
        );
        let exported = export_fields(Kind::ContainerRegistry, &Value::Object(body));
        assert_eq!(
            Value::Object(exported),
            json!({"sku": "Premium", "zoneRedundancy": "Enabled"}),
            "adminUserEnabled false is ARM's default"
        );
    }
}

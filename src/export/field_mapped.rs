//! Export of the kinds whose body is exactly their field mapping (`Lowering::Fields` in the
//! descriptor): each one read becomes an item of its estate list from the descriptor's `fields`
//! (`exported_field`: ARM's defaults left out), its resource group, own location and tags, so
//! such a kind needs no export code of its own. An enum value comes back in the spelling of the
//! item type's schema definition (ARM echoes enums in its own casing); a value the item type does
//! not accept is left out, as a hand-written export drops a value it cannot read.

use serde_json::{Map, Value};

use crate::export::context::{group_of, name_of, tags_of, Exporting};
use crate::export::inventory::id_of;
use crate::kind::fields::{export_fields, Lowering};
use crate::spec::types::{Estate, IN_GROUP_LISTS};

/// The lists of the field-mapped kinds, in an otherwise empty estate (the caller takes them with
/// `..`); each exported resource is also a scope role assignments may name.
pub fn export_field_mapped(exporting: &mut Exporting<'_>) -> Estate {
    let mut estate = Estate::default();
    for list in IN_GROUP_LISTS {
        let kind = list.kind;
        if kind.descriptor().lowering != Lowering::Fields {
            continue;
        }
        let definition = (list.schema_definition)();
        let bodies: Vec<&Value> = exporting.inventory.of_kind(kind).collect();
        for body in bodies {
            let Some(id) = id_of(body) else { continue };
            let group = group_of(body);
            exporting.add_scope(&id, kind);
            let mut item = Map::new();
            item.insert("name".into(), Value::String(name_of(body)));
            if let Some(location) = exporting.own_location(body, &group) {
                item.insert("location".into(), Value::String(location));
            }
            item.insert("resourceGroup".into(), Value::String(group));
            let tags = tags_of(body);
            if !tags.is_empty() {
                item.insert(
                    "tags".into(),
                    Value::Object(
                        tags.into_iter()
                            .map(|(key, value)| (key, Value::String(value)))
                            .collect(),
                    ),
                );
            }
            for (key, value) in export_fields(kind, body) {
                let Some(value) = in_schema_spelling(definition.as_ref(), &key, value) else {
                    continue;
                };
                let mut with_field = item.clone();
                with_field.insert(key, value);
                if (list.push)(&mut Estate::default(), Value::Object(with_field.clone())).is_ok() {
                    item = with_field;
                }
            }
            if let Err(error) = (list.push)(&mut estate, Value::Object(item)) {
                exporting.skip(
                    kind.arm_type(),
                    id.as_str(),
                    format!("it does not convert to an item of `{}`: {error}", list.key),
                );
            }
        }
    }
    estate
}

/// `value` spelled as the schema's enum of `key` spells it (matched ignoring ASCII case), `None`
/// when the enum has no such value; other values as they are.
fn in_schema_spelling(definition: Option<&Value>, key: &str, value: Value) -> Option<Value> {
    let values = definition
        .and_then(|definition| definition.pointer(&format!("/properties/{key}/enum")))
        .and_then(Value::as_array);
    match (values, value.as_str()) {
        (Some(values), Some(text)) => values
            .iter()
            .find(|allowed| {
                allowed
                    .as_str()
                    .is_some_and(|allowed| allowed.eq_ignore_ascii_case(text.trim()))
            })
            .cloned(),
        _ => Some(value),
    }
}

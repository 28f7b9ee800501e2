//! Lowering of the kinds whose body is exactly their field mapping (`Lowering::Fields` in the
//! descriptor): one resource per item of their estate list, `<prefix>/<name>` with the envelope
//! (location, tags) and the mapped fields (ARM's defaults are not sent), after its resource group.
//! Such a kind needs no lowering code of its own.

use serde_json::Value;

use crate::desired::context::{address_of_resource, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::fields::{lower_fields, Lowering as BodyLowering};

/// One resource per declared item of every field-mapped kind, in estate order.
pub fn lower_field_mapped(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    let estate = lowering.estate;
    for (list, items) in estate.tracked_lists() {
        if list.kind.descriptor().lowering != BodyLowering::Fields {
            continue;
        }
        for item in items {
            let address = address_of_resource(item);
            let mut body =
                lowering.tracked_body(item.location(), item.resource_group(), item.tags());
            lower_fields(item.kind(), &item.estate_value(), &mut body);
            let resource = DesiredResource {
                address: address.clone(),
                kind: item.kind(),
                id: lowering.id_of(item),
                body: Value::Object(body),
                deferred: Vec::new(),
                depends_on: vec![lowering.group_address(
                    item.resource_group(),
                    &address,
                    "resourceGroup",
                )?],
            };
            lowering.push(resource);
        }
    }
    Ok(())
}

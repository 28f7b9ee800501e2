//! Lowering of Log Analytics workspaces: `logAnalyticsWorkspace/<name>` with its plan,
//! retention, daily cap and network switches (ARM's defaults are not sent).

use serde_json::Value;

use crate::desired::context::{address_of_resource, estate_value, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::fields::lower_fields;
use crate::spec::types::TrackedResource;

/// One resource per declared workspace, after its resource group.
pub fn lower_workspaces(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for workspace in &lowering.estate.log_analytics_workspaces {
        let address = address_of_resource(workspace);
        let mut body = lowering.tracked_body(
            workspace.location.as_deref(),
            &workspace.resource_group,
            &workspace.tags,
        );
        lower_fields(workspace.kind(), &estate_value(workspace), &mut body);
        let resource = DesiredResource {
            address: address.clone(),
            kind: workspace.kind(),
            id: lowering.id_of(workspace),
            body: Value::Object(body),
            deferred: Vec::new(),
            depends_on: vec![lowering.group_address(
                &workspace.resource_group,
                &address,
                "resourceGroup",
            )?],
        };
        lowering.push(resource);
    }
    Ok(())
}

//! Lowering of Log Analytics workspaces: `logAnalyticsWorkspace/<name>` with its plan,
//! retention, daily cap and network switches (ARM's defaults are not sent).

use serde_json::{json, Map, Value};

use crate::desired::context::{address_of_resource, insert_some, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::Kind;

/// One resource per declared workspace, after its resource group.
pub fn lower_workspaces(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for workspace in &lowering.estate.log_analytics_workspaces {
        let address = address_of_resource(workspace);
        let mut body = lowering.tracked_body(
            workspace.location.as_deref(),
            &workspace.resource_group,
            &workspace.tags,
        );
        let mut properties = Map::new();
        if let Some(sku) = workspace.sku {
            properties.insert("sku".to_string(), json!({"name": sku.as_str()}));
        }
        insert_some(
            &mut properties,
            "retentionInDays",
            workspace.retention_in_days,
        );
        if let Some(quota) = workspace.daily_quota_gb {
            properties.insert(
                "workspaceCapping".to_string(),
                json!({"dailyQuotaGb": quota}),
            );
        }
        insert_some(
            &mut properties,
            "publicNetworkAccessForIngestion",
            workspace
                .public_network_access_for_ingestion
                .map(|access| access.as_str()),
        );
        insert_some(
            &mut properties,
            "publicNetworkAccessForQuery",
            workspace
                .public_network_access_for_query
                .map(|access| access.as_str()),
        );
        body.insert("properties".to_string(), Value::Object(properties));
        let resource = DesiredResource {
            address: address.clone(),
            kind: Kind::LogAnalyticsWorkspace,
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

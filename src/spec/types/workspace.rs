//! Log Analytics workspaces (`Microsoft.OperationalInsights/workspaces`): where clusters send
//! Container Insights data (`addons.monitoring.workspace`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{tracked_in_group, SchemaDefinition, Tags};
use crate::spec::schema::builders::{
    count, location, named_object, reference, resource_group, strings,
};

string_enum!(
    /// Workspace pricing plan (`WorkspaceSkuNameEnum`; `LACluster` is set by linking a dedicated
    /// cluster, never declared).
    WorkspaceSku {
        Free => "Free",
        Standard => "Standard",
        Premium => "Premium",
        PerNode => "PerNode",
        PerGb2018 => "PerGB2018",
        Standalone => "Standalone",
        CapacityReservation => "CapacityReservation",
    }
);

string_enum!(
    /// Network access for ingestion or query (`PublicNetworkAccessType`).
    WorkspaceNetworkAccess {
        Enabled => "Enabled",
        Disabled => "Disabled",
        SecuredByPerimeter => "SecuredByPerimeter",
    }
);

/// `Microsoft.OperationalInsights/workspaces`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogAnalyticsWorkspace {
    /// 4-63 letters, digits and hyphens, starting and ending with a letter or digit.
    pub name: String,
    /// Logical name of a resource group in `resourceGroups`.
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<WorkspaceSku>,
    /// Days data is kept (30-730 on the paid plans; 7 on Free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<u32>,
    /// Daily ingestion cap in GB (`workspaceCapping.dailyQuotaGb`; -1 = no cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_quota_gb: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access_for_ingestion: Option<WorkspaceNetworkAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access_for_query: Option<WorkspaceNetworkAccess>,
}

tracked_in_group!(LogAnalyticsWorkspace => LogAnalyticsWorkspace);

impl SchemaDefinition for LogAnalyticsWorkspace {
    fn schema_definition() -> Option<Value> {
        let access = || strings(WorkspaceNetworkAccess::ALL.iter().map(|v| v.as_str()));
        Some(named_object(
            "A Log Analytics workspace (Container Insights data of the clusters).",
            &["resourceGroup"],
            vec![
                ("resourceGroup", resource_group()),
                ("location", location()),
                ("tags", reference("Tags")),
                ("sku", strings(WorkspaceSku::ALL.iter().map(|v| v.as_str()))),
                (
                    "retentionInDays",
                    count("Days data is kept (30-730; 7 on Free)."),
                ),
                (
                    "dailyQuotaGb",
                    json!({"type": "number", "description": "Daily ingestion cap in GB; -1 = no cap."}),
                ),
                ("publicNetworkAccessForIngestion", access()),
                ("publicNetworkAccessForQuery", access()),
            ],
        ))
    }
}

//! The `$defs` of `diagnosticSettings:` (on clusters, key vaults, registries and storage
//! accounts). Category names per resource type are checked by `validate::diagnostics`, which
//! names the valid ones.

use serde_json::Value;

use crate::spec::schema::builders::{array, object, string, strings};
use crate::spec::types::{DestinationTable, StorageService};

pub(super) fn definitions() -> Vec<(&'static str, Value)> {
    vec![(
        "DiagnosticSetting",
        object(
            "A diagnostic setting: which logs and metrics of the resource go to which Log \
             Analytics workspace.",
            &["name", "workspace"],
            vec![
                ("name", string("Setting name, unique on its resource.")),
                (
                    "workspace",
                    string("A workspace of `logAnalyticsWorkspaces` by name, or a workspace id."),
                ),
                (
                    "logs",
                    array(string(
                        "Log category (`kube-audit-admin`, `AuditEvent`, ...).",
                    )),
                ),
                (
                    "categoryGroups",
                    array(string("Log category group (`allLogs`, `audit`).")),
                ),
                (
                    "metrics",
                    array(string(
                        "Metric category (`AllMetrics`; `Transaction`, `Capacity` on storage).",
                    )),
                ),
                (
                    "destinationTable",
                    strings(DestinationTable::ALL.iter().map(|v| v.as_str())),
                ),
                (
                    "service",
                    strings(StorageService::ALL.iter().map(|v| v.as_str())),
                ),
            ],
        ),
    )]
}

//! Lowering of `diagnosticSettings:` to one `Microsoft.Insights/diagnosticSettings` extension
//! resource per entry, at `diagnosticSetting/<target address>/<name>`
//! (`diagnosticSetting/cluster/aks-prod/audit`, `diagnosticSetting/blobService/stbackup/logs`),
//! after its target and its workspace. Every resource declaring the key (even `[]`) owns the
//! settings on it whole: its lists are returned as `DesiredState::whole_child_lists`.
//!
//! Body (2021-05-01-preview `DiagnosticSettings`): `workspaceId`, `logs[]` (`category` or
//! `categoryGroup`, `enabled: true`), `metrics[]` (`category`, `enabled: true`) and
//! `logAnalyticsDestinationType` (`Dedicated` for resource-specific tables, by default where the
//! target kind's docs recommend them; `AzureDiagnostics` when declared so).

use serde_json::{json, Map, Value};

use crate::desired::context::{address_of, address_of_resource, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::id::ResourceId;
use crate::kind::descriptor::DiagnosticCategories;
use crate::kind::diagnostics::{AZURE_DIAGNOSTICS, DEDICATED};
use crate::kind::Kind;
use crate::spec::types::{DestinationTable, DiagnosticSetting};

/// Every declared diagnostic setting; returns the lists owned whole.
pub fn lower_diagnostic_settings(
    lowering: &mut Lowering<'_>,
) -> Result<Vec<(ResourceId, Kind)>, LowerError> {
    let kind = Kind::DiagnosticSetting;
    let mut whole_lists = Vec::new();
    let mut resources = Vec::new();
    for target in lowering.estate.diagnostic_targets() {
        let target_id = lowering.id_of(target.resource);
        let target_address = address_of_resource(target.resource);
        let services = service_kinds(target.resource.kind());
        whole_lists.push((target_id.clone(), kind));
        for service in &services {
            whole_lists.push((service_id(&target_id, *service), kind));
        }
        for setting in target.settings {
            let (on_id, on_kind) = match (setting.service, services.first()) {
                (Some(_), Some(service)) => (service_id(&target_id, *service), *service),
                _ => (target_id.clone(), target.resource.kind()),
            };
            let id = on_id.child(kind, &setting.name);
            let address = address_of(kind, &[&id.logical_name(kind)]);
            let mut depends_on = vec![target_address.clone()];
            let on_address = address_of(on_kind, &[&on_id.logical_name(on_kind)]);
            if on_address != target_address
                && lowering
                    .resources()
                    .iter()
                    .any(|resource| resource.address == on_address)
            {
                depends_on.push(on_address);
            }
            let workspace_id = if setting.workspace.starts_with('/') {
                setting.workspace.clone()
            } else {
                super::cluster::workspace_reference(
                    lowering,
                    &address,
                    "workspace",
                    &setting.workspace,
                    &mut depends_on,
                )?
            };
            resources.push(DesiredResource {
                address,
                kind,
                id,
                body: json!({"properties": properties(setting, on_kind, workspace_id)}),
                deferred: Vec::new(),
                depends_on,
            });
        }
    }
    for resource in resources {
        lowering.push(resource);
    }
    Ok(whole_lists)
}

/// The singleton services below a resource of `kind` that take settings of their own (a storage
/// account's blob service).
fn service_kinds(kind: Kind) -> Vec<Kind> {
    Kind::DiagnosticSetting
        .attached_kinds()
        .into_iter()
        .filter(|attached| {
            attached.parent() == Some(kind) && attached.descriptor().singleton_name.is_some()
        })
        .collect()
}

fn service_id(target: &ResourceId, service: Kind) -> ResourceId {
    target.child(
        service,
        service.descriptor().singleton_name.unwrap_or_default(),
    )
}

fn properties(setting: &DiagnosticSetting, on_kind: Kind, workspace_id: String) -> Value {
    let mut properties = Map::new();
    properties.insert("workspaceId".to_owned(), Value::from(workspace_id));
    let offered = on_kind.descriptor().diagnostics;
    // ARM's spelling of a category the estate wrote in another case.
    let spelled = |name: &String, known: fn(&DiagnosticCategories) -> &'static [&'static str]| {
        offered
            .and_then(|categories| {
                known(categories)
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(name))
            })
            .map_or_else(|| name.clone(), |known| (*known).to_owned())
    };
    let enabled = |key: &str, name: String| json!({key: name, "enabled": true});
    let logs: Vec<Value> = setting
        .logs
        .iter()
        .map(|name| enabled("category", spelled(name, |c| c.logs)))
        .chain(
            setting
                .category_groups
                .iter()
                .map(|name| enabled("categoryGroup", spelled(name, |c| c.groups))),
        )
        .collect();
    if !logs.is_empty() {
        properties.insert("logs".to_owned(), Value::Array(logs));
    }
    if !setting.metrics.is_empty() {
        let metrics = setting
            .metrics
            .iter()
            .map(|name| enabled("category", spelled(name, |c| c.metrics)))
            .collect();
        properties.insert("metrics".to_owned(), Value::Array(metrics));
    }
    let by_default = offered.is_some_and(|categories| categories.resource_specific_by_default);
    let destination = match setting.destination_table {
        Some(DestinationTable::ResourceSpecific) => Some(DEDICATED),
        Some(DestinationTable::AzureDiagnostics) => Some(AZURE_DIAGNOSTICS),
        None => by_default.then_some(DEDICATED),
    };
    if let Some(destination) = destination {
        properties.insert(
            "logAnalyticsDestinationType".to_owned(),
            Value::from(destination),
        );
    }
    Value::Object(properties)
}

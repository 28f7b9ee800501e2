//! Export of the diagnostic settings on a cluster, vault, registry or storage account (and its
//! blob service) back to `diagnosticSettings:`. Only settings that send to a Log Analytics
//! workspace are in the estate format; others are skipped with a reason. A resource with none
//! exports no key, so the re-plan does not read it either. Nothing to adopt: settings carry no
//! tags and are owned through the resource they are on.

use serde_json::Value;

use crate::export::context::{str_at, Exporting};
use crate::export::inventory::id_of;
use crate::id::ResourceId;
use crate::kind::diagnostics::DEDICATED;
use crate::kind::Kind;
use crate::spec::types::{DestinationTable, DiagnosticSetting, StorageService};

/// `diagnosticSettings:` of the resource `target_id` (of `target_kind`), if it has any.
pub fn settings(
    exporting: &mut Exporting<'_>,
    target_id: &ResourceId,
    target_kind: Kind,
) -> Option<Vec<DiagnosticSetting>> {
    let kind = Kind::DiagnosticSetting;
    // The target itself, and the singletons below it that take settings (a blob service).
    let mut targets = vec![(target_id.clone(), target_kind, None)];
    for attached in kind.attached_kinds() {
        if let (Some(parent), Some(name)) =
            (attached.parent(), attached.descriptor().singleton_name)
        {
            if parent == target_kind {
                targets.push((
                    target_id.child(attached, name),
                    attached,
                    Some(StorageService::Blob),
                ));
            }
        }
    }
    let mut exported = Vec::new();
    for (id, on_kind, service) in targets {
        let bodies: Vec<Value> = exporting
            .inventory
            .children_of(&id, kind)
            .cloned()
            .collect();
        for body in &bodies {
            match setting(exporting, body, on_kind, service) {
                Ok(setting) => exported.push(setting),
                Err(reason) => exporting.skip(
                    kind.arm_type(),
                    str_at(body, "/id").unwrap_or_default(),
                    reason,
                ),
            }
        }
    }
    (!exported.is_empty()).then_some(exported)
}

fn setting(
    exporting: &Exporting<'_>,
    body: &Value,
    on_kind: Kind,
    service: Option<StorageService>,
) -> Result<DiagnosticSetting, String> {
    let name = str_at(body, "/name").unwrap_or_default().to_owned();
    let Some(workspace_id) = str_at(body, "/properties/workspaceId").filter(|id| !id.is_empty())
    else {
        return Err(
            "it sends to no Log Analytics workspace (only workspaces are in the estate format)"
                .to_owned(),
        );
    };
    // A workspace exported with it (every listed workspace is) is written back by name.
    let workspace_resource = ResourceId::new(workspace_id);
    let exported_with_it = exporting
        .inventory
        .resources
        .iter()
        .any(|resource| id_of(resource).as_ref() == Some(&workspace_resource));
    let workspace = if exported_with_it {
        workspace_resource.name().to_owned()
    } else {
        workspace_id.to_owned()
    };
    let enabled = |list: &str, key: &str| -> Vec<String> {
        body.pointer(&format!("/properties/{list}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|entry| entry.get("enabled").and_then(Value::as_bool) != Some(false))
            .filter_map(|entry| entry.get(key).and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    };
    let logs = enabled("logs", "category");
    let category_groups = enabled("logs", "categoryGroup");
    let metrics = enabled("metrics", "category");
    if logs.is_empty() && category_groups.is_empty() && metrics.is_empty() {
        return Err("it enables no log and no metric".to_owned());
    }
    let dedicated = str_at(body, "/properties/logAnalyticsDestinationType")
        .is_some_and(|destination| destination.eq_ignore_ascii_case(DEDICATED));
    let by_default = on_kind
        .descriptor()
        .diagnostics
        .is_some_and(|categories| categories.resource_specific_by_default);
    // Written only when it differs from what the estate assumes for this kind.
    let destination_table = match (dedicated, by_default) {
        (true, false) => Some(DestinationTable::ResourceSpecific),
        (false, true) => Some(DestinationTable::AzureDiagnostics),
        _ => None,
    };
    Ok(DiagnosticSetting {
        name,
        workspace,
        logs,
        category_groups,
        metrics,
        destination_table,
        service,
    })
}

//! Rules of `diagnosticSettings:` (FACTS-2 §2): category names valid for the resource's type
//! (from its kind descriptor), the workspace declared (or a workspace id), unique names on one
//! resource, at least one log or metric, storage logs only on the blob service, no category sent
//! to one workspace by two settings (ARM's 409), and at most five settings per resource (ARM's
//! limit).

use crate::kind::Kind;
use crate::spec::types::{DiagnosticSetting, DiagnosticTarget, Estate};
use crate::spec::validate::settings::is_workspace_id;
use crate::spec::validate::{field, item, Problems};

/// ARM's limit of diagnostic settings per resource (FACTS-2 §2.4).
const MOST_SETTINGS_PER_RESOURCE: usize = 5;

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    for target in estate.diagnostic_targets() {
        let path = field(&item(target.list.key, target.index), "diagnosticSettings");
        for (position, setting) in target.settings.iter().enumerate() {
            let setting_path = item(&path, position);
            if target.settings[..position]
                .iter()
                .any(|earlier| same_place(earlier, setting))
            {
                problems.add(
                    field(&setting_path, "name"),
                    format!(
                        "diagnostic setting `{}` is declared twice on {} `{}`",
                        setting.name,
                        target.resource.kind().descriptor().noun,
                        target.resource.name()
                    ),
                    "give each setting of one resource its own name",
                );
            }
            check_setting(estate, &target, setting, &setting_path, problems);
            if let Some((earlier, category)) = target.settings[..position]
                .iter()
                .find_map(|earlier| shared_category(earlier, setting).map(|c| (earlier, c)))
            {
                problems.add(
                    field(&setting_path, "workspace"),
                    format!(
                        "`{category}` goes to workspace `{}` from both `{}` and `{}`",
                        setting.workspace, earlier.name, setting.name
                    ),
                    "ARM refuses a data sink reused for one category of one resource (409 \
                     Conflict): send it from one setting",
                );
            }
        }
        for service in [None, Some(crate::spec::types::StorageService::Blob)] {
            let count = target
                .settings
                .iter()
                .filter(|setting| setting.service == service)
                .count();
            if count > MOST_SETTINGS_PER_RESOURCE {
                problems.add(
                    path.clone(),
                    format!(
                        "{count} diagnostic settings on one resource; ARM allows at most \
                         {MOST_SETTINGS_PER_RESOURCE}"
                    ),
                    "send several categories through one setting",
                );
            }
        }
    }
}

/// A category (or group) two settings of one ARM resource both send to the same workspace.
fn shared_category<'setting>(
    first: &DiagnosticSetting,
    second: &'setting DiagnosticSetting,
) -> Option<&'setting str> {
    if first.service != second.service || !first.workspace.eq_ignore_ascii_case(&second.workspace) {
        return None;
    }
    let sent = |setting: &DiagnosticSetting| -> Vec<String> {
        [&setting.logs, &setting.category_groups, &setting.metrics]
            .into_iter()
            .flatten()
            .map(|name| name.to_ascii_lowercase())
            .collect()
    };
    let earlier = sent(first);
    [&second.logs, &second.category_groups, &second.metrics]
        .into_iter()
        .flatten()
        .find(|name| earlier.contains(&name.to_ascii_lowercase()))
        .map(String::as_str)
}

/// Two settings of one estate resource that are the same ARM resource.
fn same_place(first: &DiagnosticSetting, second: &DiagnosticSetting) -> bool {
    first.name.eq_ignore_ascii_case(&second.name) && first.service == second.service
}

fn check_setting(
    estate: &Estate,
    target: &DiagnosticTarget<'_>,
    setting: &DiagnosticSetting,
    path: &str,
    problems: &mut Problems,
) {
    if setting.name.is_empty()
        || setting.name.len() > 260
        || setting
            .name
            .contains(['<', '>', '*', '%', '&', ':', '\\', '?', '+', '/'])
    {
        problems.add(
            field(path, "name"),
            format!("`{}` is not a valid diagnostic setting name", setting.name),
            "1-260 characters, none of < > * % & : \\ ? + /",
        );
    }
    if setting.workspace.starts_with('/') {
        if !is_workspace_id(&setting.workspace) {
            problems.add(
                field(path, "workspace"),
                format!("`{}` is not a Log Analytics workspace id", setting.workspace),
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}, or the name of a workspace in `logAnalyticsWorkspaces`",
            );
        }
    } else {
        super::references::workspace_must_exist(
            estate,
            &setting.workspace,
            &field(path, "workspace"),
            problems,
        );
    }
    if setting.logs.is_empty() && setting.category_groups.is_empty() && setting.metrics.is_empty() {
        problems.add(
            path.to_owned(),
            format!(
                "diagnostic setting `{}` sends no log and no metric",
                setting.name
            ),
            "list `logs`, `categoryGroups` or `metrics` (ARM accepts an empty setting but then \
             answers 404 when it is read)",
        );
    }
    let on_kind = match target_kind(target, setting) {
        Ok(kind) => kind,
        Err(message) => {
            problems.add(field(path, "service"), message, "");
            return;
        }
    };
    let Some(categories) = on_kind.descriptor().diagnostics else {
        return;
    };
    let noun = on_kind.descriptor().noun;
    for (key, declared, known) in [
        ("logs", &setting.logs, categories.logs),
        (
            "categoryGroups",
            &setting.category_groups,
            categories.groups,
        ),
        ("metrics", &setting.metrics, categories.metrics),
    ] {
        for (position, name) in declared.iter().enumerate() {
            if !known.iter().any(|known| known.eq_ignore_ascii_case(name)) {
                let hint = if known.is_empty()
                    && setting.service.is_none()
                    && service_kind(on_kind).is_some()
                {
                    "this resource's logs are on its blob service: add `service: blob`".to_owned()
                } else if known.is_empty() {
                    format!("a {noun} has no {key} categories")
                } else {
                    format!("one of: {}", known.join(", "))
                };
                problems.add(
                    item(&field(path, key), position),
                    format!("`{name}` is not a {key} category of a {noun}"),
                    hint,
                );
            }
            if declared[..position]
                .iter()
                .any(|earlier| earlier.eq_ignore_ascii_case(name))
            {
                problems.add(
                    item(&field(path, key), position),
                    format!("`{name}` is listed twice"),
                    "",
                );
            }
        }
    }
}

/// The kind the setting attaches to: the resource, or the storage service it names.
fn target_kind(target: &DiagnosticTarget<'_>, setting: &DiagnosticSetting) -> Result<Kind, String> {
    let resource_kind = target.resource.kind();
    let Some(service) = setting.service else {
        return Ok(resource_kind);
    };
    service_kind(resource_kind).ok_or_else(|| {
        format!(
            "`service: {service}` is only for a storage account; a {} takes its settings itself",
            resource_kind.descriptor().noun
        )
    })
}

/// The singleton service below `resource_kind` that takes diagnostic settings of its own (a
/// storage account's blob service), if any.
fn service_kind(resource_kind: Kind) -> Option<Kind> {
    Kind::DiagnosticSetting
        .attached_kinds()
        .into_iter()
        .find(|kind| {
            kind.parent() == Some(resource_kind) && kind.descriptor().singleton_name.is_some()
        })
}

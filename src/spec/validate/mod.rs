//! The estate rules, checked on the typed, defaulted estate. Every rule adds a path-only
//! [`Diagnostic`] (the loader fills in `file:line:col` from the path); all problems are reported
//! at once. One file per area: `names` (Azure naming rules, duplicates), `references` (logical
//! names that must exist, roles, scopes), `clusters` and `network`, `identities` (federated
//! credentials), `storage` (storage, vault and registry settings).

mod clusters;
mod diagnostics;
mod identities;
mod names;
mod network;
mod private_network;
mod references;
mod settings;
mod storage;

use crate::spec::diagnostic::Diagnostic;
use crate::spec::node::{index_path, key_path};
use crate::spec::roles::is_guid;
use crate::spec::types::{Estate, Tags};

/// Every rule violation in `estate`.
pub fn validate(estate: &Estate) -> Vec<Diagnostic> {
    let mut problems = Problems::default();
    estate_fields(estate, &mut problems);
    names::check(estate, &mut problems);
    references::check(estate, &mut problems);
    clusters::check(estate, &mut problems);
    identities::check(estate, &mut problems);
    storage::check(estate, &mut problems);
    private_network::check(estate, &mut problems);
    settings::check(estate, &mut problems);
    settings::check_flux(estate, &mut problems);
    diagnostics::check(estate, &mut problems);
    problems.items
}

/// Collected problems.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    items: Vec<Diagnostic>,
}

impl Problems {
    /// Records `message` at `path` with `hint`.
    pub(crate) fn add(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let hint: String = hint.into();
        let diagnostic = Diagnostic::at_path(path, message);
        self.items.push(if hint.is_empty() {
            diagnostic
        } else {
            diagnostic.with_hint(hint)
        });
    }
}

/// `parent.key`.
pub(crate) fn field(parent: &str, key: &str) -> String {
    key_path(parent, key)
}

/// `list[index]`.
pub(crate) fn item(list: &str, index: usize) -> String {
    index_path(list, index)
}

/// The tags aksctl sets itself on every tracked resource.
pub const OWNERSHIP_TAGS: [&str; 2] = ["aksctl-estate", "managed-by"];

fn estate_fields(estate: &Estate, problems: &mut Problems) {
    if !is_guid(&estate.subscription) {
        problems.add(
            "subscription",
            format!("subscription `{}` is not a GUID", estate.subscription),
            "use the subscription id (`az account show --query id -o tsv`), literally or as `${AZURE_SUBSCRIPTION_ID}`",
        );
    }
    if let Some(tenant) = &estate.tenant_id {
        check_guid(tenant, "tenantId", "tenant id", problems);
    }
    let name = &estate.metadata.name;
    let name_ok = (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        problems.add(
            "metadata.name",
            format!("estate name `{name}` is not valid"),
            "1-63 letters, digits, `-`, `_` or `.`, starting with a letter or digit (it becomes the `aksctl-estate` tag)",
        );
    }
    check_location(&estate.location, "location", problems);
    check_tags(&estate.tags, "tags", problems);
}

/// A GUID-valued field.
pub(crate) fn check_guid(value: &str, path: &str, what: &str, problems: &mut Problems) {
    if !is_guid(value) {
        problems.add(
            path,
            format!("{what} `{value}` is not a GUID"),
            "write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        );
    }
}

/// An Azure region name such as `eastus2`.
pub(crate) fn check_location(location: &str, path: &str, problems: &mut Problems) {
    let valid = !location.is_empty()
        && location.starts_with(|c: char| c.is_ascii_lowercase())
        && location
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !valid {
        let suggestion: String = location
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        problems.add(
            path,
            format!("`{location}` is not an Azure region name"),
            format!(
                "region names are lower case without spaces, e.g. `{}`",
                if suggestion.is_empty() {
                    "eastus2".to_string()
                } else {
                    suggestion
                }
            ),
        );
    }
}

/// ARM tag limits, and aksctl's reserved ownership tags.
pub(crate) fn check_tags(tags: &Tags, path: &str, problems: &mut Problems) {
    if tags.len() + OWNERSHIP_TAGS.len() > 50 {
        problems.add(
            path,
            format!(
                "{} tags; Azure allows 50 per resource and aksctl adds 2",
                tags.len()
            ),
            "drop some tags",
        );
    }
    for (name, value) in tags {
        let tag_path = field(path, name);
        if OWNERSHIP_TAGS
            .iter()
            .any(|reserved| reserved.eq_ignore_ascii_case(name))
        {
            problems.add(
                &tag_path,
                format!("tag `{name}` is reserved for aksctl's ownership marking"),
                "remove it; aksctl sets it from `metadata.name`",
            );
        } else if name.is_empty()
            || name.len() > 512
            || name.contains(['<', '>', '%', '&', '\\', '?', '/'])
        {
            problems.add(
                &tag_path,
                format!("tag name `{name}` is not valid"),
                "1-512 chars, none of < > % & \\ ? /",
            );
        }
        if value.len() > 256 {
            problems.add(
                &tag_path,
                format!("tag `{name}` value is {} chars long", value.len()),
                "tag values are at most 256 chars",
            );
        }
    }
}

#[cfg(test)]
mod tests;

//! Several estate files -> one located tree. Later files merge over earlier ones:
//!
//! - mappings merge key by key; a key set to `null` removes it;
//! - lists of named resources (`clusters`, `pools`, `identities`, `federatedCredentials`,
//!   `diagnosticSettings`, Flux `configurations` and their `kustomizations`, ...) merge by `name`: a matching item is merged field by field, a new one is appended, and an
//!   item with `remove: true` deletes the earlier one of that name;
//! - every other value (scalars, other lists) is replaced.
//!
//! Merged values keep their own file positions, so diagnostics point at the file that set them.

use crate::spec::diagnostic::Diagnostic;
use crate::spec::node::{index_path, key_path, Located, Node};
use crate::spec::types::IN_GROUP_LISTS;

/// Keys of named lists besides the estate's tracked resources (`IN_GROUP_LISTS`).
const OTHER_NAMED_LISTS: &[&str] = &[
    "resourceGroups",
    "roleAssignments",
    "pools",
    "federatedCredentials",
    "containers",
    "lifecycleRules",
    "diagnosticSettings",
    "configurations",
    "kustomizations",
];

/// Whether the list under `key` holds named items merged by `name`: every list of tracked
/// resources, role assignments, and the named children.
pub fn is_named_list_key(key: &str) -> bool {
    OTHER_NAMED_LISTS.contains(&key) || IN_GROUP_LISTS.iter().any(|list| list.key == key)
}

/// The merge directive key on a named item.
pub const REMOVE_KEY: &str = "remove";

/// Merges `overlay` (a whole document) over `base` (the merge of earlier files, or `None` for
/// the first file). Removal directives are applied and stripped.
pub fn merge_document(
    base: Option<Located<Node>>,
    overlay: Located<Node>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Located<Node> {
    match base {
        None => {
            let mut empty = Located::new(Node::Mapping(Vec::new()), overlay.at);
            if matches!(overlay.value, Node::Mapping(_)) {
                merge_into(&mut empty, overlay, "", diagnostics);
                empty
            } else {
                overlay
            }
        }
        Some(mut merged) => {
            if matches!(merged.value, Node::Mapping(_)) && matches!(overlay.value, Node::Mapping(_))
            {
                merge_into(&mut merged, overlay, "", diagnostics);
                merged
            } else {
                overlay
            }
        }
    }
}

/// Merges `overlay` into `base` in place, at field path `path`.
fn merge_into(
    base: &mut Located<Node>,
    overlay: Located<Node>,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Node::Mapping(overlay_entries) = overlay.value else {
        *base = overlay;
        return;
    };
    let Node::Mapping(base_entries) = &mut base.value else {
        *base = Located::new(Node::Mapping(Vec::new()), overlay.at);
        merge_into(
            base,
            Located::new(Node::Mapping(overlay_entries), overlay.at),
            path,
            diagnostics,
        );
        return;
    };
    for (key, value) in overlay_entries {
        let field_path = key_path(path, &key.value);
        let existing = base_entries
            .iter()
            .position(|(base_key, _)| base_key.value == key.value);
        if value.value == Node::Null {
            if let Some(index) = existing {
                base_entries.remove(index);
            }
            continue;
        }
        // `clusters` names both the estate's cluster list and a credential's list of cluster
        // names: only a list of mappings merges by name, a list of scalars is replaced.
        let named = is_named_list_key(&key.value) && !is_scalar_list(&value.value);
        match existing {
            Some(index) => {
                let slot = &mut base_entries[index];
                slot.0 = key;
                match (&mut slot.1.value, value.value) {
                    (Node::Sequence(base_items), Node::Sequence(overlay_items)) if named => {
                        merge_named_list(base_items, overlay_items, &field_path, diagnostics);
                    }
                    (Node::Mapping(_), overlay_value @ Node::Mapping(_)) => {
                        merge_into(
                            &mut slot.1,
                            Located::new(overlay_value, value.at),
                            &field_path,
                            diagnostics,
                        );
                    }
                    (_, overlay_value) => {
                        slot.1 = Located::new(overlay_value, value.at);
                        if named {
                            strip_named_list(&mut slot.1, &field_path, diagnostics);
                        }
                    }
                }
            }
            None => {
                let mut value = value;
                if named {
                    strip_named_list(&mut value, &field_path, diagnostics);
                }
                strip_nulls(&mut value);
                base_entries.push((key, value));
            }
        }
    }
}

/// A non-empty sequence of scalars (e.g. a federated credential's `clusters: [a, b]`).
fn is_scalar_list(node: &Node) -> bool {
    matches!(node, Node::Sequence(items)
        if !items.is_empty() && items.iter().all(|item| !matches!(item.value, Node::Mapping(_))))
}

/// Merges named items of `overlay_items` into `base_items`.
fn merge_named_list(
    base_items: &mut Vec<Located<Node>>,
    overlay_items: Vec<Located<Node>>,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for mut item in overlay_items {
        let name = item_name(&item).map(str::to_string);
        let remove = take_remove_flag(&mut item);
        let existing = name.as_deref().and_then(|name| {
            base_items
                .iter()
                .position(|base| item_name(base) == Some(name))
        });
        match (remove, existing) {
            (true, Some(index)) => {
                base_items.remove(index);
            }
            (true, None) => diagnostics.push(nothing_to_remove(&item, path, name.as_deref())),
            (false, Some(index)) => {
                let item_path = index_path(path, index);
                merge_into(&mut base_items[index], item, &item_path, diagnostics);
            }
            (false, None) => {
                let item_path = index_path(path, base_items.len());
                strip_nested(&mut item, &item_path, diagnostics);
                base_items.push(item);
            }
        }
    }
}

/// A named list that has nothing under it yet: removals are errors, the rest is kept.
fn strip_named_list(list: &mut Located<Node>, path: &str, diagnostics: &mut Vec<Diagnostic>) {
    let Node::Sequence(items) = &mut list.value else {
        return;
    };
    let mut kept = Vec::with_capacity(items.len());
    for mut item in std::mem::take(items) {
        if take_remove_flag(&mut item) {
            let name = item_name(&item).map(str::to_string);
            diagnostics.push(nothing_to_remove(&item, path, name.as_deref()));
        } else {
            let item_path = index_path(path, kept.len());
            strip_nested(&mut item, &item_path, diagnostics);
            kept.push(item);
        }
    }
    *items = kept;
}

/// Applies `strip_named_list` to the named lists inside a new item (e.g. a new cluster's pools)
/// and drops `null` fields.
fn strip_nested(item: &mut Located<Node>, path: &str, diagnostics: &mut Vec<Diagnostic>) {
    if let Node::Mapping(entries) = &mut item.value {
        entries.retain(|(_, value)| value.value != Node::Null);
        for (key, value) in entries.iter_mut() {
            if is_named_list_key(&key.value) {
                strip_named_list(value, &key_path(path, &key.value), diagnostics);
            }
        }
    }
}

/// Drops `key: null` entries (in a first declaration a null means "absent").
fn strip_nulls(value: &mut Located<Node>) {
    if let Node::Mapping(entries) = &mut value.value {
        entries.retain(|(_, value)| value.value != Node::Null);
        for (_, value) in entries.iter_mut() {
            strip_nulls(value);
        }
    }
}

fn item_name(item: &Located<Node>) -> Option<&str> {
    item.value.get("name").and_then(|name| name.value.as_str())
}

/// Removes a `remove: <bool>` key from an item and returns whether it was `true`. Any other
/// value is left for the structural check to report.
fn take_remove_flag(item: &mut Located<Node>) -> bool {
    let Node::Mapping(entries) = &mut item.value else {
        return false;
    };
    let Some(index) = entries
        .iter()
        .position(|(key, value)| key.value == REMOVE_KEY && matches!(value.value, Node::Bool(_)))
    else {
        return false;
    };
    let (_, value) = entries.remove(index);
    value.value == Node::Bool(true)
}

fn nothing_to_remove(item: &Located<Node>, path: &str, name: Option<&str>) -> Diagnostic {
    let message = match name {
        Some(name) => format!("`remove: true` on `{name}`, but no earlier file declares it"),
        None => "`remove: true` on an item without a `name`".to_string(),
    };
    Diagnostic::new(item.at, path, message).with_hint(
        "`remove: true` deletes an item declared by an earlier `-f` file; drop it or fix the name",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::diagnostic::SourceId;
    use crate::spec::node::parse;

    fn merged(files: &[&str]) -> (serde_json::Value, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut result = None;
        for (index, text) in files.iter().enumerate() {
            let tree = parse(text, SourceId(index)).expect("parses");
            result = Some(merge_document(result, tree, &mut diagnostics));
        }
        let tree = result.expect("at least one file");
        (tree.value.to_json(), diagnostics)
    }

    #[test]
    fn later_files_change_add_and_remove_by_name() {
        let (value, diagnostics) = merged(&[
            "location: eastus\ntags: {a: '1', b: '2'}\nclusters:\n  - name: one\n    tier: Free\n    pools: [{name: system, count: 3}, {name: batch, count: 1}]\n  - name: two\n",
            "location: westus\ntags: {b: null, c: '3'}\nclusters:\n  - name: one\n    tier: Standard\n    pools: [{name: system, count: 5}, {name: batch, remove: true}, {name: gpu, count: 1}]\n  - name: two\n    remove: true\n  - name: three\n",
        ]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            value,
            serde_json::json!({
                "location": "westus",
                "tags": {"a": "1", "c": "3"},
                "clusters": [
                    {"name": "one", "tier": "Standard", "pools": [{"name": "system", "count": 5}, {"name": "gpu", "count": 1}]},
                    {"name": "three"}
                ]
            })
        );
    }

    #[test]
    fn diagnostic_settings_and_flux_configurations_merge_by_name() {
        let (value, diagnostics) = merged(&[
            "clusters:\n  - name: one\n    diagnosticSettings: [{name: audit, logs: [kube-audit]}, {name: api, logs: [kube-apiserver]}]\n    flux:\n      configurations:\n        - name: platform\n          branch: main\n          kustomizations: [{name: infra, path: ./infra}, {name: apps, path: ./apps}]\n",
            "clusters:\n  - name: one\n    diagnosticSettings: [{name: audit, logs: [kube-audit-admin]}, {name: api, remove: true}, {name: guard, logs: [guard]}]\n    flux:\n      configurations:\n        - name: platform\n          kustomizations: [{name: apps, suspend: true}]\n",
        ]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            value,
            serde_json::json!({"clusters": [{
                "name": "one",
                "diagnosticSettings": [
                    {"name": "audit", "logs": ["kube-audit-admin"]},
                    {"name": "guard", "logs": ["guard"]}
                ],
                "flux": {"configurations": [{
                    "name": "platform",
                    "branch": "main",
                    "kustomizations": [
                        {"name": "infra", "path": "./infra"},
                        {"name": "apps", "path": "./apps", "suspend": true}
                    ]
                }]}
            }]})
        );
    }

    #[test]
    fn removing_what_does_not_exist_is_located() {
        let (_, diagnostics) = merged(&[
            "clusters:\n  - name: one\n",
            "clusters:\n  - name: nope\n    remove: true\n",
        ]);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("no earlier file declares"));
        let position = diagnostics[0].position.expect("located");
        assert_eq!((position.source, position.line), (SourceId(1), 2));
    }

    #[test]
    fn merged_values_keep_their_file() {
        let mut diagnostics = Vec::new();
        let first = parse("location: eastus\nsubscription: a\n", SourceId(0)).expect("parses");
        let second = parse("location: westus\n", SourceId(1)).expect("parses");
        let tree = merge_document(
            Some(merge_document(None, first, &mut diagnostics)),
            second,
            &mut diagnostics,
        );
        assert_eq!(
            tree.value.get("location").map(|l| l.at.source),
            Some(SourceId(1))
        );
        assert_eq!(
            tree.value.get("subscription").map(|l| l.at.source),
            Some(SourceId(0))
        );
    }
}

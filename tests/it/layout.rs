//! The source layout's promises, measured over `src/` at test time: no `Kind::<Variant>` is named
//! in more than six non-test files (issue 12: one place per kind; stages ask the descriptor, the
//! estate type or a predicate instead of naming a kind).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use aksctl::kind::Kind;

/// The most non-test files under `src/` that may name one `Kind` variant.
const MOST_FILES_PER_KIND: usize = 6;

/// Every `.rs` file under `dir`, skipping test directories and `tests.rs` files.
fn source_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "tests" {
                source_files(&path, files);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            files.push(path);
        }
    }
}

/// `text` without comment lines and without inline `#[cfg(test)] mod name { ... }` blocks
/// (other attributes may sit between the two; braces are counted to find the block's end).
fn non_test_code(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = String::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim_start();
        if line.starts_with("#[cfg(test)]") {
            let mut next = index + 1;
            while next < lines.len() && lines[next].trim_start().starts_with("#[") {
                next += 1;
            }
            let item = lines.get(next).map_or("", |line| line.trim_start());
            let is_module = item.starts_with("mod ") || item.starts_with("pub(crate) mod ");
            if is_module && item.contains('{') {
                let mut depth = 0i64;
                let mut end = next;
                while end < lines.len() {
                    depth += lines[end].matches('{').count() as i64;
                    depth -= lines[end].matches('}').count() as i64;
                    if depth <= 0 {
                        break;
                    }
                    end += 1;
                }
                index = end + 1;
                continue;
            }
        }
        if !line.starts_with("//") {
            kept.push_str(lines[index]);
            kept.push('\n');
        }
        index += 1;
    }
    kept
}

fn is_identifier_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || character == '_'
}

/// Whether `code` names `Kind::<variant>` (not `SomeKind::<variant>`, not a longer variant).
fn names_variant(code: &str, variant: &str) -> bool {
    let needle = format!("Kind::{variant}");
    code.match_indices(&needle).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + needle.len()..].chars().next();
        !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
    })
}

/// Variant -> the non-test files under `src/` naming it.
fn files_naming_each_kind() -> BTreeMap<String, Vec<String>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    let mut naming: BTreeMap<String, Vec<String>> = Kind::ALL
        .iter()
        .map(|kind| (format!("{kind:?}"), Vec::new()))
        .collect();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let code = non_test_code(&text);
        let relative = file.strip_prefix(&root).unwrap().display().to_string();
        for (variant, naming_files) in naming.iter_mut() {
            if names_variant(&code, variant) {
                naming_files.push(relative.clone());
            }
        }
    }
    naming
}

#[test]
fn no_kind_is_named_in_more_than_six_non_test_files() {
    let naming = files_naming_each_kind();
    // The descriptor table names every kind: a scan that finds nothing measures nothing.
    for (variant, files) in &naming {
        assert!(
            files.iter().any(|file| file == "kind/mod.rs"),
            "the scan did not find `Kind::{variant}` in kind/mod.rs: {files:?}"
        );
    }
    let over: Vec<String> = naming
        .iter()
        .filter(|(_, files)| files.len() > MOST_FILES_PER_KIND)
        .map(|(variant, files)| format!("Kind::{variant} in {}: {files:?}", files.len()))
        .collect();
    assert!(
        over.is_empty(),
        "kinds named in more than {MOST_FILES_PER_KIND} non-test files under src/ (ask the \
         descriptor, the estate type or a predicate instead):\n{}",
        over.join("\n")
    );
}

#[test]
fn test_code_and_other_enums_are_not_counted() {
    let text = "\
use crate::kind::Kind;
// Kind::KeyVault in a comment
fn real() -> Kind { Kind::ManagedCluster }
fn other() { CredentialKind::KeyVault; Kind::AgentPoolX; }
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    fn inner() { if true { Kind::StorageAccount; } }
}
fn after() -> Kind { Kind::RoleAssignment }
";
    let code = non_test_code(text);
    assert!(names_variant(&code, "ManagedCluster"));
    assert!(names_variant(&code, "RoleAssignment"));
    assert!(!names_variant(&code, "KeyVault"));
    assert!(!names_variant(&code, "StorageAccount"));
    assert!(!names_variant(&code, "AgentPool"));
}

/// The estate lists whose names `spec::validate` checks by hand (they predate the descriptor's
/// `naming`); every other list's kind must state its naming rule in its descriptor.
const NAMES_CHECKED_BY_HAND: [Kind; 6] = [
    Kind::ContainerRegistry,
    Kind::KeyVault,
    Kind::StorageAccount,
    Kind::ManagedCluster,
    Kind::UserAssignedIdentity,
    Kind::PrivateDnsZone,
];

/// Fields of a field-mapped estate type that are its envelope, not its field mapping.
const ENVELOPE_KEYS: [&str; 5] = ["name", "resourceGroup", "location", "tags", "remove"];

#[test]
fn every_estate_list_is_registered_in_the_schema_and_has_a_naming_rule() {
    use aksctl::spec::schema::estate_schema;
    use aksctl::spec::types::IN_GROUP_LISTS;

    let schema = estate_schema();
    for list in IN_GROUP_LISTS {
        assert!(
            schema["$defs"].get(list.type_name).is_some(),
            "`{}` has no schema definition `{}` (implement `SchemaDefinition` beside the type)",
            list.key,
            list.type_name
        );
        assert_eq!(
            schema["properties"][list.key]["items"]["$ref"],
            format!("#/$defs/{}", list.type_name),
            "the schema's root list `{}`",
            list.key
        );
        assert!(
            list.kind.descriptor().naming.is_some() || NAMES_CHECKED_BY_HAND.contains(&list.kind),
            "`{}`: {:?} states no naming rule in its descriptor (`naming`)",
            list.key,
            list.kind
        );
    }
}

#[test]
fn a_field_mapped_kind_declares_exactly_its_field_mapping_beside_the_envelope() {
    use aksctl::kind::fields::Lowering;
    use aksctl::spec::types::{EstateList, IN_GROUP_LISTS};

    let mapped: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|kind| kind.descriptor().lowering == Lowering::Fields)
        .collect();
    assert!(
        mapped.contains(&Kind::LogAnalyticsWorkspace),
        "the workspace is lowered from its field mapping: {mapped:?}"
    );
    for kind in mapped {
        // Generic lowering and export iterate the estate lists: a field-mapped kind has one.
        let list = EstateList::declaring(kind)
            .unwrap_or_else(|| panic!("{kind:?} is field-mapped but no estate list declares it"));
        assert!(IN_GROUP_LISTS.contains(&list));
        // Export spells enums as the schema definition beside the type does.
        let definition = (list.schema_definition)()
            .unwrap_or_else(|| panic!("{kind:?}: its schema definition is not beside its type"));
        let in_schema: Vec<&str> = definition["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|key| !ENVELOPE_KEYS.contains(key))
            .collect();
        let mapped_keys: Vec<&str> = kind
            .descriptor()
            .fields
            .iter()
            .map(|mapping| mapping.estate)
            .collect();
        assert_eq!(
            in_schema, mapped_keys,
            "{kind:?}: every field of its estate type is lowered and exported through its \
             descriptor's `fields` (in the same order), nothing else"
        );
    }
}

/// `export::build_estate` builds the estate with `..field_mapped` (the lists export fills generically): a
/// custom-lowered list it forgot to name would export empty without a word. Every estate list of
/// a `lowering: Custom` kind is therefore named in that literal.
#[test]
fn export_names_every_custom_lowered_estate_list() {
    use aksctl::kind::fields::Lowering;
    use aksctl::spec::types::IN_GROUP_LISTS;

    let source =
        fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/export/mod.rs"))
            .unwrap();
    let literal = source
        .split("let mut estate = Estate {")
        .nth(1)
        .and_then(|rest| rest.split("..field_mapped").next())
        .expect("export/mod.rs builds its `Estate` literal with `..field_mapped`");
    let named: Vec<&str> = literal
        .lines()
        .map(|line| {
            line.trim()
                .trim_end_matches(',')
                .split(':')
                .next()
                .unwrap_or_default()
        })
        .collect();
    for list in IN_GROUP_LISTS {
        if list.kind.descriptor().lowering == Lowering::Fields {
            continue;
        }
        let field = snake_case(list.key);
        assert!(
            named.contains(&field.as_str()),
            "`{}` ({:?}) is lowered by hand but `export::build_estate` does not name `{field}` in its \
             `Estate` literal: its export would be empty",
            list.key,
            list.kind
        );
    }
}

/// `keyVaults` -> `key_vaults`.
fn snake_case(key: &str) -> String {
    let mut snake = String::new();
    for character in key.chars() {
        if character.is_ascii_uppercase() {
            snake.push('_');
            snake.push(character.to_ascii_lowercase());
        } else {
            snake.push(character);
        }
    }
    snake
}

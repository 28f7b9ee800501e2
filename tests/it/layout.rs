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

//! Loading: estate files -> one merged, defaulted, validated `Estate`, or every problem found.
//!
//! Per file: read, refuse binary or empty input, parse (located), check `apiVersion`/`kind`,
//! substitute `${ENV_VAR}`. Then merge the files in order, check the structure against the
//! schema, convert to typed data, fill defaults and validate the rules. Structural problems stop
//! before the rules (the rules need typed data); within each phase every problem is reported.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::spec::check::check;
use crate::spec::defaults::{apply_defaults, PathAliases};
use crate::spec::diagnostic::{Diagnostic, Diagnostics, Position, SourceId, Sources};
use crate::spec::environment::substitute;
use crate::spec::merge::merge_document;
use crate::spec::node::{index_path, key_path, parse, Located, Node};
use crate::spec::schema::estate_schema;
use crate::spec::types::{Estate, API_VERSION, KIND};
use crate::spec::validate::validate;

/// One estate file's name (as the user wrote the path) and raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    /// `Err(reason)` when the file could not be read.
    pub bytes: Result<Vec<u8>, String>,
}

/// A loaded estate and the files it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedEstate {
    /// Merged, defaulted and validated.
    pub estate: Estate,
    pub sources: Sources,
    /// Where each field path of the merged files is, for problems found after loading (a subnet
    /// that does not exist, found at plan time).
    locations: PathIndex,
    aliases: PathAliases,
}

impl LoadedEstate {
    /// Problems found after loading (at estate field paths), located in the files like
    /// validation's.
    pub fn located(&self, problems: Vec<Diagnostic>) -> Diagnostics {
        let located = problems
            .into_iter()
            .map(|problem| self.locations.locate(problem, &self.aliases))
            .collect();
        Diagnostics::new(located, self.sources.clone())
    }
}

/// Loads estate files, reading `${ENV_VAR}` from the process environment.
pub fn load(files: &[PathBuf]) -> Result<LoadedEstate, Diagnostics> {
    let inputs = files
        .iter()
        .map(|path| Input {
            name: path.display().to_string(),
            bytes: std::fs::read(path).map_err(|error| error.to_string()),
        })
        .collect();
    load_inputs(inputs, &|name| std::env::var(name).ok())
}

/// Loads estate inputs with an explicit environment lookup (tests, embedding).
pub fn load_inputs(
    inputs: Vec<Input>,
    environment: &dyn Fn(&str) -> Option<String>,
) -> Result<LoadedEstate, Diagnostics> {
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let mut merged: Option<Located<Node>> = None;
    if inputs.is_empty() {
        diagnostics
            .push(Diagnostic::at_path("", "no estate file given").with_hint("pass `-f FILE`"));
    }
    let mut every_file_parsed = true;
    for input in inputs {
        match read_document(input, &mut sources, environment, &mut diagnostics) {
            Some(tree) => merged = Some(merge_document(merged, tree, &mut diagnostics)),
            None => every_file_parsed = false,
        }
    }
    let Some(tree) = merged else {
        return Err(Diagnostics::new(diagnostics, sources));
    };
    // With a file missing from the merge, structural problems of the rest would be misleading
    // (an overlay alone lacks `metadata`); with every file in, report them alongside `${VAR}`
    // and merge problems.
    if every_file_parsed {
        diagnostics.extend(check(&tree, &estate_schema()));
    }
    if !diagnostics.is_empty() {
        return Err(Diagnostics::new(diagnostics, sources));
    }
    let index = PathIndex::build(&tree);
    let estate: Estate = match serde_json::from_value(tree.value.to_json()) {
        Ok(estate) => estate,
        Err(error) => {
            let diagnostic =
                Diagnostic::new(tree.at, "", format!("cannot read the estate: {error}")).with_hint(
                    "the schema check let this through; please report it as an aksctl bug",
                );
            return Err(Diagnostics::new(vec![diagnostic], sources));
        }
    };
    let (estate, aliases) = apply_defaults(estate);
    let problems = validate(&estate);
    if !problems.is_empty() {
        let located = problems
            .into_iter()
            .map(|problem| index.locate(problem, &aliases))
            .collect();
        return Err(Diagnostics::new(located, sources));
    }
    Ok(LoadedEstate {
        estate,
        sources,
        locations: index,
        aliases,
    })
}

/// Reads, decodes, parses and pre-checks one file; `None` (with diagnostics) if unusable.
fn read_document(
    input: Input,
    sources: &mut Sources,
    environment: &dyn Fn(&str) -> Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Located<Node>> {
    let bytes = match input.bytes {
        Ok(bytes) => bytes,
        Err(reason) => {
            sources.add(input.name.clone(), "");
            diagnostics.push(
                Diagnostic::at_path("", format!("cannot read `{}`: {reason}", input.name))
                    .with_hint("check the path given to `-f`"),
            );
            return None;
        }
    };
    let first_nul = bytes.iter().position(|byte| *byte == 0);
    let decoded = String::from_utf8(bytes);
    let first_invalid = decoded
        .as_ref()
        .err()
        .map(|error| error.utf8_error().valid_up_to());
    let binary_at = match (first_nul, first_invalid) {
        (Some(nul), Some(invalid)) => Some(nul.min(invalid)),
        (nul, invalid) => nul.or(invalid),
    };
    let text = match decoded {
        Ok(text) => text,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    };
    let source = sources.add(input.name.clone(), text.clone());
    if let Some(offset) = binary_at {
        let position = position_of_offset(&text, offset, source);
        diagnostics.push(
            Diagnostic::new(
                position,
                "",
                format!(
                    "`{}` is not a text file (binary data at byte {offset})",
                    input.name
                ),
            )
            .with_hint("estate files are UTF-8 YAML"),
        );
        return None;
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if is_blank(text) {
        diagnostics.push(
            Diagnostic::new(
                Position::start_of(source),
                "",
                format!("`{}` is empty", input.name),
            )
            .with_hint(format!(
                "an estate starts with `apiVersion: {API_VERSION}` and `kind: {KIND}`"
            )),
        );
        return None;
    }
    let mut tree = match parse(text, source) {
        Ok(tree) => tree,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            return None;
        }
    };
    if !matches!(tree.value, Node::Mapping(_)) {
        diagnostics.push(
            Diagnostic::new(
                tree.at,
                "",
                format!(
                    "expected a mapping of estate fields, found {}",
                    tree.value.describe()
                ),
            )
            .with_hint(format!("an estate starts with `apiVersion: {API_VERSION}`")),
        );
        return None;
    }
    if !header_is_valid(&tree, diagnostics) {
        return None;
    }
    substitute(&mut tree, "", environment, diagnostics);
    Some(tree)
}

/// Every file must say what it is, so an unrelated YAML file is never merged in.
fn header_is_valid(tree: &Located<Node>, diagnostics: &mut Vec<Diagnostic>) -> bool {
    let mut valid = true;
    for (field, expected) in [("apiVersion", API_VERSION), ("kind", KIND)] {
        match tree.value.get(field) {
            None => {
                valid = false;
                diagnostics.push(
                    Diagnostic::new(tree.at, field, format!("missing `{field}`"))
                        .with_hint(format!("start the file with `{field}: {expected}`")),
                );
            }
            Some(value) if value.value.as_str() != Some(expected) => {
                valid = false;
                let found = match &value.value {
                    Node::String(text) => format!("`{text}`"),
                    other => other.describe(),
                };
                diagnostics.push(
                    Diagnostic::new(value.at, field, format!("unsupported {field} {found}"))
                        .with_hint(format!("this aksctl reads `{field}: {expected}`")),
                );
            }
            Some(_) => {}
        }
    }
    valid
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---" || line == "..."
    })
}

fn position_of_offset(text: &str, offset: usize, source: SourceId) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    Position::new(source, line as u64, column as u64)
}

/// Field path -> position of its value (and of its key), from the merged tree.
#[derive(Debug, Clone, Default, PartialEq)]
struct PathIndex {
    values: BTreeMap<String, Position>,
    /// Key positions of fields whose value is a list or mapping: a problem with a whole block
    /// points at its `key:` line rather than at its first item.
    block_keys: BTreeMap<String, Position>,
}

impl PathIndex {
    fn build(tree: &Located<Node>) -> Self {
        let mut index = PathIndex::default();
        index.visit(tree, "");
        index
    }

    fn visit(&mut self, node: &Located<Node>, path: &str) {
        self.values.insert(path.to_string(), node.at);
        match &node.value {
            Node::Sequence(items) => {
                for (position, item) in items.iter().enumerate() {
                    self.visit(item, &index_path(path, position));
                }
            }
            Node::Mapping(entries) => {
                for (key, value) in entries {
                    let field_path = key_path(path, &key.value);
                    if matches!(value.value, Node::Sequence(_) | Node::Mapping(_)) {
                        self.block_keys.insert(field_path.clone(), key.at);
                    }
                    self.visit(value, &field_path);
                }
            }
            _ => {}
        }
    }

    /// Fills the position of a path-only diagnostic: the value at its path (after undoing
    /// defaulting's renumbering), else the nearest declared ancestor.
    fn locate(&self, mut diagnostic: Diagnostic, aliases: &PathAliases) -> Diagnostic {
        if diagnostic.position.is_some() {
            return diagnostic;
        }
        let mut path = aliases.original(&diagnostic.path);
        loop {
            if let Some(position) = self
                .block_keys
                .get(&path)
                .or_else(|| self.values.get(&path))
            {
                diagnostic.position = Some(*position);
                return diagnostic;
            }
            match parent_path(&path) {
                Some(parent) => path = parent,
                None => return diagnostic,
            }
        }
    }
}

/// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> `` -> None.
fn parent_path(path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(path[..cut].to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const VALID: &str = include_str!("../../plans/shared-prod.yaml");

    fn load_text(bytes: Vec<u8>) -> Result<LoadedEstate, Diagnostics> {
        let input = Input {
            name: "fuzz.yaml".into(),
            bytes: Ok(bytes),
        };
        load_inputs(vec![input], &|_| None)
    }

    #[test]
    fn the_shipped_estate_loads() {
        let loaded = load_text(VALID.as_bytes().to_vec()).expect("valid");
        assert_eq!(loaded.estate.name(), "shared-prod");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Arbitrary bytes never panic, and a failure always says something.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Err(diagnostics) = load_text(bytes) {
                prop_assert!(!diagnostics.is_empty());
            }
        }

        /// A valid estate with one line dropped or one character replaced loads or fails with
        /// located diagnostics, never a panic.
        #[test]
        fn mutated_estates_never_panic(line in 0usize..170, column in 0usize..40, replacement in any::<char>(), drop_line in any::<bool>()) {
            let mut lines: Vec<String> = VALID.lines().map(str::to_string).collect();
            let index = line % lines.len();
            if drop_line {
                lines.remove(index);
            } else {
                let mut chars: Vec<char> = lines[index].chars().collect();
                if !chars.is_empty() {
                    let at = column % chars.len();
                    chars[at] = replacement;
                }
                lines[index] = chars.into_iter().collect();
            }
            if let Err(diagnostics) = load_text(lines.join("\n").into_bytes()) {
                prop_assert!(!diagnostics.is_empty());
                prop_assert!(diagnostics.items.iter().all(|d| d.position.is_some()), "{diagnostics}");
            }
        }
    }
}

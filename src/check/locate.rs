//! Finding -> `file:line:col`: a rule names the field it is about as a path of keys and named
//! list items (`clusters[name=aks-prod].pools[name=system].zones`), resolved against each
//! estate file's located YAML tree. Lists are matched by item fields rather than by index, so
//! a path of the merged estate finds the file that declared it; the deepest match wins, and a
//! later file wins a tie (it overrides the earlier ones). A field nobody declared (a missing
//! setting) resolves to the nearest declared ancestor, usually the resource itself.

use crate::check::SourceLocation;
use crate::spec::diagnostic::{Position, Sources};
use crate::spec::node::{parse, Located, Node};

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A mapping key.
    Key(&'static str),
    /// The item of a list whose string fields have all these values.
    Item(Vec<(&'static str, String)>),
}

/// A field of the estate, named by keys and list items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath {
    pub steps: Vec<Step>,
}

impl FieldPath {
    /// The item named `name` of the top-level list `list` (e.g. `clusters`).
    pub fn resource(list: &'static str, name: &str) -> Self {
        FieldPath {
            steps: vec![
                Step::Key(list),
                Step::Item(vec![("name", name.to_string())]),
            ],
        }
    }

    pub fn cluster(name: &str) -> Self {
        FieldPath::resource("clusters", name)
    }

    pub fn pool(cluster: &str, pool: &str) -> Self {
        FieldPath::cluster(cluster).named("pools", pool)
    }

    /// Then field `key`.
    pub fn key(mut self, key: &'static str) -> Self {
        self.steps.push(Step::Key(key));
        self
    }

    /// Then the item named `name` of list `list`.
    pub fn named(mut self, list: &'static str, name: &str) -> Self {
        self.steps.push(Step::Key(list));
        self.steps
            .push(Step::Item(vec![("name", name.to_string())]));
        self
    }

    /// Then the item of list `list` whose fields have all `values`.
    pub fn item_where(mut self, list: &'static str, values: Vec<(&'static str, String)>) -> Self {
        self.steps.push(Step::Key(list));
        self.steps.push(Step::Item(values));
        self
    }
}

/// The estate files parsed once, for locating many findings.
pub struct Locator<'a> {
    sources: &'a Sources,
    trees: Vec<Located<Node>>,
}

impl<'a> Locator<'a> {
    /// Parses every source file (files that do not parse are skipped: their findings get the
    /// location of another file or none).
    pub fn new(sources: &'a Sources) -> Self {
        let trees = sources
            .files
            .iter()
            .enumerate()
            .filter_map(|(index, file)| {
                let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
                if text.trim().is_empty() {
                    return None;
                }
                parse(text, crate::spec::SourceId(index)).ok()
            })
            .collect();
        Locator { sources, trees }
    }

    /// Where `path` is declared, or `None` when no file has even its first step.
    pub fn locate(&self, path: &FieldPath) -> Option<SourceLocation> {
        let mut best: Option<(usize, Position)> = None;
        for tree in &self.trees {
            if let Some((depth, position)) = deepest(tree, &path.steps) {
                if best.is_none_or(|(best_depth, _)| depth >= best_depth) {
                    best = Some((depth, position));
                }
            }
        }
        best.map(|(_, position)| SourceLocation {
            file: self.sources.name(position.source).to_string(),
            line: position.line,
            column: position.column,
        })
    }
}

/// How many steps of `steps` resolve in `tree`, and the position of the last one resolved
/// (`None` when not even the first does).
fn deepest(tree: &Located<Node>, steps: &[Step]) -> Option<(usize, Position)> {
    let mut node = tree;
    let mut reached: Option<(usize, Position)> = None;
    for (depth, step) in steps.iter().enumerate() {
        let (next, position) = match step {
            Step::Key(key) => match &node.value {
                Node::Mapping(entries) => {
                    let Some((name, value)) = entries.iter().find(|(name, _)| name.value == *key)
                    else {
                        break;
                    };
                    // A block points at its `key:` line, a scalar at its value.
                    let position = match value.value {
                        Node::Mapping(_) | Node::Sequence(_) => name.at,
                        _ => value.at,
                    };
                    (value, position)
                }
                _ => break,
            },
            Step::Item(values) => match &node.value {
                Node::Sequence(items) => {
                    let Some(item) = items.iter().find(|item| {
                        values.iter().all(|(field, wanted)| {
                            item.value.get(field).and_then(|v| v.value.as_str())
                                == Some(wanted.as_str())
                        })
                    }) else {
                        break;
                    };
                    (item, item.at)
                }
                _ => break,
            },
        };
        node = next;
        reached = Some((depth + 1, position));
    }
    reached
}

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
    /// The item matching the first of these alternatives that any item matches (e.g. a role
    /// assignment by its declared `name`, else by role and scope).
    FirstOf(Vec<Vec<(&'static str, String)>>),
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
            Step::Item(values) => match find_item(&node.value, values) {
                Some(item) => (item, item.at),
                None => break,
            },
            Step::FirstOf(alternatives) => {
                match alternatives
                    .iter()
                    .find_map(|values| find_item(&node.value, values))
                {
                    Some(item) => (item, item.at),
                    None => break,
                }
            }
        };
        node = next;
        reached = Some((depth + 1, position));
    }
    reached
}

/// The item of sequence `node` whose string fields have all `values`.
fn find_item<'n>(node: &'n Node, values: &[(&'static str, String)]) -> Option<&'n Located<Node>> {
    let Node::Sequence(items) = node else {
        return None;
    };
    items.iter().find(|item| {
        values.iter().all(|(field, wanted)| {
            item.value.get(field).and_then(|value| value.value.as_str()) == Some(wanted.as_str())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(files: &[(&str, &str)]) -> Sources {
        let mut sources = Sources::default();
        for (name, text) in files {
            sources.add(*name, *text);
        }
        sources
    }

    const BASE: &str = "clusters:\n  - name: a\n    tier: Free\n  - name: b\n    tier: Free\n";
    const OVERLAY: &str = "clusters:\n  - name: b\n    tier: Standard\n";

    #[test]
    fn the_deepest_match_wins_and_a_later_file_wins_a_tie() {
        let sources = sources(&[("base.yaml", BASE), ("overlay.yaml", OVERLAY)]);
        let locator = Locator::new(&sources);
        let at = |path: FieldPath| {
            locator
                .locate(&path)
                .map(|location| (location.file, location.line, location.column))
        };
        assert_eq!(
            at(FieldPath::cluster("a").key("tier")),
            Some(("base.yaml".into(), 3, 11))
        );
        assert_eq!(
            at(FieldPath::cluster("b").key("tier")),
            Some(("overlay.yaml".into(), 3, 11))
        );
        // Undeclared field: the resource itself.
        assert_eq!(
            at(FieldPath::cluster("a").key("network")),
            Some(("base.yaml".into(), 2, 5))
        );
        assert_eq!(at(FieldPath::resource("registries", "x")), None);
    }

    #[test]
    fn first_of_tries_alternatives_in_order() {
        let text = "roleAssignments:\n  - role: Reader\n    scope: subscription\n  - name: named\n    role: Reader\n    scope: subscription\n";
        let sources = sources(&[("estate.yaml", text)]);
        let locator = Locator::new(&sources);
        let path = |name: &str| FieldPath {
            steps: vec![
                Step::Key("roleAssignments"),
                Step::FirstOf(vec![
                    vec![("name", name.to_string())],
                    vec![("role", "Reader".into()), ("scope", "subscription".into())],
                ]),
            ],
        };
        let line = |name: &str| locator.locate(&path(name)).map(|location| location.line);
        assert_eq!(line("named"), Some(4));
        assert_eq!(line("derived-name"), Some(2));
    }
}

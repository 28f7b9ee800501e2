//! `${ENV_VAR}` substitution in every string value of a located tree. `${ENV_VAR:-default}` uses
//! `default` when the variable is unset or empty; `$${` writes a literal `${`. A malformed
//! reference is a located diagnostic; an unset variable without a default is one diagnostic per
//! variable, at its first use, listing every other place that uses it.

use crate::spec::diagnostic::{Diagnostic, Position};
use crate::spec::node::{index_path, key_path, Located, Node};

/// Replaces `${NAME}` in every string value (not keys) using `lookup`; collects one diagnostic
/// per malformed reference and one per unset variable (with all its uses).
pub fn substitute(
    tree: &mut Located<Node>,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut unset = Vec::new();
    substitute_in(tree, path, lookup, diagnostics, &mut unset);
    diagnostics.extend(unset.into_iter().map(UnsetVariable::into_diagnostic));
}

/// An unset variable and every place (position, field path) that uses it, in document order.
struct UnsetVariable {
    name: String,
    uses: Vec<(Position, String)>,
}

impl UnsetVariable {
    fn into_diagnostic(self) -> Diagnostic {
        let UnsetVariable { name, mut uses } = self;
        let (position, path) = uses.remove(0);
        let mut message = unset_message(&name);
        if !uses.is_empty() {
            let others: Vec<String> = uses
                .iter()
                .map(|(at, path)| format!("{}:{} {path}", at.line, at.column))
                .collect();
            message.push_str(&format!(
                "; also used at {} ({} uses in this file)",
                others.join(", "),
                uses.len() + 1
            ));
        }
        Diagnostic::new(position, path, message).with_hint(format!(
            "export {name}=... before running aksctl, or write the value literally"
        ))
    }
}

fn unset_message(name: &str) -> String {
    format!("environment variable `{name}` is not set")
}

/// Whether `diagnostic` reports that `${name}` (without a default) is unset.
pub fn reports_unset(diagnostic: &Diagnostic, name: &str) -> bool {
    diagnostic.message.starts_with(&unset_message(name))
}

fn substitute_in(
    tree: &mut Located<Node>,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    diagnostics: &mut Vec<Diagnostic>,
    unset: &mut Vec<UnsetVariable>,
) {
    let position = tree.at;
    match &mut tree.value {
        Node::String(text) => {
            if text.contains('$') {
                match expand(text, lookup) {
                    Ok(expanded) => *text = expanded,
                    Err(ExpansionProblem::Unset(name)) => {
                        let place = (position, path.to_owned());
                        match unset.iter_mut().find(|variable| variable.name == name) {
                            Some(variable) => variable.uses.push(place),
                            None => unset.push(UnsetVariable {
                                name,
                                uses: vec![place],
                            }),
                        }
                    }
                    Err(problem) => diagnostics.push(problem.into_diagnostic(position, path)),
                }
            }
        }
        Node::Sequence(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                substitute_in(item, &index_path(path, index), lookup, diagnostics, unset);
            }
        }
        Node::Mapping(entries) => {
            for (key, value) in entries.iter_mut() {
                substitute_in(
                    value,
                    &key_path(path, &key.value),
                    lookup,
                    diagnostics,
                    unset,
                );
            }
        }
        Node::Null | Node::Bool(_) | Node::Integer(_) | Node::Float(_) => {}
    }
}

/// Why a string could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpansionProblem {
    Unset(String),
    Unterminated,
    BadName(String),
}

impl ExpansionProblem {
    fn into_diagnostic(self, position: Position, path: &str) -> Diagnostic {
        match self {
            ExpansionProblem::Unset(name) => Diagnostic::new(
                position,
                path,
                format!("environment variable `{name}` is not set"),
            )
            .with_hint(format!(
                "export {name}=... before running aksctl, or write the value literally"
            )),
            ExpansionProblem::Unterminated => {
                Diagnostic::new(position, path, "`${` without a closing `}`")
                    .with_hint("write `${NAME}`, or `$${` for a literal `${`")
            }
            ExpansionProblem::BadName(name) => Diagnostic::new(
                position,
                path,
                format!("`${{{name}}}` is not a valid environment variable reference"),
            )
            .with_hint("names are letters, digits and `_`, not starting with a digit"),
        }
    }
}

/// Expands `${NAME}` references in `text`.
pub fn expand(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ExpansionProblem> {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        output.push_str(&rest[..at]);
        let after = &rest[at..];
        if let Some(stripped) = after.strip_prefix("$${") {
            output.push_str("${");
            rest = stripped;
        } else if let Some(reference) = after.strip_prefix("${") {
            let end = reference.find('}').ok_or(ExpansionProblem::Unterminated)?;
            let inner = &reference[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (inner, None),
            };
            if !is_variable_name(name) {
                return Err(ExpansionProblem::BadName(inner.to_string()));
            }
            let value = match (lookup(name).filter(|value| !value.is_empty()), default) {
                (Some(value), _) => value,
                (None, Some(default)) => default.to_string(),
                (None, None) => return Err(ExpansionProblem::Unset(name.to_string())),
            };
            output.push_str(&value);
            rest = &reference[end + 1..];
        } else {
            output.push('$');
            rest = &after[1..];
        }
    }
    output.push_str(rest);
    Ok(output)
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        (name == "SUB").then(|| "1234".to_string())
    }

    #[test]
    fn expands_and_escapes() {
        assert_eq!(expand("${SUB}", &lookup), Ok("1234".into()));
        assert_eq!(expand("a-${SUB}-b", &lookup), Ok("a-1234-b".into()));
        assert_eq!(expand("$${SUB}", &lookup), Ok("${SUB}".into()));
        assert_eq!(expand("cost $5", &lookup), Ok("cost $5".into()));
        assert_eq!(expand("${SUB:-x}", &lookup), Ok("1234".into()));
        assert_eq!(expand("${NOPE:-0000-1}", &lookup), Ok("0000-1".into()));
    }

    #[test]
    fn an_unset_variable_used_in_many_places_is_one_problem_listing_them() {
        let text = "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nmetadata: {name: e}\nsubscription: ${NOPE}\nlocation: eastus\ntags:\n  a: ${NOPE}\n  b: x-${NOPE}\n  c: ${OTHER}\n";
        let input = crate::spec::Input {
            name: "plans/e.yaml".into(),
            bytes: Ok(text.as_bytes().to_vec()),
        };
        let Err(diagnostics) = crate::spec::load_inputs(vec![input], &lookup) else {
            panic!("unset variables must fail the load");
        };
        let unset: Vec<&Diagnostic> = diagnostics
            .items
            .iter()
            .filter(|diagnostic| diagnostic.message.contains("is not set"))
            .collect();
        assert_eq!(unset.len(), 2, "{diagnostics}");
        assert_eq!(unset[0].path, "subscription");
        assert_eq!(
            unset[0].message,
            "environment variable `NOPE` is not set; also used at 7:6 tags.a, 8:6 tags.b (3 uses in this file)"
        );
        assert_eq!(unset[1].message, "environment variable `OTHER` is not set");
    }

    #[test]
    fn reports_problems() {
        assert_eq!(
            expand("${NOPE}", &lookup),
            Err(ExpansionProblem::Unset("NOPE".into()))
        );
        assert_eq!(
            expand("${SUB", &lookup),
            Err(ExpansionProblem::Unterminated)
        );
        assert_eq!(
            expand("${1X}", &lookup),
            Err(ExpansionProblem::BadName("1X".into()))
        );
    }
}

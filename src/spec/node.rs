//! The located YAML tree: every value and mapping key with the file, line and column it came from.
//! Parsed with serde-saphyr (`Spanned`), so merging, `${ENV}` substitution and structural checks
//! can point at the exact source of every value, across several files.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::spec::diagnostic::{Diagnostic, Position, SourceId};

/// A value with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub at: Position,
}

impl<T> Located<T> {
    pub fn new(value: T, at: Position) -> Self {
        Located { value, at }
    }
}

/// One YAML node, typed as YAML 1.2 infers plain scalars.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Integer(i128),
    Float(f64),
    String(String),
    Sequence(Vec<Located<Node>>),
    /// Entries in source order (duplicate keys are a parse error).
    Mapping(Vec<(Located<String>, Located<Node>)>),
}

impl Node {
    /// What kind of value this is, for messages ("expected a string, found a mapping").
    pub fn describe(&self) -> String {
        match self {
            Node::Null => "null".to_string(),
            Node::Bool(value) => format!("the boolean `{value}`"),
            Node::Integer(value) => format!("the number `{value}`"),
            Node::Float(value) => format!("the number `{value}`"),
            Node::String(_) => "a string".to_string(),
            Node::Sequence(_) => "a list".to_string(),
            Node::Mapping(_) => "a mapping".to_string(),
        }
    }

    /// The value of `key` if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Located<Node>> {
        match self {
            Node::Mapping(entries) => entries
                .iter()
                .find(|(name, _)| name.value == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(text) => Some(text),
            _ => None,
        }
    }

    /// Converts to JSON (for typed deserialization after the structural check).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Node::Null => serde_json::Value::Null,
            Node::Bool(value) => serde_json::Value::Bool(*value),
            Node::Integer(value) => i64::try_from(*value)
                .map(serde_json::Value::from)
                .or_else(|_| u64::try_from(*value).map(serde_json::Value::from))
                .unwrap_or_else(|_| serde_json::Value::from(*value as f64)),
            Node::Float(value) => serde_json::Number::from_f64(*value)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Node::String(text) => serde_json::Value::String(text.clone()),
            Node::Sequence(items) => {
                serde_json::Value::Array(items.iter().map(|item| item.value.to_json()).collect())
            }
            Node::Mapping(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.value.clone(), value.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The path of field `key` under `parent`: `clusters[0]` + `pools` -> `clusters[0].pools`.
pub fn key_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// The path of item `index` of the list at `parent`: `clusters` + 0 -> `clusters[0]`.
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// Parses one YAML document into a located tree. `text` must already be valid UTF-8 and
/// non-empty (see `load`).
pub fn parse(text: &str, source: SourceId) -> Result<Located<Node>, Diagnostic> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.with_snippet = false;
    match serde_saphyr::from_str_with_options::<Spanned<RawNode>>(text, options) {
        Ok(raw) => Ok(locate(raw, source)),
        Err(error) => {
            let position = error
                .location()
                .map(|location| Position::new(source, location.line(), location.column()))
                .unwrap_or_else(|| Position::new(source, 1, 1));
            let message = parse_error_message(&error);
            if message.contains("multiple YAML documents") {
                return Err(Diagnostic::new(
                    position,
                    "",
                    "a second YAML document (`---`); an estate file holds one estate",
                )
                .with_hint("split it into separate files and pass each with `-f` (later files merge over earlier ones)"));
            }
            Err(
                Diagnostic::new(position, "", format!("not valid YAML: {message}"))
                    .with_hint("check indentation and quoting around this line"),
            )
        }
    }
}

/// serde-saphyr's message without its own location suffix (we print ours).
fn parse_error_message(error: &serde_saphyr::Error) -> String {
    let text = error.without_snippet().to_string();
    let first_line = text.lines().next().unwrap_or_default().trim().to_string();
    match first_line.find(" at line ") {
        Some(at) => first_line[..at].to_string(),
        None => first_line,
    }
}

fn locate(raw: Spanned<RawNode>, source: SourceId) -> Located<Node> {
    let at = Position::new(source, raw.referenced.line(), raw.referenced.column());
    let value = match raw.value {
        RawNode::Null => Node::Null,
        RawNode::Bool(value) => Node::Bool(value),
        RawNode::Integer(value) => Node::Integer(value),
        RawNode::Float(value) => Node::Float(value),
        RawNode::String(value) => Node::String(value),
        RawNode::Sequence(items) => {
            Node::Sequence(items.into_iter().map(|item| locate(item, source)).collect())
        }
        RawNode::Mapping(entries) => Node::Mapping(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let key_at =
                        Position::new(source, key.referenced.line(), key.referenced.column());
                    (Located::new(key.value.0, key_at), locate(value, source))
                })
                .collect(),
        ),
    };
    Located::new(value, at)
}

/// The tree as serde-saphyr hands it over, before source ids are attached.
enum RawNode {
    Null,
    Bool(bool),
    Integer(i128),
    Float(f64),
    String(String),
    Sequence(Vec<Spanned<RawNode>>),
    Mapping(Vec<(Spanned<RawKey>, Spanned<RawNode>)>),
}

/// A mapping key: any scalar, kept as text.
struct RawKey(String);

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawNodeVisitor)
    }
}

struct RawNodeVisitor;

impl<'de> Visitor<'de> for RawNodeVisitor {
    type Value = RawNode;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<RawNode, E> {
        Ok(RawNode::Integer(i128::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<RawNode, E> {
        Ok(RawNode::Integer(i128::from(value)))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<RawNode, E> {
        Ok(RawNode::Integer(value))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<RawNode, E> {
        i128::try_from(value)
            .map(RawNode::Integer)
            .map_err(|_| E::custom("integer too large"))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawNode, E> {
        Ok(RawNode::String(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<RawNode, E> {
        Ok(RawNode::String(value))
    }

    fn visit_bytes<E: de::Error>(self, _value: &[u8]) -> Result<RawNode, E> {
        Err(E::custom("binary values are not supported"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawNode>>()? {
            items.push(item);
        }
        Ok(RawNode::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<RawKey>>()? {
            let value = map.next_value::<Spanned<RawNode>>()?;
            entries.push((key, value));
        }
        Ok(RawNode::Mapping(entries))
    }
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawKeyVisitor)
    }
}

struct RawKeyVisitor;

impl Visitor<'_> for RawKeyVisitor {
    type Value = RawKey;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a scalar mapping key")
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawKey, E> {
        Ok(RawKey("null".to_string()))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<RawKey, E> {
        Ok(RawKey(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<RawKey, E> {
        Ok(RawKey(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<RawKey, E> {
        Ok(RawKey(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<RawKey, E> {
        Ok(RawKey(value.to_string()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<RawKey, E> {
        Ok(RawKey(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<RawKey, E> {
        Ok(RawKey(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Located<Node> {
        parse(text, SourceId(0)).expect("parses")
    }

    #[test]
    fn values_keys_and_positions() {
        let tree = parse_ok("a: 1\nb:\n  - x\n  - {c: true}\nd: 1.30\ne: \"1.30\"\n");
        let Node::Mapping(entries) = &tree.value else {
            panic!("mapping expected");
        };
        assert_eq!(entries[0].0.value, "a");
        assert_eq!((entries[0].0.at.line, entries[0].0.at.column), (1, 1));
        assert_eq!(entries[0].1.value, Node::Integer(1));
        assert_eq!((entries[0].1.at.line, entries[0].1.at.column), (1, 4));
        let list = tree.value.get("b").expect("b");
        let Node::Sequence(items) = &list.value else {
            panic!("sequence expected");
        };
        assert_eq!(items[0].value, Node::String("x".into()));
        assert_eq!((items[0].at.line, items[0].at.column), (3, 5));
        let inner = items[1].value.get("c").expect("c");
        assert_eq!(inner.value, Node::Bool(true));
        assert_eq!(
            tree.value.get("d").map(|d| &d.value),
            Some(&Node::Float(1.3))
        );
        assert_eq!(
            tree.value.get("e").map(|e| &e.value),
            Some(&Node::String("1.30".into()))
        );
    }

    #[test]
    fn yaml_11_booleans_stay_strings() {
        let tree = parse_ok("a: yes\nb: on\n");
        assert_eq!(
            tree.value.get("a").map(|a| &a.value),
            Some(&Node::String("yes".into()))
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let error = parse("a: 1\nb: [1, 2\n", SourceId(0)).expect_err("fails");
        assert!(
            error.message.starts_with("not valid YAML"),
            "{}",
            error.message
        );
        assert!(error.position.is_some_and(|p| p.line >= 2));
        let duplicate = parse("a: 1\na: 2\n", SourceId(0)).expect_err("fails");
        assert!(
            duplicate.message.contains("uplicate"),
            "{}",
            duplicate.message
        );
    }
}

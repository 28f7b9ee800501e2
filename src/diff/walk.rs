//! The walk: visits only what the desired body declares and reports each declared value the live
//! body does not satisfy. Objects are matched by key (case-insensitively as a fallback), arrays
//! of named objects by `name` (never by position), other arrays as sets.

use serde_json::{Map, Value};

use crate::diff::normalize::{current_version_key, scalars_equal};
use crate::diff::rules::{self, IGNORED_KEYS};
use crate::kind::descriptor::ServerMover;
use crate::kind::Kind;

/// One declared value that live does not satisfy.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// JSON pointer into the desired body (`/properties/agentPoolProfiles/0/vmSize`).
    pub pointer: String,
    /// Human path (`properties.agentPoolProfiles[system].vmSize`).
    pub display: String,
    /// Rule path (`properties.agentPoolProfiles[].vmSize`), matched against `diff::rules`.
    pub rule_path: String,
    /// The live value; `None` when live does not have the field.
    pub before: Option<Value>,
    pub after: Value,
}

/// Where the walk is.
#[derive(Clone)]
struct Location {
    pointer: String,
    display: String,
    rule_path: String,
}

impl Location {
    fn root() -> Self {
        Location {
            pointer: String::new(),
            display: String::new(),
            rule_path: String::new(),
        }
    }

    fn key(&self, key: &str) -> Self {
        let join = |base: &str| {
            if base.is_empty() {
                key.to_owned()
            } else {
                format!("{base}.{key}")
            }
        };
        Location {
            pointer: format!(
                "{}/{}",
                self.pointer,
                key.replace('~', "~0").replace('/', "~1")
            ),
            display: join(&self.display),
            rule_path: join(&self.rule_path),
        }
    }

    fn element(&self, index: usize, name: &str) -> Self {
        Location {
            pointer: format!("{}/{index}", self.pointer),
            display: format!("{}[{name}]", self.display),
            rule_path: format!("{}[]", self.rule_path),
        }
    }
}

/// Every declared value of `desired` that `live` does not satisfy.
pub fn differences(kind: Kind, desired: &Value, live: &Value) -> Vec<Difference> {
    let mut found = Vec::new();
    walk(kind, desired, Some(live), &Location::root(), "", &mut found);
    found
}

fn walk(
    kind: Kind,
    desired: &Value,
    live: Option<&Value>,
    at: &Location,
    key: &str,
    found: &mut Vec<Difference>,
) {
    if desired.is_null() || rules::is_ignored(kind, &at.rule_path) || IGNORED_KEYS.contains(&key) {
        return;
    }
    let live = live.filter(|value| !value.is_null());
    match desired {
        Value::Object(declared) => {
            if let Some(ignored_prefix) = rules::full_map(kind, &at.rule_path) {
                compare_full_map(declared, live, ignored_prefix, at, found);
                return;
            }
            let live_object = live.and_then(Value::as_object);
            let autoscaled = declared.get("enableAutoScaling") == Some(&Value::Bool(true));
            for (child_key, child) in declared {
                if autoscaled
                    && rules::moved_by(kind, &at.key(child_key).rule_path, ServerMover::Autoscaler)
                {
                    continue;
                }
                let live_child = live_object.and_then(|object| lookup(object, child_key));
                // A version is also satisfied by what is actually running (currentXVersion).
                if let (Some(current_key), Some(object), Value::String(_)) =
                    (current_version_key(child_key), live_object, child)
                {
                    let current = object.get(current_key);
                    if current.is_some_and(|current| scalars_equal(child_key, child, current)) {
                        continue;
                    }
                }
                walk(
                    kind,
                    child,
                    live_child,
                    &at.key(child_key),
                    child_key,
                    found,
                );
            }
        }
        Value::Array(declared) => compare_array(kind, declared, live, at, key, found),
        scalar => {
            let satisfied = match live {
                Some(live) => scalars_equal(key, scalar, live),
                None => absent_is_fine(kind, &at.rule_path, key, scalar),
            };
            if !satisfied {
                found.push(difference(at, live, desired));
            }
        }
    }
}

/// A declared scalar the live body omits is still satisfied when it is what ARM assumes.
fn absent_is_fine(kind: Kind, rule_path: &str, key: &str, declared: &Value) -> bool {
    let empty = match declared {
        Value::Bool(value) => !value,
        Value::String(value) => value.is_empty(),
        _ => false,
    };
    empty
        || rules::implied_default(kind, rule_path)
            .is_some_and(|default| scalars_equal(key, declared, &default))
}

fn compare_full_map(
    declared: &Map<String, Value>,
    live: Option<&Value>,
    ignored_prefix: &str,
    at: &Location,
    found: &mut Vec<Difference>,
) {
    let live_map: Map<String, Value> = live
        .and_then(Value::as_object)
        .map(|object| {
            object
                .iter()
                .filter(|(key, _)| !key.starts_with(ignored_prefix))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    let same_keys = declared.len() == live_map.len()
        && declared.iter().all(|(key, value)| {
            lookup(&live_map, key).is_some_and(|live_value| scalars_equal(key, value, live_value))
        });
    if !same_keys {
        let before = (!live_map.is_empty()).then(|| Value::Object(live_map));
        found.push(difference(
            at,
            before.as_ref(),
            &Value::Object(declared.clone()),
        ));
    }
}

fn compare_array(
    kind: Kind,
    declared: &[Value],
    live: Option<&Value>,
    at: &Location,
    key: &str,
    found: &mut Vec<Difference>,
) {
    let live_items: Vec<&Value> = live
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter(|item| !rules::ignored_set_entry(kind, &at.rule_path, item))
                .collect()
        })
        .unwrap_or_default();
    let named = !declared.is_empty() && declared.iter().all(|item| element_name(item).is_some());
    if named {
        for (index, item) in declared.iter().enumerate() {
            let name = element_name(item).unwrap_or_default();
            let live_item = live_items
                .iter()
                .find(|live_item| {
                    element_name(live_item).is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .copied();
            let element_at = at.element(index, name);
            match live_item {
                Some(live_item) => walk(kind, item, Some(live_item), &element_at, "", found),
                None => found.push(difference(&element_at, None, item)),
            }
        }
        for live_item in &live_items {
            let name = element_name(live_item).unwrap_or_default();
            let declared_here = declared
                .iter()
                .any(|item| element_name(item).is_some_and(|n| n.eq_ignore_ascii_case(name)));
            if !declared_here {
                let element_at = at.element(declared.len(), name);
                found.push(Difference {
                    pointer: at.pointer.clone(),
                    display: element_at.display,
                    rule_path: element_at.rule_path,
                    before: Some((*live_item).clone()),
                    after: Value::Null,
                });
            }
        }
        return;
    }
    if !same_set(kind, key, &at.rule_path, declared, &live_items) {
        let before = live.cloned();
        found.push(difference(
            at,
            before.as_ref(),
            &Value::Array(declared.to_vec()),
        ));
    }
}

/// Whether the live items are the declared ones in any order (each declared item matching a
/// distinct live item, objects by their declared fields).
fn same_set(kind: Kind, key: &str, rule_path: &str, declared: &[Value], live: &[&Value]) -> bool {
    if declared.len() != live.len() {
        return false;
    }
    let mut used = vec![false; live.len()];
    declared.iter().all(|item| {
        let matched = live.iter().enumerate().position(|(index, live_item)| {
            !used[index] && item_satisfied(kind, key, rule_path, item, live_item)
        });
        if let Some(index) = matched {
            used[index] = true;
        }
        matched.is_some()
    })
}

fn item_satisfied(kind: Kind, key: &str, rule_path: &str, declared: &Value, live: &Value) -> bool {
    match declared {
        Value::Object(_) | Value::Array(_) => {
            let mut nested = Vec::new();
            let at = Location {
                pointer: String::new(),
                display: String::new(),
                rule_path: format!("{rule_path}[]"),
            };
            walk(kind, declared, Some(live), &at, key, &mut nested);
            nested.is_empty()
        }
        scalar => scalars_equal(key, scalar, live),
    }
}

fn element_name(item: &Value) -> Option<&str> {
    item.as_object()?.get("name")?.as_str()
}

/// An object member by exact key, else by key ignoring ASCII case (tag names, resource-id keys).
fn lookup<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

fn difference(at: &Location, before: Option<&Value>, after: &Value) -> Difference {
    Difference {
        pointer: at.pointer.clone(),
        display: at.display.clone(),
        rule_path: at.rule_path.clone(),
        before: before.cloned(),
        after: after.clone(),
    }
}

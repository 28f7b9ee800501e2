//! Reading a collection page by page: each page's `value` items checked to be what ARM sends,
//! `nextLink` followed verbatim (on the endpoint only, never twice), a 404 on the collection's
//! parent read as an empty collection.

use std::collections::HashSet;
use std::sync::Arc;

use azure_core::http::{Method, Url};
use serde_json::Value;

use crate::arm::error::ArmError;
use crate::arm::request::{is_absent, json_object, unexpected_status};
use crate::arm::transport::Transport;

/// The pages of one collection; [`Pages::next_page`] reads the next one.
pub struct Pages {
    transport: Arc<Transport>,
    path: String,
    next: Option<Url>,
    seen: HashSet<String>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("path", &self.path)
            .field("next", &self.next.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl Pages {
    pub(crate) fn new(transport: Arc<Transport>, path: &str, first: Url) -> Pages {
        Pages {
            transport,
            path: path.to_owned(),
            next: Some(first),
            seen: HashSet::new(),
        }
    }

    /// Whether another page is to be read.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// The items of the next page, or `None` once every page has been read.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>, ArmError> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        let path = self.path.as_str();
        if !self.seen.insert(url.to_string()) {
            return Err(ArmError::Malformed {
                method: "GET".into(),
                resource: path.into(),
                status: None,
                expected: "a nextLink to a page not read yet".into(),
                detail: format!("a nextLink loop back to {url}"),
                request_id: None,
            });
        }
        let exchange = self.transport.get(path, &url).await?;
        if exchange.status == 404 && is_absent(&exchange) && self.seen.len() == 1 {
            return Ok(Some(Vec::new()));
        }
        if exchange.status != 200 {
            return Err(unexpected_status(Method::Get, path, &exchange));
        }
        let page = json_object(
            Method::Get,
            path,
            &exchange,
            "a JSON page {\"value\": [...]}",
        )?;
        let malformed = |detail: &str| ArmError::Malformed {
            method: "GET".into(),
            resource: path.into(),
            status: Some(exchange.status),
            expected: "a JSON page {\"value\": [...], \"nextLink\": ...}".into(),
            detail: detail.into(),
            request_id: exchange.request_id.clone(),
        };
        let items = match page.get("value") {
            Some(Value::Array(values)) => {
                // An item ARM would never send is refused, not skipped: skipping it would make
                // an existing resource look absent.
                if let Some(problem) = values.iter().find_map(item_problem) {
                    return Err(malformed(&problem));
                }
                values.clone()
            }
            Some(Value::Null) | None => Vec::new(),
            Some(_) => return Err(malformed("a `value` that is not an array")),
        };
        self.next = match page.get("nextLink") {
            None | Some(Value::Null) => None,
            Some(Value::String(next)) if next.trim().is_empty() => None,
            Some(Value::String(next)) => Some(self.transport.endpoint().followable(
                next,
                Method::Get,
                path,
            )?),
            Some(_) => return Err(malformed("a `nextLink` that is not a string")),
        };
        Ok(Some(items))
    }
}

/// Why a list item is not something ARM sends (`None` when it is fine): not an object, or an
/// `id`, `name` or `type` that is not a string, or `tags` that are not an object.
fn item_problem(item: &Value) -> Option<String> {
    let Value::Object(fields) = item else {
        return Some(format!(
            "a `value` item that is not an object: {}",
            short(item)
        ));
    };
    for field in ["id", "name", "type"] {
        if fields.get(field).is_some_and(|value| !value.is_string()) {
            return Some(format!(
                "a `value` item whose `{field}` is not a string: {}",
                short(item)
            ));
        }
    }
    if fields
        .get("tags")
        .is_some_and(|tags| !(tags.is_object() || tags.is_null()))
    {
        return Some(format!(
            "a `value` item whose `tags` are not an object: {}",
            short(item)
        ));
    }
    None
}

/// A JSON value cut to a readable length for an error message.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

//! Input rules every provider shares: request bodies, naming patterns, locations, tags, the
//! tracked-resource envelope (id, name, type, location, tags, systemData), eTags and
//! If-Match / If-None-Match preconditions.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::context::Request;
use super::error::ArmError;
use super::json;
use super::path::ResourcePath;
use super::world::Resource;

/// Who mock-arm says created and modified resources.
pub const CALLER: &str = "mock-arm-client";

/// A compiled pattern; `None` only if the constant pattern is invalid (then nothing matches).
pub fn pattern(source: &str) -> Option<Regex> {
    Regex::new(source).ok()
}

pub fn matches(regex: &LazyLock<Option<Regex>>, text: &str) -> bool {
    regex
        .as_ref()
        .is_some_and(|compiled| compiled.is_match(text))
}

/// The request body as an object, or 400 InvalidRequestContent.
pub fn body_object(request: &Request) -> Result<Value, ArmError> {
    match &request.body {
        Some(Value::Object(_)) => Ok(request.body.clone().unwrap_or(Value::Null)),
        Some(_) => Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: expected a JSON object.",
        )),
        None => Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: the body is empty.",
        )),
    }
}

/// `location` from a tracked resource's PUT body, normalized; 400 LocationRequired if absent.
pub fn required_location(body: &Value) -> Result<String, ArmError> {
    match json::str_at(body, "/location") {
        Some(location) if !location.trim().is_empty() => Ok(json::normalize_location(location)),
        _ => Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

/// A PUT may not move an existing resource.
pub fn ensure_same_location(
    existing: Option<&Resource>,
    location: &str,
    path: &ResourcePath,
) -> Result<(), ArmError> {
    let Some(current) = existing.and_then(Resource::location) else {
        return Ok(());
    };
    if json::normalize_location(current) == location {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceLocation",
        format!(
            "The resource '{}' already exists in location '{current}' in resource group '{}'. A resource with the same name cannot be created in location '{location}'. Please select a new resource name.",
            path.name(),
            path.resource_group
        ),
    ))
}

/// ARM's tag rules: at most 50, names ≤ 512 chars without reserved prefixes, values ≤ 256.
pub fn validate_tags(body: &Value) -> Result<(), ArmError> {
    let Some(tags) = json::at(body, "/tags") else {
        return Ok(());
    };
    let Some(tags) = tags.as_object() else {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The 'tags' property must be an object.",
        ));
    };
    if tags.len() > 50 {
        return Err(ArmError::bad_request(
            "InvalidTagCount",
            format!(
                "The resource has {} tags; at most 50 are allowed.",
                tags.len()
            ),
        ));
    }
    for (name, value) in tags {
        let lower = name.to_lowercase();
        if name.is_empty()
            || name.len() > 512
            || ["microsoft", "azure", "windows"]
                .iter()
                .any(|p| lower.starts_with(p))
        {
            return Err(ArmError::bad_request(
                "InvalidTagNameCharacters",
                format!("The tag name '{name}' is invalid: names are 1-512 characters and may not start with 'microsoft', 'azure' or 'windows'."),
            ));
        }
        if value.as_str().is_some_and(|text| text.len() > 256) {
            return Err(ArmError::bad_request(
                "InvalidTagValueLength",
                format!("The value of tag '{name}' exceeds 256 characters."),
            ));
        }
    }
    Ok(())
}

/// `systemData` for a write: keeps the creation half of `existing`.
pub fn system_data(existing: Option<&Value>, request: &Request) -> Value {
    let now = json::timestamp(request.wall);
    let created = existing.and_then(|body| body.get("systemData"));
    json!({
        "createdBy": created.and_then(|data| data.get("createdBy")).cloned().unwrap_or(json!(CALLER)),
        "createdByType": created.and_then(|data| data.get("createdByType")).cloned().unwrap_or(json!("Application")),
        "createdAt": created.and_then(|data| data.get("createdAt")).cloned().unwrap_or(json!(now)),
        "lastModifiedBy": CALLER,
        "lastModifiedByType": "Application",
        "lastModifiedAt": now,
    })
}

/// Builds the common envelope of a tracked resource: id, name, type, location, tags, systemData.
/// `fields` are the type-specific top-level fields (properties, sku, identity, ...).
pub fn tracked_envelope(
    id: &str,
    path: &ResourcePath,
    location: &str,
    request_body: &Value,
    existing: Option<&Value>,
    request: &Request,
) -> Value {
    let mut body = Map::new();
    body.insert("id".into(), json!(id));
    body.insert("name".into(), json!(path.name()));
    body.insert("type".into(), json!(path.kind.arm_type()));
    body.insert("location".into(), json!(location));
    let tags = json::at(request_body, "/tags")
        .cloned()
        .unwrap_or_else(|| json!({}));
    body.insert("tags".into(), tags);
    let system = if request.seeding {
        request_body
            .get("systemData")
            .cloned()
            .unwrap_or_else(|| system_data(existing, request))
    } else {
        system_data(existing, request)
    };
    body.insert("systemData".into(), system);
    Value::Object(body)
}

/// Honors `If-Match` / `If-None-Match` against the current eTag (None = resource absent).
pub fn check_preconditions(
    request: &Request,
    current_etag: Option<&str>,
    exists: bool,
) -> Result<(), ArmError> {
    if let Some(if_match) = &request.if_match {
        let wanted = if_match.trim();
        let ok = if wanted == "*" {
            exists
        } else {
            exists
                && current_etag
                    .is_some_and(|etag| json::etag_value(etag) == json::etag_value(wanted))
        };
        if !ok {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                format!(
                    "The If-Match precondition '{wanted}' does not match the current eTag '{}'.",
                    current_etag.unwrap_or("<none>")
                ),
            ));
        }
    }
    if let Some(if_none_match) = &request.if_none_match {
        if exists
            && (if_none_match.trim() == "*"
                || current_etag
                    .is_some_and(|etag| json::etag_value(etag) == json::etag_value(if_none_match)))
        {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                "The If-None-Match precondition failed: the resource already exists.",
            ));
        }
    }
    Ok(())
}

/// Fresh eTag (GUID).
pub fn new_etag() -> String {
    json::guid()
}

//! Soft-deleted resources kept in the world (`World::soft_deleted`): recording one when its delete
//! completes (unless sent with `force=true`), listing those still holding their names per
//! subscription or resource group, and their records in `/_mock/state`. A provider whose type
//! soft-deletes this way (Log Analytics workspaces) calls these from its hooks; the generic code
//! (dispatch, snapshot) reaches them through `Provider::soft_deleted_collection`.

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::context::{Outcome, Request};
use super::error::ArmError;
use super::json;
use super::listing;
use super::path::{self, ResourcePath, Target};
use super::types::{Kind, TYPES};
use super::world::{Resource, SoftDeleted, World};

/// Records `resource` as soft-deleted for `days`, unless its delete was sent with force.
pub fn record(world: &mut World, resource: &Resource, wall: OffsetDateTime, days: i64) {
    let key = resource.key();
    if world.forced_deletes.remove(&key) {
        return;
    }
    let mut body = resource.body.clone();
    body["properties"]["provisioningState"] = json!("Succeeded");
    world.soft_deleted.insert(
        key,
        SoftDeleted {
            kind: resource.kind,
            location: resource.location().unwrap_or_default().to_string(),
            body,
            deletion_date: wall,
            purge_date: wall + time::Duration::days(days),
        },
    );
    world.dirty = true;
}

/// The soft-deleted resource under `key` whose purge date has not passed.
pub fn held<'a>(world: &'a World, key: &str, wall: OffsetDateTime) -> Option<&'a SoftDeleted> {
    world
        .soft_deleted
        .get(key)
        .filter(|record| record.purge_date > wall)
}

/// `GET` of the soft-deleted resources of `kind` per subscription or resource group: those
/// still holding their names.
pub fn list(
    world: &World,
    request: &Request,
    kind: Kind,
    subscription: &str,
    group: Option<&str>,
) -> Outcome {
    let prefix = match group {
        Some(group) => {
            let path = ResourcePath::resource_group(subscription, group);
            if !world.contains(&path.key()) {
                return Err(ArmError::resource_group_not_found(group));
            }
            format!("{}/", path.key())
        }
        None => format!("/subscriptions/{}/", subscription.to_lowercase()),
    };
    let items: Vec<Value> = world
        .soft_deleted
        .iter()
        .filter(|(key, record)| {
            record.kind == kind && key.starts_with(&prefix) && record.purge_date > request.wall
        })
        .map(|(_, record)| record.body.clone())
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

/// The state-document record of a soft-deleted resource: `{"<body_key>": <GET body>,
/// "deletionDate", "purgeDate"}`.
pub fn state(record: &SoftDeleted, body_key: &str) -> Value {
    json!({
        body_key: record.body,
        "deletionDate": json::timestamp(record.deletion_date),
        "purgeDate": json::timestamp(record.purge_date),
    })
}

/// Reads a record written by [`state`] (dates default to now and now + `days`); `id_of` gives
/// the id the type answers with.
pub fn load(
    record: &Value,
    body_key: &str,
    kind: Kind,
    days: i64,
    id_of: fn(&ResourcePath) -> String,
) -> Result<(String, SoftDeleted), ArmError> {
    let body = record.get(body_key).cloned().unwrap_or(Value::Null);
    let id = json::str_at(&body, "/id").unwrap_or_default();
    let path = match path::parse(id) {
        Some(Target::Item(path)) if path.kind == kind => path,
        _ => {
            return Err(ArmError::bad_request(
                "InvalidState",
                format!(
                    "A deleted {body_key} needs '{body_key}.id' naming a {} resource (got '{id}').",
                    kind.arm_type()
                ),
            ))
        }
    };
    let location = json::normalize_location(json::str_at(&body, "/location").unwrap_or("eastus"));
    let deletion_date = json::str_at(record, "/deletionDate")
        .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
        .unwrap_or_else(OffsetDateTime::now_utc);
    let purge_date = json::str_at(record, "/purgeDate")
        .and_then(|text| OffsetDateTime::parse(text, &Rfc3339).ok())
        .unwrap_or(deletion_date + time::Duration::days(days));
    let mut body = body;
    body["id"] = json!(id_of(&path));
    Ok((
        path.key(),
        SoftDeleted {
            kind,
            location,
            body,
            deletion_date,
            purge_date,
        },
    ))
}

/// The kind whose soft-deleted collection in `namespace` is `segment` (`deletedWorkspaces`).
pub fn collection_kind(namespace: &str, segment: &str) -> Option<Kind> {
    TYPES
        .iter()
        .find(|info| {
            info.namespace.eq_ignore_ascii_case(namespace)
                && info
                    .provider
                    .soft_deleted_collection()
                    .is_some_and(|collection| collection.eq_ignore_ascii_case(segment))
        })
        .map(|info| info.kind)
}

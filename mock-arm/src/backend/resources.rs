//! Microsoft.Resources/resourceGroups: synchronous PUT/PATCH, HEAD, filtered list, and a
//! long-running DELETE that takes the group's contents with it.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::json;
use super::listing;
use super::lro::{self, Action, Polling};
use super::parents;
use super::path::ResourcePath;
use super::provider::{self, Provider};
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;

static GROUP_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^[-\w\._\(\)]{1,90}$"));

fn validate_name(name: &str) -> Result<(), ArmError> {
    if common::matches(&GROUP_NAME, name) && !name.ends_with('.') {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceGroupName",
        format!("Resource group name '{name}' is invalid. It must be 1-90 characters of letters, digits, '_', '-', '.', '(' or ')' and may not end in a period."),
    ))
}

/// Creates or returns a resource group (used for cluster node resource groups and seeding).
pub fn ensure_exists(
    world: &mut World,
    path: &ResourcePath,
    location: &str,
    managed_by: Option<&str>,
) {
    if world.contains(&path.key()) {
        return;
    }
    let mut body = json!({
        "id": path.id(),
        "name": path.name(),
        "type": Kind::ResourceGroup.arm_type(),
        "location": json::normalize_location(location),
        "properties": { "provisioningState": "Succeeded" },
    });
    if let Some(owner) = managed_by {
        body["managedBy"] = json!(owner);
    }
    world.insert(Resource {
        id: path.id(),
        kind: Kind::ResourceGroup,
        parent_key: subscription_key(path),
        body,
    });
}

fn subscription_key(path: &ResourcePath) -> String {
    format!("/subscriptions/{}", path.subscription).to_lowercase()
}

pub fn head(world: &World, path: &ResourcePath) -> Outcome {
    Ok(Reply::new(
        if world.contains(&path.key()) {
            204
        } else {
            404
        },
        None,
    ))
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    validate_name(path.name())?;
    let body = common::body_object(request)?;
    let location = common::required_location(&body)?;
    common::validate_tags(&body)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    if let Some(current) = &existing {
        if current.provisioning_state() == Some("Deleting") {
            return Err(ArmError::conflict(
                "ResourceGroupBeingDeleted",
                format!(
                    "The resource group '{}' is in deprovisioning state and cannot perform this operation.",
                    path.name()
                ),
            ));
        }
        let current_location = current.location().unwrap_or_default();
        if current_location != location {
            return Err(ArmError::conflict(
                "InvalidResourceGroupLocation",
                format!("Invalid resource group location '{location}'. The Resource group already exists in location '{current_location}'."),
            ));
        }
    }
    let stored = group_body(path, &location, &body);
    world.insert(Resource {
        id: path.id(),
        kind: Kind::ResourceGroup,
        parent_key: subscription_key(path),
        body: stored.clone(),
    });
    Ok(if existing.is_some() {
        Reply::ok(stored)
    } else {
        Reply::created(stored)
    })
}

/// A group's GET body for a PUT of `body`.
fn group_body(path: &ResourcePath, location: &str, body: &Value) -> Value {
    let mut stored = json!({
        "id": path.id(),
        "name": path.name(),
        "type": Kind::ResourceGroup.arm_type(),
        "location": location,
        "properties": { "provisioningState": "Succeeded" },
    });
    if let Some(tags) = json::at(body, "/tags") {
        stored["tags"] = tags.clone();
    }
    if let Some(managed_by) = json::at(body, "/managedBy") {
        stored["managedBy"] = managed_by.clone();
    }
    stored
}

/// A group from `/_mock/state`, its provisioning state as given.
fn seed(
    world: &mut World,
    _request: &Request,
    path: &ResourcePath,
    given: &Value,
) -> Result<(), ArmError> {
    validate_name(path.name())?;
    let location = common::required_location(given)?;
    common::validate_tags(given)?;
    let mut stored = group_body(path, &location, given);
    provider::overlay(&mut stored, given, &["/properties/provisioningState"]);
    world.insert(Resource {
        id: path.id(),
        kind: Kind::ResourceGroup,
        parent_key: subscription_key(path),
        body: stored,
    });
    Ok(())
}

/// The provider hooks of resource groups.
pub struct ResourceGroups;

impl Provider for ResourceGroups {
    fn head(&self, world: &World, _request: &Request, path: &ResourcePath) -> Outcome {
        head(world, path)
    }
    fn put(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        put(world, request, path)
    }
    fn patch(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        patch(world, request, path)
    }
    fn delete(&self, world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
        delete(world, request, path)
    }
    fn seed(
        &self,
        world: &mut World,
        request: &Request,
        path: &ResourcePath,
        body: &Value,
    ) -> Result<(), ArmError> {
        seed(world, request, path, body)
    }
}

pub fn patch(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let body = common::body_object(request)?;
    common::validate_tags(&body)?;
    let key = path.key();
    let current = parents::existing(world, path)?.clone();
    if let Some(location) = json::str_at(&body, "/location") {
        if json::normalize_location(location) != current.location().unwrap_or_default() {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The location of a resource group cannot be changed.",
            ));
        }
    }
    let mut updated = current.body.clone();
    if let Some(tags) = body.get("tags") {
        updated["tags"] = tags.clone();
    }
    if let Some(managed_by) = json::at(&body, "/managedBy") {
        updated["managedBy"] = managed_by.clone();
    }
    if let Some(resource) = world.get_mut(&key) {
        resource.body = updated.clone();
    }
    Ok(Reply::ok(updated))
}

pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let key = path.key();
    let Some(current) = world.get(&key) else {
        return Ok(Reply::no_content());
    };
    let location = current.location().unwrap_or_default().to_string();
    if current.provisioning_state() == Some("Deleting") {
        if let Some(operation) = lro::running_on(world, &key)
            .filter(|op| op.resource_key == key && op.action == Action::Delete)
        {
            let mut reply = Reply::new(202, None);
            reply.headers.push((
                "Location".into(),
                format!(
                    "{}/subscriptions/{}/providers/{}/locations/{}/operationresults/{}?api-version={}",
                    request.base_url,
                    operation.subscription,
                    operation.namespace,
                    operation.location,
                    operation.id,
                    operation.api_version
                ),
            ));
            return Ok(reply);
        }
    }
    writes::start_delete(world, request, path, &location, Polling::Location)
}

/// `GET /subscriptions/{s}/resourcegroups` with `$filter=tagName eq 'x' and tagValue eq 'y'`.
pub fn list(world: &World, request: &Request, subscription: &str) -> Outcome {
    let parent = format!("/subscriptions/{subscription}").to_lowercase();
    let filter = request.query_param("$filter").map(parse_tag_filter);
    let items: Vec<Value> = world
        .children(&parent, Kind::ResourceGroup)
        .into_iter()
        .filter(|group| match &filter {
            Some((Some(name), value)) => {
                let tag = group.body.get("tags").and_then(|tags| {
                    tags.as_object()?
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.clone())
                });
                match (tag, value) {
                    (Some(found), Some(wanted)) => found.as_str() == Some(wanted.as_str()),
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
            _ => true,
        })
        .map(|group| group.body.clone())
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

fn parse_tag_filter(filter: &str) -> (Option<String>, Option<String>) {
    let quoted = |marker: &str| -> Option<String> {
        let lower = filter.to_ascii_lowercase();
        let start = lower.find(marker)? + marker.len();
        let rest = &filter[start..];
        let open = rest.find('\'')?;
        let close = rest[open + 1..].find('\'')?;
        Some(rest[open + 1..open + 1 + close].to_string())
    };
    (quoted("tagname eq"), quoted("tagvalue eq"))
}

/// `GET /subscriptions/{s}[/resourceGroups/{g}]/resources` with `$filter` on tags or
/// `resourceType eq '...'`: a summary of every top-level resource.
pub fn list_generic(
    world: &World,
    request: &Request,
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
    let filter = request
        .query_param("$filter")
        .unwrap_or_default()
        .to_string();
    let (tag_name, tag_value) = parse_tag_filter(&filter);
    let resource_type = {
        let lower = filter.to_ascii_lowercase();
        lower.find("resourcetype eq").and_then(|start| {
            let rest = &filter[start + "resourcetype eq".len()..];
            let open = rest.find('\'')?;
            let close = rest[open + 1..].find('\'')?;
            Some(rest[open + 1..open + 1 + close].to_string())
        })
    };
    let items: Vec<Value> = world
        .resources
        .values()
        .filter(|resource| {
            resource.kind.parent() == Some(Kind::ResourceGroup)
                && resource.key().starts_with(&prefix)
        })
        .filter(|resource| {
            resource_type
                .as_ref()
                .is_none_or(|wanted| resource.kind.arm_type().eq_ignore_ascii_case(wanted))
        })
        .filter(|resource| match &tag_name {
            None => true,
            Some(name) => {
                let tag = resource
                    .body
                    .get("tags")
                    .and_then(Value::as_object)
                    .and_then(|tags| {
                        tags.iter()
                            .find(|(key, _)| key.eq_ignore_ascii_case(name))
                            .map(|(_, value)| value.clone())
                    });
                match (tag, &tag_value) {
                    (Some(found), Some(wanted)) => found.as_str() == Some(wanted.as_str()),
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            }
        })
        .map(|resource| {
            let mut summary = json!({});
            for field in [
                "id",
                "name",
                "type",
                "location",
                "tags",
                "sku",
                "kind",
                "identity",
                "managedBy",
            ] {
                if let Some(value) = json::at(&resource.body, &format!("/{field}")) {
                    summary[field] = value.clone();
                }
            }
            summary["id"] = json!(resource.id);
            summary
        })
        .collect();
    Ok(listing::page(request, items, world.settings.page_size))
}

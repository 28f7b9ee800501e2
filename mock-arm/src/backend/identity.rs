//! Microsoft.ManagedIdentity: user-assigned identities (fresh principal/client ids on every
//! create) and their federated identity credentials (20 per identity, one audience, unique
//! issuer+subject, one write at a time per identity).

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::durations::{scaled, FIC_WRITE_FLOOR, FIC_WRITE_SECONDS};
use super::error::ArmError;
use super::json;
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};

static IDENTITY_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$"));
static CREDENTIAL_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| pattern(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$"));
const MAX_CREDENTIALS: usize = 20;

/// MSI writes ids with a lower-case `resourcegroups` segment (see the official examples).
pub fn msi_id(path: &ResourcePath) -> String {
    path.id_with_group_segment("resourcegroups")
}

pub fn put_identity(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if !common::matches(&IDENTITY_NAME, path.name()) {
        return Err(ArmError::bad_request(
            "InvalidResourceName",
            format!("Resource name '{}' is invalid. The name can contain only letters, numbers, underscores and hyphens, must start with a letter or number, and be 3-128 characters long.", path.name()),
        ));
    }
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let location = common::required_location(&input)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    common::ensure_same_location(existing.as_ref(), &location, path)?;
    common::validate_tags(&input)?;
    let existing_body = existing.as_ref().map(|r| &r.body);
    let mut body = common::tracked_envelope(
        &msi_id(path),
        path,
        &location,
        &input,
        existing_body,
        request,
    );
    let keep = |field: &str| {
        existing_body
            .and_then(|b| json::str_at(b, &format!("/properties/{field}")))
            .map(str::to_string)
            .or_else(|| {
                if request.seeding {
                    json::str_at(&input, &format!("/properties/{field}")).map(str::to_string)
                } else {
                    None
                }
            })
    };
    let principal = keep("principalId").unwrap_or_else(json::guid);
    let client = keep("clientId").unwrap_or_else(json::guid);
    let tenant = keep("tenantId").unwrap_or_else(|| world.settings.tenant_id.clone());
    let mut properties =
        json!({ "tenantId": tenant, "principalId": principal, "clientId": client });
    if request.api_version() >= "2026-05-31" {
        properties["isolationScope"] = json::at(&input, "/properties/isolationScope")
            .cloned()
            .unwrap_or(json!("None"));
        properties["assignmentRestrictions"] =
            json::at(&input, "/properties/assignmentRestrictions")
                .cloned()
                .unwrap_or(json!({ "providers": [] }));
    }
    body["properties"] = properties;
    if existing.is_none() && !request.seeding {
        world.register_principal(&principal, request.now);
    }
    world.insert(Resource {
        id: msi_id(path),
        kind: Kind::Identity,
        parent_key,
        body: body.clone(),
    });
    Ok(if existing.is_some() {
        Reply::ok(body)
    } else {
        Reply::created(body)
    })
}

pub fn patch_identity(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let current = parents::existing(world, path)?.clone();
    let patch = common::body_object(request)?;
    if let Some(location) = json::str_at(&patch, "/location") {
        if Some(json::normalize_location(location).as_str()) != current.location() {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The location of a user-assigned identity cannot be changed.",
            ));
        }
    }
    common::validate_tags(&patch)?;
    let mut body = current.body.clone();
    if let Some(tags) = json::at(&patch, "/tags") {
        body["tags"] = tags.clone();
    }
    for field in ["isolationScope", "assignmentRestrictions"] {
        if let Some(value) = json::at(&patch, &format!("/properties/{field}")) {
            body["properties"][field] = value.clone();
        }
    }
    body["systemData"] = common::system_data(Some(&current.body), request);
    if let Some(resource) = world.get_mut(&current.key()) {
        resource.body = body.clone();
    }
    Ok(Reply::ok(body))
}

/// How long a federated-credential write holds its identity.
pub fn credential_write_window(time_scale: f64) -> Duration {
    scaled(FIC_WRITE_SECONDS, time_scale).max(FIC_WRITE_FLOOR)
}

fn begin_credential_write(
    world: &mut World,
    request: &Request,
    identity_key: &str,
    identity_name: &str,
) -> Result<Duration, ArmError> {
    if let Some(until) = world.credential_writes_until.get(identity_key) {
        if *until > request.now {
            return Err(ArmError::conflict(
                "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
                format!("Too many Federated Identity Credentials are written concurrently for the managed identity '{identity_name}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported."),
            ));
        }
    }
    let window = credential_write_window(world.settings.time_scale);
    world
        .credential_writes_until
        .insert(identity_key.to_string(), request.now + window);
    Ok(window)
}

fn validate_credential(properties: &Value) -> Result<(), ArmError> {
    let issuer = json::str_at(properties, "/issuer")
        .ok_or_else(|| ArmError::required("properties.issuer"))?;
    let subject = json::str_at(properties, "/subject");
    let expression = json::at(properties, "/claimsMatchingExpression");
    if subject.is_none() && expression.is_none() {
        return Err(ArmError::required("properties.subject"));
    }
    let audiences = json::at(properties, "/audiences")
        .and_then(Value::as_array)
        .ok_or_else(|| ArmError::required("properties.audiences"))?;
    if audiences.len() != 1 {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Federated Identity Credential must have exactly one audience.",
        ));
    }
    if !issuer.starts_with("https://") || issuer.len() > 600 {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The issuer must be an https URL of at most 600 characters.",
        ));
    }
    if let Some(subject) = subject {
        if subject.is_empty()
            || subject.len() > 600
            || subject.contains('*')
            || issuer.contains('*')
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The subject must be 1-600 characters; wildcards are not allowed in issuer or subject.",
            ));
        }
    }
    Ok(())
}

pub fn put_credential(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    if !common::matches(&CREDENTIAL_NAME, path.name()) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The federated identity credential name '{}' is invalid: 3-120 characters, letters, digits, '-' and '_', starting with a letter or digit.", path.name()),
        ));
    }
    let parent_key = parents::ensure_parents(world, path, true)?;
    let input = common::body_object(request)?;
    let properties = input
        .get("properties")
        .cloned()
        .filter(|p| p.as_object().is_some_and(|o| !o.is_empty()))
        .ok_or_else(|| ArmError::required("properties"))?;
    validate_credential(&properties)?;
    let key = path.key();
    let siblings: Vec<&Resource> = world.children(&parent_key, Kind::FederatedCredential);
    let issuer = json::str_at(&properties, "/issuer").unwrap_or_default();
    let subject = json::str_at(&properties, "/subject");
    let duplicate = siblings.iter().any(|other| {
        other.key() != key
            && json::str_at(&other.body, "/properties/issuer") == Some(issuer)
            && subject.is_some()
            && json::str_at(&other.body, "/properties/subject") == subject
    });
    if duplicate {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Issuer and subject combination already exists for this Managed Identity.",
        ));
    }
    let exists = world.contains(&key);
    if !exists && siblings.len() >= MAX_CREDENTIALS {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The managed identity already has the maximum of {MAX_CREDENTIALS} federated identity credentials."),
        ));
    }
    let hold = if request.seeding {
        None
    } else {
        Some(begin_credential_write(
            world,
            request,
            &parent_key,
            path.names.first().map(String::as_str).unwrap_or_default(),
        )?)
    };
    let mut stored_properties = json!({
        "issuer": issuer,
        "audiences": properties.get("audiences").cloned().unwrap_or(json!([])),
    });
    if let Some(subject) = subject {
        stored_properties["subject"] = json!(subject);
    }
    if let Some(expression) = json::at(&properties, "/claimsMatchingExpression") {
        stored_properties["claimsMatchingExpression"] = expression.clone();
    }
    let body = json!({
        "id": msi_id(path),
        "name": path.name(),
        "type": Kind::FederatedCredential.arm_type(),
        "properties": stored_properties,
    });
    world.insert(Resource {
        id: msi_id(path),
        kind: Kind::FederatedCredential,
        parent_key,
        body: body.clone(),
    });
    let mut reply = if exists {
        Reply::ok(body)
    } else {
        Reply::created(body)
    };
    reply.hold = hold;
    Ok(reply)
}

pub fn delete_credential(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let Ok(parent_key) = parents::ensure_parents(world, path, true) else {
        return Ok(Reply::no_content());
    };
    let key = path.key();
    if !world.contains(&key) {
        return Ok(Reply::no_content());
    }
    let hold = begin_credential_write(
        world,
        request,
        &parent_key,
        path.names.first().map(String::as_str).unwrap_or_default(),
    )?;
    world.remove_tree(&key);
    let mut reply = Reply::new(200, None);
    reply.hold = Some(hold);
    Ok(reply)
}

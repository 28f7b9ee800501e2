//! Reads every type shares: GET of one item and paged lists (by subscription, resource group or
//! parent) with absolute `nextLink`s.

use serde_json::{json, Value};

use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::parents::{ensure_group, existing};
use super::path::{ListScope, ResourcePath};
use super::render;
use super::types::Kind;
use super::world::{Resource, World};

/// GET of a stored item.
pub fn get(world: &World, request: &Request, path: &ResourcePath) -> Outcome {
    let resource = existing(world, path)?;
    let body =
        render::render_key(world, &resource.key(), request.api_version()).unwrap_or(Value::Null);
    Ok(Reply::ok(body))
}

/// Keys of resources in a list scope.
pub fn list(world: &World, request: &Request, kind: Kind, scope: &ListScope) -> Outcome {
    let keys: Vec<String> = match scope {
        ListScope::Subscription(subscription) => {
            let prefix = format!("/subscriptions/{}/", subscription.to_lowercase());
            world
                .of_kind(kind)
                .map(Resource::key)
                .filter(|key| key.starts_with(&prefix))
                .collect()
        }
        ListScope::ResourceGroup(subscription, group) => {
            let group_path = ResourcePath::resource_group(subscription, group);
            if !world.contains(&group_path.key()) {
                return Err(ArmError::resource_group_not_found(group));
            }
            world
                .children(&group_path.key(), kind)
                .into_iter()
                .map(Resource::key)
                .collect()
        }
        ListScope::Parent(parent) => {
            ensure_group(world, parent, false)?;
            if !world.contains(&parent.key()) {
                return Err(ArmError::parent_not_found(
                    parent.kind.arm_type(),
                    parent.name(),
                ));
            }
            world
                .children(&parent.key(), kind)
                .into_iter()
                .map(Resource::key)
                .collect()
        }
    };
    let items: Vec<Value> = keys
        .iter()
        .filter_map(|key| render::render_key(world, key, request.api_version()))
        .collect();
    Ok(page(request, items, world.settings.page_size))
}

/// One page of `items` with an absolute `nextLink` carrying `$skiptoken` when more remain.
pub fn page(request: &Request, items: Vec<Value>, page_size: usize) -> Reply {
    let skip: usize = request
        .query_param("$skiptoken")
        .and_then(|token| token.parse().ok())
        .unwrap_or(0);
    let mut size = page_size.max(1);
    if let Some(top) = request
        .query_param("$top")
        .and_then(|top| top.parse::<usize>().ok())
    {
        size = size.min(top.max(1));
    }
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(size).collect();
    let mut body = json!({ "value": value });
    if skip + size < total {
        let kept: Vec<&str> = request
            .raw_query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                !name.eq_ignore_ascii_case("$skiptoken")
                    && !name.eq_ignore_ascii_case("%24skiptoken")
            })
            .collect();
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        body["nextLink"] = json!(format!(
            "{}{}?{query}$skiptoken={}",
            request.base_url,
            request.path,
            skip + size
        ));
    }
    Reply::ok(body)
}

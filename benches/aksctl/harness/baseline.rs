//! The naive baseline a straightforward ARM client would be: a plan that GETs every resource one
//! by one, and an apply that PUTs one resource at a time in plan order, waits for its
//! long-running operation, then GETs it back (for the values later resources copy from it).
//! Raw reqwest against mock-arm, driven by the plan JSON's ids, bodies and `deferred` values.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The bearer token of the harness's own clients (mock-arm accepts any on loopback).
pub const TOKEN: &str = "naive-baseline";
const DEFAULT_POLL: Duration = Duration::from_millis(100);

fn text<'a>(change: &'a Value, field: &str) -> &'a str {
    change[field].as_str().unwrap_or_default()
}

fn url(base: &str, change: &Value) -> String {
    format!(
        "{base}{}?api-version={}",
        text(change, "id"),
        text(change, "apiVersion")
    )
}

async fn get(client: &reqwest::Client, url: &str) -> Result<(u16, Value), String> {
    let response = client
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .map_err(|error| format!("GET {url}: {error}"))?;
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// One GET per resource of `plan`, sequentially. Returns the wall time.
pub async fn naive_plan(
    client: &reqwest::Client,
    base: &str,
    plan: &Value,
) -> Result<Duration, String> {
    let started = Instant::now();
    for change in plan["changes"].as_array().into_iter().flatten() {
        let (status, body) = get(client, &url(base, change)).await?;
        if status != 200 && status != 404 {
            return Err(format!("GET {}: {status} {body}", text(change, "id")));
        }
    }
    Ok(started.elapsed())
}

/// Sets `value` at JSON pointer `pointer` in `target`, creating objects on the way.
pub fn set_pointer(target: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let mut cursor = target;
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        *cursor = value;
        return Ok(());
    };
    for token in parents {
        cursor = match cursor {
            Value::Object(map) => map
                .entry(token.clone())
                .or_insert_with(|| Value::Object(Default::default())),
            Value::Array(items) => token
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
                .ok_or_else(|| format!("{pointer}: no element {token}"))?,
            _ => return Err(format!("{pointer}: {token} is not in an object or array")),
        };
    }
    match cursor {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let slot = last
                .parse::<usize>()
                .ok()
                .and_then(|index| items.get_mut(index))
                .ok_or_else(|| format!("{pointer}: no element {last}"))?;
            *slot = value;
            Ok(())
        }
        _ => Err(format!("{pointer}: parent is not an object or array")),
    }
}

/// Whether `change` is a System pool created inline by its cluster's create in this plan.
pub fn created_inline(change: &Value, created_clusters: &[String]) -> bool {
    let is_system_pool_create = text(change, "kind") == "agentPool"
        && text(change, "action") == "create"
        && change["after"]["properties"]["mode"]
            .as_str()
            .is_some_and(|mode| mode.eq_ignore_ascii_case("system"));
    let cluster = text(change, "id")
        .to_ascii_lowercase()
        .split("/agentpools/")
        .next()
        .map(str::to_owned)
        .unwrap_or_default();
    is_system_pool_create && created_clusters.contains(&cluster)
}

fn poll_delay(headers: &reqwest::header::HeaderMap) -> Duration {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
    };
    header("retry-after-ms")
        .map(Duration::from_millis)
        .or_else(|| header("retry-after").map(Duration::from_secs))
        .unwrap_or(DEFAULT_POLL)
}

/// Waits for the operation a write answered with, if any.
async fn wait_for_operation(
    client: &reqwest::Client,
    headers: &reqwest::header::HeaderMap,
    status: u16,
    id: &str,
) -> Result<(), String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let mut delay = poll_delay(headers);
    if let Some(operation) = header("azure-asyncoperation") {
        loop {
            tokio::time::sleep(delay).await;
            let response = client
                .get(&operation)
                .bearer_auth(TOKEN)
                .send()
                .await
                .map_err(|error| format!("poll {id}: {error}"))?;
            delay = poll_delay(response.headers());
            let body: Value = response.json().await.unwrap_or(Value::Null);
            match body["status"].as_str().unwrap_or_default() {
                "Succeeded" => return Ok(()),
                "Failed" | "Canceled" => return Err(format!("operation on {id}: {body}")),
                _ => {}
            }
        }
    }
    if status == 202 {
        if let Some(location) = header("location") {
            loop {
                tokio::time::sleep(delay).await;
                let response = client
                    .get(&location)
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .map_err(|error| format!("poll {id}: {error}"))?;
                match response.status().as_u16() {
                    202 => delay = poll_delay(response.headers()),
                    200..=299 => return Ok(()),
                    other => {
                        let body = response.text().await.unwrap_or_default();
                        return Err(format!("operation on {id}: {other} {body}"));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Applies the creates and updates of `plan` one at a time, in plan order. Returns the wall time.
pub async fn naive_apply(
    client: &reqwest::Client,
    base: &str,
    plan: &Value,
) -> Result<Duration, String> {
    let changes: Vec<&Value> = plan["changes"].as_array().into_iter().flatten().collect();
    let created_clusters: Vec<String> = changes
        .iter()
        .filter(|change| {
            text(change, "kind") == "managedCluster" && text(change, "action") == "create"
        })
        .map(|change| text(change, "id").to_ascii_lowercase())
        .collect();
    let mut outputs: HashMap<String, Value> = HashMap::new();
    let started = Instant::now();
    for change in changes {
        match text(change, "action") {
            "noop" => continue,
            "create" | "update" => {}
            other => {
                return Err(format!(
                    "the naive baseline does not {other} ({})",
                    text(change, "address")
                ))
            }
        }
        if created_inline(change, &created_clusters) {
            continue;
        }
        let id = text(change, "id");
        let mut body = change["after"].clone();
        for deferred in change["deferred"].as_array().into_iter().flatten() {
            let value = outputs
                .get(text(deferred, "source"))
                .and_then(|source| source.pointer(text(deferred, "output")))
                .cloned()
                .ok_or_else(|| format!("{id}: no value for {deferred}"))?;
            set_pointer(&mut body, text(deferred, "path"), value)?;
        }
        let target = url(base, change);
        let response = client
            .put(&target)
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .map_err(|error| format!("PUT {id}: {error}"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if status >= 300 {
            let text = response.text().await.unwrap_or_default();
            return Err(format!("PUT {id}: {status} {text}"));
        }
        drop(response);
        wait_for_operation(client, &headers, status, id).await?;
        let (status, read) = get(client, &target).await?;
        if status != 200 {
            return Err(format!("GET {id} after its PUT: {status} {read}"));
        }
        outputs.insert(text(change, "address").to_owned(), read);
    }
    Ok(started.elapsed())
}

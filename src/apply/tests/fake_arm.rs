//! The fake ARM the executor tests run against: an in-memory world, a log of every write with
//! its start and end, injectable failures, and bodies shaped like ARM's (eTag, provisioningState,
//! issuer URL, principal id).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{json, Value};

use crate::apply::operations::{ArmFailure, ArmOperations, WriteRequest};
use crate::id::ResourceId;

pub(super) const SUB: &str = "00000000-0000-0000-0000-000000000001";

#[derive(Debug, Clone)]
pub(super) struct Call {
    pub(super) method: &'static str,
    pub(super) id: ResourceId,
    pub(super) body: Option<Value>,
    pub(super) if_match: Option<String>,
    pub(super) start: Instant,
    pub(super) end: Instant,
}

#[derive(Default)]
struct FakeState {
    resources: HashMap<ResourceId, Value>,
    calls: Vec<Call>,
    /// id -> failures to return for the next writes to it.
    failures: HashMap<ResourceId, Vec<ArmFailure>>,
    requests: u64,
}

#[derive(Clone)]
pub(super) struct FakeArm {
    state: Arc<Mutex<FakeState>>,
    write_time: Duration,
}

impl FakeArm {
    pub(super) fn new(write_time_ms: u64) -> Self {
        FakeArm {
            state: Arc::new(Mutex::new(FakeState::default())),
            write_time: Duration::from_millis(write_time_ms),
        }
    }

    pub(super) fn seed(&self, id: &ResourceId, body: Value) {
        self.state
            .lock()
            .unwrap()
            .resources
            .insert(id.clone(), body);
    }

    pub(super) fn fail_next(&self, id: &ResourceId, failure: ArmFailure) {
        self.state
            .lock()
            .unwrap()
            .failures
            .entry(id.clone())
            .or_default()
            .push(failure);
    }

    pub(super) fn writes(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub(super) fn write_to(&self, id: &ResourceId) -> Vec<Call> {
        self.writes()
            .into_iter()
            .filter(|call| &call.id == id)
            .collect()
    }

    pub(super) fn exists(&self, id: &ResourceId) -> bool {
        self.state.lock().unwrap().resources.contains_key(id)
    }

    fn take_failure(&self, id: &ResourceId) -> Option<ArmFailure> {
        let mut state = self.state.lock().unwrap();
        let list = state.failures.get_mut(id)?;
        (!list.is_empty()).then(|| list.remove(0))
    }

    fn record(
        &self,
        method: &'static str,
        id: &ResourceId,
        body: Option<Value>,
        if_match: Option<String>,
        start: Instant,
    ) {
        self.state.lock().unwrap().calls.push(Call {
            method,
            id: id.clone(),
            body,
            if_match,
            start,
            end: Instant::now(),
        });
    }
}

fn server_body(id: &ResourceId, body: &Value) -> Value {
    let mut result = body.clone();
    result["id"] = json!(id.as_str());
    result["name"] = json!(id.name());
    result["eTag"] = json!(format!("\"{}\"", uuid::Uuid::new_v4()));
    result["properties"]["provisioningState"] = json!("Succeeded");
    let lower = id.as_str().to_ascii_lowercase();
    if lower.contains("managedclusters/") && !lower.contains("agentpools/") {
        result["properties"]["oidcIssuerProfile"]["issuerURL"] =
            json!(format!("https://issuer.example/{}/", id.name()));
    }
    if lower.contains("userassignedidentities/") && !lower.contains("federatedidentitycredentials")
    {
        result["properties"]["principalId"] = json!(format!("principal-{}", id.name()));
    }
    result
}

#[async_trait]
impl ArmOperations for FakeArm {
    async fn get(&self, id: &ResourceId, _api_version: &str) -> Result<Option<Value>, ArmFailure> {
        let mut state = self.state.lock().unwrap();
        state.requests += 1;
        Ok(state.resources.get(id).cloned())
    }

    async fn list(
        &self,
        path: &str,
        _api_version: &str,
        _query: &[(String, String)],
    ) -> Result<Vec<Value>, ArmFailure> {
        let mut state = self.state.lock().unwrap();
        state.requests += 1;
        let prefix = format!("{}/", path.to_ascii_lowercase());
        Ok(state
            .resources
            .iter()
            .filter(|(id, _)| id.as_str().to_ascii_lowercase().starts_with(&prefix))
            .map(|(_, body)| body.clone())
            .collect())
    }

    async fn put(
        &self,
        id: &ResourceId,
        _api_version: &str,
        body: &Value,
        request: &WriteRequest,
    ) -> Result<Value, ArmFailure> {
        let start = Instant::now();
        self.state.lock().unwrap().requests += 1;
        tokio::time::sleep(self.write_time).await;
        self.record(
            "PUT",
            id,
            Some(body.clone()),
            request.if_match.clone(),
            start,
        );
        if let Some(failure) = self.take_failure(id) {
            return Err(failure);
        }
        let result = server_body(id, body);
        self.state
            .lock()
            .unwrap()
            .resources
            .insert(id.clone(), result.clone());
        Ok(result)
    }

    async fn delete(
        &self,
        id: &ResourceId,
        _api_version: &str,
        request: &WriteRequest,
    ) -> Result<(), ArmFailure> {
        let start = Instant::now();
        self.state.lock().unwrap().requests += 1;
        tokio::time::sleep(self.write_time).await;
        self.record("DELETE", id, None, request.if_match.clone(), start);
        if let Some(failure) = self.take_failure(id) {
            return Err(failure);
        }
        let prefix = format!("{}/", id.as_str().to_ascii_lowercase());
        self.state
            .lock()
            .unwrap()
            .resources
            .retain(|key, _| key != id && !key.as_str().to_ascii_lowercase().starts_with(&prefix));
        Ok(())
    }

    fn request_count(&self) -> u64 {
        self.state.lock().unwrap().requests
    }
}

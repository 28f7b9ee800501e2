//! `ArmOperations` for the real `ArmClient`: the executor's calls mapped onto the client, and
//! `ArmError` turned into the executor's `ArmFailure` (code, message, status, request id).

use async_trait::async_trait;
use serde_json::Value;

use crate::apply::operations::{ArmFailure, ArmOperations, OperationProgress, WriteRequest};
use crate::arm::{ArmClient, ArmError, BudgetWait, LroProgress, WriteOptions};
use crate::id::ResourceId;

impl From<ArmError> for ArmFailure {
    fn from(error: ArmError) -> Self {
        let code = error.code().map(str::to_owned).unwrap_or_else(|| {
            match &error {
                ArmError::Transport { .. } => "TransportError",
                ArmError::Malformed { .. } => "MalformedResponse",
                ArmError::Credential { .. } => "CredentialUnavailable",
                ArmError::OperationFailed { .. } => "OperationFailed",
                ArmError::DeadlineExceeded { .. } => "DeadlineExceeded",
                ArmError::InsecureEndpoint { .. } => "InsecureEndpoint",
                ArmError::Config { .. } => "Configuration",
                ArmError::Response { .. } => "HttpError",
            }
            .to_owned()
        });
        ArmFailure {
            status: error.status(),
            code,
            request_id: error.request_id().map(str::to_owned),
            message: error.to_string(),
        }
    }
}

#[async_trait]
impl ArmOperations for ArmClient {
    async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ArmFailure> {
        Ok(ArmClient::get(self, id, api_version).await?)
    }

    async fn list(
        &self,
        path: &str,
        api_version: &str,
        query: &[(String, String)],
    ) -> Result<Vec<Value>, ArmFailure> {
        let pairs: Vec<(&str, &str)> = query
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        Ok(ArmClient::list(self, path, api_version, &pairs).await?)
    }

    async fn put(
        &self,
        id: &ResourceId,
        api_version: &str,
        body: &Value,
        request: &WriteRequest,
    ) -> Result<Value, ArmFailure> {
        let forward = progress_forwarder(request);
        let held = hold_forwarder(request);
        let options = WriteOptions {
            if_match: request.if_match.as_deref(),
            deadline: Some(request.deadline),
            progress: forward
                .as_ref()
                .map(|f| f as &(dyn Fn(LroProgress) + Send + Sync)),
            throttled: held
                .as_ref()
                .map(|f| f as &(dyn Fn(BudgetWait) + Send + Sync)),
        };
        Ok(ArmClient::put(self, id, api_version, body, &options).await?)
    }

    async fn delete(
        &self,
        id: &ResourceId,
        api_version: &str,
        request: &WriteRequest,
    ) -> Result<(), ArmFailure> {
        let forward = progress_forwarder(request);
        let held = hold_forwarder(request);
        let options = WriteOptions {
            if_match: request.if_match.as_deref(),
            deadline: Some(request.deadline),
            progress: forward
                .as_ref()
                .map(|f| f as &(dyn Fn(LroProgress) + Send + Sync)),
            throttled: held
                .as_ref()
                .map(|f| f as &(dyn Fn(BudgetWait) + Send + Sync)),
        };
        Ok(ArmClient::delete(self, id, api_version, &options).await?)
    }

    fn request_count(&self) -> u64 {
        ArmClient::request_count(self)
    }
}

fn progress_forwarder(
    request: &WriteRequest,
) -> Option<impl Fn(LroProgress) + Send + Sync + 'static> {
    let callback = request.progress.clone()?;
    Some(move |progress: LroProgress| {
        callback(OperationProgress {
            status: progress.status,
            percent_complete: progress.percent_complete,
            operation_url: progress.operation_url,
        })
    })
}

fn hold_forwarder(request: &WriteRequest) -> Option<impl Fn(BudgetWait) + Send + Sync + 'static> {
    let callback = request.waiting.clone()?;
    Some(move |wait: BudgetWait| callback(wait.describe()))
}

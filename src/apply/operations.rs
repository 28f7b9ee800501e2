//! The ARM operations the executor needs, as a trait: the real `ArmClient` implements it
//! (`client_adapter.rs`) and unit tests use a fake, so scheduling is testable without HTTP.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use crate::id::ResourceId;

/// Progress of a long-running operation as ARM reports it while polling.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationProgress {
    /// ARM's operation status (`InProgress`, `Creating`, ...).
    pub status: String,
    /// `percentComplete` when ARM gives one.
    pub percent_complete: Option<f64>,
    /// The operation status URL (`Azure-AsyncOperation` or `Location`), to report on interruption.
    pub operation_url: Option<String>,
}

/// Receives the progress of one write.
pub type ProgressCallback = Arc<dyn Fn(OperationProgress) + Send + Sync>;

/// Receives why a write is held before it is sent (ARM's throttling budget is spent), e.g.
/// "throttled: waiting for ARM's write budget (~2.0 s)".
pub type WaitingCallback = Arc<dyn Fn(String) + Send + Sync>;

/// Options of one write (PUT or DELETE).
#[derive(Clone)]
pub struct WriteRequest {
    /// `If-Match` eTag (optimistic concurrency) where the API honours it.
    pub if_match: Option<String>,
    /// How long the operation (including its LRO) may take before it is reported as timed out.
    pub deadline: Duration,
    pub progress: Option<ProgressCallback>,
    pub waiting: Option<WaitingCallback>,
}

impl fmt::Debug for WriteRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteRequest")
            .field("if_match", &self.if_match)
            .field("deadline", &self.deadline)
            .field("progress", &self.progress.is_some())
            .field("waiting", &self.waiting.is_some())
            .finish()
    }
}

/// An ARM call that failed: what ARM said, enough to report and to decide on a retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ArmFailure {
    /// HTTP status, when ARM answered (None: transport failure or deadline).
    pub status: Option<u16>,
    /// ARM's error code (`OperationNotAllowed`, `RoleAssignmentExists`, ...), or a local one.
    pub code: String,
    pub message: String,
    /// `x-ms-request-id` of the failing request, for support tickets.
    pub request_id: Option<String>,
}

impl ArmFailure {
    pub fn new(status: Option<u16>, code: impl Into<String>, message: impl Into<String>) -> Self {
        ArmFailure {
            status,
            code: code.into(),
            message: message.into(),
            request_id: None,
        }
    }

    /// A failure raised by aksctl itself rather than by ARM.
    pub fn local(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(None, code, message)
    }

    /// Whether ARM's error code is `code` (case-insensitively).
    pub fn has_code(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
    }

    fn describe(&self) -> String {
        let mut text = match self.status {
            Some(status) => format!("{} ({status}): {}", self.code, self.message),
            None => format!("{}: {}", self.code, self.message),
        };
        if let Some(request_id) = &self.request_id {
            text.push_str(&format!(" [request id {request_id}]"));
        }
        text
    }
}

/// What the executor asks of ARM. Every write follows its long-running operation to the end.
#[async_trait]
pub trait ArmOperations: Send + Sync {
    /// The resource's body, or `None` when ARM says it does not exist.
    async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ArmFailure>;

    /// Every item of a collection (all pages) at `path` with extra query parameters.
    async fn list(
        &self,
        path: &str,
        api_version: &str,
        query: &[(String, String)],
    ) -> Result<Vec<Value>, ArmFailure>;

    /// PUT `body`, wait for the operation, and return the resource's final body.
    async fn put(
        &self,
        id: &ResourceId,
        api_version: &str,
        body: &Value,
        request: &WriteRequest,
    ) -> Result<Value, ArmFailure>;

    /// DELETE and wait for the operation; `Ok` when the resource is already gone.
    async fn delete(
        &self,
        id: &ResourceId,
        api_version: &str,
        request: &WriteRequest,
    ) -> Result<(), ArmFailure>;

    /// How many HTTP requests have been sent so far (for the report).
    fn request_count(&self) -> u64;
}

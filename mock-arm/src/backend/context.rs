//! The request as the backend sees it (`Request`) and the answer it gives (`Reply`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;

use super::error::ArmError;

/// HTTP methods ARM routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Put,
    Patch,
    Delete,
    Post,
}

impl Method {
    pub fn parse(text: &str) -> Option<Method> {
        match text.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "HEAD" => Some(Method::Head),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            "POST" => Some(Method::Post),
            _ => None,
        }
    }
}

/// An LRO outcome forced by a `failLro` fault rule.
#[derive(Debug, Clone)]
pub struct ForcedOutcome {
    pub canceled: bool,
    pub error: ArmError,
}

/// One ARM request, decoded.
#[derive(Debug)]
pub struct Request {
    pub method: Method,
    pub path: String,
    /// Decoded query parameters; keys as sent.
    pub query: BTreeMap<String, String>,
    pub raw_query: String,
    pub body: Option<Value>,
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    /// `http://host:port` the client used, for absolute nextLink / Location URLs.
    pub base_url: String,
    pub now: Instant,
    pub wall: OffsetDateTime,
    /// Set by a matching `failLro` fault; taken by the first operation this request starts.
    pub forced_outcome: Option<ForcedOutcome>,
    pub forced_outcome_used: bool,
    /// Set when the request started a long-running operation.
    pub operation_started: bool,
}

impl Request {
    /// A query parameter, matching the key case-insensitively (`$skipToken` == `$skiptoken`).
    pub fn query_param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value.as_str())
    }

    pub fn api_version(&self) -> &str {
        self.query_param("api-version").unwrap_or_default()
    }

    /// A request used internally (seeding from `/_mock/state`: its clock and api-version).
    pub fn internal(method: Method, path: &str, api_version: &str, body: Option<Value>) -> Request {
        let mut query = BTreeMap::new();
        query.insert("api-version".to_string(), api_version.to_string());
        Request {
            method,
            path: path.to_string(),
            raw_query: format!("api-version={api_version}"),
            query,
            body,
            if_match: None,
            if_none_match: None,
            base_url: "http://127.0.0.1".to_string(),
            now: Instant::now(),
            wall: OffsetDateTime::now_utc(),
            forced_outcome: None,
            forced_outcome_used: false,
            operation_started: false,
        }
    }
}

/// The backend's answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
    /// Hold the answer back this long (models a write that takes real time, e.g. FIC writes).
    pub hold: Option<Duration>,
}

impl Reply {
    pub fn new(status: u16, body: Option<Value>) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
            hold: None,
        }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::new(200, Some(body))
    }

    pub fn created(body: Value) -> Reply {
        Reply::new(201, Some(body))
    }

    pub fn no_content() -> Reply {
        Reply::new(204, None)
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

pub type Outcome = Result<Reply, ArmError>;

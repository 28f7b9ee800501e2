//! Test helpers: a running mock, a raw HTTP client with a bearer token, LRO polling.

use std::time::{Duration, Instant};

use mock_arm::{Config, MockArm};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const RG_VERSION: &str = "2025-04-01";
pub const ACR_VERSION: &str = "2025-11-01";
pub const KV_VERSION: &str = "2026-02-01";
pub const STORAGE_VERSION: &str = "2026-09-01";
pub const AKS_VERSION: &str = "2026-08-01";
pub const MSI_VERSION: &str = "2026-05-31";
pub const AUTH_VERSION: &str = "2026-08-01";
pub const OI_VERSION: &str = "2026-03-01";

pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub fn code(&self) -> &str {
        self.body
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub fn str(&self, pointer: &str) -> &str {
        self.body
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

pub struct Arm {
    pub mock: MockArm,
    pub client: reqwest::Client,
}

impl Arm {
    pub fn start() -> Arm {
        Arm::with(Config {
            time_scale: 0.001,
            ..Config::default()
        })
    }

    /// A mock with a given time scale, for tests that must observe operations in progress.
    pub fn scaled(time_scale: f64) -> Arm {
        Arm::with(Config {
            time_scale,
            ..Config::default()
        })
    }

    pub fn with(config: Config) -> Arm {
        let mock = MockArm::start(config).expect("mock-arm starts");
        Arm {
            mock,
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.mock.url())
        }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Response {
        self.send_with(
            method,
            path,
            body,
            &[("authorization", "Bearer test-token")],
        )
        .await
    }

    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches mock-arm");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Response {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send("GET", path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.send("PUT", path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.send("PATCH", path, Some(body)).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send("POST", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Response {
        self.send("DELETE", path, None).await
    }

    /// Polls Azure-AsyncOperation (or Location) until the operation is done; returns the last response.
    pub async fn wait(&self, response: &Response) -> Response {
        let deadline = Instant::now() + Duration::from_secs(20);
        if let Some(url) = response.header("azure-asyncoperation").map(str::to_string) {
            loop {
                let status = self.get(&url).await;
                let state = status.str("/status").to_string();
                if !["InProgress", ""].contains(&state.as_str()) || Instant::now() > deadline {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        if let Some(url) = response.header("location").map(str::to_string) {
            loop {
                let result = self.get(&url).await;
                if result.status != 202 || Instant::now() > deadline {
                    return result;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        panic!("response has no polling header: {}", response.status);
    }

    pub async fn group(&self, name: &str) -> String {
        let path = format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version={RG_VERSION}");
        let response = self.put(&path, json!({ "location": "eastus" })).await;
        assert!(
            response.status == 201 || response.status == 200,
            "group create: {}",
            response.status
        );
        format!("/subscriptions/{SUB}/resourceGroups/{name}")
    }

    pub async fn control(&self, method: &str, path: &str, body: Option<Value>) -> Response {
        self.send_with(method, path, body, &[]).await
    }
}

/// Path with api-version appended.
pub fn at(path: &str, version: &str) -> String {
    format!("{path}?api-version={version}")
}

/// A minimal cluster body with one System pool.
pub fn cluster_body(location: &str) -> Value {
    json!({
        "location": location,
        "properties": {
            "kubernetesVersion": "1.33",
            "dnsPrefix": "aksdemo",
            "oidcIssuerProfile": { "enabled": true },
            "securityProfile": { "workloadIdentity": { "enabled": true } },
            "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 2, "vmSize": "Standard_D4s_v5" }],
        },
    })
}

/// Key paths present in `expected` (objects only; arrays compare their first element) that are
/// missing from `actual`.
pub fn missing_keys(expected: &Value, actual: &Value, prefix: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match actual.get(key) {
                    Some(found) => missing_keys(value, found, &path, out),
                    None => out.push(path),
                }
            }
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if let (Some(first), Some(found)) = (expected.first(), actual.first()) {
                missing_keys(first, found, &format!("{prefix}[0]"), out);
            }
        }
        _ => {}
    }
}

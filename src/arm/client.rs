//! `ArmClient`, the ARM API on top of the transport: construction (credential, pipeline, timings)
//! and GET / list (nextLink paging, `paging.rs`) / PUT / PATCH / DELETE / POST of resources by id
//! or path and api-version. Calls are built from `request.rs`, sent by `transport.rs` (retries,
//! budget), and writes follow their long-running operation (`lro.rs`) to the end.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::http::{Method, Url};
use azure_core::Bytes;
use serde_json::Value;

use crate::arm::cloud::{self, is_loopback, parse_endpoint};
use crate::arm::credential::TokenProvider;
use crate::arm::error::ArmError;
use crate::arm::http::build_http_client;
use crate::arm::lro::{self, Operation, WriteOptions};
use crate::arm::paging::Pages;
use crate::arm::request::{is_absent, json_object, unexpected_status, Call};
use crate::arm::retry::Tuning;
use crate::arm::transport::Transport;
use crate::cli::{Cloud, CredentialKind};
use crate::id::ResourceId;

/// How to reach ARM and authenticate.
#[derive(Debug, Clone)]
pub struct ArmClientOptions {
    /// `--arm-endpoint` / `AKSCTL_ARM_ENDPOINT`; `None` means the cloud's ARM endpoint.
    pub endpoint: Option<String>,
    pub cloud: Cloud,
    pub credential: CredentialKind,
    /// At most this many requests in flight at once.
    pub max_concurrency: usize,
    /// Retry deadline of one request (all its attempts and waits).
    pub deadline: Duration,
}

impl Default for ArmClientOptions {
    fn default() -> Self {
        ArmClientOptions {
            endpoint: None,
            cloud: Cloud::AzureCloud,
            credential: CredentialKind::Auto,
            max_concurrency: 16,
            deadline: Duration::from_secs(300),
        }
    }
}

/// An ARM client: one transport (pipeline, connection pool, credential, throttling budget),
/// shared by clones.
#[derive(Clone)]
pub struct ArmClient {
    transport: Arc<Transport>,
}

impl fmt::Debug for ArmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArmClient")
            .field("endpoint", &self.endpoint())
            .field("credential", &self.transport.credential())
            .finish_non_exhaustive()
    }
}

impl ArmClient {
    /// Builds the credential chain and the pipeline once, from `options` and the environment.
    pub fn new(options: ArmClientOptions) -> Result<ArmClient, ArmError> {
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        };
        ArmClient::with_environment(options, &env)
    }

    /// Like [`ArmClient::new`] but reading environment variables through `env` (tests, or
    /// callers with their own configuration source). Empty values should be reported as unset.
    pub fn with_environment(
        options: ArmClientOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ArmClient, ArmError> {
        let endpoint_text = options
            .endpoint
            .clone()
            .unwrap_or_else(|| cloud::endpoints(options.cloud).resource_manager.to_string());
        let endpoint = parse_endpoint(&endpoint_text)?;
        let http = build_http_client()?;
        let tokens = Arc::new(TokenProvider::from_environment(
            options.credential,
            options.cloud,
            env,
            http.clone(),
        )?);
        let tuning = if is_loopback(&endpoint) {
            Tuning::loopback()
        } else {
            Tuning::remote()
        }
        .with_overrides(env);
        Ok(ArmClient::assemble(
            endpoint,
            http,
            tokens,
            options.max_concurrency,
            options.deadline,
            tuning,
        ))
    }

    /// For the embedded sandbox and tests: a loopback endpoint and a fixed bearer token. Any
    /// non-loopback endpoint is refused.
    pub fn for_loopback(endpoint: &str, token: &str) -> Result<ArmClient, ArmError> {
        let url = parse_endpoint(endpoint)?;
        if !is_loopback(&url) {
            return Err(ArmError::Config {
                message: format!(
                    "{endpoint:?} is not a loopback address; a fixed token is only used with a local mock (127.0.0.0/8, ::1, localhost)"
                ),
            });
        }
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        };
        let tuning = Tuning::loopback().with_overrides(&env);
        let defaults = ArmClientOptions::default();
        Ok(ArmClient::assemble(
            url,
            build_http_client()?,
            Arc::new(TokenProvider::fixed(token)),
            defaults.max_concurrency,
            defaults.deadline,
            tuning,
        ))
    }

    /// A loopback client with explicit timings and token source (tests).
    #[cfg(test)]
    pub(crate) fn for_tests(
        endpoint: &str,
        tokens: TokenProvider,
        tuning: Tuning,
        deadline: Duration,
    ) -> Result<ArmClient, ArmError> {
        Ok(ArmClient::assemble(
            parse_endpoint(endpoint)?,
            build_http_client()?,
            Arc::new(tokens),
            4,
            deadline,
            tuning,
        ))
    }

    fn assemble(
        endpoint: Url,
        http: reqwest::Client,
        tokens: Arc<TokenProvider>,
        max_concurrency: usize,
        deadline: Duration,
        tuning: Tuning,
    ) -> ArmClient {
        ArmClient {
            transport: Arc::new(Transport::new(
                endpoint,
                http,
                tokens,
                max_concurrency,
                deadline,
                tuning,
            )),
        }
    }

    /// ARM requests sent so far, retries and polls included.
    pub fn request_count(&self) -> u64 {
        self.transport.request_count()
    }

    /// The ARM endpoint, without trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.transport.endpoint().prefix
    }

    /// How many reads may be in flight now within ARM's read budget (estimated from its answers;
    /// the documented burst before the first). Collection readers size their fan-out by it.
    pub fn read_room(&self) -> usize {
        self.transport.read_room()
    }

    fn url(&self, path: &str, api_version: &str, query: &[(&str, &str)]) -> Result<Url, ArmError> {
        self.transport.endpoint().url(path, api_version, query)
    }

    #[cfg(test)]
    fn followable(&self, raw: &str, method: Method, resource: &str) -> Result<Url, ArmError> {
        self.transport.endpoint().followable(raw, method, resource)
    }

    /// GET a resource; `None` when ARM says it (or its group or parent) does not exist.
    pub async fn get(&self, id: &ResourceId, api_version: &str) -> Result<Option<Value>, ArmError> {
        self.get_path(id.as_str(), api_version).await
    }

    /// GET any ARM path (a subscription, a provider, a resource); `None` on a not-found 404.
    pub async fn get_path(&self, path: &str, api_version: &str) -> Result<Option<Value>, ArmError> {
        let url = self.url(path, api_version, &[])?;
        let exchange = self
            .transport
            .send(&Call::new(Method::Get, path, url))
            .await?;
        if exchange.status == 404 && is_absent(&exchange) {
            return Ok(None);
        }
        if exchange.status != 200 {
            return Err(unexpected_status(Method::Get, path, &exchange));
        }
        json_object(Method::Get, path, &exchange, "a JSON resource body").map(Some)
    }

    /// GET a collection with extra query pairs, following `nextLink` verbatim; all `value` items.
    /// A 404 on the collection's parent gives an empty list.
    pub async fn list(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<Value>, ArmError> {
        let mut pages = self.pages(path, api_version, query)?;
        let mut items = Vec::new();
        while let Some(page) = pages.next_page().await? {
            items.extend(page);
        }
        Ok(items)
    }

    /// The pages of a collection one by one, so a caller can act on the first page while the
    /// next is read (see [`Pages`]).
    pub fn pages(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Pages, ArmError> {
        let url = self.url(path, api_version, query)?;
        Ok(Pages::new(Arc::clone(&self.transport), path, url))
    }

    /// PUT `body` and follow the operation to its end; the final resource body.
    pub async fn put(
        &self,
        id: &ResourceId,
        api_version: &str,
        body: &Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ArmError> {
        self.write(Method::Put, id, api_version, body, options)
            .await
    }

    /// PATCH `body` and follow the operation to its end; the final resource body.
    pub async fn patch(
        &self,
        id: &ResourceId,
        api_version: &str,
        body: &Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ArmError> {
        self.write(Method::Patch, id, api_version, body, options)
            .await
    }

    async fn write(
        &self,
        method: Method,
        id: &ResourceId,
        api_version: &str,
        body: &Value,
        options: &WriteOptions<'_>,
    ) -> Result<Value, ArmError> {
        let url = self.url(id.as_str(), api_version, &[])?;
        let payload = serialize(method, id.as_str(), &without_provisioning_state(body))?;
        let call = Call {
            body: Some(payload),
            if_match: options.if_match,
            on_hold: options.throttled,
            ..Call::new(method, id.as_str(), url.clone())
        };
        let exchange = self.transport.send(&call).await?;
        if !exchange.is_success() {
            return Err(unexpected_status(method, id.as_str(), &exchange));
        }
        let operation = Operation {
            method,
            resource: id.as_str(),
            resource_url: url,
        };
        match lro::complete(&self.transport, &operation, exchange, options).await? {
            Some(body) => Ok(body),
            None => Err(ArmError::Malformed {
                method: method.as_str().into(),
                resource: id.as_str().into(),
                status: None,
                expected: "the resource after the operation".into(),
                detail: "no body".into(),
                request_id: None,
            }),
        }
    }

    /// DELETE and follow the operation; also `Ok` when the resource is already gone.
    pub async fn delete(
        &self,
        id: &ResourceId,
        api_version: &str,
        options: &WriteOptions<'_>,
    ) -> Result<(), ArmError> {
        let url = self.url(id.as_str(), api_version, &[])?;
        let call = Call {
            if_match: options.if_match,
            on_hold: options.throttled,
            ..Call::new(Method::Delete, id.as_str(), url.clone())
        };
        let exchange = self.transport.send(&call).await?;
        if exchange.status == 404 && is_absent(&exchange) {
            return Ok(());
        }
        if !exchange.is_success() {
            return Err(unexpected_status(Method::Delete, id.as_str(), &exchange));
        }
        let operation = Operation {
            method: Method::Delete,
            resource: id.as_str(),
            resource_url: url,
        };
        lro::complete(&self.transport, &operation, exchange, options).await?;
        Ok(())
    }

    /// POST an action on `path`; follows an operation if one is started; the final body if any.
    pub async fn post(
        &self,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
        options: &WriteOptions<'_>,
    ) -> Result<Option<Value>, ArmError> {
        let url = self.url(path, api_version, &[])?;
        let payload = match body {
            Some(body) => Some(serialize(Method::Post, path, body)?),
            None => None,
        };
        let call = Call {
            body: payload,
            if_match: options.if_match,
            on_hold: options.throttled,
            ..Call::new(Method::Post, path, url.clone())
        };
        let exchange = self.transport.send(&call).await?;
        if !exchange.is_success() {
            return Err(unexpected_status(Method::Post, path, &exchange));
        }
        let operation = Operation {
            method: Method::Post,
            resource: path,
            resource_url: url,
        };
        lro::complete(&self.transport, &operation, exchange, options).await
    }
}

fn serialize(method: Method, resource: &str, body: &Value) -> Result<Bytes, ArmError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|error| ArmError::Config {
            message: format!(
                "{} {resource}: body is not serializable: {error}",
                method.as_str()
            ),
        })
}

/// ARM rejects a PUT whose `properties.provisioningState` differs from the server's; it is
/// read-only, so it is never sent.
fn without_provisioning_state(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(properties) = body
        .get_mut("properties")
        .and_then(|properties| properties.as_object_mut())
    {
        properties.remove("provisioningState");
    }
    body
}

impl ArmClient {
    /// The credential that produces (or will produce) this client's tokens, e.g. `azure-cli`.
    pub fn credential_name(&self) -> String {
        self.transport.credential()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_api_version_and_query() {
        let client = ArmClient::for_loopback("http://127.0.0.1:9/", "token").unwrap();
        let url = client
            .url(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults",
                "2026-02-01",
                &[("$filter", "tagName eq 'a b'")],
            )
            .unwrap();
        assert_eq!(
            url.path(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults"
        );
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("api-version".into(), "2026-02-01".into()));
        assert_eq!(pairs[1], ("$filter".into(), "tagName eq 'a b'".into()));
        assert!(client.url("subscriptions/s", "1", &[]).is_err());
        assert!(client.url("/subscriptions/s?x=1", "1", &[]).is_err());
        assert_eq!(client.endpoint(), "http://127.0.0.1:9");
    }

    #[test]
    fn loopback_client_refuses_remote_endpoints() {
        let error = ArmClient::for_loopback("http://10.0.0.1:80", "t").unwrap_err();
        assert!(matches!(error, ArmError::InsecureEndpoint { .. }));
        let error = ArmClient::for_loopback("https://management.azure.com", "t").unwrap_err();
        assert!(matches!(error, ArmError::Config { .. }));
    }

    #[test]
    fn the_client_and_its_futures_can_cross_threads() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let client = ArmClient::for_loopback("http://127.0.0.1:9", "token").unwrap();
        assert_send_sync(&client);
        let id = ResourceId::new("/subscriptions/s");
        let body = serde_json::json!({});
        let options = WriteOptions::default();
        assert_send(&client.get(&id, "v"));
        assert_send(&client.list("/subscriptions", "v", &[]));
        assert_send(&client.put(&id, "v", &body, &options));
        assert_send(&client.patch(&id, "v", &body, &options));
        assert_send(&client.delete(&id, "v", &options));
        assert_send(&client.post("/subscriptions/s/x", "v", None, &options));
    }

    #[test]
    fn provisioning_state_is_never_sent() {
        let body = serde_json::json!({"location": "x", "properties": {"provisioningState": "Succeeded", "a": 1}});
        let stripped = without_provisioning_state(&body);
        assert_eq!(
            stripped,
            serde_json::json!({"location": "x", "properties": {"a": 1}})
        );
    }

    #[test]
    fn followed_urls_must_stay_on_the_endpoint() {
        let client = ArmClient::for_loopback("http://127.0.0.1:9", "token").unwrap();
        assert!(client
            .followable("http://127.0.0.1:9/op?api-version=1", Method::Get, "/x")
            .is_ok());
        assert!(client
            .followable("/op?api-version=1", Method::Get, "/x")
            .is_ok());
        let error = client
            .followable("https://evil.example.com/op", Method::Get, "/x")
            .unwrap_err();
        assert!(error.to_string().contains("another host"), "{error}");
    }
}

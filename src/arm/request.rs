//! Pure request building and answer reading, no I/O: one logical request (`Call`), ARM URLs
//! (`{endpoint}{path}?api-version=..`), the check that a URL ARM hands us (nextLink, Location,
//! Azure-AsyncOperation) stays on the endpoint, and turning answers into values or errors. The
//! transport (`transport.rs`) sends calls; the API (`client.rs`, `lro.rs`) builds and reads them.

use azure_core::http::{Method, Url};
use azure_core::Bytes;
use serde_json::Value;

use crate::arm::cloud::same_authority;
use crate::arm::error::{describe_body, ArmError, ErrorDetail};
use crate::arm::http::Exchange;

/// One logical request (possibly several attempts).
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Resource id or path shown in errors.
    pub resource: &'a str,
    pub url: Url,
    pub body: Option<Bytes>,
    pub if_match: Option<&'a str>,
    /// Told when the call is held for ARM's throttling budget (writes report it as progress).
    pub on_hold: Option<&'a (dyn Fn(crate::arm::throttle::BudgetWait) + Send + Sync)>,
}

/// Where ARM is: the parsed endpoint and its text without trailing slash.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub url: Url,
    pub prefix: String,
}

impl Endpoint {
    pub(crate) fn new(url: Url) -> Endpoint {
        Endpoint {
            prefix: crate::arm::cloud::endpoint_prefix(&url),
            url,
        }
    }

    /// `{endpoint}{path}?api-version=..&extra..`.
    pub(crate) fn url(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Url, ArmError> {
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(ArmError::Config {
                message: format!(
                    "invalid ARM path {path:?}: expected an absolute path such as /subscriptions/..."
                ),
            });
        }
        let mut url =
            Url::parse(&format!("{}{path}", self.prefix)).map_err(|error| ArmError::Config {
                message: format!("invalid ARM path {path:?}: {error}"),
            })?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("api-version", api_version);
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// A URL ARM handed us (nextLink, Location, Azure-AsyncOperation), checked to stay on the
    /// endpoint so our token goes nowhere else. A path-only value is joined to the endpoint.
    pub(crate) fn followable(
        &self,
        raw: &str,
        method: Method,
        resource: &str,
    ) -> Result<Url, ArmError> {
        let parsed = match Url::parse(raw.trim()) {
            Ok(url) => Ok(url),
            Err(_) if raw.trim().starts_with('/') => {
                Url::parse(&format!("{}{}", self.prefix, raw.trim()))
            }
            Err(error) => Err(error),
        };
        let malformed = |detail: String| ArmError::Malformed {
            method: method.as_str().into(),
            resource: resource.into(),
            status: None,
            expected: format!("a URL on {}", self.prefix),
            detail,
            request_id: None,
        };
        let url = parsed.map_err(|error| malformed(format!("{raw:?} ({error})")))?;
        if !same_authority(&self.url, &url) {
            return Err(malformed(format!(
                "{} (refusing to send the token to another host)",
                url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, resource: &'a str, url: Url) -> Call<'a> {
        Call {
            method,
            resource,
            url,
            body: None,
            if_match: None,
            on_hold: None,
        }
    }
}

/// A 404 that means "does not exist" (an ARM not-found code, or no body), not a wrong URL.
pub(crate) fn is_absent(exchange: &Exchange) -> bool {
    if exchange.body.iter().all(u8::is_ascii_whitespace) {
        return true;
    }
    let detail = ErrorDetail::from_body(&exchange.body);
    match detail.code {
        Some(code) => code.to_ascii_lowercase().ends_with("notfound"),
        None => serde_json::from_slice::<Value>(&exchange.body).is_ok(),
    }
}

/// The error for an answer whose status the caller cannot use.
pub(crate) fn unexpected_status(method: Method, resource: &str, exchange: &Exchange) -> ArmError {
    if exchange.is_success() {
        return ArmError::Malformed {
            method: method.as_str().into(),
            resource: resource.into(),
            status: Some(exchange.status),
            expected: "HTTP 200 with a body".into(),
            detail: describe_body(&exchange.body),
            request_id: exchange.request_id.clone(),
        };
    }
    let detail = ErrorDetail::from_body(&exchange.body);
    ArmError::Response {
        method: method.as_str().into(),
        resource: resource.into(),
        status: exchange.status,
        code: detail.code,
        message: detail.message,
        request_id: exchange.request_id.clone(),
    }
}

/// The body as a JSON object, or a `Malformed` error saying what was expected.
pub(crate) fn json_object(
    method: Method,
    resource: &str,
    exchange: &Exchange,
    expected: &str,
) -> Result<Value, ArmError> {
    match serde_json::from_slice::<Value>(&exchange.body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(ArmError::Malformed {
            method: method.as_str().into(),
            resource: resource.into(),
            status: Some(exchange.status),
            expected: expected.into(),
            detail: describe_body(&exchange.body),
            request_id: exchange.request_id.clone(),
        }),
    }
}

//! An Entra-shaped token endpoint (`POST /{tenant}/oauth2/v2.0/token`) and OpenID metadata, so
//! real credential code can be pointed at mock-arm. Tokens are opaque random strings.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::App;
use crate::backend::path::percent_decode;

/// Decodes an `application/x-www-form-urlencoded` body.
pub fn parse_form(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&name.replace('+', " ")),
                percent_decode(&value.replace('+', " ")),
            )
        })
        .collect()
}

fn oauth_error(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description, "error_codes": [900144] });
    (axum::http::StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

pub async fn token(
    Path(tenant): Path<String>,
    State(_app): State<Arc<App>>,
    body: Bytes,
) -> Response {
    let form = parse_form(&String::from_utf8_lossy(&body));
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|v| !v.is_empty())
    };
    let Some(grant) = field("grant_type") else {
        return oauth_error(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
        );
    };
    if field("client_id").is_none() {
        return oauth_error(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    }
    let has_secret = field("client_secret").is_some();
    let has_assertion = field("client_assertion").is_some()
        && field("client_assertion_type")
            == Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    let supported = matches!(
        grant,
        "client_credentials"
            | "urn:ietf:params:oauth:grant-type:jwt-bearer"
            | "refresh_token"
            | "password"
    );
    if !supported {
        return oauth_error(
            "unsupported_grant_type",
            &format!("AADSTS70003: The app requested an unsupported grant type '{grant}'."),
        );
    }
    if grant == "client_credentials" && !has_secret && !has_assertion {
        return oauth_error("invalid_client", "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
    }
    let _ = tenant;
    let token = format!(
        "mock-arm.{}.{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": token,
    }))
    .into_response()
}

pub async fn openid_configuration(
    Path(tenant): Path<String>,
    headers: HeaderMap,
    State(app): State<Arc<App>>,
) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = format!("{}://{host}", app.scheme);
    axum::Json(json!({
        "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
        "issuer": format!("{base}/{tenant}/v2.0"),
        "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "tenant_region_scope": "NA",
    }))
    .into_response()
}

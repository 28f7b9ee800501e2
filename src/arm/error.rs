//! `ArmError`: every way an ARM call can fail, each displayed with method, resource, HTTP status,
//! ARM error code, message and `x-ms-request-id`; plus ARM error-body parsing and redaction.

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

use crate::arm::root_cause::{root_cause, RootCause};

/// An ARM call that did not succeed. `Display` is the message a user sees; it never contains a
/// token or a client secret.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ArmError {
    /// ARM answered with an error status (after any retries).
    #[error("{method} {resource}: HTTP {status}{}: {message}{}", code_part(.code), request_id_part(.request_id))]
    Response {
        method: String,
        resource: String,
        status: u16,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    /// No HTTP answer: connection refused or dropped, timeout, TLS failure. The text names the
    /// root cause (DNS, refused, TLS, timeout) with the host and what to do when it is
    /// recognised; [`ArmError::underlying`] is the whole chain (shown with `-v`).
    #[error("{method} {resource}: no answer from ARM: {}", explain(.message))]
    Transport {
        method: String,
        resource: String,
        message: String,
    },
    /// An answer that is not what ARM sends: truncated JSON, an HTML page from a proxy, a missing
    /// long-running-operation header, a nextLink loop.
    #[error("{method} {resource}: unexpected answer{}: expected {expected}, got {detail}{}", status_part(.status), request_id_part(.request_id))]
    Malformed {
        method: String,
        resource: String,
        status: Option<u16>,
        expected: String,
        detail: String,
        request_id: Option<String>,
    },
    /// No access token could be obtained. A recognised root cause (Entra's `AADSTS` code and
    /// message, an expired `az` login, DNS, refused connection, TLS) replaces the credential
    /// library's wrapper text and brings its own hint.
    #[error("could not get an ARM access token ({credential}): {}", explain_credential(.credential, .message, .hint))]
    Credential {
        credential: String,
        message: String,
        hint: String,
    },
    /// A long-running operation ended `Failed` or `Canceled`.
    #[error("{method} {resource}: operation {status}{}: {message}{}{}", code_part(.code), request_id_part(.request_id), operation_part(.operation_url))]
    OperationFailed {
        method: String,
        resource: String,
        status: String,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
        operation_url: Option<String>,
    },
    /// A long-running operation did not finish within its deadline; it may still be running.
    #[error("{method} {resource}: operation still {last_status} after {}s (deadline){}", .deadline.as_secs(), operation_part(.operation_url))]
    DeadlineExceeded {
        method: String,
        resource: String,
        deadline: Duration,
        last_status: String,
        operation_url: Option<String>,
    },
    /// A request that would send a bearer token over plain http to a non-loopback host.
    #[error("refusing to send a bearer token over plain http to {url}: plain http is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https")]
    InsecureEndpoint { url: String },
    /// Bad client configuration (endpoint URL, environment variables).
    #[error("{message}")]
    Config { message: String },
}

impl ArmError {
    /// The ARM error code (`ResourceNotFound`, `OperationNotAllowed`, ...), if ARM sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ArmError::Response { code, .. } | ArmError::OperationFailed { code, .. } => {
                code.as_deref()
            }
            _ => None,
        }
    }

    /// The HTTP status of the failed answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ArmError::Response { status, .. } => Some(*status),
            ArmError::Malformed { status, .. } => *status,
            _ => None,
        }
    }

    /// ARM's `x-ms-request-id` of the failed answer, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ArmError::Response { request_id, .. }
            | ArmError::Malformed { request_id, .. }
            | ArmError::OperationFailed { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The long-running operation's status URL, if the error is about one.
    pub fn operation_url(&self) -> Option<&str> {
        match self {
            ArmError::OperationFailed { operation_url, .. }
            | ArmError::DeadlineExceeded { operation_url, .. } => operation_url.as_deref(),
            _ => None,
        }
    }

    /// True for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for a 409 answer (conflict, concurrent operation, name taken).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// True when no HTTP answer arrived (connection refused or dropped, timeout).
    pub fn is_transport(&self) -> bool {
        matches!(self, ArmError::Transport { .. })
    }

    /// The whole underlying error chain, as the HTTP stack or the credential library reported
    /// it (redacted), when the message shows only its recognised root cause: `-v` prints it.
    pub fn underlying(&self) -> Option<&str> {
        match self {
            ArmError::Transport { message, .. } => root_cause(message).map(|_| message.as_str()),
            ArmError::Credential {
                credential,
                message,
                ..
            } if !credential.contains(": tried ") => root_cause(message).map(|_| message.as_str()),
            _ => None,
        }
    }

    /// The recognised root cause of a transport or credential failure, if any.
    pub fn root_cause(&self) -> Option<RootCause> {
        match self {
            ArmError::Transport { message, .. } | ArmError::Credential { message, .. } => {
                root_cause(message)
            }
            _ => None,
        }
    }
}

fn explain(message: &str) -> String {
    match root_cause(message) {
        Some(cause) => format!("{}\nhint: {}", cause.summary, cause.hint),
        None => message.to_owned(),
    }
}

/// A single credential's failure shows its root cause alone; a chain that tried several keeps
/// what each said and adds the root cause it recognised.
fn explain_credential(credential: &str, message: &str, hint: &str) -> String {
    let tried_several = credential.contains(": tried ");
    match root_cause(message) {
        Some(cause) if !tried_several => format!("{}\nhint: {}", cause.summary, cause.hint),
        Some(cause) => format!(
            "{message}\nroot cause: {}: {}\nhint: {hint}",
            cause.summary, cause.hint
        ),
        None => format!("{message}\nhint: {hint}"),
    }
}

fn code_part(code: &Option<String>) -> String {
    code.as_ref()
        .map(|code| format!(" {code}"))
        .unwrap_or_default()
}

fn status_part(status: &Option<u16>) -> String {
    status
        .map(|status| format!(" (HTTP {status})"))
        .unwrap_or_default()
}

fn request_id_part(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!(" (x-ms-request-id: {id})"),
        None => " (no x-ms-request-id)".to_string(),
    }
}

fn operation_part(url: &Option<String>) -> String {
    url.as_ref()
        .map(|url| format!("; operation status: {url}"))
        .unwrap_or_default()
}

/// The code and message of an ARM error body, in any of the shapes RPs use:
/// `{"error":{"code","message","details":[..]}}`, `{"code","message"}` (some RPs, operation
/// status `error` objects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorDetail {
    pub code: Option<String>,
    pub message: String,
}

impl ErrorDetail {
    /// Reads an error object (`{"code","message","details"}`), folding up to three detail
    /// messages into the message.
    pub(crate) fn from_error_object(error: &serde_json::Value) -> Option<ErrorDetail> {
        let object = error.as_object()?;
        let code = object
            .get("code")
            .and_then(|code| code.as_str())
            .filter(|code| !code.is_empty())
            .map(str::to_string);
        let mut message = object
            .get("message")
            .and_then(|message| message.as_str())
            .unwrap_or_default()
            .trim()
            .to_string();
        if code.is_none() && message.is_empty() {
            return None;
        }
        let details: Vec<String> = object
            .get("details")
            .and_then(|details| details.as_array())
            .map(|details| {
                details
                    .iter()
                    .filter_map(ErrorDetail::from_error_object)
                    .take(3)
                    .map(|detail| match detail.code {
                        Some(code) => format!("{code}: {}", detail.message),
                        None => detail.message,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !details.is_empty() {
            message = format!("{message} [details: {}]", details.join("; "));
        }
        Some(ErrorDetail {
            code,
            message: redact(&message),
        })
    }

    /// Reads an error response body; a body that is not an ARM error yields a message that
    /// describes it (empty, HTML page, truncated text) instead.
    pub(crate) fn from_body(body: &[u8]) -> ErrorDetail {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            let parsed = value
                .get("error")
                .and_then(ErrorDetail::from_error_object)
                .or_else(|| ErrorDetail::from_error_object(&value));
            if let Some(detail) = parsed {
                return detail;
            }
        }
        ErrorDetail {
            code: None,
            message: describe_body(body),
        }
    }
}

/// A short, redacted description of a body that is not what was expected.
pub(crate) fn describe_body(body: &[u8]) -> String {
    if body.iter().all(u8::is_ascii_whitespace) {
        return "an empty body".to_string();
    }
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    let kind = if trimmed.starts_with('<') {
        "an HTML/XML page"
    } else if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
        "JSON of an unexpected shape"
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        "truncated or invalid JSON"
    } else {
        "a non-JSON body"
    };
    let collapsed: String = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    let snippet: String = collapsed.chars().take(160).collect();
    let ellipsis = if collapsed.chars().count() > 160 {
        "..."
    } else {
        ""
    };
    format!(
        "{kind} ({} bytes): {}{ellipsis}",
        body.len(),
        redact(&snippet)
    )
}

// The patterns are literals covered by the tests below; `expect` cannot fire at run time.
static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/=]+").expect("valid literal regex")
});
static SECRET_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)("?(?:access_token|refresh_token|id_token|client_secret|client_assertion|password|authorization)"?\s*[:=]\s*"?)[^"&\s,}]+"#,
    )
    .expect("valid literal regex")
});
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")
        .expect("valid literal regex")
});

/// Secret values this process holds (access tokens it obtained, the configured client secret):
/// `redact` removes them wherever they appear, even without a `Bearer` prefix or a field name
/// (a gateway echoing the raw token in an error page).
static KNOWN_SECRETS: LazyLock<std::sync::RwLock<Vec<String>>> =
    LazyLock::new(|| std::sync::RwLock::new(Vec::new()));

/// Registers a secret value for [`redact`] to remove from now on (values shorter than 8
/// characters are ignored: too likely to occur by chance).
pub(crate) fn register_secret(value: &str) {
    if value.len() < 8 {
        return;
    }
    if let Ok(mut secrets) = KNOWN_SECRETS.write() {
        if !secrets.iter().any(|known| known == value) {
            secrets.push(value.to_owned());
        }
    }
}

/// Removes bearer tokens, JWTs, `access_token` / `client_secret` style fields and every
/// registered secret value from text that came from a server or a credential library before it
/// is shown or logged.
pub fn redact(text: &str) -> String {
    let mut scrubbed = None;
    if let Ok(secrets) = KNOWN_SECRETS.read() {
        for secret in secrets.iter() {
            if text.contains(secret.as_str()) {
                scrubbed = Some(
                    scrubbed
                        .unwrap_or_else(|| text.to_owned())
                        .replace(secret.as_str(), "<redacted>"),
                );
            }
        }
    }
    let text = scrubbed.as_deref().unwrap_or(text);
    let text = BEARER.replace_all(text, "${1}<redacted>");
    let text = SECRET_FIELD.replace_all(&text, "${1}<redacted>");
    JWT.replace_all(&text, "<redacted-jwt>").into_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_single_credential_shows_its_root_cause_a_chain_keeps_every_message() {
        let single = ArmError::Credential {
            credential: "client-secret".into(),
            message: "ClientSecretCredential authentication failed. retry policy expired and the request will no longer be retried: error sending request for url (http://127.0.0.1:1/t/oauth2/v2.0/token): Connection refused (os error 111)".into(),
            hint: "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET".into(),
        };
        let text = single.to_string();
        assert!(
            text.contains("127.0.0.1:1 refused the connection"),
            "{text}"
        );
        assert!(
            !text.contains("retry policy expired") && !text.contains("set AZURE_TENANT_ID"),
            "{text}"
        );
        assert!(single
            .underlying()
            .is_some_and(|chain| chain.contains("retry policy expired")));
        let chain = ArmError::Credential {
            credential: "auto: tried azure-cli, client-secret".into(),
            message: "azure-cli: az not found on PATH; client-secret: Connection refused (os error 111) for url (http://127.0.0.1:1/t)".into(),
            hint: "run `az login`".into(),
        };
        let text = chain.to_string();
        assert!(text.contains("az not found on PATH"), "{text}");
        assert!(
            text.contains("root cause: 127.0.0.1:1 refused the connection"),
            "{text}"
        );
        assert_eq!(chain.underlying(), None);
    }

    #[test]
    fn registered_secrets_are_redacted_anywhere() {
        register_secret("RAW-TOKEN-9f8e7d6c");
        register_secret("short");
        let text = redact("gateway saw token RAW-TOKEN-9f8e7d6c; short stays");
        assert!(!text.contains("RAW-TOKEN-9f8e7d6c"), "{text}");
        assert!(text.contains("short stays"), "{text}");
    }

    #[test]
    fn response_error_displays_method_resource_status_code_message_and_request_id() {
        let error = ArmError::Response {
            method: "PUT".into(),
            resource: "/subscriptions/s/resourceGroups/rg".into(),
            status: 409,
            code: Some("OperationNotAllowed".into()),
            message: "Another operation is in progress.".into(),
            request_id: Some("req-123".into()),
        };
        let text = error.to_string();
        for part in [
            "PUT",
            "/subscriptions/s/resourceGroups/rg",
            "409",
            "OperationNotAllowed",
            "Another operation is in progress.",
            "req-123",
        ] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
        assert_eq!(error.code(), Some("OperationNotAllowed"));
        assert_eq!(error.status(), Some(409));
        assert_eq!(error.request_id(), Some("req-123"));
        assert!(error.is_conflict());
        assert!(!error.is_not_found());
    }

    #[test]
    fn error_bodies_of_every_shape_parse() {
        let standard = br#"{"error":{"code":"InvalidParameter","message":"bad","details":[{"code":"X","message":"inner"}]}}"#;
        let detail = ErrorDetail::from_body(standard);
        assert_eq!(detail.code.as_deref(), Some("InvalidParameter"));
        assert!(detail.message.contains("bad") && detail.message.contains("X: inner"));

        let flat = br#"{"code":"Conflict","message":"taken"}"#;
        assert_eq!(
            ErrorDetail::from_body(flat).code.as_deref(),
            Some("Conflict")
        );

        let html = b"<html><body>502 Bad Gateway</body></html>";
        let detail = ErrorDetail::from_body(html);
        assert_eq!(detail.code, None);
        assert!(detail.message.contains("HTML"), "{}", detail.message);

        let truncated = br#"{"error":{"code":"Inval"#;
        assert!(ErrorDetail::from_body(truncated)
            .message
            .contains("truncated or invalid JSON"));
        assert!(ErrorDetail::from_body(b"").message.contains("empty"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bodies_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let detail = ErrorDetail::from_body(&body);
            proptest::prop_assert!(!detail.message.is_empty() || detail.code.is_some());
            let _ = describe_body(&body);
            let _ = redact(&String::from_utf8_lossy(&body));
        }

        #[test]
        fn error_shaped_bodies_keep_their_code(
            code in "[A-Za-z]{1,20}",
            message in "[ !#-\\[\\]-~]{0,80}",
            details in proptest::option::of("[A-Za-z ]{0,30}"),
        ) {
            let detail_list = details
                .map(|text| format!(r#","details":[{{"code":"D","message":"{text}"}}, 7, null]"#))
                .unwrap_or_default();
            let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}"{detail_list}}}}}"#);
            let detail = ErrorDetail::from_body(body.as_bytes());
            proptest::prop_assert_eq!(detail.code.as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn redaction_removes_tokens_and_secrets() {
        let text = "Authorization: Bearer abc.def-ghi client_secret=CANARY-SECRET&x=1 {\"access_token\":\"tok\"} eyJhbGciOi.eyJzdWIiOi.sig";
        let redacted = redact(text);
        assert!(!redacted.contains("abc.def-ghi"), "{redacted}");
        assert!(!redacted.contains("CANARY-SECRET"), "{redacted}");
        assert!(!redacted.contains("\"tok\""), "{redacted}");
        assert!(!redacted.contains("eyJhbGciOi"), "{redacted}");
        assert!(redacted.contains("x=1"));
    }
}

//! Naming the root cause of a failure that has no ARM answer: DNS, a refused connection, TLS, a
//! timeout, an Entra `AADSTS` error or an expired Azure CLI login, recognised in the text of an
//! error chain (reqwest, hyper, rustls, azure_core, azure_identity, the `az` CLI's stderr), with
//! the host it concerns and what to do.

use std::sync::LazyLock;

use regex::Regex;

/// What failed underneath a transport or credential error, named with the host it concerns and
/// what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause {
    pub class: RootCauseClass,
    /// E.g. "the host name management.example.invalid does not resolve (DNS lookup failed)".
    pub summary: String,
    pub hint: String,
}

/// The failure classes aksctl recognises in an error chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootCauseClass {
    Dns,
    ConnectionRefused,
    Tls,
    Timeout,
    /// Entra ID answered with an `AADSTS` error.
    Entra,
    /// The Azure CLI has no valid login.
    AzureCliLogin,
}

static URL_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bhttps?://(\[[0-9a-f:.]+\]|[a-z0-9.\-]+)(:\d+)?")
        .expect("valid literal regex")
});
static AADSTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"AADSTS(\d+)[:.]?\s*([^\r\n]*)").expect("valid literal regex"));
static PEER_CERTIFICATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)invalid peer certificate:?\s*([A-Za-z0-9_ ()]+)").expect("valid literal regex")
});

/// The host (and port) an error chain talks about, from the first URL in it.
fn host_of(chain: &str) -> String {
    URL_HOST
        .captures(chain)
        .map(|captures| {
            let host = captures.get(1).map_or("", |host| host.as_str());
            let port = captures.get(2).map_or("", |port| port.as_str());
            format!("{host}{port}")
        })
        .unwrap_or_else(|| "the server".to_owned())
}

/// Recognises the root cause in an error chain's text (the chain of a reqwest / hyper / rustls /
/// azure_core / azure_identity error, or the Azure CLI's stderr).
pub fn root_cause(chain: &str) -> Option<RootCause> {
    let lower = chain.to_ascii_lowercase();
    let host = host_of(chain);
    let cause = |class, summary: String, hint: &str| {
        Some(RootCause {
            class,
            summary,
            hint: hint.to_owned(),
        })
    };
    let az_login_expired = lower.contains("az login")
        || lower.contains("refresh token has expired")
        || lower.contains("interactive authentication is needed")
        || lower.contains("aadsts700082");
    if az_login_expired && (lower.contains("azureclicredential") || lower.contains("az login")) {
        let detail = AADSTS
            .captures(chain)
            .map(|captures| format!(" (AADSTS{}: {})", &captures[1], captures[2].trim()))
            .unwrap_or_default();
        return cause(
            RootCauseClass::AzureCliLogin,
            format!("the Azure CLI login has expired or is missing{detail}"),
            "run `az login` again (and `az account set --subscription <id>`), then re-run aksctl",
        );
    }
    if let Some(captures) = AADSTS.captures(chain) {
        let code = &captures[1];
        let message = captures[2]
            .split("Trace ID:")
            .next()
            .unwrap_or_default()
            .trim()
            .trim_end_matches(['.', ' '])
            .to_owned();
        return cause(
            RootCauseClass::Entra,
            format!("Entra ID refused the token request: AADSTS{code}: {message}"),
            entra_hint(code),
        );
    }
    let dns = [
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "nodename nor servname",
        "no such host",
        "temporary failure in name resolution",
        "name resolution",
    ];
    if dns.iter().any(|pattern| lower.contains(pattern)) {
        return cause(
            RootCauseClass::Dns,
            format!("the host name of {host} does not resolve (DNS lookup failed)"),
            "check the host in AKSCTL_ARM_ENDPOINT / --arm-endpoint, AZURE_AUTHORITY_HOST and --cloud, and this machine's DNS, proxy or VPN",
        );
    }
    let refused = [
        "connection refused",
        "actively refused",
        "os error 111)",
        "os error 61)",
        "os error 10061)",
    ];
    if refused.iter().any(|pattern| lower.contains(pattern)) {
        return cause(
            RootCauseClass::ConnectionRefused,
            format!("{host} refused the connection (nothing listens on that address and port)"),
            "check the URL and port in AKSCTL_ARM_ENDPOINT / --arm-endpoint or AZURE_AUTHORITY_HOST; a local mock or proxy must be running",
        );
    }
    let tls = [
        "certificate",
        "tls handshake",
        "handshake failure",
        "unknownissuer",
        "tls error",
        "ssl",
    ];
    if tls.iter().any(|pattern| lower.contains(pattern)) {
        let detail = PEER_CERTIFICATE
            .captures(chain)
            .map(|captures| format!(": invalid peer certificate ({})", captures[1].trim()))
            .unwrap_or_default();
        return cause(
            RootCauseClass::Tls,
            format!("the TLS handshake with {host} failed{detail}"),
            "the server's certificate is not trusted here or does not match the host: check the host name; behind a TLS-inspecting proxy, add its CA certificate to this machine's trust store",
        );
    }
    if lower.contains("timed out") || lower.contains("deadline has elapsed") {
        let summary = if URL_HOST.is_match(chain) {
            format!("{host} did not answer in time")
        } else {
            format!("no answer in time ({})", chain.trim())
        };
        return cause(
            RootCauseClass::Timeout,
            summary,
            "check the network path (proxy, firewall, VPN) to that host; AKSCTL_HTTP_TIMEOUT_MS sets the timeout of one attempt",
        );
    }
    None
}

/// What to do about the Entra errors a CLI user meets most.
fn entra_hint(code: &str) -> &'static str {
    match code {
        "7000215" => "the client secret is wrong: set AZURE_CLIENT_SECRET to the secret's value (not its id), or create a new secret",
        "7000222" => "the client secret has expired: create a new one for the app registration and update AZURE_CLIENT_SECRET",
        "700016" => "no application with this AZURE_CLIENT_ID exists in the tenant AZURE_TENANT_ID: check both values",
        "90002" | "900023" | "90013" => "the tenant AZURE_TENANT_ID does not exist: check the value (a GUID or a verified domain)",
        "70021" | "700211" | "700212" | "700213" => "no federated credential of the identity matches the token's issuer, subject and audience: check the federated credential (e.g. `repo:ORG/REPO:environment:NAME`, audience api://AzureADTokenExchange)",
        "700024" | "700027" => "the federated token is expired or not yet valid: fetch a fresh token into AZURE_FEDERATED_TOKEN_FILE right before running aksctl",
        "50173" | "50078" | "50076" | "700082" => "the sign-in has expired or needs multi-factor authentication: log in again (`az login`)",
        "900144" | "900971" => "the token request lacks a required parameter: check AZURE_CLIENT_ID and the credential settings",
        _ => "look the code up (https://login.microsoftonline.com/error?code=<code>) and check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or federated credential",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_causes_are_recognised_in_error_chains() {
        let class = |chain: &str| root_cause(chain).map(|cause| cause.class);
        assert_eq!(
            class("error sending request for url (https://nowhere.invalid/x): client error (Connect): dns error: failed to lookup address information: Name or service not known"),
            Some(RootCauseClass::Dns)
        );
        assert_eq!(
            class("error sending request for url (http://127.0.0.1:1/t/oauth2/v2.0/token): tcp connect error: Connection refused (os error 111)"),
            Some(RootCauseClass::ConnectionRefused)
        );
        assert_eq!(
            class("error sending request for url (https://127.0.0.1:4443/x): invalid peer certificate: UnknownIssuer"),
            Some(RootCauseClass::Tls)
        );
        assert_eq!(
            class("ClientSecretCredential authentication failed. AADSTS7000215: Invalid client secret provided."),
            Some(RootCauseClass::Entra)
        );
        assert_eq!(
            class("AzureCliCredential authentication failed. ERROR: AADSTS700082: The refresh token has expired. Please run 'az login'"),
            Some(RootCauseClass::AzureCliLogin)
        );
        assert_eq!(
            class("timed out after 30000 ms (attempt 3)"),
            Some(RootCauseClass::Timeout)
        );
        assert_eq!(class("HTTP 409 Conflict"), None);
        let refused =
            root_cause("error sending request for url (http://127.0.0.1:1/x): Connection refused")
                .map(|cause| cause.summary);
        assert_eq!(
            refused.as_deref(),
            Some("127.0.0.1:1 refused the connection (nothing listens on that address and port)")
        );
    }
}

//! Azure clouds (ARM endpoint, token scope, Entra authority) and endpoint URL rules: https
//! everywhere, plain http only for loopback hosts.

use azure_core::http::Url;

use crate::arm::error::ArmError;
use crate::cli::Cloud;

/// Where a cloud's ARM and Entra ID live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudEndpoints {
    /// ARM endpoint, e.g. `https://management.azure.com`.
    pub resource_manager: &'static str,
    /// Token scope for ARM (`{resource_manager}/.default`).
    pub token_scope: &'static str,
    /// Entra ID authority host.
    pub authority_host: &'static str,
}

/// The endpoints of `cloud` (FACTS.md §1.6).
pub fn endpoints(cloud: Cloud) -> CloudEndpoints {
    match cloud {
        Cloud::AzureCloud => CloudEndpoints {
            resource_manager: "https://management.azure.com",
            token_scope: "https://management.azure.com/.default",
            authority_host: "https://login.microsoftonline.com",
        },
        Cloud::AzureUsGovernment => CloudEndpoints {
            resource_manager: "https://management.usgovcloudapi.net",
            token_scope: "https://management.usgovcloudapi.net/.default",
            authority_host: "https://login.microsoftonline.us",
        },
        Cloud::AzureChinaCloud => CloudEndpoints {
            resource_manager: "https://management.chinacloudapi.cn",
            token_scope: "https://management.chinacloudapi.cn/.default",
            authority_host: "https://login.chinacloudapi.cn",
        },
    }
}

/// True for 127.0.0.0/8, `::1` (and IPv4-mapped loopback) and `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(address)) => address.is_loopback(),
        Ok(std::net::IpAddr::V6(address)) => {
            address.is_loopback()
                || address
                    .to_ipv4_mapped()
                    .is_some_and(|mapped| mapped.is_loopback())
        }
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// True when a bearer token may be sent to `url`: https, or http to a loopback host.
pub fn may_carry_token(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

/// Parses and checks an ARM endpoint: absolute http(s) URL without query or credentials; plain
/// http only for loopback. The returned URL has no trailing slash in its path.
pub fn parse_endpoint(endpoint: &str) -> Result<Url, ArmError> {
    let config = |message: String| ArmError::Config { message };
    let url = Url::parse(endpoint.trim()).map_err(|error| {
        config(format!(
            "invalid ARM endpoint {endpoint:?}: {error}; expected e.g. https://management.azure.com or http://127.0.0.1:8080"
        ))
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(config(format!(
            "invalid ARM endpoint {endpoint:?}: scheme must be https (or http for a loopback mock)"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(config(format!(
            "invalid ARM endpoint {:?}: credentials in the URL are not allowed",
            url.host_str().unwrap_or_default()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(config(format!(
            "invalid ARM endpoint {endpoint:?}: it must not carry a query or fragment"
        )));
    }
    if !may_carry_token(&url) {
        return Err(ArmError::InsecureEndpoint {
            url: url.to_string(),
        });
    }
    Ok(url)
}

/// The endpoint as a string prefix for resource paths (no trailing slash).
pub(crate) fn endpoint_prefix(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_string()
}

/// True when `candidate` (a nextLink, Location or Azure-AsyncOperation URL) may be followed with
/// our token: same scheme, host and port as the endpoint, or both loopback.
pub(crate) fn same_authority(endpoint: &Url, candidate: &Url) -> bool {
    if !may_carry_token(candidate) {
        return false;
    }
    if is_loopback(endpoint) && is_loopback(candidate) {
        return true;
    }
    endpoint.scheme() == candidate.scheme()
        && endpoint.host_str().map(str::to_ascii_lowercase)
            == candidate.host_str().map(str::to_ascii_lowercase)
        && endpoint.port_or_known_default() == candidate.port_or_known_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn clouds_have_their_endpoints_and_scopes() {
        let public = endpoints(Cloud::AzureCloud);
        assert_eq!(public.resource_manager, "https://management.azure.com");
        assert_eq!(public.token_scope, "https://management.azure.com/.default");
        let government = endpoints(Cloud::AzureUsGovernment);
        assert_eq!(
            government.token_scope,
            "https://management.usgovcloudapi.net/.default"
        );
        assert_eq!(
            government.authority_host,
            "https://login.microsoftonline.us"
        );
        let china = endpoints(Cloud::AzureChinaCloud);
        assert_eq!(
            china.resource_manager,
            "https://management.chinacloudapi.cn"
        );
        assert_eq!(china.authority_host, "https://login.chinacloudapi.cn");
    }

    #[test]
    fn loopback_detection() {
        for loopback in [
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://[::1]:9000",
            "http://localhost:1",
            "http://LOCALHOST",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback(&url(loopback)), "{loopback}");
        }
        for remote in [
            "http://10.0.0.1",
            "http://169.254.169.254",
            "http://localhost.example.com",
            "http://128.0.0.1",
            "http://management.azure.com",
        ] {
            assert!(!is_loopback(&url(remote)), "{remote}");
        }
    }

    #[test]
    fn plain_http_endpoints_are_refused_unless_loopback() {
        assert!(parse_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(parse_endpoint("https://management.azure.com/").is_ok());
        let refused = parse_endpoint("http://management.azure.com").unwrap_err();
        assert!(matches!(refused, ArmError::InsecureEndpoint { .. }));
        assert!(refused.to_string().contains("loopback"));
        assert!(parse_endpoint("ftp://127.0.0.1").is_err());
        assert!(parse_endpoint("https://user:pw@example.com").is_err());
        assert!(parse_endpoint("not a url").is_err());
    }

    #[test]
    fn followed_urls_must_stay_on_the_endpoint() {
        let arm = url("https://management.azure.com");
        assert!(same_authority(
            &arm,
            &url("https://management.azure.com/x?api-version=1")
        ));
        assert!(same_authority(
            &arm,
            &url("https://MANAGEMENT.azure.com:443/x")
        ));
        assert!(!same_authority(&arm, &url("https://evil.example.com/x")));
        assert!(!same_authority(&arm, &url("http://management.azure.com/x")));
        let mock = url("http://127.0.0.1:5000");
        assert!(same_authority(&mock, &url("http://localhost:5000/op")));
        assert!(!same_authority(&mock, &url("http://10.1.1.1:5000/op")));
    }
}

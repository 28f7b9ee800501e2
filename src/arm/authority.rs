//! Where credentials get tokens: the Entra authority per cloud or from `AZURE_AUTHORITY_HOST`,
//! and the transport that lets `azure_identity` (https-only) reach a loopback `http://`
//! authority such as mock-arm's token endpoint, and nothing else over plain http.

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::http::{
    AsyncRawResponse, ClientOptions, ExponentialRetryOptions, HttpClient, Request, RetryOptions,
    Transport, Url,
};

use crate::arm::cloud::is_loopback;
use crate::arm::credential::EnvLookup;
use crate::arm::error::ArmError;
use crate::cli::Cloud;

/// Client options for the credentials' own token requests: always an explicit cloud (so
/// `azure_identity` never reads `AZURE_AUTHORITY_HOST` itself and rejects a loopback mock), and
/// a transport that talks plain http to a loopback authority given as `http://`.
pub(crate) fn credential_client_options(
    cloud: Cloud,
    env: EnvLookup<'_>,
    http: reqwest::Client,
) -> Result<ClientOptions, ArmError> {
    let (configuration, downgrade) = match env("AZURE_AUTHORITY_HOST") {
        Some(authority) => custom_authority(&authority)?,
        None => (
            match cloud {
                Cloud::AzureCloud => CloudConfiguration::AzurePublic,
                Cloud::AzureUsGovernment => CloudConfiguration::AzureGovernment,
                Cloud::AzureChinaCloud => CloudConfiguration::AzureChina,
            },
            None,
        ),
    };
    let client = LoopbackAuthorityClient {
        inner: http,
        downgrade,
    };
    // A few quick retries for Entra ID; the library's default keeps retrying a refused
    // connection for a minute.
    let retry = RetryOptions::exponential(ExponentialRetryOptions {
        initial_delay: time::Duration::milliseconds(200),
        max_retries: 3,
        max_total_elapsed: time::Duration::seconds(15),
        max_delay: time::Duration::seconds(2),
    });
    Ok(ClientOptions {
        transport: Some(Transport::new(Arc::new(client))),
        cloud: Some(Arc::new(configuration)),
        retry,
        ..Default::default()
    })
}

/// A custom authority from `AZURE_AUTHORITY_HOST`. `azure_identity` insists on https, so a
/// loopback `http://` authority is handed to it as `https://` and [`LoopbackAuthorityClient`]
/// sends those requests as plain http again; a non-loopback `http://` authority is refused.
fn custom_authority(authority: &str) -> Result<(CloudConfiguration, Option<Url>), ArmError> {
    let mut url = Url::parse(authority.trim()).map_err(|error| ArmError::Config {
        message: format!("invalid AZURE_AUTHORITY_HOST {authority:?}: {error}"),
    })?;
    let downgrade = match url.scheme() {
        "https" => None,
        "http" if is_loopback(&url) => {
            let port = url.port_or_known_default();
            let upgraded = url.set_scheme("https").is_ok() && url.set_port(port).is_ok();
            if !upgraded {
                return Err(ArmError::Config {
                    message: format!("invalid AZURE_AUTHORITY_HOST {authority:?}"),
                });
            }
            Some(url.clone())
        }
        _ => {
            return Err(ArmError::Config {
                message: format!(
                    "AZURE_AUTHORITY_HOST {authority:?} must use https (plain http is accepted only for loopback hosts)"
                ),
            })
        }
    };
    let mut custom = CustomConfiguration::default();
    custom.authority_host = url.as_str().trim_end_matches('/').to_string();
    Ok((CloudConfiguration::Custom(custom), downgrade))
}

/// The credentials' HTTP client: requests to the loopback authority that was given as plain
/// http are sent as http; everything else goes out unchanged.
#[derive(Debug)]
struct LoopbackAuthorityClient {
    inner: reqwest::Client,
    downgrade: Option<Url>,
}

impl LoopbackAuthorityClient {
    fn should_downgrade(&self, url: &Url) -> bool {
        let Some(authority) = &self.downgrade else {
            return false;
        };
        url.scheme() == "https"
            && is_loopback(url)
            && url.host_str() == authority.host_str()
            && url.port_or_known_default() == authority.port_or_known_default()
    }
}

#[async_trait::async_trait]
impl HttpClient for LoopbackAuthorityClient {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        if self.should_downgrade(request.url()) {
            let mut plain = request.clone();
            let port = plain.url().port_or_known_default();
            let downgraded = plain.url_mut().set_scheme("http").is_ok()
                && plain.url_mut().set_port(port).is_ok();
            if downgraded {
                return self.inner.execute_request(&plain).await;
            }
        }
        self.inner.execute_request(request).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_authority_is_upgraded_for_the_library_and_downgraded_on_the_wire() {
        let (configuration, downgrade) = custom_authority("http://127.0.0.1:4567").unwrap();
        let CloudConfiguration::Custom(custom) = configuration else {
            panic!("expected a custom cloud");
        };
        assert_eq!(custom.authority_host, "https://127.0.0.1:4567");
        let client = LoopbackAuthorityClient {
            inner: reqwest::Client::new(),
            downgrade,
        };
        assert!(client
            .should_downgrade(&Url::parse("https://127.0.0.1:4567/t/oauth2/v2.0/token").unwrap()));
        assert!(!client.should_downgrade(&Url::parse("https://127.0.0.1:9999/t").unwrap()));
        assert!(
            !client.should_downgrade(&Url::parse("https://login.microsoftonline.com/t").unwrap())
        );
    }

    #[test]
    fn a_non_loopback_http_authority_is_refused() {
        assert!(custom_authority("http://login.example.com").is_err());
        assert!(custom_authority("https://login.example.com")
            .unwrap()
            .1
            .is_none());
    }
}

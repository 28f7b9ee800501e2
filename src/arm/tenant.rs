//! The tenant of a subscription, as ARM reports it (`GET /subscriptions/{id}`, `tenantId`): the
//! tenant a key vault falls back to when neither the estate nor `AZURE_TENANT_ID` names one. It
//! works for every credential, including those whose token is opaque (the Azure CLI's may be).

use crate::arm::{ArmClient, ArmError};
use crate::id::ResourceId;

/// `Microsoft.Resources/subscriptions` (`Subscriptions_Get`).
pub const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

/// Why the subscription's tenant is unknown.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error(
        "subscription {subscription} was not found with the {credential} credential: check the \
         estate's `subscription` (or --subscription / AZURE_SUBSCRIPTION_ID), and that this \
         credential's account can see it (`az account list`), or set AZURE_TENANT_ID"
    )]
    NotFound {
        subscription: String,
        credential: String,
    },
    #[error(
        "subscription {subscription} is not accessible to the {credential} credential \
         (HTTP {status}{}): grant it at least Reader on the subscription, log in with an account \
         that has access, or set AZURE_TENANT_ID (and the estate's `tenantId`) to skip the lookup",
        code.as_ref().map(|code| format!(" {code}")).unwrap_or_default()
    )]
    Inaccessible {
        subscription: String,
        credential: String,
        status: u16,
        code: Option<String>,
        #[source]
        source: ArmError,
    },
    #[error("cannot read the tenant of subscription {subscription}: {source}")]
    Read {
        subscription: String,
        #[source]
        source: ArmError,
    },
    #[error(
        "ARM's answer for subscription {subscription} has no `tenantId`: set AZURE_TENANT_ID or \
         the estate's `tenantId`"
    )]
    Missing { subscription: String },
}

/// The subscription's `tenantId`: one GET.
pub async fn subscription_tenant(
    client: &ArmClient,
    subscription: &str,
) -> Result<String, TenantError> {
    let id = ResourceId::subscription(subscription);
    let credential = || client.credential_name();
    let body = match client.get(&id, SUBSCRIPTIONS_API_VERSION).await {
        Ok(Some(body)) => body,
        Ok(None) => {
            return Err(TenantError::NotFound {
                subscription: subscription.to_owned(),
                credential: credential(),
            })
        }
        Err(source) => {
            return Err(match source.status() {
                Some(status @ (401 | 403)) => TenantError::Inaccessible {
                    subscription: subscription.to_owned(),
                    credential: credential(),
                    status,
                    code: source.code().map(str::to_owned),
                    source,
                },
                Some(404) => TenantError::NotFound {
                    subscription: subscription.to_owned(),
                    credential: credential(),
                },
                _ => TenantError::Read {
                    subscription: subscription.to_owned(),
                    source,
                },
            })
        }
    };
    body.get("tenantId")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|tenant| !tenant.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| TenantError::Missing {
            subscription: subscription.to_owned(),
        })
}

//! The ARM client: credentials, HTTP pipeline, retries, paging and long-running operations.
//!
//! One [`ArmClient`] holds one `azure_core` pipeline over one reqwest connection pool and one
//! credential (chain) for the whole run. `azure_core`'s own retry policy is switched off: ARM
//! needs retries classified by error code (409 `OperationNotAllowed` is retried for writes, 409
//! `RoleAssignmentExists` is not), which needs the body, so `client.rs` runs the retry loop
//! around single attempts. See `docs/authentication.md` for credentials and clouds.

// `ArmError` carries method, resource, status, code, message, request id and operation URL so
// every failure is self-explanatory; errors are the cold path, so their size does not matter.
#![allow(clippy::result_large_err)]

mod authority;
mod client;
pub mod cloud;
mod credential;
mod error;
mod http;
mod lro;
mod request;
mod retry;
mod root_cause;
mod tenant;
mod throttle;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use client::{ArmClient, ArmClientOptions};
pub(crate) use error::register_secret;
pub use error::{redact, ArmError};
pub use lro::{LroProgress, WriteOptions, DEFAULT_LRO_DEADLINE};
pub use root_cause::{root_cause, RootCause, RootCauseClass};
pub use tenant::{subscription_tenant, TenantError, SUBSCRIPTIONS_API_VERSION};

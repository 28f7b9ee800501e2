//! The ARM client: credentials, HTTP pipeline, throttling budget, retries, paging and
//! long-running operations.
//!
//! Layers, each importing only those below it (kube-rs' `Request` / `Client` / `Api<K>`):
//! - `request`: pure request building and answer reading (no I/O);
//! - `transport`: sends one logical request: `http` (one `azure_core` pipeline over one reqwest
//!   connection pool, bearer tokens from `credential`), `throttle` (ARM's budget per
//!   subscription and category) and the retry loop (`retry`: by status, ARM error code and
//!   method; `azure_core`'s own retry policy is off because classifying needs the body);
//! - the ARM API: [`ArmClient`] (`client`: CRUD by id or path, lists via `paging`) and `lro`
//!   (following a write's long-running operation).
//!
//! See `docs/authentication.md` for credentials and clouds.

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
mod paging;
mod request;
mod retry;
mod root_cause;
mod tenant;
mod throttle;
mod transport;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use client::{ArmClient, ArmClientOptions};
pub(crate) use error::register_secret;
pub use error::{redact, ArmError};
pub use lro::{LroProgress, WriteOptions, DEFAULT_LRO_DEADLINE};
pub use paging::Pages;
pub use root_cause::{root_cause, RootCause, RootCauseClass};
pub use tenant::{subscription_tenant, TenantError, SUBSCRIPTIONS_API_VERSION};
pub use throttle::{BudgetCategory, BudgetWait};

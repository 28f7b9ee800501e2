//! `--sandbox`: an embedded mock-arm whose world is kept in `.aksctl/sandbox/state.json` (or
//! `$AKSCTL_SANDBOX_DIR/state.json`), so successive plan/apply/destroy commands see the same
//! Azure without an account or credentials; and `connect`, which every ARM-reading command uses
//! to get its client (sandbox or real ARM).

use std::path::PathBuf;
use std::time::Duration;

use crate::arm::{ArmClient, ArmClientOptions, ArmError};
use crate::cli::ArmArgs;

/// The subscription the sandbox uses when the estate's `${AZURE_SUBSCRIPTION_ID}` is unset.
pub const SANDBOX_SUBSCRIPTION: &str = "5a2db0c0-0000-4000-8000-000000000001";

/// Directory of the sandbox world unless `AKSCTL_SANDBOX_DIR` says otherwise.
pub const DEFAULT_SANDBOX_DIR: &str = ".aksctl/sandbox";

/// mock-arm's time scale in the sandbox: modelled Azure durations × 0.005 (a 6-minute cluster
/// create takes ~1.8 s), so a sandbox apply of `plans/shared-prod.yaml` takes a few seconds.
/// Override with `AKSCTL_SANDBOX_TIME_SCALE` (1.0 = real Azure timings).
pub const DEFAULT_TIME_SCALE: f64 = 0.005;

/// Environment variables the sandbox reads.
pub const SANDBOX_DIR_VARIABLE: &str = "AKSCTL_SANDBOX_DIR";
pub const TIME_SCALE_VARIABLE: &str = "AKSCTL_SANDBOX_TIME_SCALE";
pub const SUBSCRIPTION_VARIABLE: &str = "AZURE_SUBSCRIPTION_ID";

/// Why the sandbox or ARM could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{TIME_SCALE_VARIABLE}={value:?} is not a positive number")]
    TimeScale { value: String },
    #[error("cannot create the sandbox directory {path}: {source}")]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the sandbox: {0}")]
    Start(#[from] mock_arm::MockArmError),
    #[error("{0}")]
    Arm(#[source] Box<ArmError>),
}

impl From<ArmError> for ConnectError {
    fn from(error: ArmError) -> Self {
        ConnectError::Arm(Box::new(error))
    }
}

/// A running sandbox: the embedded mock-arm (stopped when dropped) and where its world lives.
pub struct Sandbox {
    server: mock_arm::MockArm,
    state_file: PathBuf,
    time_scale: f64,
}

impl Sandbox {
    /// Starts mock-arm on a loopback port, loading the saved world if there is one.
    pub fn start() -> Result<Sandbox, ConnectError> {
        let directory = sandbox_dir();
        std::fs::create_dir_all(&directory).map_err(|source| ConnectError::Directory {
            path: directory.clone(),
            source,
        })?;
        let time_scale = time_scale()?;
        let state_file = directory.join("state.json");
        if !state_file.exists() {
            seed_shipped_networks(&state_file)?;
        }
        let server = mock_arm::MockArm::start(mock_arm::Config {
            time_scale,
            state_file: Some(state_file.clone()),
            ..mock_arm::Config::default()
        })?;
        Ok(Sandbox {
            server,
            state_file,
            time_scale,
        })
    }

    /// A client for the sandbox: loopback, fixed token, no credentials.
    pub fn client(&self) -> Result<ArmClient, ConnectError> {
        Ok(ArmClient::for_loopback(self.server.url(), "sandbox")?)
    }

    pub fn url(&self) -> &str {
        self.server.url()
    }

    pub fn state_file(&self) -> &PathBuf {
        &self.state_file
    }

    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }
}

/// A fresh world starts with the networks the shipped estates name (in the subscription the
/// sandbox plans into), as a landing zone would hold them.
fn seed_shipped_networks(state_file: &std::path::Path) -> Result<(), ConnectError> {
    let subscription = environment_variable(SUBSCRIPTION_VARIABLE)
        .unwrap_or_else(|| SANDBOX_SUBSCRIPTION.to_owned());
    let world = serde_json::json!({
        "resources": crate::sandbox_networks::shipped_networks(&subscription)
    });
    std::fs::write(state_file, format!("{world:#}\n")).map_err(|source| ConnectError::Directory {
        path: state_file.to_path_buf(),
        source,
    })
}

/// `$AKSCTL_SANDBOX_DIR` or `.aksctl/sandbox`.
pub fn sandbox_dir() -> PathBuf {
    std::env::var_os(SANDBOX_DIR_VARIABLE)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SANDBOX_DIR))
}

/// `$AKSCTL_SANDBOX_TIME_SCALE` or the default.
pub fn time_scale() -> Result<f64, ConnectError> {
    match std::env::var(TIME_SCALE_VARIABLE) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|scale| scale.is_finite() && *scale > 0.0)
            .ok_or(ConnectError::TimeScale { value }),
        _ => Ok(DEFAULT_TIME_SCALE),
    }
}

/// The value of an environment variable; empty counts as unset.
pub fn environment_variable(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// The subscription the sandbox stands in for `${AZURE_SUBSCRIPTION_ID}` when the variable is
/// unset (an estate's own default, `${AZURE_SUBSCRIPTION_ID:-...}`, comes first).
pub fn subscription_fallback(sandbox: bool) -> Option<&'static str> {
    (sandbox && environment_variable(SUBSCRIPTION_VARIABLE).is_none())
        .then_some(SANDBOX_SUBSCRIPTION)
}

/// An ARM client and, for `--sandbox`, the server behind it (kept alive as long as this is).
pub struct Connection {
    pub client: ArmClient,
    pub sandbox: Option<Sandbox>,
}

/// The client every ARM-reading command uses: the sandbox with `--sandbox`, else real ARM (or
/// `--arm-endpoint`) with the chosen credential.
pub fn connect(arm: &ArmArgs, max_concurrency: usize) -> Result<Connection, ConnectError> {
    if arm.sandbox {
        let sandbox = Sandbox::start()?;
        let client = sandbox.client()?;
        return Ok(Connection {
            client,
            sandbox: Some(sandbox),
        });
    }
    let client = ArmClient::new(ArmClientOptions {
        endpoint: arm.arm_endpoint.clone(),
        cloud: arm.cloud,
        credential: arm.credential,
        max_concurrency: max_concurrency.max(1),
        deadline: Duration::from_secs(300),
    })?;
    Ok(Connection {
        client,
        sandbox: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_stands_in_only_for_an_unset_subscription() {
        assert_eq!(subscription_fallback(false), None);
        if environment_variable(SUBSCRIPTION_VARIABLE).is_none() {
            assert_eq!(subscription_fallback(true), Some(SANDBOX_SUBSCRIPTION));
        } else {
            assert_eq!(subscription_fallback(true), None);
        }
    }

    #[test]
    fn sandbox_serves_and_keeps_its_world_in_the_state_file() {
        let directory = tempfile::tempdir().unwrap();
        let state_file = directory.path().join("state.json");
        let server = mock_arm::MockArm::start(mock_arm::Config {
            time_scale: DEFAULT_TIME_SCALE,
            state_file: Some(state_file.clone()),
            ..mock_arm::Config::default()
        })
        .unwrap();
        let client = ArmClient::for_loopback(server.url(), "sandbox").unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let group = crate::id::ResourceId::resource_group(SANDBOX_SUBSCRIPTION, "rg-sandbox");
        let body = serde_json::json!({"location": "eastus"});
        runtime
            .block_on(client.put(
                &group,
                "2025-04-01",
                &body,
                &crate::arm::WriteOptions::default(),
            ))
            .unwrap();
        drop(server);
        assert!(std::fs::read_to_string(&state_file)
            .unwrap()
            .contains("rg-sandbox"));
    }
}

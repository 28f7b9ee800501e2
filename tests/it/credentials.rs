//! Real credential paths end to end: the Azure CLI (a stand-in `az` on PATH printing an opaque
//! token), a client secret and workload identity (a federated token file) against mock-arm's
//! Entra-shaped token endpoint, each with and without `AZURE_TENANT_ID`; the subscription's
//! tenant discovered from ARM when a vault needs one (`tenant`); and the root cause of every
//! failure class named in the message (`root_causes`). No token or secret in any output.

mod root_causes;
mod subscription;
mod tenant;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mock_arm::MockArm;

use crate::common::{self, SUBSCRIPTION};

/// The opaque token the stand-in `az` prints (not a JWT): it must never be shown.
pub(crate) const CLI_TOKEN_CANARY: &str = "opaque-cli-token-CANARY-5b1f9e";
/// A client secret that must never be shown.
pub(crate) const SECRET_CANARY: &str = "CANARY-credential-secret-9d2c";
/// The federated token in the token file: never shown either.
pub(crate) const FEDERATED_CANARY: &str = "federated-assertion-CANARY-77e1";

/// A directory holding an executable `az` that runs `script` (a POSIX shell body).
pub(crate) fn stand_in_az(directory: &Path, script: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = directory.join("bin");
    std::fs::create_dir_all(&bin).expect("bin directory");
    let az = bin.join("az");
    std::fs::write(&az, format!("#!/bin/sh\n{script}\n")).expect("write az");
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod az");
    bin
}

/// `az account get-access-token` as the real CLI answers it, with an opaque token valid for an
/// hour.
pub(crate) fn logged_in_az(directory: &Path) -> PathBuf {
    stand_in_az(
        directory,
        &format!(
            r#"case "$*" in
  *get-access-token*) ;;
  *) echo "unexpected az call: $*" >&2; exit 2 ;;
esac
expires=$(( $(date +%s) + 3600 ))
printf '{{"accessToken": "{CLI_TOKEN_CANARY}", "expiresOn": "2030-01-01 00:00:00.000000", "expires_on": %s, "subscription": "{SUBSCRIPTION}", "tenant": "ignored-by-aksctl", "tokenType": "Bearer"}}\n' "$expires""#
        ),
    )
}

/// `aksctl` against `mock` with nothing ambient: no credential variables unless a test sets them.
pub(crate) fn bare_aksctl(endpoint: &str) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("aksctl").expect("aksctl binary");
    command.env_clear();
    command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command.env("HOME", std::env::temp_dir());
    command.env("AKSCTL_ARM_ENDPOINT", endpoint);
    command.env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION);
    command.env("AKSCTL_RETRY_BASE_MS", "5");
    command.env("NO_COLOR", "1");
    command.timeout(Duration::from_secs(120));
    command
}

/// PATH with `bin` first.
pub(crate) fn path_with(bin: &Path) -> std::ffi::OsString {
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH")
}

/// What one run printed, with its exit code.
pub(crate) struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    pub(crate) fn of(command: &mut assert_cmd::Command) -> Outcome {
        let output = command.output().expect("aksctl runs");
        let outcome = Outcome {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        for canary in [CLI_TOKEN_CANARY, SECRET_CANARY, FEDERATED_CANARY] {
            assert!(
                !outcome.stdout.contains(canary) && !outcome.stderr.contains(canary),
                "a secret leaked into the output:\n{}",
                outcome.describe()
            );
        }
        outcome
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Declares the test subscription in `mock` with `tenant` (a tenant other than the mock's own,
/// so a vault that gets it can only have got it from the subscription).
pub(crate) fn declare_subscription(mock: &MockArm, tenant: &str) {
    common::put_state(
        mock,
        &serde_json::json!({
            "resources": [],
            "subscriptions": [{"subscriptionId": SUBSCRIPTION, "tenantId": tenant}],
        }),
    );
}

/// The `properties.tenantId` of every key vault in the mock's world.
pub(crate) fn vault_tenants(mock: &MockArm) -> Vec<String> {
    common::state(mock)["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|resource| {
            resource["type"]
                .as_str()
                .is_some_and(|kind| kind.eq_ignore_ascii_case("Microsoft.KeyVault/vaults"))
        })
        .map(|vault| {
            vault["properties"]["tenantId"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

/// How many `GET /subscriptions/{SUBSCRIPTION}` (the subscription itself) the mock answered.
pub(crate) fn subscription_reads(mock: &MockArm) -> usize {
    let path = format!("/subscriptions/{SUBSCRIPTION}");
    common::requests(mock)
        .iter()
        .filter(|request| {
            request["method"] == "GET"
                && request["path"]
                    .as_str()
                    .is_some_and(|requested| requested.trim_end_matches('/') == path)
        })
        .count()
}

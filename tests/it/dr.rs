//! Disaster recovery through the built binary against mock-arm, on one applied northwind world:
//! the primary cluster is deleted, the plan is exactly the recreate set (checked action by
//! action), apply recreates it and re-points every credential to the new issuer, and a further
//! plan is empty; the DR overlay brings up the region-loss cluster in centralus while the primary
//! lives; a vault lost to soft delete is recovered; `aksctl dr rehearse` passes and reports its
//! RTO; the overlay merges and the 20-credentials-per-identity limit holds after expansion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use aksctl::arm::WriteOptions;
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use aksctl::plan::{Action, Plan, ReasonCode};

use crate::common::{self, SUBSCRIPTION};

const PRIMARY: &str = "aks-northwind-eastus2";
const STANDBY: &str = "aks-northwind-centralus";
const REGION_LOSS: &str = "aks-northwind-dr-centralus";

fn base() -> PathBuf {
    common::repo_path("plans/northwind.yaml")
}

fn overlay() -> PathBuf {
    common::repo_path("plans/overlays/northwind-dr.yaml")
}

fn with_files(command: &mut assert_cmd::Command, files: &[&Path]) {
    for file in files {
        command.arg("-f").arg(file);
    }
}

/// Runs `aksctl ARGS -f FILES...`: (exit code, stdout, stderr), checking no secret leaked.
fn run(mock: &mock_arm::MockArm, args: &[&str], files: &[&Path]) -> (i32, String, String) {
    let mut command = common::aksctl(mock);
    command.args(args);
    with_files(&mut command, files);
    let output = command.output().expect("aksctl runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stdout.contains(common::SECRET_CANARY) && !stderr.contains(common::SECRET_CANARY),
        "the client secret leaked"
    );
    (output.status.code().unwrap_or(-1), stdout, stderr)
}

fn plan(mock: &mock_arm::MockArm, files: &[&Path]) -> (i32, Plan) {
    let (code, stdout, stderr) = run(
        mock,
        &["plan", "--output", "json", "--detailed-exitcode"],
        files,
    );
    let plan = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("plan JSON: {error}: exit {code}\n{stderr}"));
    (code, plan)
}

fn apply(mock: &mock_arm::MockArm, files: &[&Path]) {
    let (code, stdout, stderr) = run(mock, &["apply", "--auto-approve", "--no-progress"], files);
    assert_eq!(code, 0, "apply failed:\n{stdout}\n{stderr}");
}

fn outputs(mock: &mock_arm::MockArm, files: &[&Path]) -> Value {
    let (code, stdout, stderr) = run(mock, &["outputs"], files);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("outputs JSON")
}

fn cluster_output<'a>(outputs: &'a Value, name: &str) -> &'a Value {
    outputs["clusters"]
        .as_array()
        .and_then(|clusters| clusters.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no cluster {name} in outputs"))
}

fn issuer_of(outputs: &Value, cluster: &str) -> String {
    cluster_output(outputs, cluster)["oidcIssuerUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("{cluster} has no issuer"))
        .to_owned()
}

/// Every federated credential's issuer equals its cluster's current issuer.
fn assert_every_credential_follows_its_cluster(outputs: &Value, clusters: &[&str]) {
    let issuers: BTreeMap<&str, String> = clusters
        .iter()
        .map(|cluster| (*cluster, issuer_of(outputs, cluster)))
        .collect();
    let credentials = outputs["federatedCredentials"].as_array().expect("list");
    assert!(!credentials.is_empty());
    for credential in credentials {
        let cluster = credential["cluster"].as_str().expect("follows a cluster");
        assert_eq!(
            credential["issuer"].as_str(),
            Some(issuers[cluster].as_str()),
            "{credential}"
        );
        assert_eq!(credential["status"], "matches", "{credential}");
    }
}

fn actions(plan: &Plan) -> BTreeMap<String, Action> {
    plan.changes
        .iter()
        .map(|change| (change.address.clone(), change.action))
        .collect()
}

/// ARM writes in the request log, as (method, lower-case path).
fn writes(mock: &mock_arm::MockArm) -> Vec<(String, String)> {
    common::arm_requests(mock)
        .into_iter()
        .filter(|request| request["method"] != "GET")
        .map(|request| {
            (
                request["method"].as_str().unwrap_or_default().to_owned(),
                request["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
            )
        })
        .collect()
}

fn delete(mock: &mock_arm::MockArm, id: &ResourceId, kind: Kind) {
    common::block_on(common::arm_client(mock).delete(
        id,
        kind.api_version(),
        &WriteOptions::default(),
    ))
    .unwrap_or_else(|error| panic!("deleting {id}: {error}"));
}

fn cluster_id(name: &str, group: &str) -> ResourceId {
    ResourceId::new(format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/Microsoft.ContainerService/managedClusters/{name}"
    ))
}

/// Whether `address` is a cluster child's (`pool/<cluster>/<name>`,
/// `maintenanceConfiguration/<cluster>/<name>`).
fn is_child_of(address: &str, cluster: &str) -> bool {
    let mut parts = address.split('/');
    let prefix = parts.next().unwrap_or_default();
    prefix != "federatedCredential" && parts.next() == Some(cluster) && parts.next().is_some()
}

/// The expected action of each address when the primary is gone, stated from the estate's
/// shape rather than computed by aksctl.
fn expected_after_primary_loss(address: &str) -> Action {
    let credential_on_primary = address.starts_with("federatedCredential/")
        && !address.ends_with(&format!("-{STANDBY}"))
        && !address.ends_with(&format!("-{REGION_LOSS}"));
    if address == format!("cluster/{PRIMARY}")
        || is_child_of(address, PRIMARY)
        // Its diagnostic settings went with it (an extension resource, addressed by its target).
        || address.starts_with(&format!("diagnosticSetting/cluster/{PRIMARY}/"))
        || address == "roleAssignment/platform-admins-cluster-admin-eastus2"
    {
        Action::Create
    } else if credential_on_primary {
        Action::Update
    } else if address == format!("roleAssignment/{PRIMARY}-kubelet-acrpull-on-northwind")
        || address.starts_with(&format!("roleAssignment/{PRIMARY}-network-contributor-on-"))
    {
        Action::Replace
    } else {
        Action::Noop
    }
}

#[test]
#[allow(clippy::print_stdout)] // the measured recovery time is reported in the test output
fn dr_end_to_end_on_one_northwind_world() {
    let mock = common::start_mock();
    let base = base();
    let overlay = overlay();
    let base_only: [&Path; 1] = [&base];
    let with_overlay: [&Path; 2] = [&base, &overlay];

    apply(&mock, &base_only);
    let before = outputs(&mock, &base_only);
    let old_issuer = issuer_of(&before, PRIMARY);
    let old_kubelet = cluster_output(&before, PRIMARY)["kubeletIdentity"]["objectId"].clone();
    assert_every_credential_follows_its_cluster(&before, &[PRIMARY, STANDBY]);
    assert_eq!(run(&mock, &["dr", "verify"], &base_only).0, 0);

    // --- The primary cluster is lost.
    delete(
        &mock,
        &cluster_id(PRIMARY, "rg-northwind-prod"),
        Kind::ManagedCluster,
    );
    let (code, stdout, _) = run(&mock, &["dr", "verify"], &base_only);
    assert_eq!(code, 1, "verify fails while the cluster is gone:\n{stdout}");
    assert!(
        stdout.contains("does not exist") && stdout.contains("NO CLUSTER"),
        "{stdout}"
    );

    let (code, recovery) = plan(&mock, &base_only);
    assert_eq!(code, 2);
    for change in &recovery.changes {
        let expected = expected_after_primary_loss(&change.address);
        assert_eq!(
            change.action, expected,
            "{}: {:?}",
            change.address, change.reasons
        );
        match expected {
            Action::Update => {
                assert_eq!(change.kind, Kind::FederatedIdentityCredential);
                assert_eq!(
                    change.unknown_after_apply,
                    vec!["/properties/issuer".to_owned()]
                );
                assert!(change
                    .reasons
                    .iter()
                    .all(|r| r.code == ReasonCode::DependencyChanged));
            }
            Action::Replace => {
                assert!(change
                    .unknown_after_apply
                    .contains(&"/properties/principalId".to_owned()));
            }
            _ => {}
        }
    }
    let children = recovery
        .changes
        .iter()
        .filter(|change| is_child_of(&change.address, PRIMARY))
        .count();
    assert!(children >= 4, "the four pools at least");
    assert_eq!(
        (
            recovery.summary.create,
            recovery.summary.update,
            recovery.summary.replace,
            recovery.summary.delete
        ),
        (1 + children + 1 + 1, 29, 3, 0),
        "the cluster, its children, its diagnostic setting and its admin grant; 29 credentials (28 services and Velero); \
         the kubelet's AcrPull and the control plane's Network Contributor on its subnet and \
         route table"
    );

    common::clear_requests(&mock);
    apply(&mock, &base_only);
    let written = writes(&mock);
    assert!(
        written
            .iter()
            .all(|(_, path)| path.contains("/roleassignments/")
                || !path.contains("/microsoft.keyvault/")
                    && !path.contains("/microsoft.containerregistry/")
                    && !path.contains("/microsoft.storage/")),
        "the vault and registry are untouched: {written:#?}"
    );
    let cluster_put = written
        .iter()
        .position(|(method, path)| {
            method == "PUT" && path.ends_with(&format!("/managedclusters/{PRIMARY}"))
        })
        .expect("the cluster is created");
    let first_credential = written
        .iter()
        .position(|(_, path)| path.contains("/federatedidentitycredentials/"))
        .expect("credentials re-pointed");
    assert!(
        cluster_put < first_credential,
        "the cluster comes before its credentials"
    );

    let after = outputs(&mock, &base_only);
    let new_issuer = issuer_of(&after, PRIMARY);
    assert_ne!(
        new_issuer, old_issuer,
        "a recreated cluster gets a fresh issuer"
    );
    assert_ne!(
        cluster_output(&after, PRIMARY)["kubeletIdentity"]["objectId"],
        old_kubelet,
        "and a fresh kubelet identity"
    );
    assert_every_credential_follows_its_cluster(&after, &[PRIMARY, STANDBY]);
    let (code, stdout, _) = run(&mock, &["dr", "verify"], &base_only);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("Verified"), "{stdout}");
    let (code, converged) = plan(&mock, &base_only);
    assert_eq!(
        (code, converged.has_changes()),
        (0, false),
        "{:?}",
        converged.summary
    );

    // --- The DR overlay brings up the region-loss cluster in centralus while the primary lives.
    let (code, standby) = plan(&mock, &with_overlay);
    assert_eq!(code, 2);
    for change in &standby.changes {
        let new = change.address == format!("cluster/{REGION_LOSS}")
            || is_child_of(&change.address, REGION_LOSS)
            || change.address.ends_with(&format!("-{REGION_LOSS}"))
            || change.address
                == format!("roleAssignment/{REGION_LOSS}-kubelet-acrpull-on-northwind")
            || change.address == "roleAssignment/platform-admins-cluster-admin-dr-centralus"
            || change.address.starts_with(&format!(
                "roleAssignment/{REGION_LOSS}-network-contributor-on-"
            ));
        let expected = if new { Action::Create } else { Action::Noop };
        assert_eq!(
            change.action, expected,
            "{}: {:?}",
            change.address, change.reasons
        );
    }
    let children = standby
        .changes
        .iter()
        .filter(|change| is_child_of(&change.address, REGION_LOSS))
        .count();
    assert!(children >= 4, "the four pools at least");
    assert_eq!(
        (
            standby.summary.create,
            standby.summary.update,
            standby.summary.replace,
            standby.summary.delete
        ),
        (1 + children + 1 + 1 + 2 + 28, 0, 0, 0),
        "the cluster, its children, its AcrPull and admin grants, its Network Contributor grants \
         (subnet and route table), one credential per service identity the overlay extends"
    );
    apply(&mock, &with_overlay);
    let layered = outputs(&mock, &with_overlay);
    assert_eq!(
        cluster_output(&layered, REGION_LOSS)["location"],
        "centralus"
    );
    assert_eq!(
        issuer_of(&layered, PRIMARY),
        new_issuer,
        "the primary is untouched"
    );
    assert_every_credential_follows_its_cluster(&layered, &[PRIMARY, STANDBY, REGION_LOSS]);
    assert_eq!(run(&mock, &["dr", "verify"], &with_overlay).0, 0);
    assert_eq!(plan(&mock, &with_overlay).0, 0);

    // --- A vault lost with its region (soft-deleted) is recovered, not created anew.
    let vault = ResourceId::new(format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-northwind-prod/providers/Microsoft.KeyVault/vaults/kv-northwind-prod"
    ));
    delete(&mock, &vault, Kind::KeyVault);
    let (code, recovered) = plan(&mock, &with_overlay);
    assert_eq!(code, 2);
    let vault_change = recovered
        .changes
        .iter()
        .find(|change| change.address == "keyVault/kv-northwind-prod")
        .expect("vault planned");
    assert_eq!(vault_change.action, Action::Create);
    assert!(
        vault_change
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::RecoverSoftDeleted),
        "{:?}",
        vault_change.reasons
    );
    let others: Vec<(String, Action)> = actions(&recovered)
        .into_iter()
        .filter(|(address, action)| {
            *action != Action::Noop
                && address != "keyVault/kv-northwind-prod"
                && !address.starts_with("roleAssignment/")
                // Its diagnostic settings went with it (mock-arm: with their target).
                && !address.starts_with("diagnosticSetting/keyVault/kv-northwind-prod/")
        })
        .collect();
    assert!(
        others.is_empty(),
        "only the vault (and grants and diagnostic settings on it): {others:?}"
    );
    common::clear_requests(&mock);
    apply(&mock, &with_overlay);
    assert!(
        common::arm_requests(&mock)
            .iter()
            .any(|request| request["method"] == "PUT"
                && request["path"].as_str().is_some_and(|p| p
                    .to_ascii_lowercase()
                    .ends_with("/vaults/kv-northwind-prod"))
                && request["body"]["properties"]["createMode"] == "recover"),
        "the vault is recovered with createMode recover"
    );
    assert_eq!(plan(&mock, &with_overlay).0, 0);
}

#[test]
#[allow(clippy::print_stdout)] // the measured recovery time is reported in the test output
fn dr_rehearse_passes_and_reports_the_recovery_time() {
    let mock = common::start_mock();
    let sandbox = tempfile::tempdir().expect("tempdir");
    let output = common::aksctl(&mock)
        .args(["dr", "rehearse", "--output", "json", "-f"])
        .arg(base())
        .env("AKSCTL_SANDBOX_TIME_SCALE", "0.001")
        .env("AKSCTL_SANDBOX_DIR", sandbox.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).expect("report JSON");
    assert_eq!(report["passed"], true);
    assert_eq!(report["cluster"], PRIMARY);
    assert_eq!(report["deviations"], serde_json::json!([]));
    assert!(report["planSummary"]["create"]
        .as_u64()
        .is_some_and(|creates| creates >= 6));
    // 28 services' and Velero's credentials on the lost cluster.
    assert_eq!(report["planSummary"]["update"], 29);
    // The kubelet's AcrPull and the control plane's Network Contributor on its node subnet and
    // route table (new principals).
    assert_eq!(report["planSummary"]["replace"], 3);
    let modelled = report["modelledAzureSeconds"].as_f64().expect("seconds");
    // Cluster create (360 s) then three pools one at a time on the cluster's lock (3 × 210 s).
    assert!((900.0..=1200.0).contains(&modelled), "{modelled}");
    assert!(report["recoverySeconds"].as_f64().expect("seconds") > 0.0);
    assert!(
        std::fs::read_dir(sandbox.path())
            .expect("dir")
            .next()
            .is_none(),
        "the rehearsal leaves no sandbox state behind"
    );
    println!(
        "dr rehearse northwind (time scale 0.001): RTO {:.2}s measured (plan {:.2}s, apply {:.2}s, verify {:.2}s); modelled on Azure {:.1} min",
        report["recoverySeconds"].as_f64().unwrap_or_default(),
        report["planSeconds"].as_f64().unwrap_or_default(),
        report["applySeconds"].as_f64().unwrap_or_default(),
        report["verifySeconds"].as_f64().unwrap_or_default(),
        modelled / 60.0
    );
}

fn validate(files: &[&Path]) -> (i32, String) {
    let mut command = assert_cmd::Command::cargo_bin("aksctl").expect("binary");
    command
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .arg("validate");
    with_files(&mut command, files);
    let output = command.output().expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned()
            + &String::from_utf8_lossy(&output.stdout),
    )
}

#[test]
fn the_overlay_replaces_each_credentials_cluster_list() {
    let base = base();
    let overlay = overlay();
    let (code, text) = validate(&[&base, &overlay]);
    assert_eq!(code, 0, "{text}");
    let output = assert_cmd::Command::cargo_bin("aksctl")
        .expect("binary")
        .env("AZURE_SUBSCRIPTION_ID", SUBSCRIPTION)
        .args(["render", "-f"])
        .arg(&base)
        .arg("-f")
        .arg(&overlay)
        .output()
        .expect("runs");
    let rendered = String::from_utf8_lossy(&output.stdout);
    for name in [
        "- name: driver-api\n",
        "- name: driver-api-aks-northwind-centralus\n",
        "- name: driver-api-aks-northwind-dr-centralus\n",
    ] {
        assert_eq!(rendered.matches(name).count(), 1, "{name}");
    }
}

#[test]
fn twenty_credentials_per_identity_are_checked_after_expansion() {
    let extra = |count: usize| {
        let mut text = String::from(
            "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nidentities:\n  - name: id-driver-api\n    federatedCredentials:\n",
        );
        for index in 0..count {
            text.push_str(&format!(
                "      - {{name: extra-{index}, clusters: [{PRIMARY}, {STANDBY}, {REGION_LOSS}], serviceAccount: drivers/extra-{index}}}\n"
            ));
        }
        text
    };
    let directory = tempfile::tempdir().expect("tempdir");
    let base = base();
    let overlay = overlay();
    // 3 (the overlay's driver-api on three clusters) + 17 more would be 20; 6 × 3 = 18 -> 21.
    let within = directory.path().join("within.yaml");
    let over = directory.path().join("over.yaml");
    std::fs::write(&within, extra(5)).expect("write");
    std::fs::write(&over, extra(6)).expect("write");
    let (code, text) = validate(&[&base, &overlay, &within]);
    assert_eq!(code, 0, "3 + 15 = 18 credentials: {text}");
    let (code, text) = validate(&[&base, &overlay, &over]);
    assert_eq!(code, 1, "3 + 18 = 21 credentials");
    assert!(text.contains("20"), "{text}");
}

#[test]
fn dr_rehearse_refuses_an_undeclared_cluster() {
    let output = assert_cmd::Command::cargo_bin("aksctl")
        .expect("binary")
        .args(["dr", "rehearse", "--cluster", "aks-nope", "-f"])
        .arg(common::repo_path("plans/shared-prod.yaml"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the estate declares no cluster named aks-nope"),
        "{stderr}"
    );
}

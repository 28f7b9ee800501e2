//! Prints `aksctl outputs` (JSON, or Kubernetes ServiceAccount manifests for workload identity)
//! and `aksctl dr verify` (each credential's issuer against its cluster's) and the
//! `aksctl dr rehearse` report.

use serde::Serialize;

use crate::outputs::rehearsal::{Deviation, RehearsalReport};
use crate::outputs::{CredentialStatus, Outputs, ServiceAccount};

/// Any serializable value as pretty JSON with a trailing newline.
pub fn json_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(json) => json + "\n",
        Err(error) => format!(
            "{{\"error\":{}}}\n",
            serde_json::Value::String(error.to_string())
        ),
    }
}

pub fn print_json(outputs: &Outputs) {
    print!("{}", json_text(outputs));
}

pub fn print_line(message: &str) {
    println!("{message}");
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// ServiceAccount manifests, one YAML document each, annotated with the identity's client id and
/// tenant id (seeds 001-003); the `azure.workload.identity/use: "true"` label belongs on the pod
/// template, as the seeds show, so each document says so in a comment.
pub fn render_service_accounts(accounts: &[ServiceAccount]) -> String {
    let mut out = String::new();
    for account in accounts {
        out.push_str("---\n");
        out.push_str(&format!(
            "# {}: pods using it need `serviceAccountName: {}` and the label\n# azure.workload.identity/use: \"true\" in their template (the webhook then injects the token).\n",
            account.identity, account.name
        ));
        out.push_str("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n");
        out.push_str(&format!("  name: {}\n", quoted(&account.name)));
        out.push_str(&format!("  namespace: {}\n", quoted(&account.namespace)));
        out.push_str("  annotations:\n");
        out.push_str(&format!(
            "    azure.workload.identity/client-id: {}\n",
            quoted(account.client_id.as_deref().unwrap_or_default())
        ));
        if let Some(tenant) = &account.tenant_id {
            out.push_str(&format!(
                "    azure.workload.identity/tenant-id: {}\n",
                quoted(tenant)
            ));
        }
        out.push_str("  labels:\n");
        out.push_str(&format!(
            "    app.kubernetes.io/managed-by: {}\n",
            quoted("aksctl")
        ));
        out.push_str(&format!(
            "    aksctl.dev/identity: {}\n",
            quoted(&account.identity)
        ));
    }
    out
}

pub fn print_service_accounts(accounts: &[ServiceAccount]) {
    print!("{}", render_service_accounts(accounts));
}

fn status_word(status: CredentialStatus) -> &'static str {
    match status {
        CredentialStatus::Matches => "ok",
        CredentialStatus::Stale => "STALE",
        CredentialStatus::Missing => "MISSING",
        CredentialStatus::ClusterMissing => "NO CLUSTER",
    }
}

/// `dr verify` as text: the clusters and their issuers, then every credential that does not
/// trust its cluster's current issuer, then the verdict.
pub fn render_verification(outputs: &Outputs) -> String {
    let mut out = format!(
        "aksctl dr verify for estate {}\n\nClusters:\n",
        outputs.estate
    );
    for cluster in &outputs.clusters {
        let issuer = match (&cluster.oidc_issuer_url, cluster.exists) {
            (_, false) => "does not exist".to_owned(),
            (Some(issuer), true) => format!("issuer {issuer}"),
            (None, true) => "no OIDC issuer".to_owned(),
        };
        out.push_str(&format!("  {} ({})\n", cluster.name, issuer));
    }
    let following = outputs
        .federated_credentials
        .iter()
        .filter(|credential| credential.cluster.is_some())
        .count();
    let problems = outputs.problems();
    out.push_str(&format!(
        "\nFederated credentials: {} checked, {} trust their cluster's current issuer, {} do not.\n",
        outputs.federated_credentials.len(),
        outputs.federated_credentials.len() - problems.len(),
        problems.len()
    ));
    for credential in &problems {
        out.push_str(&format!(
            "  {:<10} {} (cluster {}): holds {}, expected {}\n",
            status_word(credential.status),
            credential.address,
            credential.cluster.as_deref().unwrap_or("-"),
            credential.issuer.as_deref().unwrap_or("nothing"),
            credential.expected_issuer.as_deref().unwrap_or("unknown"),
        ));
    }
    if problems.is_empty() && outputs.missing_clusters().is_empty() {
        out.push_str(&format!(
            "\nVerified: every cluster exists and all {following} cluster-federated credentials trust its current issuer.\n"
        ));
    } else {
        out.push_str("\nNot verified: run `aksctl plan` then `aksctl apply` to re-point the credentials (see docs/dr-runbook.md).\n");
    }
    out
}

pub fn print_verification(outputs: &Outputs) {
    print!("{}", render_verification(outputs));
}

/// The recreate-set check of a rehearsal, one line per deviation.
pub fn render_deviations(deviations: &[Deviation]) -> String {
    let word = |action: Option<crate::plan::Action>| match action {
        Some(action) => format!("{action:?}").to_lowercase(),
        None => "nothing".to_owned(),
    };
    deviations
        .iter()
        .map(|deviation| {
            format!(
                "  {}: planned {}, expected {}\n",
                deviation.address,
                word(deviation.planned),
                word(deviation.expected)
            )
        })
        .collect()
}

/// Progress of a long command, on stderr.
pub fn print_progress(message: &str) {
    eprintln!("{message}");
}

fn minutes(seconds: f64) -> String {
    format!("{:.1} min", seconds / 60.0)
}

/// The rehearsal report as text.
pub fn render_rehearsal(report: &RehearsalReport) -> String {
    let summary = &report.plan_summary;
    let mut out = format!(
        "DR rehearsal: estate {}, lost cluster {}\n\n",
        report.estate, report.cluster
    );
    out.push_str(&format!(
        "Recovery plan: {} to create, {} to update, {} to replace, {} to delete ({})\n",
        summary.create,
        summary.update,
        summary.replace,
        summary.delete,
        if report.deviations.is_empty() {
            "exactly the recreate set".to_owned()
        } else {
            format!(
                "{} deviations from the recreate set",
                report.deviations.len()
            )
        }
    ));
    out.push_str(&render_deviations(&report.deviations));
    out.push_str(&format!(
        "Apply: {} ({} ARM requests)\n",
        if report.apply_succeeded {
            "succeeded"
        } else {
            "FAILED"
        },
        report.arm_requests
    ));
    if report.stale_credentials.is_empty() {
        out.push_str("Verify: every federated credential trusts its cluster's current issuer\n");
    } else {
        out.push_str(&format!(
            "Verify: FAILED, stale credentials: {}\n",
            report.stale_credentials.join(", ")
        ));
    }
    out.push_str(&format!(
        "\nMeasured in the sandbox (time scale {}): plan {:.2}s + apply {:.2}s + verify {:.2}s = RTO {:.2}s (provisioning before the loss: {:.2}s)\n",
        report.time_scale,
        report.plan_seconds,
        report.apply_seconds,
        report.verify_seconds,
        report.recovery_seconds,
        report.provision_seconds
    ));
    out.push_str(&format!(
        "Extrapolated to Azure: {} on the critical path at ARM's typical durations (docs/mock-arm.md); measured apply / time scale = {}\n",
        minutes(report.modelled_azure_seconds),
        minutes(report.scaled_apply_seconds)
    ));
    out.push_str(if report.passed {
        "\nRehearsal passed."
    } else {
        "\nRehearsal FAILED."
    });
    out
}

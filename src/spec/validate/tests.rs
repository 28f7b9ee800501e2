//! Rule tests through the whole loader (parse, merge, check, defaults, validate), so each test
//! also proves the diagnostic is located.

use crate::spec::load::{load_inputs, Input};
use crate::spec::Diagnostics;

const HEADER: &str = "apiVersion: aksctl.dev/v1alpha1
kind: Estate
metadata: {name: test}
subscription: 00000000-0000-0000-0000-000000000001
location: eastus
resourceGroups: [{name: rg-a}]
";

fn problems(body: &str) -> Diagnostics {
    let input = Input {
        name: "estate.yaml".into(),
        bytes: Ok(format!("{HEADER}{body}").into_bytes()),
    };
    match load_inputs(vec![input], &|_| None) {
        Ok(_) => panic!("expected problems for:\n{body}"),
        Err(diagnostics) => diagnostics,
    }
}

fn assert_problem(body: &str, fragment: &str, line: u64) {
    let diagnostics = problems(body);
    let found = diagnostics
        .items
        .iter()
        .find(|d| d.message.contains(fragment));
    let Some(found) = found else {
        panic!("no `{fragment}` in {diagnostics}");
    };
    assert_eq!(found.position.map(|p| p.line), Some(line), "{diagnostics}");
}

const CLUSTER: &str = "clusters:
  - name: aks-a
    resourceGroup: rg-a
";

#[test]
fn valid_estate_loads() {
    let text = format!("{HEADER}{CLUSTER}    pools: [{{name: system, mode: System, vmSize: Standard_D4s_v5, count: 3}}]\n");
    let input = Input {
        name: "e.yaml".into(),
        bytes: Ok(text.into_bytes()),
    };
    let loaded = load_inputs(vec![input], &|_| None).expect("valid");
    assert_eq!(
        loaded.estate.clusters[0].dns_prefix.as_deref(),
        Some("aks-a")
    );
}

#[test]
fn system_pool_is_required() {
    assert_problem(
        &format!(
            "{CLUSTER}    pools:\n      - {{name: user, vmSize: Standard_D4s_v5, count: 1}}\n"
        ),
        "has no System pool",
        10,
    );
}

#[test]
fn spot_system_pool_and_autoscale_bounds() {
    let body = format!("{CLUSTER}    pools:\n      - name: system\n        mode: System\n        vmSize: Standard_D4s_v5\n        autoscale: {{min: 5, max: 2}}\n        spot: {{}}\n");
    let diagnostics = problems(&body);
    let text = diagnostics.to_string();
    assert!(text.contains("cannot be a System pool"), "{text}");
    assert!(
        text.contains("autoscale min 5 is greater than max 2"),
        "{text}"
    );
}

#[test]
fn dns_service_ip_outside_service_cidr() {
    let body = format!("{CLUSTER}    network:\n      plugin: azure\n      serviceCidr: 10.0.0.0/16\n      dnsServiceIp: 10.1.0.10\n    pools: [{{name: system, mode: System, vmSize: Standard_D4s_v5, count: 1}}]\n");
    assert_problem(&body, "outside the service CIDR", 13);
}

#[test]
fn expanded_credentials_point_at_the_declaration() {
    let body = format!(
        "{CLUSTER}    pools: [{{name: system, mode: System, vmSize: Standard_D4s_v5, count: 1}}]\nidentities:\n  - name: id-a\n    resourceGroup: rg-a\n    federatedCredentials:\n      - {{name: fic-a, cluster: aks-a, serviceAccount: ns/sa}}\n      - {{name: fic-b, clusters: [aks-a, aks-b], serviceAccount: ns/other}}\n      - {{name: fic-c, cluster: aks-a, serviceAccount: NS/sa}}\n"
    );
    let diagnostics = problems(&body);
    let text = diagnostics.to_string();
    assert_eq!(diagnostics.len(), 2, "{text}");
    let dangling = diagnostics
        .items
        .iter()
        .find(|d| d.message.contains("cluster `aks-b` is not declared"))
        .expect("dangling");
    assert_eq!(dangling.position.map(|p| p.line), Some(16), "{text}");
    let malformed = diagnostics
        .items
        .iter()
        .find(|d| d.message.contains("malformed service account"))
        .expect("malformed");
    assert_eq!(malformed.position.map(|p| p.line), Some(17), "{text}");
}

#[test]
fn workspaces_are_named_and_referred_to_by_declared_names() {
    let workspaces = "logAnalyticsWorkspaces:\n  - {name: log-a, resourceGroup: rg-a, sku: PerGB2018}\n  - {name: x, resourceGroup: rg-a}\n";
    let cluster = |monitoring: &str| {
        format!(
            "{workspaces}{CLUSTER}    pools: [{{name: system, mode: System, vmSize: Standard_D4s_v5, count: 1}}]\n    addons:\n      monitoring: {monitoring}\n"
        )
    };
    // Line 9 is the second workspace, line 15 the monitoring add-on.
    assert_problem(
        &cluster("{workspace: log-a}"),
        "`x` is not a valid Log Analytics workspace name",
        9,
    );
    assert_problem(
        &cluster("{workspace: log-b}"),
        "Log Analytics workspace `log-b` is not declared in this estate",
        15,
    );
    assert_problem(
        &cluster("{workspace: log-a, logAnalyticsWorkspaceId: /subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w}"),
        "`workspace` and `logAnalyticsWorkspaceId` both name the workspace",
        15,
    );
}

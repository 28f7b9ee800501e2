//! Diagnostic settings (`diagnosticSettings:`) end to end: every body variant conforms to the
//! official 2021-05-01-preview schema; against mock-arm, a resource declaring the key owns its
//! settings whole (an undeclared one is planned for delete), one not declaring it is never read
//! nor touched, and the applied estate re-plans with no change.

use std::collections::BTreeSet;

use aksctl::desired::{lower, DesiredState, LowerContext};
use aksctl::kind::Kind;
use aksctl::spec::{load_inputs, Input};
use serde_json::json;

use crate::common::openapi::Specs;
use crate::common::{self, aksctl, block_on, start_mock, tenant, SUBSCRIPTION};

const DIAGNOSTICS_SPEC: &str =
    "monitor/resource-manager/Microsoft.Insights/Insights/preview/2021-05-01-preview/openapi.json";

/// Every shape of setting: categories, groups, metrics, both destination tables, a raw
/// workspace id, storage metrics on the account and logs on the blob service; the registry does
/// not declare the key.
const ESTATE: &str = r#"apiVersion: aksctl.dev/v1alpha1
kind: Estate
metadata:
  name: diagnostics-it
subscription: ${AZURE_SUBSCRIPTION_ID}
location: eastus
resourceGroups:
  - name: rg-diagnostics
logAnalyticsWorkspaces:
  - name: log-diagnostics
    resourceGroup: rg-diagnostics
keyVaults:
  - name: kv-diagnostics-it
    resourceGroup: rg-diagnostics
    diagnosticSettings:
      - name: audit
        workspace: log-diagnostics
        logs: [AuditEvent]
        metrics: [AllMetrics]
        destinationTable: resourceSpecific
      - name: everything
        workspace: /subscriptions/${AZURE_SUBSCRIPTION_ID}/resourceGroups/rg-central/providers/Microsoft.OperationalInsights/workspaces/log-central
        categoryGroups: [allLogs]
        destinationTable: azureDiagnostics
registries:
  - name: acrdiagnosticsit
    resourceGroup: rg-diagnostics
    sku: Standard
storageAccounts:
  - name: stdiagnosticsit
    resourceGroup: rg-diagnostics
    sku: Standard_LRS
    diagnosticSettings:
      - name: transactions
        workspace: log-diagnostics
        metrics: [Transaction]
      - name: writes
        service: blob
        workspace: log-diagnostics
        logs: [StorageWrite, StorageDelete]
        categoryGroups: [audit]
"#;

fn lowered() -> DesiredState {
    let loaded = load_inputs(
        vec![Input {
            name: "diagnostics.yaml".to_owned(),
            bytes: Ok(ESTATE.as_bytes().to_vec()),
        }],
        &|name| (name == "AZURE_SUBSCRIPTION_ID").then(|| SUBSCRIPTION.to_owned()),
    )
    .unwrap_or_else(|diagnostics| panic!("the estate does not load:\n{diagnostics}"));
    let context = LowerContext {
        tenant_id: Some(tenant()),
        ..LowerContext::default()
    };
    lower(&loaded.estate, &context).unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn every_diagnostic_setting_body_conforms_to_the_pinned_preview_schema() {
    let desired = lowered();
    let mut specs = Specs::default();
    let mut addresses = BTreeSet::new();
    for resource in &desired.resources {
        if resource.kind != Kind::DiagnosticSetting {
            continue;
        }
        assert_eq!(resource.kind.api_version(), "2021-05-01-preview");
        let problems = specs.problems(
            DIAGNOSTICS_SPEC,
            "DiagnosticSettingsResource",
            &resource.body,
        );
        assert!(problems.is_empty(), "{}: {problems:#?}", resource.address);
        addresses.insert(resource.address.as_str());
    }
    assert_eq!(
        addresses,
        BTreeSet::from([
            "diagnosticSetting/keyVault/kv-diagnostics-it/audit",
            "diagnosticSetting/keyVault/kv-diagnostics-it/everything",
            "diagnosticSetting/storageAccount/stdiagnosticsit/transactions",
            "diagnosticSetting/blobService/stdiagnosticsit/writes",
        ])
    );
    let audit = desired
        .by_address("diagnosticSetting/keyVault/kv-diagnostics-it/audit")
        .map(|resource| resource.body.clone())
        .unwrap_or_default();
    assert_eq!(
        audit["properties"]["logAnalyticsDestinationType"],
        "Dedicated"
    );
    assert_eq!(
        audit["properties"]["metrics"],
        json!([{"category": "AllMetrics", "enabled": true}])
    );
    // Every resource declaring the key owns its lists whole (the storage account both its own
    // and its blob service's); the registry declares none.
    assert_eq!(desired.whole_child_lists.len(), 3);
}

async fn put_setting(mock: &mock_arm::MockArm, target: &str, name: &str) -> u16 {
    let url = format!(
        "{}{target}/providers/Microsoft.Insights/diagnosticSettings/{name}?api-version=2021-05-01-preview",
        mock.url()
    );
    let body = json!({"properties": {
        "storageAccountId": format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-policy/providers/Microsoft.Storage/storageAccounts/stpolicy"),
        "logs": [{"categoryGroup": "audit", "enabled": true}],
    }});
    reqwest::Client::new()
        .put(url)
        .bearer_auth("made-by-azure-policy")
        .json(&body)
        .send()
        .await
        .map(|response| response.status().as_u16())
        .unwrap_or_default()
}

#[test]
fn a_resource_declaring_settings_owns_them_whole_and_others_are_left_alone() {
    let mock = start_mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let file = directory.path().join("diagnostics.yaml");
    std::fs::write(&file, ESTATE).expect("estate written");
    let file = file.display().to_string();
    aksctl(&mock)
        .args(["apply", "-f", &file, "--auto-approve"])
        .assert()
        .success();
    let quiet = aksctl(&mock)
        .args(["plan", "-f", &file, "--detailed-exitcode"])
        .output()
        .expect("plan runs");
    assert_eq!(
        quiet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );

    // Settings made outside aksctl (Azure Policy's, say) on the vault, which declares the key,
    // and on the registry, which does not.
    let group = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-diagnostics");
    let vault = format!("{group}/providers/Microsoft.KeyVault/vaults/kv-diagnostics-it");
    let registry =
        format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrdiagnosticsit");
    assert_eq!(block_on(put_setting(&mock, &vault, "policy-made")), 200);
    assert_eq!(block_on(put_setting(&mock, &registry, "policy-made")), 200);

    common::clear_requests(&mock);
    let planned = aksctl(&mock)
        .args(["plan", "-f", &file])
        .output()
        .expect("plan runs");
    let text = String::from_utf8_lossy(&planned.stdout);
    assert!(
        text.contains("diagnosticSetting/keyVault/kv-diagnostics-it/policy-made will be deleted"),
        "{text}"
    );
    assert!(
        text.contains("not declared under keyVault/kv-diagnostics-it"),
        "{text}"
    );
    assert!(!text.contains("acrdiagnosticsit/policy-made"), "{text}");
    assert!(
        text.contains("0 to create, 0 to update, 0 to replace, 1 to delete"),
        "{text}"
    );
    let lists: Vec<String> = common::arm_requests(&mock)
        .iter()
        .filter_map(|request| request["path"].as_str().map(str::to_ascii_lowercase))
        .filter(|path| path.ends_with("/providers/microsoft.insights/diagnosticsettings"))
        .collect();
    // One list per declaring target (vault, account, blob service); never the registry's.
    assert_eq!(lists.len(), 3, "{lists:#?}");
    assert!(
        lists.iter().all(|path| !path.contains("acrdiagnosticsit")),
        "{lists:#?}"
    );
}

#[test]
fn an_exported_estate_writes_the_settings_back_and_re_plans_no_change() {
    use aksctl::spec::types::{DestinationTable, StorageService};

    let mock = start_mock();
    let directory = tempfile::tempdir().expect("temp dir");
    let file = directory.path().join("diagnostics.yaml");
    std::fs::write(&file, ESTATE).expect("estate written");
    let file = file.display().to_string();
    aksctl(&mock)
        .args(["apply", "-f", &file, "--auto-approve"])
        .assert()
        .success();
    let exported_file = directory.path().join("exported.yaml");
    let exported_path = exported_file.display().to_string();
    aksctl(&mock)
        .args(["export", "-g", "rg-diagnostics", "-o", &exported_path])
        .assert()
        .success();
    let text = std::fs::read_to_string(&exported_file).expect("export wrote the file");
    let loaded = load_inputs(
        vec![Input {
            name: exported_path.clone(),
            bytes: Ok(text.clone().into_bytes()),
        }],
        &|name| (name == "AZURE_SUBSCRIPTION_ID").then(|| SUBSCRIPTION.to_owned()),
    )
    .unwrap_or_else(|diagnostics| panic!("the export does not load:\n{diagnostics}\n{text}"));
    let estate = loaded.estate;
    let vault = estate.key_vaults[0]
        .diagnostic_settings
        .clone()
        .unwrap_or_default();
    assert_eq!(vault.len(), 2, "{text}");
    assert_eq!(vault[0].workspace, "log-diagnostics", "{text}");
    assert_eq!(
        vault[0].destination_table,
        Some(DestinationTable::ResourceSpecific)
    );
    assert_eq!(vault[0].metrics, vec!["AllMetrics".to_owned()]);
    assert!(vault[1].workspace.starts_with("/subscriptions/"), "{text}");
    assert_eq!(vault[1].category_groups, vec!["allLogs".to_owned()]);
    let storage = estate.storage_accounts[0]
        .diagnostic_settings
        .clone()
        .unwrap_or_default();
    assert_eq!(storage.len(), 2, "{text}");
    assert_eq!(storage[1].service, Some(StorageService::Blob), "{text}");
    assert!(estate.registries[0].diagnostic_settings.is_none(), "{text}");
    let replanned = aksctl(&mock)
        .args(["plan", "-f", &exported_path, "--detailed-exitcode"])
        .output()
        .expect("plan runs");
    assert_eq!(
        replanned.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replanned.stdout)
    );
}

//! Global names: the plan checks the names of the storage accounts, registries and vaults it
//! creates (one `checkNameAvailability` each, only for creates) and fails before any write,
//! naming each taken name and where the estate declares it.

use serde_json::json;

use super::{line_of, run, seeded_shared_prod, writes};
use crate::common;

fn take(mock: &mock_arm::MockArm, arm_type: &str, name: &str) {
    common::block_on(common::control(
        mock,
        reqwest::Method::POST,
        "/_mock/taken-names",
        Some(&json!({"type": arm_type, "name": name,
                     "subscriptionId": "99999999-9999-9999-9999-999999999999"})),
    ));
}

fn name_checks(requests: &[serde_json::Value]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/checkNameAvailability"))
        })
        .map(|r| r["body"]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn taken_global_names_fail_the_plan_before_any_write() {
    let mock = common::start_mock();
    take(
        &mock,
        "Microsoft.Storage/storageAccounts",
        "stsharedprodbackups",
    );
    take(&mock, "Microsoft.KeyVault/vaults", "kv-shared-prod");
    let file = common::repo_path("plans/shared-prod.yaml");
    let (code, stdout, stderr) = run(&mock, &["apply", "--auto-approve"], &file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    for (address, needle) in [
        (
            "storageAccount/stsharedprodbackups",
            "- name: stsharedprodbackups",
        ),
        ("keyVault/kv-shared-prod", "- name: kv-shared-prod"),
    ] {
        let line = line_of(&file, needle);
        assert!(
            stderr.contains(&format!("{}:{line}:", file.display())) && stderr.contains(address),
            "{address} at line {line} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("AlreadyExists"), "{stderr}");
    let requests = common::arm_requests(&mock);
    assert_eq!(writes(&requests), Vec::<String>::new(), "nothing written");
    let mut checked = name_checks(&requests);
    checked.sort();
    assert_eq!(
        checked,
        vec!["acrsharedprod", "kv-shared-prod", "stsharedprodbackups"],
        "one check per created global name"
    );
}

#[test]
fn a_no_op_plan_checks_no_names() {
    let mock = seeded_shared_prod();
    common::clear_requests(&mock);
    let file = common::repo_path("plans/shared-prod.yaml");
    let (code, stdout, stderr) = run(&mock, &["plan", "--detailed-exitcode"], &file);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        name_checks(&common::arm_requests(&mock)),
        Vec::<String>::new()
    );
}

#[test]
fn a_wrong_subscription_finds_the_names_held_by_the_real_one() {
    let mock = seeded_shared_prod();
    let other = "22222222-2222-2222-2222-222222222222";
    let mut state = common::state(&mock);
    state["subscriptions"] = json!([
        {"subscriptionId": common::SUBSCRIPTION},
        {"subscriptionId": other},
    ]);
    common::put_state(&mock, &state);
    common::clear_requests(&mock);
    let file = common::repo_path("plans/shared-prod.yaml");
    let (code, stdout, stderr) = run(
        &mock,
        &["apply", "--auto-approve", "--subscription", other],
        &file,
    );
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    for name in ["acrsharedprod", "kv-shared-prod", "stsharedprodbackups"] {
        assert!(
            stderr.contains(&format!("{name:?} is not available")),
            "{name} in:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("--subscription") && stderr.contains(other),
        "{stderr}"
    );
    assert_eq!(
        writes(&common::arm_requests(&mock)),
        Vec::<String>::new(),
        "nothing written"
    );
}

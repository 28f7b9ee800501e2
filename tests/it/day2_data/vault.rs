//! Key Vault: a retention change on a purge-protected vault is refused at plan time (never a
//! replacement that would lose the name), and `purgeProtection: false` on a protected vault is a
//! notice, not silence.

use super::{edited_shared_prod, line_of, run, seeded_shared_prod, writes};
use crate::common;

#[test]
fn a_retention_change_on_a_purge_protected_vault_is_refused_before_any_write() {
    let mock = seeded_shared_prod();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    softDeleteRetentionDays: 90",
        "    softDeleteRetentionDays: 30",
    );
    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(&mock, &["plan"], &file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let line = line_of(&file, "softDeleteRetentionDays: 30");
    let expected_location = format!("{}:{line}:", file.display());
    for expected in [
        "refusing to plan",
        expected_location.as_str(),
        "keyVault/kv-shared-prod",
        "properties.softDeleteRetentionInDays 90 -> 30",
        "purge protection keeps a deleted vault's name reserved",
        "would hold the name kv-shared-prod until",
        "keep the live value",
        "new name",
    ] {
        assert!(stderr.contains(expected), "{expected:?} in:\n{stderr}");
    }
    assert!(!stdout.contains("-/+"), "no replacement planned: {stdout}");
    assert_eq!(writes(&common::arm_requests(&mock)), Vec::<String>::new());

    // Apply refuses the same way, writing nothing.
    common::clear_requests(&mock);
    let (code, _, stderr) = run(
        &mock,
        &["apply", "--auto-approve", "--allow-replace"],
        &file,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("refusing to plan"), "{stderr}");
    assert_eq!(writes(&common::arm_requests(&mock)), Vec::<String>::new());
}

#[test]
fn purge_protection_false_on_a_protected_vault_is_a_notice() {
    let mock = seeded_shared_prod();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    purgeProtection: true\n\nstorageAccounts:",
        "    purgeProtection: false\n\nstorageAccounts:",
    );
    let (code, stdout, stderr) = run(&mock, &["plan", "--detailed-exitcode"], &file);
    assert_eq!(
        code, 0,
        "nothing ARM can do: no changes\n{stdout}\n{stderr}"
    );
    let line = line_of(&file, "purgeProtection: false");
    let output = format!("{stdout}{stderr}");
    assert!(
        output.contains(&format!("{}:{line}:", file.display()))
            && output.contains("keyVault/kv-shared-prod declares purgeProtection: false")
            && output.contains("ARM cannot turn it off"),
        "{output}"
    );
}

#[test]
fn a_create_over_a_purge_protected_deleted_vault_is_refused_with_its_purge_date() {
    let mock = seeded_shared_prod();
    let state = common::state(&mock);
    let vault_id = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["type"] == "Microsoft.KeyVault/vaults")
        .and_then(|r| r["id"].as_str())
        .expect("the vault")
        .to_owned();
    common::block_on(common::arm_client(&mock).delete(
        &aksctl::id::ResourceId::new(&vault_id),
        aksctl::kind::Kind::KeyVault.api_version(),
        &aksctl::arm::WriteOptions::default(),
    ))
    .expect("vault soft-deleted");
    let purge = common::state(&mock)["deletedVaults"][0]["properties"]["scheduledPurgeDate"]
        .as_str()
        .expect("a purge date")
        .to_owned();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "  - name: kv-shared-prod\n    resourceGroup: rg-shared-aks-prod\n",
        "  - name: kv-shared-prod\n    resourceGroup: rg-shared-aks-prod\n    location: westus2\n",
    );
    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(&mock, &["apply", "--auto-approve"], &file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let line = line_of(&file, "- name: kv-shared-prod");
    for expected in [
        format!("{}:{line}:", file.display()),
        "keyVault/kv-shared-prod".to_owned(),
        format!("holds the name until {purge}"),
        "choose a new vault name".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} in:\n{stderr}");
    }
    assert_eq!(writes(&common::arm_requests(&mock)), Vec::<String>::new());
}

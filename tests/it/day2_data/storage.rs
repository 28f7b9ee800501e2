//! Storage accounts: Standard_LRS -> Standard_ZRS goes through ARM's account migration (the
//! account and its data stay), shown as such; a pair ARM cannot convert is refused at plan time.

use super::{edited_shared_prod, line_of, run, seeded_shared_prod, writes};
use crate::common;

const ACCOUNT: &str = "/providers/Microsoft.Storage/storageAccounts/stsharedprodbackups";

#[test]
fn lrs_to_zrs_is_an_account_migration_in_place() {
    let mock = seeded_shared_prod();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    sku: Standard_LRS",
        "    sku: Standard_ZRS",
    );
    let (code, stdout, stderr) = run(&mock, &["plan", "--detailed-exitcode"], &file);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("storageAccount/stsharedprodbackups")
            && stdout.contains("account migration")
            && stdout.contains("startAccountMigration")
            && stdout.contains("0 to replace, 0 to delete"),
        "{stdout}"
    );

    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(&mock, &["apply", "--auto-approve"], &file);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let writes = writes(&common::arm_requests(&mock));
    let migration = writes
        .iter()
        .position(|w| w.contains(ACCOUNT) && w.ends_with("/startAccountMigration\""))
        .unwrap_or_else(|| panic!("no migration POST: {writes:?}"));
    assert!(
        writes
            .iter()
            .all(|w| !(w.starts_with("\"DELETE\"") && w.contains(ACCOUNT))),
        "the account is never deleted: {writes:?}"
    );
    if let Some(put) = writes
        .iter()
        .position(|w| w.starts_with("\"PUT\"") && w.ends_with(&format!("{ACCOUNT}\"")))
    {
        assert!(
            migration < put,
            "migration before the account's PUT: {writes:?}"
        );
    }
    let state = common::state(&mock);
    let account = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|id| id.ends_with(ACCOUNT)))
        .expect("the account still exists");
    assert_eq!(account["sku"]["name"], "Standard_ZRS");

    let (code, stdout, stderr) = run(&mock, &["plan", "--detailed-exitcode"], &file);
    assert_eq!(code, 0, "converged\n{stdout}\n{stderr}");
}

#[test]
fn standard_to_premium_is_refused_at_plan_time() {
    let mock = seeded_shared_prod();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    sku: Standard_LRS",
        "    sku: Premium_LRS",
    );
    common::clear_requests(&mock);
    let (code, stdout, stderr) = run(&mock, &["plan"], &file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let line = line_of(&file, "sku: Premium_LRS");
    for expected in [
        format!("{}:{line}:", file.display()),
        "storageAccount/stsharedprodbackups sku.name \"Standard_LRS\" -> \"Premium_LRS\""
            .to_owned(),
        "between Standard and Premium".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} in:\n{stderr}");
    }
    assert_eq!(writes(&common::arm_requests(&mock)), Vec::<String>::new());
}

#[test]
fn a_zone_and_geo_change_together_is_refused_with_the_two_steps() {
    let mock = seeded_shared_prod();
    let directory = tempfile::tempdir().expect("tempdir");
    let file = edited_shared_prod(
        directory.path(),
        "    sku: Standard_LRS",
        "    sku: Standard_RAGZRS",
    );
    let (code, _, stderr) = run(&mock, &["plan"], &file);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("two steps"), "{stderr}");
}

//! `validate` and the sandbox report the same subscription: an estate's own default for
//! `${AZURE_SUBSCRIPTION_ID:-...}` wins over the sandbox's stand-in, which fills only an unset
//! variable without a default.

use crate::apply::plan_file;
use crate::credentials::{bare_aksctl, Outcome};

const SANDBOX_SUBSCRIPTION: &str = "5a2db0c0-0000-4000-8000-000000000001";

fn without_subscription(arguments: &[&str], sandbox: &std::path::Path) -> Outcome {
    let mut command = bare_aksctl("http://127.0.0.1:9");
    command
        .env_remove("AZURE_SUBSCRIPTION_ID")
        .env_remove("AKSCTL_ARM_ENDPOINT")
        .env("AKSCTL_SANDBOX_DIR", sandbox)
        .args(arguments);
    Outcome::of(&mut command)
}

#[test]
fn validate_and_the_sandbox_agree_on_the_subscription() {
    let sandbox = tempfile::tempdir().expect("tempdir");
    let shared = plan_file("shared-prod.yaml");
    let shared = shared.to_str().expect("utf-8");
    let validated = without_subscription(&["validate", "-f", shared], sandbox.path());
    assert_eq!(validated.code, Some(0), "{}", validated.describe());
    let default = "00000000-0000-0000-0000-000000000001";
    assert!(
        validated
            .stdout
            .contains(&format!("subscription {default}")),
        "{}",
        validated.describe()
    );
    let planned = without_subscription(
        &["plan", "--sandbox", "-f", shared, "-o", "json"],
        sandbox.path(),
    );
    assert_eq!(planned.code, Some(0), "{}", planned.describe());
    assert!(
        planned.stderr.contains(&format!(
            "the sandbox uses subscription {default} (the estate's)"
        )),
        "{}",
        planned.describe()
    );
    assert!(planned
        .stdout
        .contains(&format!("/subscriptions/{default}/")));

    let northwind = plan_file("northwind.yaml");
    let northwind = northwind.to_str().expect("utf-8");
    let validated = without_subscription(&["validate", "-f", northwind], sandbox.path());
    assert_eq!(validated.code, Some(1), "{}", validated.describe());
    assert!(validated
        .stderr
        .contains("environment variable `AZURE_SUBSCRIPTION_ID` is not set"));
    let planned = without_subscription(
        &["plan", "--sandbox", "-f", northwind, "-o", "json"],
        sandbox.path(),
    );
    assert_eq!(planned.code, Some(0), "{}", planned.describe());
    assert!(
        planned.stderr.contains(&format!(
            "the sandbox uses subscription {SANDBOX_SUBSCRIPTION} (the sandbox's own)"
        )),
        "{}",
        planned.describe()
    );
}

//! Each credential against mock-arm, with and without `AZURE_TENANT_ID`; vaults get the
//! subscription's tenant (one `GET /subscriptions/{id}` per run) unless `AZURE_TENANT_ID` says
//! otherwise.

use crate::apply::{plan_file, plan_files};
use crate::common::{self, start_mock, CLIENT_ID};
use crate::credentials::{
    bare_aksctl, declare_subscription, logged_in_az, path_with, subscription_reads, vault_tenants,
    Outcome, FEDERATED_CANARY, SECRET_CANARY,
};

/// The subscription's tenant in these tests: not the mock's default tenant.
const SUBSCRIPTION_TENANT: &str = "0f0e0d0c-0b0a-4090-8070-605040302010";
/// A tenant given with `AZURE_TENANT_ID`, overriding the subscription's.
const OVERRIDE_TENANT: &str = "11111111-2222-4333-8444-555555555555";

#[test]
fn azure_cli_without_a_tenant_plans_and_applies_every_shipped_estate_with_the_subscription_tenant()
{
    let directory = tempfile::tempdir().expect("tempdir");
    let path = path_with(&logged_in_az(directory.path()));
    for estate in plan_files() {
        let mock = start_mock();
        declare_subscription(&mock, SUBSCRIPTION_TENANT);
        let file = estate.to_str().expect("utf-8 path");
        let applied = Outcome::of(
            bare_aksctl(mock.url())
                .env("PATH", &path)
                .env("AKSCTL_CREDENTIAL", "azure-cli")
                .args(["apply", "-f", file, "--auto-approve", "--no-progress"]),
        );
        assert_eq!(applied.code, Some(0), "{file}: {}", applied.describe());
        assert_eq!(
            subscription_reads(&mock),
            1,
            "{file}: one subscription read per run"
        );
        let tenants = vault_tenants(&mock);
        assert!(!tenants.is_empty(), "{file} declares key vaults");
        assert!(
            tenants.iter().all(|tenant| tenant == SUBSCRIPTION_TENANT),
            "{file}: vault tenants {tenants:?}"
        );
        common::clear_requests(&mock);
        let planned = Outcome::of(bare_aksctl(mock.url()).env("PATH", &path).args([
            "plan",
            "-f",
            file,
            "--detailed-exitcode",
        ]));
        assert_eq!(
            planned.code,
            Some(0),
            "{file}: auto picks the Azure CLI and finds nothing to change: {}",
            planned.describe()
        );
        assert_eq!(subscription_reads(&mock), 1, "{file}");
    }
}

#[test]
fn azure_tenant_id_overrides_the_subscription_tenant_and_saves_the_lookup() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = path_with(&logged_in_az(directory.path()));
    let mock = start_mock();
    declare_subscription(&mock, SUBSCRIPTION_TENANT);
    let file = plan_file("shared-prod.yaml");
    let applied = Outcome::of(
        bare_aksctl(mock.url())
            .env("PATH", &path)
            .env("AKSCTL_CREDENTIAL", "azure-cli")
            .env("AZURE_TENANT_ID", OVERRIDE_TENANT)
            .args([
                "apply",
                "-f",
                file.to_str().expect("utf-8"),
                "--auto-approve",
            ]),
    );
    assert_eq!(applied.code, Some(0), "{}", applied.describe());
    assert_eq!(subscription_reads(&mock), 0);
    assert_eq!(vault_tenants(&mock), [OVERRIDE_TENANT]);
}

#[test]
fn an_unknown_subscription_names_the_subscription_and_the_credential() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = path_with(&logged_in_az(directory.path()));
    let mock = start_mock();
    common::put_state(
        &mock,
        &serde_json::json!({
            "resources": [],
            "subscriptions": [{"subscriptionId": "99999999-9999-4999-8999-999999999999"}],
        }),
    );
    let planned = Outcome::of(
        bare_aksctl(mock.url())
            .env("PATH", &path)
            .env("AKSCTL_CREDENTIAL", "azure-cli")
            .args([
                "plan",
                "-f",
                plan_file("northwind.yaml").to_str().expect("utf-8"),
            ]),
    );
    assert_eq!(planned.code, Some(1), "{}", planned.describe());
    assert!(
        planned.stderr.contains(&format!(
            "subscription {} was not found with the azure-cli credential",
            common::SUBSCRIPTION
        )),
        "{}",
        planned.describe()
    );
}

#[test]
fn client_secret_through_the_token_endpoint_with_and_without_azure_tenant_id() {
    let mock = start_mock();
    declare_subscription(&mock, SUBSCRIPTION_TENANT);
    let file = plan_file("shared-prod.yaml");
    let client_secret = |tenant: Option<&str>| {
        let mut command = bare_aksctl(mock.url());
        command
            .env("AKSCTL_CREDENTIAL", "client-secret")
            .env("AZURE_CLIENT_ID", CLIENT_ID)
            .env("AZURE_CLIENT_SECRET", SECRET_CANARY)
            .env("AZURE_AUTHORITY_HOST", mock.url())
            .args(["plan", "-f", file.to_str().expect("utf-8"), "-o", "json"]);
        if let Some(tenant) = tenant {
            command.env("AZURE_TENANT_ID", tenant);
        }
        Outcome::of(&mut command)
    };
    let with_tenant = client_secret(Some(OVERRIDE_TENANT));
    assert_eq!(with_tenant.code, Some(0), "{}", with_tenant.describe());
    assert!(
        with_tenant.stdout.contains(OVERRIDE_TENANT),
        "the vault is planned in AZURE_TENANT_ID"
    );

    let without_tenant = client_secret(None);
    assert_eq!(
        without_tenant.code,
        Some(1),
        "{}",
        without_tenant.describe()
    );
    assert!(
        without_tenant.stderr.contains("AZURE_TENANT_ID not set"),
        "{}",
        without_tenant.describe()
    );
}

#[test]
fn workload_identity_with_a_federated_token_file_with_and_without_azure_tenant_id() {
    let mock = start_mock();
    declare_subscription(&mock, SUBSCRIPTION_TENANT);
    let directory = tempfile::tempdir().expect("tempdir");
    let token_file = directory.path().join("federated-token");
    std::fs::write(&token_file, FEDERATED_CANARY).expect("token file");
    let file = plan_file("northwind.yaml");
    let workload_identity = |tenant: Option<&str>| {
        let mut command = bare_aksctl(mock.url());
        command
            .env("AKSCTL_CREDENTIAL", "workload-identity")
            .env("AZURE_CLIENT_ID", CLIENT_ID)
            .env("AZURE_FEDERATED_TOKEN_FILE", &token_file)
            .env("AZURE_AUTHORITY_HOST", mock.url())
            .args(["plan", "-f", file.to_str().expect("utf-8"), "-o", "json"]);
        if let Some(tenant) = tenant {
            command.env("AZURE_TENANT_ID", tenant);
        }
        Outcome::of(&mut command)
    };
    let with_tenant = workload_identity(Some(OVERRIDE_TENANT));
    assert_eq!(with_tenant.code, Some(0), "{}", with_tenant.describe());
    assert!(with_tenant.stdout.contains(OVERRIDE_TENANT));

    let without_tenant = workload_identity(None);
    assert_eq!(
        without_tenant.code,
        Some(1),
        "{}",
        without_tenant.describe()
    );
    assert!(
        without_tenant.stderr.contains("AZURE_TENANT_ID not set"),
        "{}",
        without_tenant.describe()
    );
}

#[test]
fn client_secret_over_https_with_the_test_ca_trusted() {
    let mock = mock_arm::MockArm::start_tls(mock_arm::Config {
        time_scale: 0.0005,
        ..mock_arm::Config::default()
    })
    .expect("TLS mock");
    let directory = tempfile::tempdir().expect("tempdir");
    let ca = directory.path().join("mock-arm-ca.pem");
    std::fs::write(&ca, mock.ca_certificate_pem().expect("test CA")).expect("CA file");
    let planned = Outcome::of(
        bare_aksctl(mock.url())
            .env("SSL_CERT_FILE", &ca)
            .env("AKSCTL_CREDENTIAL", "client-secret")
            .env("AZURE_TENANT_ID", OVERRIDE_TENANT)
            .env("AZURE_CLIENT_ID", CLIENT_ID)
            .env("AZURE_CLIENT_SECRET", SECRET_CANARY)
            .env("AZURE_AUTHORITY_HOST", mock.url())
            .args([
                "plan",
                "-f",
                plan_file("shared-prod.yaml").to_str().expect("utf-8"),
                "--detailed-exitcode",
            ]),
    );
    assert_eq!(planned.code, Some(2), "{}", planned.describe());
}

#[test]
fn an_inaccessible_subscription_names_the_subscription_and_the_credential() {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = path_with(&logged_in_az(directory.path()));
    let mock = start_mock();
    let fault = serde_json::json!({
        "method": "GET",
        "path": format!("^/subscriptions/{}$", common::SUBSCRIPTION),
        "status": 403,
        "code": "AuthorizationFailed",
        "message": "The client does not have authorization to perform action 'Microsoft.Resources/subscriptions/read'.",
        "times": 0,
    });
    common::block_on(async {
        reqwest::Client::new()
            .post(format!("{}/_mock/faults", mock.url()))
            .json(&fault)
            .send()
            .await
            .and_then(|response| response.error_for_status())
            .expect("fault accepted");
    });
    let planned = Outcome::of(
        bare_aksctl(mock.url())
            .env("PATH", &path)
            .env("AKSCTL_CREDENTIAL", "azure-cli")
            .args([
                "plan",
                "-f",
                plan_file("gitops-fleet.yaml").to_str().expect("utf-8"),
            ]),
    );
    assert_eq!(planned.code, Some(1), "{}", planned.describe());
    assert!(
        planned.stderr.contains(&format!(
            "subscription {} is not accessible to the azure-cli credential (HTTP 403 AuthorizationFailed)",
            common::SUBSCRIPTION
        )),
        "{}",
        planned.describe()
    );
}

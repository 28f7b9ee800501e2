//! Every failure class names its root cause with the host and what to do (not "retry policy
//! expired", not a hint to set variables that are set): DNS, refused connection, TLS, an Entra
//! `AADSTS` error, an expired `az` login. `-v` adds the underlying error chain. Usage and
//! endpoint refusals come before any estate work.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use crate::apply::plan_file;
use crate::common::{start_mock, CLIENT_ID};
use crate::credentials::{
    bare_aksctl, logged_in_az, path_with, stand_in_az, Outcome, SECRET_CANARY,
};

fn estate() -> String {
    plan_file("northwind.yaml")
        .to_str()
        .expect("utf-8 path")
        .to_owned()
}

/// Plans with the stand-in `az` against `endpoint`.
fn plan_with_cli(endpoint: &str, verbose: bool) -> Outcome {
    let directory = tempfile::tempdir().expect("tempdir");
    let path = path_with(&logged_in_az(directory.path()));
    let mut command = bare_aksctl(endpoint);
    command
        .env("PATH", path)
        .env("AKSCTL_CREDENTIAL", "azure-cli")
        .args(["plan", "-f", &estate()]);
    if verbose {
        command.arg("-v");
    }
    Outcome::of(&mut command)
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    port
}

#[test]
fn a_dns_failure_is_named_with_the_host() {
    let outcome = plan_with_cli("https://aksctl-root-cause-test.invalid", false);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains(
            "the host name of aksctl-root-cause-test.invalid does not resolve (DNS lookup failed)"
        ),
        "{}",
        outcome.describe()
    );
    assert!(outcome
        .stderr
        .contains("hint: check the host in AKSCTL_ARM_ENDPOINT"));
}

#[test]
fn a_refused_connection_is_named_with_the_host_and_minus_v_shows_the_chain() {
    let endpoint = format!("http://127.0.0.1:{}", closed_port());
    let outcome = plan_with_cli(&endpoint, false);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let host = endpoint.trim_start_matches("http://");
    assert!(
        outcome
            .stderr
            .contains(&format!("{host} refused the connection")),
        "{}",
        outcome.describe()
    );
    assert!(
        !outcome.stderr.contains("caused by"),
        "{}",
        outcome.describe()
    );

    let verbose = plan_with_cli(&endpoint, true);
    assert!(
        verbose.stderr.contains("caused by:") && verbose.stderr.contains("Connection refused"),
        "-v shows the underlying chain: {}",
        verbose.describe()
    );
}

#[test]
fn an_untrusted_certificate_is_named_as_a_tls_failure() {
    let mock = mock_arm::MockArm::start_tls(mock_arm::Config::default()).expect("TLS mock");
    let outcome = plan_with_cli(mock.url(), false);
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    let host = mock.url().trim_start_matches("https://");
    assert!(
        outcome
            .stderr
            .contains(&format!("the TLS handshake with {host} failed")),
        "{}",
        outcome.describe()
    );
    assert!(
        outcome.stderr.contains("certificate"),
        "{}",
        outcome.describe()
    );
}

/// An Entra-shaped authority that refuses every token request with `AADSTS7000215`.
fn refusing_authority() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let answer = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID. Trace ID: 0000 Correlation ID: 0000 Timestamp: 2026-01-01 00:00:00Z","error_codes":[7000215]}"#;
            let response = format!(
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let mut stream = reader.into_inner();
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://{address}")
}

#[test]
fn an_entra_error_shows_its_aadsts_code_and_message_not_a_hint_to_set_variables() {
    let mock = start_mock();
    let authority = refusing_authority();
    let outcome = Outcome::of(
        bare_aksctl(mock.url())
            .env("AKSCTL_CREDENTIAL", "client-secret")
            .env("AZURE_TENANT_ID", crate::common::tenant())
            .env("AZURE_CLIENT_ID", CLIENT_ID)
            .env("AZURE_CLIENT_SECRET", SECRET_CANARY)
            .env("AZURE_AUTHORITY_HOST", &authority)
            .args(["plan", "-f", &estate()]),
    );
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome.stderr.contains(
            "Entra ID refused the token request: AADSTS7000215: Invalid client secret provided"
        ),
        "{}",
        outcome.describe()
    );
    assert!(outcome.stderr.contains("the client secret is wrong"));
    assert!(
        !outcome
            .stderr
            .contains("set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"),
        "{}",
        outcome.describe()
    );
    assert!(!outcome.stderr.contains("retry policy expired"));
}

#[test]
fn an_expired_az_login_says_to_run_az_login() {
    let directory = tempfile::tempdir().expect("tempdir");
    let bin = stand_in_az(
        directory.path(),
        r#"echo "ERROR: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-01-01T00:00:00Z and was inactive for 90.00:00:00." >&2
echo "Interactive authentication is needed. Please run:" >&2
echo "az login --scope https://management.core.windows.net//.default" >&2
exit 1"#,
    );
    let mock = start_mock();
    let outcome = Outcome::of(
        bare_aksctl(mock.url())
            .env("PATH", path_with(&bin))
            .env("AKSCTL_CREDENTIAL", "azure-cli")
            .args(["plan", "-f", &estate()]),
    );
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome
            .stderr
            .contains("the Azure CLI login has expired or is missing (AADSTS700082"),
        "{}",
        outcome.describe()
    );
    assert!(
        outcome.stderr.contains("run `az login` again"),
        "{}",
        outcome.describe()
    );
}

#[test]
fn a_plain_http_remote_endpoint_is_refused_before_the_estate_is_read() {
    let outcome = Outcome::of(bare_aksctl("http://management.example.com").args([
        "plan",
        "-f",
        "does-not-exist.yaml",
    ]));
    assert_eq!(outcome.code, Some(1), "{}", outcome.describe());
    assert!(
        outcome
            .stderr
            .starts_with("error: refusing to send a bearer token over plain http to http://management.example.com/"),
        "{}",
        outcome.describe()
    );
    assert!(
        !outcome.stderr.contains("does-not-exist.yaml"),
        "{}",
        outcome.describe()
    );
}

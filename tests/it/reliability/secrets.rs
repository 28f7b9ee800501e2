//! Secrets: a canary access token (issued by the interposer's token endpoint) and a canary client
//! secret go through every command, `-v`/`-vv`, failures (including answers that echo the
//! `Authorization` header or the token request), saved plans and progress output, and must never
//! appear in stdout, stderr or any file aksctl writes. Plain http to a non-loopback address (ARM
//! endpoint, authority, a `nextLink`) is refused before any connection: a trap listener set as
//! every proxy variable proves nothing tried to connect.

use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mock_arm::{Config, MockArm};
use serde_json::Value;

use super::harness::{aksctl_command, finish, plan_file, start_mock, Outcome};
use super::interposer::{Interposer, Mangle, Rule};
use crate::common::{self, SECRET_CANARY};

const TOKEN_CANARY: &str = "CANARYTOKEN-aksctl-reliability-5b9e0c";

/// A command line and its extra environment.
type Run<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

/// Runs aksctl through `interposer` (ARM and authority), in `directory`, with extra environment.
fn run_through(
    mock: &MockArm,
    interposer: &Interposer,
    directory: &Path,
    args: &[&str],
    environment: &[(&str, &str)],
) -> Outcome {
    let mut command = aksctl_command(mock);
    command
        .current_dir(directory)
        .env("AKSCTL_ARM_ENDPOINT", interposer.url())
        .env("AZURE_AUTHORITY_HOST", interposer.url())
        .args(args);
    for (name, value) in environment {
        command.env(name, value);
    }
    finish(command, Duration::from_secs(120))
}

fn assert_no_canary(text: &str, where_: &str) {
    for canary in [TOKEN_CANARY, SECRET_CANARY] {
        assert!(
            !text.contains(canary),
            "{where_} contains the canary {canary}:\n{text}"
        );
    }
}

/// Every file under `directory`, recursively.
fn files_under(directory: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn canary_token_and_secret_never_appear_in_output_or_files() {
    let mock = start_mock();
    let interposer = Interposer::start(mock.url(), TOKEN_CANARY);
    let directory = tempfile::tempdir().unwrap();
    let work = directory.path();
    let estate = plan_file("shared-prod.yaml");
    let estate = estate.to_str().unwrap();
    let saved = work.join("plan.json");
    let saved = saved.to_str().unwrap();
    let exported = work.join("exported.yaml");
    let exported = exported.to_str().unwrap();
    let log_file = work.join("aksctl.log");
    let log_file = log_file.to_str().unwrap();

    // Failures whose answers quote the token or the token request.
    interposer.add(Rule::new(
        Some("GET"),
        "(?i)^/subscriptions/",
        1,
        Mangle::EchoAuthorization { status: 401 },
    ));
    interposer.add(Rule::new(
        Some("PUT"),
        "(?i)/userAssignedIdentities/[^/]+$",
        1,
        Mangle::EchoAuthorization { status: 400 },
    ));
    let runs: Vec<Run<'_>> = vec![
        (vec!["validate", "-f", estate], vec![]),
        (vec!["render", "-f", estate, "-vv"], vec![]),
        (vec!["schema"], vec![]),
        (vec!["plan", "-f", estate, "-vv"], vec![]),
        (vec!["plan", "-f", estate, "-v", "-o", "json"], vec![]),
        (
            vec![
                "plan", "-f", estate, "-vv", "-o", "markdown", "--out", saved,
            ],
            vec![],
        ),
        (
            vec!["apply", "-f", estate, "--auto-approve", "-vv"],
            vec![("RUST_LOG", "trace")],
        ),
        (
            vec![
                "apply",
                "-f",
                estate,
                "--auto-approve",
                "-vv",
                "--no-progress",
            ],
            vec![],
        ),
        (vec!["apply", saved, "-vv", "--no-progress"], vec![]),
        (
            vec!["plan", "-f", estate, "-vv", "--detailed-exitcode"],
            vec![("GITHUB_STEP_SUMMARY", log_file)],
        ),
        (
            vec!["export", "-g", "rg-shared-aks-prod", "-o", exported, "-vv"],
            vec![],
        ),
        (vec!["adopt", "-f", estate, "--auto-approve", "-vv"], vec![]),
        (vec!["drift", "-f", estate, "-vv"], vec![]),
        (vec!["outputs", "-f", estate, "-vv"], vec![]),
        (
            vec![
                "destroy",
                "-f",
                estate,
                "--allow-delete",
                "--auto-approve",
                "-vv",
            ],
            vec![],
        ),
        (
            vec![
                "destroy",
                "-f",
                estate,
                "--allow-delete",
                "--auto-approve",
                "-vv",
                "--no-progress",
            ],
            vec![],
        ),
    ];
    let mut failures = 0;
    for (args, environment) in &runs {
        let outcome = run_through(&mock, &interposer, work, args, environment);
        assert!(
            !outcome.combined().contains("panicked"),
            "{args:?}: {}",
            outcome.describe()
        );
        if outcome.code != 0 {
            failures += 1;
        }
        assert_no_canary(&outcome.stdout, &format!("stdout of {args:?}"));
        assert_no_canary(&outcome.stderr, &format!("stderr of {args:?}"));
    }
    assert_eq!(
        interposer.fired(),
        vec![1, 1],
        "both echoing answers were served"
    );
    assert!(failures >= 2, "the echoing answers made runs fail");
    // The canary token really was what aksctl sent.
    let seen = interposer.seen();
    assert!(
        seen.iter()
            .any(|request| request.authorization.as_deref()
                == Some(&format!("Bearer {TOKEN_CANARY}")))
    );
    // Nothing aksctl wrote (saved plan, export, step summary, sandbox or cache dirs) holds them.
    let written = files_under(work);
    assert!(
        written.iter().any(|path| path.ends_with("plan.json")),
        "{written:?}"
    );
    for path in written {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert_no_canary(&text, &path.display().to_string());
    }
}

#[test]
fn a_token_endpoint_error_echoing_the_request_does_not_leak_the_secret() {
    let mock = start_mock();
    let interposer = Interposer::start(mock.url(), TOKEN_CANARY);
    interposer.add(Rule::new(
        Some("POST"),
        "/oauth2/v2.0/token$",
        0,
        Mangle::Replace {
            status: 401,
            content_type: "application/json",
            body: format!(
                r#"{{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: '{SECRET_CANARY}' for client_id=aksctl-it-client&client_secret={SECRET_CANARY}"}}"#
            ).into_bytes(),
        },
    ));
    let directory = tempfile::tempdir().unwrap();
    let estate = plan_file("shared-prod.yaml");
    for verbosity in ["-v", "-vv"] {
        let outcome = run_through(
            &mock,
            &interposer,
            directory.path(),
            &["plan", "-f", estate.to_str().unwrap(), verbosity],
            &[],
        );
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        assert!(
            outcome.stderr.contains("invalid_client") || outcome.stderr.contains("AADSTS7000215"),
            "the credential error is shown: {}",
            outcome.describe()
        );
        assert_no_canary(&outcome.combined(), "credential failure output");
    }
    assert!(
        interposer.fired()[0] >= 1,
        "the token endpoint was asked through the interposer"
    );
}

/// A listener that counts connections, set as every proxy variable: any attempt to reach a
/// non-loopback address goes to it instead of the network.
struct Trap {
    url: String,
    connections: Arc<AtomicU64>,
}

impl Trap {
    fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Trap { url, connections }
    }

    fn environment(&self) -> Vec<(&'static str, String)> {
        let mut variables = Vec::new();
        for name in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            variables.push((name, self.url.clone()));
        }
        variables.push(("NO_PROXY", "127.0.0.1,localhost".to_owned()));
        variables.push(("no_proxy", "127.0.0.1,localhost".to_owned()));
        variables.push(("AKSCTL_HTTP_TIMEOUT_MS", "2000".to_owned()));
        variables
    }

    fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }
}

fn run_trapped(
    mock: &MockArm,
    trap: &Trap,
    args: &[&str],
    environment: &[(&str, &str)],
) -> Outcome {
    let mut command = aksctl_command(mock);
    for (name, value) in trap.environment() {
        command.env(name, value);
    }
    for (name, value) in environment {
        command.env(name, value);
    }
    command.args(args);
    finish(command, Duration::from_secs(60))
}

#[test]
fn plain_http_to_a_non_loopback_arm_endpoint_is_refused_before_connecting() {
    let mock = start_mock();
    let trap = Trap::start();
    let estate = plan_file("shared-prod.yaml");
    let estate = estate.to_str().unwrap();
    for endpoint in [
        "http://10.0.0.1",
        "http://10.0.0.1:8080/",
        "http://arm.example.com",
        "http://127.0.0.1.example.com",
        "http://localhost.example.com:80",
        "http://[::ffff:10.0.0.1]",
        "ftp://127.0.0.1",
    ] {
        for command in [
            vec!["plan", "-f", estate],
            vec!["apply", "-f", estate, "--auto-approve"],
            vec!["destroy", "-f", estate, "--allow-delete", "--auto-approve"],
            vec!["export", "-g", "rg-shared-aks-prod"],
        ] {
            common::clear_requests(&mock);
            let mut args = command.clone();
            args.extend(["--arm-endpoint", endpoint]);
            let outcome = run_trapped(&mock, &trap, &args, &[]);
            assert_eq!(
                outcome.code,
                1,
                "{endpoint} {args:?}: {}",
                outcome.describe()
            );
            assert!(
                !outcome.combined().contains("panicked"),
                "{}",
                outcome.describe()
            );
            assert!(
                outcome.stderr.contains("https") || outcome.stderr.contains("loopback"),
                "{endpoint}: the refusal says why: {}",
                outcome.describe()
            );
            assert_no_canary(&outcome.combined(), endpoint);
            assert!(
                common::requests(&mock).is_empty(),
                "{endpoint}: even the token endpoint was asked before the refusal"
            );
        }
    }
    assert_eq!(trap.connections(), 0, "something tried to connect off-box");
}

#[test]
fn plain_http_to_a_non_loopback_authority_is_refused_before_connecting() {
    let mock = start_mock();
    let trap = Trap::start();
    let estate = plan_file("shared-prod.yaml");
    for authority in ["http://10.0.0.1", "http://login.example.com"] {
        let outcome = run_trapped(
            &mock,
            &trap,
            &["plan", "-f", estate.to_str().unwrap()],
            &[("AZURE_AUTHORITY_HOST", authority)],
        );
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        assert!(
            outcome.stderr.contains("https"),
            "{authority}: {}",
            outcome.describe()
        );
        assert_no_canary(&outcome.combined(), authority);
    }
    assert!(
        common::arm_requests(&mock).is_empty(),
        "no ARM request without a token"
    );
    assert_eq!(trap.connections(), 0, "something tried to connect off-box");
}

#[test]
fn a_next_link_to_another_host_is_not_followed() {
    let mock = common::start_mock_with(Config {
        time_scale: 0.0005,
        page_size: 1,
        ..Config::default()
    });
    let estate = plan_file("shared-prod.yaml");
    let estate = estate.to_str().unwrap();
    // Something to list: apply the estate directly against the mock first.
    let applied = super::harness::apply(&mock, Path::new(estate));
    assert_eq!(applied.code, 0, "{}", applied.describe());
    let trap = Trap::start();
    for foreign in [
        "http://10.0.0.1/subscriptions/x/resourcegroups?api-version=2025-04-01&page=2",
        "https://evil.example.com/subscriptions/x/resourcegroups?api-version=2025-04-01&page=2",
    ] {
        let interposer = Interposer::start(mock.url(), TOKEN_CANARY);
        interposer.add(Rule::new(
            Some("GET"),
            "(?i)^/subscriptions/",
            0,
            Mangle::NextLinkTo(foreign.to_owned()),
        ));
        let mut command = aksctl_command(&mock);
        for (name, value) in trap.environment() {
            command.env(name, value);
        }
        command
            .env("AKSCTL_ARM_ENDPOINT", interposer.url())
            .env("AZURE_AUTHORITY_HOST", interposer.url())
            .args(["plan", "-f", estate]);
        let outcome = finish(command, Duration::from_secs(60));
        assert!(
            interposer.fired().iter().sum::<u64>() > 0,
            "no list answer was mangled"
        );
        assert_eq!(outcome.code, 1, "{foreign}: {}", outcome.describe());
        assert!(
            !outcome.combined().contains("panicked"),
            "{}",
            outcome.describe()
        );
        assert_no_canary(&outcome.combined(), foreign);
    }
    assert_eq!(trap.connections(), 0, "a foreign nextLink was followed");
}

/// The token of a private Flux repository (`httpsKeyVariable`) reaches ARM only in the flux
/// configuration's PUT (base64, in `configurationProtectedSettings`), and never appears, plain or
/// encoded, in any output, log (`-vv`, `RUST_LOG=trace`), saved plan, export or file aksctl writes.
#[test]
fn a_private_flux_repository_token_is_sent_to_arm_and_nowhere_else() {
    const TOKEN: &str = "CANARY-flux-git-token-91c4e7";
    const ENCODED: &str = "Q0FOQVJZLWZsdXgtZ2l0LXRva2VuLTkxYzRlNw==";
    let mock = start_mock();
    let directory = tempfile::tempdir().unwrap();
    let work = directory.path();
    let estate_path = work.join("private-flux.yaml");
    std::fs::write(
        &estate_path,
        "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nmetadata:\n  name: private-flux\n\
         subscription: ${AZURE_SUBSCRIPTION_ID}\nlocation: eastus\nresourceGroups:\n  - name: rg-flux\n\
         clusters:\n  - name: aks-flux\n    resourceGroup: rg-flux\n    pools:\n      - name: system\n\
         \x20       mode: System\n        vmSize: Standard_D4s_v5\n        count: 1\n\
         \x20   flux:\n      configurations:\n        - name: private-config\n\
         \x20         url: https://github.com/example/private-config\n          httpsUser: git\n\
         \x20         httpsKeyVariable: FLUX_GIT_TOKEN\n          kustomizations:\n\
         \x20           - {name: apps, path: ./apps, prune: true}\n",
    )
    .unwrap();
    let estate = estate_path.to_str().unwrap();
    let saved = work.join("plan.json");
    let saved = saved.to_str().unwrap();
    let exported = work.join("exported.yaml");
    let exported = exported.to_str().unwrap();
    let runs: Vec<Run<'_>> = vec![
        (vec!["validate", "-f", estate], vec![]),
        (vec!["render", "-f", estate, "-vv"], vec![]),
        (vec!["plan", "-f", estate, "-vv"], vec![]),
        (vec!["plan", "-f", estate, "-o", "json"], vec![]),
        (
            vec!["plan", "-f", estate, "-o", "markdown", "--out", saved],
            vec![],
        ),
        (
            vec!["apply", saved, "-vv", "--no-progress"],
            vec![("RUST_LOG", "trace")],
        ),
        (
            vec!["plan", "-f", estate, "-vv", "--detailed-exitcode"],
            vec![],
        ),
        (
            vec!["export", "-g", "rg-flux", "-o", exported, "-vv"],
            vec![],
        ),
        (vec!["outputs", "-f", estate, "-vv"], vec![]),
    ];
    for (args, environment) in &runs {
        let mut command = aksctl_command(&mock);
        command
            .current_dir(work)
            .env("FLUX_GIT_TOKEN", TOKEN)
            .args(args);
        for (name, value) in environment {
            command.env(name, value);
        }
        let outcome = finish(command, Duration::from_secs(120));
        assert_eq!(outcome.code, 0, "{args:?}: {}", outcome.describe());
        for secret in [TOKEN, ENCODED] {
            assert!(
                !outcome.combined().contains(secret),
                "{args:?} shows the token: {}",
                outcome.describe()
            );
        }
    }
    for path in files_under(work) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for secret in [TOKEN, ENCODED] {
            assert!(!text.contains(secret), "{} holds the token", path.display());
        }
    }
    // ARM did receive it, encoded, in the configuration's create; its GET never returns it.
    let puts: Vec<Value> = crate::common::arm_requests(&mock)
        .into_iter()
        .filter(|request| {
            request["method"] == "PUT"
                && request["path"]
                    .as_str()
                    .is_some_and(|path| path.ends_with("/fluxConfigurations/private-config"))
        })
        .collect();
    assert_eq!(puts.len(), 1, "{puts:#?}");
    assert_eq!(
        puts[0]["body"]["properties"]["configurationProtectedSettings"]["httpsKey"],
        ENCODED
    );
    let state = crate::common::state(&mock).to_string();
    assert!(!state.contains(ENCODED) && !state.contains(TOKEN));
}

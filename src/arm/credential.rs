//! Access tokens for ARM: a small credential chain over `azure_identity` (Azure CLI, workload
//! identity, client secret, managed identity) picked by `--credential`, with token caching and
//! secret scrubbing of credential errors.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential};
use azure_core::http::ClientOptions;
use azure_identity::{
    AzureCliCredential, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use time::OffsetDateTime;

use crate::arm::authority::credential_client_options;
use crate::arm::cloud;
use crate::arm::error::{redact, ArmError};
use crate::cli::{Cloud, CredentialKind};

/// Reads an environment variable (empty counts as unset); injectable for tests.
pub(crate) type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Tokens are refreshed this long before they expire.
const REFRESH_MARGIN: time::Duration = time::Duration::minutes(5);

/// Longest wait for one token (the Azure CLI can take several seconds).
const TOKEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Hands out ARM bearer tokens, cached until shortly before expiry.
pub(crate) struct TokenProvider {
    source: Source,
    scope: String,
    cache: tokio::sync::Mutex<Option<AccessToken>>,
}

enum Source {
    /// A fixed token (sandbox and tests against a loopback mock).
    Fixed(Secret),
    Chain(CredentialChain),
}

struct CredentialChain {
    /// What the user asked for, for messages.
    requested: &'static str,
    candidates: Vec<Candidate>,
    /// Index of the candidate that last produced a token; `usize::MAX` before the first.
    chosen: AtomicUsize,
    /// Candidates of `auto` that could not even be built (e.g. an unreadable token file).
    unavailable: Vec<String>,
    /// Secret values known to us, scrubbed from any credential error text.
    secrets: Vec<String>,
}

struct Candidate {
    name: &'static str,
    credential: Arc<dyn TokenCredential>,
    hint: &'static str,
}

const HINT_AZURE_CLI: &str =
    "run `az login` (and `az account set --subscription <id>`), or pick another credential with --credential / AKSCTL_CREDENTIAL";
const HINT_WORKLOAD: &str = "set AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID (see docs/authentication.md for GitHub Actions OIDC)";
const HINT_CLIENT_SECRET: &str =
    "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal";
const HINT_MANAGED: &str = "run on an Azure host with a managed identity (set AZURE_CLIENT_ID to pick a user-assigned one)";
const HINT_AUTO: &str = "run `az login`, or set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or AZURE_FEDERATED_TOKEN_FILE/AZURE_CLIENT_ID/AZURE_TENANT_ID for workload identity; pick one explicitly with --credential";

impl TokenProvider {
    /// A provider that always returns `token` (never logged or displayed).
    pub(crate) fn fixed(token: &str) -> TokenProvider {
        super::error::register_secret(token);
        TokenProvider {
            source: Source::Fixed(Secret::new(token.to_string())),
            scope: String::new(),
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// Builds the credential(s) for `kind` from the environment. `http` is the HTTP client the
    /// credentials use to reach Entra ID (shared with ARM calls).
    pub(crate) fn from_environment(
        kind: CredentialKind,
        cloud: Cloud,
        env: EnvLookup<'_>,
        http: reqwest::Client,
    ) -> Result<TokenProvider, ArmError> {
        let scope = env("AKSCTL_TOKEN_SCOPE")
            .unwrap_or_else(|| cloud::endpoints(cloud).token_scope.to_string());
        let client_options = credential_client_options(cloud, env, http)?;
        let secrets: Vec<String> = env("AZURE_CLIENT_SECRET").into_iter().collect();
        for secret in &secrets {
            super::error::register_secret(secret);
        }
        let mut candidates = Vec::new();
        let mut unavailable = Vec::new();
        let requested = match kind {
            CredentialKind::Auto => {
                candidates.push(azure_cli(env)?);
                if env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
                    match workload_identity(env, &client_options) {
                        Ok(candidate) => candidates.push(candidate),
                        Err(error) => unavailable.push(format!("workload-identity: {error}")),
                    }
                }
                if env("AZURE_CLIENT_SECRET").is_some() {
                    match client_secret(env, &client_options) {
                        Ok(candidate) => candidates.push(candidate),
                        Err(error) => unavailable.push(format!("client-secret: {error}")),
                    }
                }
                if env("IDENTITY_ENDPOINT").is_some() {
                    match managed_identity(env, &client_options) {
                        Ok(candidate) => candidates.push(candidate),
                        Err(error) => unavailable.push(format!("managed-identity: {error}")),
                    }
                }
                "auto"
            }
            CredentialKind::AzureCli => {
                candidates.push(azure_cli(env)?);
                "azure-cli"
            }
            CredentialKind::WorkloadIdentity => {
                candidates.push(workload_identity(env, &client_options)?);
                "workload-identity"
            }
            CredentialKind::ClientSecret => {
                candidates.push(client_secret(env, &client_options)?);
                "client-secret"
            }
            CredentialKind::ManagedIdentity => {
                candidates.push(managed_identity(env, &client_options)?);
                "managed-identity"
            }
        };
        let unavailable = unavailable
            .into_iter()
            .map(|message| scrub(&message, &secrets))
            .collect();
        Ok(TokenProvider {
            source: Source::Chain(CredentialChain {
                requested,
                candidates,
                chosen: AtomicUsize::new(usize::MAX),
                unavailable,
                secrets,
            }),
            scope,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid bearer token, from the cache or freshly acquired.
    pub(crate) async fn token(&self) -> Result<Secret, ArmError> {
        let chain = match &self.source {
            Source::Fixed(token) => return Ok(token.clone()),
            Source::Chain(chain) => chain,
        };
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            if cached.expires_on - OffsetDateTime::now_utc() > REFRESH_MARGIN {
                return Ok(cached.token.clone());
            }
        }
        let fresh = match tokio::time::timeout(TOKEN_TIMEOUT, chain.acquire(&self.scope)).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(ArmError::Credential {
                    credential: self.describe(),
                    message: format!("no token after {} s", TOKEN_TIMEOUT.as_secs()),
                    hint: HINT_AUTO.to_string(),
                })
            }
        };
        let token = fresh.token.clone();
        super::error::register_secret(token.secret());
        *cache = Some(fresh);
        Ok(token)
    }

    /// The credential that produced (or will produce) tokens, e.g. `client-secret`.
    pub(crate) fn describe(&self) -> String {
        match &self.source {
            Source::Fixed(_) => "static token".to_string(),
            Source::Chain(chain) => match chain.chosen.load(Ordering::Relaxed) {
                usize::MAX => chain.requested.to_string(),
                index => chain
                    .candidates
                    .get(index)
                    .map(|candidate| candidate.name.to_string())
                    .unwrap_or_else(|| chain.requested.to_string()),
            },
        }
    }
}

impl CredentialChain {
    async fn acquire(&self, scope: &str) -> Result<AccessToken, ArmError> {
        let chosen = self.chosen.load(Ordering::Relaxed);
        if let Some(candidate) = self.candidates.get(chosen) {
            return candidate
                .credential
                .get_token(&[scope], None)
                .await
                .map_err(|error| ArmError::Credential {
                    credential: candidate.name.to_string(),
                    message: self.clean(&error),
                    hint: candidate.hint.to_string(),
                });
        }
        let mut failures = self.unavailable.clone();
        for (index, candidate) in self.candidates.iter().enumerate() {
            match candidate.credential.get_token(&[scope], None).await {
                Ok(token) => {
                    tracing::debug!(credential = candidate.name, "acquired an ARM access token");
                    self.chosen.store(index, Ordering::Relaxed);
                    return Ok(token);
                }
                Err(error) => {
                    tracing::debug!(credential = candidate.name, "credential unavailable");
                    failures.push(format!("{}: {}", candidate.name, self.clean(&error)));
                }
            }
        }
        let single = self.candidates.len() == 1 && self.unavailable.is_empty();
        if let (true, Some(candidate)) = (single, self.candidates.first()) {
            let prefix = format!("{}: ", candidate.name);
            let message = failures
                .join("; ")
                .strip_prefix(&prefix)
                .map(str::to_owned)
                .unwrap_or_else(|| failures.join("; "));
            return Err(ArmError::Credential {
                credential: candidate.name.to_string(),
                message,
                hint: candidate.hint.to_string(),
            });
        }
        let (credential, hint) = match (single, self.candidates.first()) {
            (true, Some(candidate)) => (candidate.name.to_string(), candidate.hint),
            _ => (
                format!(
                    "{}: tried {}",
                    self.requested,
                    self.candidates
                        .iter()
                        .map(|candidate| candidate.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                HINT_AUTO,
            ),
        };
        Err(ArmError::Credential {
            credential,
            message: failures.join("; "),
            hint: hint.to_string(),
        })
    }

    /// The credential library's message and every underlying cause (the library's own text
    /// often hides the root cause behind "retry policy expired"), a few lines of each, with
    /// secrets and tokens removed.
    fn clean(&self, error: &azure_core::Error) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cause) = current {
            let text = cause.to_string();
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with("To troubleshoot"))
                .take(3)
                .collect();
            let part = lines.join(" ");
            if !part.is_empty() && !parts.iter().any(|known| known.contains(&part)) {
                parts.push(part);
            }
            current = cause.source();
        }
        scrub(&parts.join(": "), &self.secrets)
    }
}

/// Removes known secret values, then token-looking text.
fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|secret| secret.len() >= 4) {
        text = text.replace(secret.as_str(), "<redacted>");
    }
    redact(&text)
}

fn azure_cli(_env: EnvLookup<'_>) -> Result<Candidate, ArmError> {
    let credential = AzureCliCredential::new(None).map_err(|error| ArmError::Credential {
        credential: "azure-cli".into(),
        message: redact(&error.to_string()),
        hint: HINT_AZURE_CLI.into(),
    })?;
    Ok(Candidate {
        name: "azure-cli",
        credential,
        hint: HINT_AZURE_CLI,
    })
}

fn required(env: EnvLookup<'_>, names: &[&str], kind: &str, hint: &str) -> Result<(), ArmError> {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| env(name).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ArmError::Credential {
        credential: kind.to_string(),
        message: format!("{} not set", missing.join(", ")),
        hint: hint.to_string(),
    })
}

fn workload_identity(
    env: EnvLookup<'_>,
    client_options: &ClientOptions,
) -> Result<Candidate, ArmError> {
    let names = [
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
    ];
    required(env, &names, "workload-identity", HINT_WORKLOAD)?;
    let options = WorkloadIdentityCredentialOptions {
        credential_options: ClientAssertionCredentialOptions {
            client_options: client_options.clone(),
        },
        client_id: env("AZURE_CLIENT_ID"),
        tenant_id: env("AZURE_TENANT_ID"),
        token_file_path: env("AZURE_FEDERATED_TOKEN_FILE").map(Into::into),
    };
    let credential =
        WorkloadIdentityCredential::new(Some(options)).map_err(|error| ArmError::Credential {
            credential: "workload-identity".into(),
            message: redact(&error.to_string()),
            hint: HINT_WORKLOAD.into(),
        })?;
    Ok(Candidate {
        name: "workload-identity",
        credential,
        hint: HINT_WORKLOAD,
    })
}

fn client_secret(
    env: EnvLookup<'_>,
    client_options: &ClientOptions,
) -> Result<Candidate, ArmError> {
    let names = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"];
    required(env, &names, "client-secret", HINT_CLIENT_SECRET)?;
    let (Some(tenant), Some(client_id), Some(secret)) = (
        env("AZURE_TENANT_ID"),
        env("AZURE_CLIENT_ID"),
        env("AZURE_CLIENT_SECRET"),
    ) else {
        return Err(ArmError::Credential {
            credential: "client-secret".into(),
            message: "AZURE_TENANT_ID, AZURE_CLIENT_ID or AZURE_CLIENT_SECRET not set".into(),
            hint: HINT_CLIENT_SECRET.into(),
        });
    };
    let options = ClientSecretCredentialOptions {
        client_options: client_options.clone(),
    };
    let credential = ClientSecretCredential::new(
        &tenant,
        client_id,
        Secret::new(secret.clone()),
        Some(options),
    )
    .map_err(|error| ArmError::Credential {
        credential: "client-secret".into(),
        message: scrub(&error.to_string(), &[secret]),
        hint: HINT_CLIENT_SECRET.into(),
    })?;
    Ok(Candidate {
        name: "client-secret",
        credential,
        hint: HINT_CLIENT_SECRET,
    })
}

fn managed_identity(
    env: EnvLookup<'_>,
    client_options: &ClientOptions,
) -> Result<Candidate, ArmError> {
    let options = ManagedIdentityCredentialOptions {
        user_assigned_id: env("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
        client_options: client_options.clone(),
    };
    let credential =
        ManagedIdentityCredential::new(Some(options)).map_err(|error| ArmError::Credential {
            credential: "managed-identity".into(),
            message: redact(&error.to_string()),
            hint: HINT_MANAGED.into(),
        })?;
    Ok(Candidate {
        name: "managed-identity",
        credential,
        hint: HINT_MANAGED,
    })
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("credential", &self.describe())
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    #[test]
    fn explicit_client_secret_names_the_missing_variables() {
        let env = lookup(&[("AZURE_TENANT_ID", "t")]);
        let error = TokenProvider::from_environment(
            CredentialKind::ClientSecret,
            Cloud::AzureCloud,
            &env,
            reqwest::Client::new(),
        )
        .unwrap_err();
        let ArmError::Credential { message, .. } = &error else {
            panic!("expected a credential error, got {error:?}");
        };
        assert_eq!(message, "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET not set");
    }

    #[test]
    fn plain_http_authority_is_refused_unless_loopback() {
        let env = lookup(&[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_CLIENT_SECRET", "CANARY-secret-value"),
            ("AZURE_AUTHORITY_HOST", "http://login.example.com"),
        ]);
        let error = TokenProvider::from_environment(
            CredentialKind::ClientSecret,
            Cloud::AzureCloud,
            &env,
            reqwest::Client::new(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("https"));
        assert!(!format!("{error} {error:?}").contains("CANARY"));
    }

    #[test]
    fn auto_uses_workload_identity_and_client_secret_only_when_configured() {
        let env = lookup(&[]);
        let provider = TokenProvider::from_environment(
            CredentialKind::Auto,
            Cloud::AzureCloud,
            &env,
            reqwest::Client::new(),
        )
        .unwrap();
        let Source::Chain(chain) = &provider.source else {
            panic!("expected a chain");
        };
        let names: Vec<&str> = chain.candidates.iter().map(|c| c.name).collect();
        assert_eq!(names, ["azure-cli"]);

        let env = lookup(&[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_CLIENT_SECRET", "s3cret-value"),
        ]);
        let provider = TokenProvider::from_environment(
            CredentialKind::Auto,
            Cloud::AzureUsGovernment,
            &env,
            reqwest::Client::new(),
        )
        .unwrap();
        assert_eq!(
            provider.scope,
            "https://management.usgovcloudapi.net/.default"
        );
        let Source::Chain(chain) = &provider.source else {
            panic!("expected a chain");
        };
        let names: Vec<&str> = chain.candidates.iter().map(|c| c.name).collect();
        assert_eq!(names, ["azure-cli", "client-secret"]);
        assert!(!format!("{provider:?}").contains("s3cret"));
    }

    #[test]
    fn token_scope_can_be_overridden() {
        let env = lookup(&[("AKSCTL_TOKEN_SCOPE", "api://mock/.default")]);
        let provider = TokenProvider::from_environment(
            CredentialKind::AzureCli,
            Cloud::AzureCloud,
            &env,
            reqwest::Client::new(),
        )
        .unwrap();
        assert_eq!(provider.scope, "api://mock/.default");
    }

    #[test]
    fn scrub_removes_known_secrets() {
        let text = scrub(
            "invalid client secret CANARY-1234 provided",
            &["CANARY-1234".into()],
        );
        assert!(!text.contains("CANARY-1234"));
    }
}

//! Federated credential rules: issuer references (a declared cluster with its OIDC issuer, or an
//! https URL), service-account subjects, one audience, at most 20 per identity, and no duplicate
//! issuer + subject on one identity.

use std::collections::BTreeMap;

use crate::spec::types::{Estate, FederatedCredential};
use crate::spec::validate::names::did_you_mean;
use crate::spec::validate::{field, item, Problems};

/// Entra's limit of federated credentials per user-assigned identity.
pub const MAX_FEDERATED_CREDENTIALS: usize = 20;

pub(super) fn check(estate: &Estate, problems: &mut Problems) {
    for (index, identity) in estate.identities.iter().enumerate() {
        let path = item("identities", index);
        let list_path = field(&path, "federatedCredentials");
        if identity.federated_credentials.len() > MAX_FEDERATED_CREDENTIALS {
            problems.add(
                &list_path,
                format!(
                    "identity `{}` has {} federated credentials (after `clusters:` expansion); Entra allows {MAX_FEDERATED_CREDENTIALS}",
                    identity.name,
                    identity.federated_credentials.len()
                ),
                "split the workloads over several identities",
            );
        }
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (position, credential) in identity.federated_credentials.iter().enumerate() {
            let credential_path = item(&list_path, position);
            let issuer = issuer_key(estate, credential, &credential_path, problems);
            let subject = subject(credential, &credential_path, problems);
            if credential.audiences.len() != 1 {
                problems.add(
                    field(&credential_path, "audiences"),
                    format!(
                        "{} audiences; a federated credential takes exactly one",
                        credential.audiences.len()
                    ),
                    "keep one, normally `api://AzureADTokenExchange`",
                );
            }
            if let (Some(issuer), Some(subject)) = (issuer, subject) {
                match seen.get(&(issuer.clone(), subject.clone())) {
                    Some(first) => problems.add(
                        &credential_path,
                        format!("same issuer and subject as {} (`{subject}`)", item(&list_path, *first)),
                        "Entra rejects a second credential with the same issuer and subject on one identity; remove one",
                    ),
                    None => {
                        seen.insert((issuer, subject), position);
                    }
                }
            }
        }
    }
}

/// A comparable issuer (`cluster:NAME` or the URL), reporting bad references.
fn issuer_key(
    estate: &Estate,
    credential: &FederatedCredential,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    if let Some(name) = &credential.cluster {
        let cluster_path = field(path, "cluster");
        return match estate.cluster(name) {
            None => {
                let hint = did_you_mean(name, estate.clusters.iter().map(|c| c.name.as_str()))
                    .unwrap_or_else(|| {
                        "declare the cluster under `clusters`, or use a literal `issuer`"
                            .to_string()
                    });
                problems.add(
                    cluster_path,
                    format!("cluster `{name}` is not declared in this estate"),
                    hint,
                );
                None
            }
            Some(cluster) if cluster.oidc_issuer == Some(false) => {
                problems.add(
                    cluster_path,
                    format!(
                        "cluster `{name}` has `oidcIssuer: false`, so it has no issuer to trust"
                    ),
                    "set `oidcIssuer: true` on the cluster",
                );
                None
            }
            Some(_) => Some(format!("cluster:{name}")),
        };
    }
    let issuer = credential.issuer.as_ref()?;
    if !issuer.starts_with("https://") || issuer.len() > 600 || issuer.contains(char::is_whitespace)
    {
        problems.add(
            field(path, "issuer"),
            format!("`{issuer}` is not an issuer URL"),
            "an https URL of at most 600 chars, e.g. the cluster's OIDC issuer URL",
        );
        return None;
    }
    Some(issuer.trim_end_matches('/').to_string())
}

/// The subject claim, reporting malformed service accounts and subjects.
fn subject(
    credential: &FederatedCredential,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    if let Some(service_account) = &credential.service_account {
        let valid = service_account
            .split_once('/')
            .is_some_and(|(namespace, name)| dns_label(namespace) && dns_subdomain(name));
        if !valid {
            problems.add(
                field(path, "serviceAccount"),
                format!("malformed service account `{service_account}`"),
                "write `namespace/name` in lower case, e.g. `orders-prod/orders-api`",
            );
            return None;
        }
        return credential.subject_claim();
    }
    let subject = credential.subject.as_ref()?;
    if subject.is_empty() || subject.len() > 600 || subject.contains('*') {
        problems.add(
            field(path, "subject"),
            format!("`{subject}` is not a valid subject"),
            "1-600 chars without wildcards, e.g. `system:serviceaccount:ns:name`",
        );
        return None;
    }
    Some(subject.clone())
}

/// A Kubernetes namespace: RFC 1123 label.
fn dns_label(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A service account name: RFC 1123 subdomain.
fn dns_subdomain(text: &str) -> bool {
    (1..=253).contains(&text.len()) && text.split('.').all(dns_label)
}

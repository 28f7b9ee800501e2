//! Typed references between estate resources: role-assignment scopes (`keyVault/kv-x`,
//! `storageContainer/st/backups`, `subscription`, raw ARM ids), federated-credential issuers and
//! subjects. Parsing only; whether the target exists is checked in `validate`.

use std::fmt;

use crate::spec::types::FederatedCredential;

/// What a role assignment's `scope` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScopeReference {
    /// The estate's subscription.
    Subscription,
    ResourceGroup(String),
    Registry(String),
    KeyVault(String),
    StorageAccount(String),
    StorageContainer {
        account: String,
        container: String,
    },
    Cluster(String),
    Identity(String),
    /// A raw ARM id (starts with `/subscriptions/`), not managed by this estate.
    ArmId(String),
}

/// Why a scope string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{scope}` is not a scope: {reason}")]
pub struct ScopeParseError {
    pub scope: String,
    pub reason: String,
}

/// The prefixes a logical scope may start with, for messages and the schema.
pub const SCOPE_PREFIXES: &[&str] = &[
    "resourceGroup",
    "registry",
    "keyVault",
    "storageAccount",
    "storageContainer",
    "cluster",
    "identity",
];

impl ScopeReference {
    /// Parses a scope as the estate writes it.
    pub fn parse(scope: &str) -> Result<ScopeReference, ScopeParseError> {
        let error = |reason: &str| ScopeParseError {
            scope: scope.to_string(),
            reason: reason.to_string(),
        };
        if scope == "subscription" {
            return Ok(ScopeReference::Subscription);
        }
        if scope.starts_with('/') {
            let lower = scope.to_ascii_lowercase();
            let segments: Vec<&str> = scope.trim_start_matches('/').split('/').collect();
            if !lower.starts_with("/subscriptions/")
                || segments.len() < 2
                || segments.iter().any(|segment| segment.is_empty())
            {
                return Err(error(
                    "a raw ARM id must look like `/subscriptions/{id}/...`",
                ));
            }
            return Ok(ScopeReference::ArmId(scope.to_string()));
        }
        let Some((prefix, rest)) = scope.split_once('/') else {
            return Err(error(
                "write `subscription`, `KIND/NAME` (e.g. `keyVault/kv-prod`) or an ARM id",
            ));
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.iter().any(|part| part.trim().is_empty()) {
            return Err(error("a name in the scope is empty"));
        }
        let single = |build: fn(String) -> ScopeReference| {
            if parts.len() == 1 {
                Ok(build(parts[0].to_string()))
            } else {
                Err(error(&format!("`{prefix}/` takes exactly one name")))
            }
        };
        match prefix {
            "resourceGroup" => single(ScopeReference::ResourceGroup),
            "registry" => single(ScopeReference::Registry),
            "keyVault" => single(ScopeReference::KeyVault),
            "storageAccount" => single(ScopeReference::StorageAccount),
            "cluster" => single(ScopeReference::Cluster),
            "identity" => single(ScopeReference::Identity),
            "storageContainer" if parts.len() == 2 => Ok(ScopeReference::StorageContainer {
                account: parts[0].to_string(),
                container: parts[1].to_string(),
            }),
            "storageContainer" => Err(error("write `storageContainer/ACCOUNT/CONTAINER`")),
            _ => Err(error(&format!(
                "unknown kind `{prefix}`; use one of {}",
                SCOPE_PREFIXES.join(", ")
            ))),
        }
    }

    /// A short name for generated logical names: `kv-prod`, `st-backups`, `subscription`.
    pub fn short_name(&self) -> String {
        match self {
            ScopeReference::Subscription => "subscription".to_string(),
            ScopeReference::ResourceGroup(name)
            | ScopeReference::Registry(name)
            | ScopeReference::KeyVault(name)
            | ScopeReference::StorageAccount(name)
            | ScopeReference::Cluster(name)
            | ScopeReference::Identity(name) => name.clone(),
            ScopeReference::StorageContainer { account, container } => {
                format!("{account}-{container}")
            }
            ScopeReference::ArmId(id) => id.rsplit('/').next().unwrap_or_default().to_string(),
        }
    }
}

impl fmt::Display for ScopeReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeReference::Subscription => f.write_str("subscription"),
            ScopeReference::ResourceGroup(name) => write!(f, "resourceGroup/{name}"),
            ScopeReference::Registry(name) => write!(f, "registry/{name}"),
            ScopeReference::KeyVault(name) => write!(f, "keyVault/{name}"),
            ScopeReference::StorageAccount(name) => write!(f, "storageAccount/{name}"),
            ScopeReference::StorageContainer { account, container } => {
                write!(f, "storageContainer/{account}/{container}")
            }
            ScopeReference::Cluster(name) => write!(f, "cluster/{name}"),
            ScopeReference::Identity(name) => write!(f, "identity/{name}"),
            ScopeReference::ArmId(id) => f.write_str(id),
        }
    }
}

/// Where a federated credential's issuer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerSource<'a> {
    /// The OIDC issuer URL of this estate cluster (known after the cluster exists).
    Cluster(&'a str),
    /// A literal issuer URL.
    Literal(&'a str),
}

/// The audience workload identity tokens carry, the default for every federated credential.
pub const WORKLOAD_IDENTITY_AUDIENCE: &str = "api://AzureADTokenExchange";

impl FederatedCredential {
    /// The issuer of an expanded (defaulted) credential: `cluster` or `issuer`. `None` before
    /// `clusters:` expansion or when the credential declares neither.
    pub fn issuer_source(&self) -> Option<IssuerSource<'_>> {
        match (&self.cluster, &self.issuer) {
            (Some(cluster), None) => Some(IssuerSource::Cluster(cluster)),
            (None, Some(issuer)) => Some(IssuerSource::Literal(issuer)),
            _ => None,
        }
    }

    /// The token subject: `system:serviceaccount:{namespace}:{name}` for `serviceAccount`, else
    /// the literal `subject`.
    pub fn subject_claim(&self) -> Option<String> {
        match (&self.service_account, &self.subject) {
            (Some(service_account), None) => {
                let (namespace, name) = service_account.split_once('/')?;
                Some(format!("system:serviceaccount:{namespace}:{name}"))
            }
            (None, Some(subject)) => Some(subject.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_print_back() {
        for text in [
            "subscription",
            "resourceGroup/rg-a",
            "registry/acrprod",
            "keyVault/kv-a",
            "storageAccount/stbackups",
            "storageContainer/stbackups/backups",
            "cluster/aks-a",
            "identity/id-orders",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net",
        ] {
            let parsed = ScopeReference::parse(text).expect(text);
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(
            ScopeReference::parse("storageContainer/st/backups"),
            Ok(ScopeReference::StorageContainer {
                account: "st".into(),
                container: "backups".into()
            })
        );
    }

    #[test]
    fn bad_scopes_are_rejected() {
        for text in [
            "vault/kv",
            "keyVault/",
            "keyVault/a/b",
            "storageContainer/st",
            "kv-a",
            "/resourceGroups/x",
            "",
        ] {
            assert!(ScopeReference::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn subject_from_service_account() {
        let credential = FederatedCredential {
            name: "orders".into(),
            cluster: Some("aks".into()),
            clusters: vec![],
            issuer: None,
            service_account: Some("orders-prod/orders-api".into()),
            subject: None,
            audiences: vec![],
        };
        assert_eq!(
            credential.subject_claim().as_deref(),
            Some("system:serviceaccount:orders-prod:orders-api")
        );
        assert_eq!(
            credential.issuer_source(),
            Some(IssuerSource::Cluster("aks"))
        );
    }
}

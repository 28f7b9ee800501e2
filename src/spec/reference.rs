//! Typed references between estate resources: role-assignment scopes (`keyVault/kv-x`,
//! `storageContainer/st/backups`, `subscription`, raw ARM ids), federated-credential issuers and
//! subjects. Parsing only; whether the target exists is checked in `validate`.

use std::fmt;

use crate::kind::Kind;
use crate::spec::types::FederatedCredential;

/// What a role assignment's `scope` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScopeReference {
    /// The estate's subscription.
    Subscription,
    /// An estate resource: its kind and logical name, the names of its non-singleton ancestors
    /// first for a child (`<account>/<container>` for a blob container).
    Resource { kind: Kind, name: String },
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

/// The kinds a role may be granted on, with the prefix a logical scope names them by.
pub fn scope_kinds() -> impl Iterator<Item = (Kind, &'static str)> {
    Kind::ALL
        .into_iter()
        .filter_map(|kind| kind.descriptor().scope_prefix.map(|prefix| (kind, prefix)))
}

/// How many names a logical reference to `kind` has: one per level that is not a singleton
/// (`storageContainer/<account>/<container>` has two).
pub fn name_count(kind: Kind) -> usize {
    std::iter::successors(Some(kind), |kind| kind.parent())
        .filter(|kind| kind.descriptor().singleton_name.is_none())
        .count()
}

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
        let Some((kind, _)) = scope_kinds().find(|(_, known)| *known == prefix) else {
            let known: Vec<&str> = scope_kinds().map(|(_, known)| known).collect();
            return Err(error(&format!(
                "unknown kind `{prefix}`; use one of {}",
                known.join(", ")
            )));
        };
        match name_count(kind) {
            1 if parts.len() == 1 => {}
            1 => return Err(error(&format!("`{prefix}/` takes exactly one name"))),
            count if parts.len() != count => {
                return Err(error(&format!(
                    "`{prefix}/` takes {count} names separated by `/` (parent first)"
                )))
            }
            _ => {}
        }
        Ok(ScopeReference::Resource {
            kind,
            name: rest.to_string(),
        })
    }

    /// A short name for generated logical names: `kv-prod`, `st-backups`, `subscription`.
    pub fn short_name(&self) -> String {
        match self {
            ScopeReference::Subscription => "subscription".to_string(),
            ScopeReference::Resource { name, .. } => name.replace('/', "-"),
            ScopeReference::ArmId(id) => id.rsplit('/').next().unwrap_or_default().to_string(),
        }
    }
}

impl fmt::Display for ScopeReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeReference::Subscription => f.write_str("subscription"),
            ScopeReference::Resource { kind, name } => {
                let prefix = kind
                    .descriptor()
                    .scope_prefix
                    .unwrap_or(kind.address_prefix());
                write!(f, "{prefix}/{name}")
            }
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
            "logAnalyticsWorkspace/log-a",
            "cluster/aks-a",
            "identity/id-orders",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net",
        ] {
            let parsed = ScopeReference::parse(text).expect(text);
            assert_eq!(parsed.to_string(), text);
        }
        assert_eq!(
            ScopeReference::parse("storageContainer/st/backups"),
            Ok(ScopeReference::Resource {
                kind: crate::kind::Kind::BlobContainer,
                name: "st/backups".into()
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

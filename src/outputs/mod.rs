//! What apply learned that other tools need, read back from live ARM for the declared estate:
//! cluster OIDC issuers and kubelet identities, identity client/principal ids, registry login
//! servers, vault URIs, and each federated credential's issuer checked against its cluster's
//! current issuer (the DR check). Also the Kubernetes ServiceAccounts workload identity needs.
//! Pure: desired + live in, data out.

pub mod drift;
pub mod rehearsal;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::desired::{DesiredResource, DesiredState};
use crate::kind::Kind;
use crate::live::LiveState;
use crate::spec::types::{Cluster, DeclaredKind, Identity, KeyVault, Registry};

/// JSON pointer of a cluster's OIDC issuer URL in its ARM body.
pub const ISSUER_OUTPUT: &str = "/properties/oidcIssuerProfile/issuerURL";

/// Everything `aksctl outputs` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outputs {
    pub estate: String,
    pub subscription: String,
    pub clusters: Vec<ClusterOutput>,
    pub identities: Vec<IdentityOutput>,
    pub registries: Vec<RegistryOutput>,
    pub key_vaults: Vec<VaultOutput>,
    pub federated_credentials: Vec<CredentialOutput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterOutput {
    pub name: String,
    pub id: String,
    pub exists: bool,
    pub location: Option<String>,
    pub oidc_issuer_url: Option<String>,
    pub kubelet_identity: Option<KubeletIdentity>,
    pub fqdn: Option<String>,
    /// The resource group AKS made for the nodes (`MC_...`).
    pub node_resource_group: Option<String>,
    /// The identity AKS made for the Key Vault CSI add-on: grant it `Key Vault Secrets User` on
    /// a vault, or name its client id in a `SecretProviderClass`.
    pub key_vault_secrets_provider_identity: Option<KubeletIdentity>,
}

/// The ids of a managed identity AKS made (kubelet, an add-on's).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KubeletIdentity {
    pub client_id: Option<String>,
    pub object_id: Option<String>,
    pub resource_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityOutput {
    pub name: String,
    pub id: String,
    pub client_id: Option<String>,
    pub principal_id: Option<String>,
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryOutput {
    pub name: String,
    pub login_server: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultOutput {
    pub name: String,
    pub vault_uri: Option<String>,
}

/// One federated credential: what it trusts now, and what it should trust.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialOutput {
    /// Plan address, `federatedCredential/<identity>/<name>`.
    pub address: String,
    pub identity: String,
    pub name: String,
    pub subject: Option<String>,
    /// The issuer the credential holds in ARM (`None` when the credential does not exist).
    pub issuer: Option<String>,
    /// The cluster whose issuer it follows (`None` for a literal issuer).
    pub cluster: Option<String>,
    /// The issuer it should hold: the cluster's current one, or the declared literal.
    pub expected_issuer: Option<String>,
    pub status: CredentialStatus,
}

/// Whether a credential trusts what it should.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CredentialStatus {
    /// Its issuer equals the expected one.
    Matches,
    /// It holds another issuer (e.g. a recreated cluster's old one): tokens are refused.
    Stale,
    /// The credential does not exist in ARM.
    Missing,
    /// Its cluster does not exist (or reports no issuer), so nothing can be checked.
    ClusterMissing,
}

impl Outputs {
    /// Credentials that do not trust what they should.
    pub fn problems(&self) -> Vec<&CredentialOutput> {
        self.federated_credentials
            .iter()
            .filter(|credential| credential.status != CredentialStatus::Matches)
            .collect()
    }

    /// Declared clusters that do not exist.
    pub fn missing_clusters(&self) -> Vec<&ClusterOutput> {
        self.clusters
            .iter()
            .filter(|cluster| !cluster.exists)
            .collect()
    }
}

/// Collects the outputs of `desired` from `live`.
pub fn collect(desired: &DesiredState, live: &LiveState) -> Outputs {
    let body_of = |resource: &DesiredResource| live.get(&resource.id).map(|live| &live.body);
    let text = |body: Option<&Value>, pointer: &str| {
        body.and_then(|body| body.pointer(pointer))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let of_kind = |kind: Kind| {
        desired
            .resources
            .iter()
            .filter(move |resource| resource.kind == kind)
    };

    let clusters: Vec<ClusterOutput> = of_kind(Cluster::KIND)
        .map(|resource| {
            let body = body_of(resource);
            let kubelet =
                body.and_then(|body| body.pointer("/properties/identityProfile/kubeletidentity"));
            ClusterOutput {
                name: resource.id.name().to_owned(),
                id: resource.id.to_string(),
                exists: body.is_some(),
                location: text(body, "/location"),
                oidc_issuer_url: text(body, ISSUER_OUTPUT),
                kubelet_identity: kubelet.map(|identity| KubeletIdentity {
                    client_id: text(Some(identity), "/clientId"),
                    object_id: text(Some(identity), "/objectId"),
                    resource_id: text(Some(identity), "/resourceId"),
                }),
                fqdn: text(body, "/properties/privateFQDN")
                    .or_else(|| text(body, "/properties/fqdn")),
                node_resource_group: text(body, "/properties/nodeResourceGroup"),
                key_vault_secrets_provider_identity: body
                    .and_then(|body| {
                        body.pointer(
                            "/properties/addonProfiles/azureKeyvaultSecretsProvider/identity",
                        )
                    })
                    .map(|identity| KubeletIdentity {
                        client_id: text(Some(identity), "/clientId"),
                        object_id: text(Some(identity), "/objectId"),
                        resource_id: text(Some(identity), "/resourceId"),
                    }),
            }
        })
        .collect();
    let issuer_by_address: BTreeMap<&str, Option<&str>> = of_kind(Cluster::KIND)
        .zip(&clusters)
        .map(|(resource, cluster)| {
            (
                resource.address.as_str(),
                cluster.oidc_issuer_url.as_deref(),
            )
        })
        .collect();

    let identities = of_kind(Identity::KIND)
        .map(|resource| {
            let body = body_of(resource);
            IdentityOutput {
                name: resource.id.name().to_owned(),
                id: resource.id.to_string(),
                client_id: text(body, "/properties/clientId"),
                principal_id: text(body, "/properties/principalId"),
                tenant_id: text(body, "/properties/tenantId"),
            }
        })
        .collect();
    let registries = of_kind(Registry::KIND)
        .map(|resource| RegistryOutput {
            name: resource.id.name().to_owned(),
            login_server: text(body_of(resource), "/properties/loginServer"),
        })
        .collect();
    let key_vaults = of_kind(KeyVault::KIND)
        .map(|resource| VaultOutput {
            name: resource.id.name().to_owned(),
            vault_uri: text(body_of(resource), "/properties/vaultUri"),
        })
        .collect();
    let federated_credentials = of_kind(Kind::FederatedIdentityCredential)
        .map(|resource| credential_output(resource, body_of(resource), &issuer_by_address))
        .collect();

    Outputs {
        estate: desired.estate.clone(),
        subscription: desired.subscription.clone(),
        clusters,
        identities,
        registries,
        key_vaults,
        federated_credentials,
    }
}

fn credential_output(
    resource: &DesiredResource,
    live: Option<&Value>,
    issuer_by_address: &BTreeMap<&str, Option<&str>>,
) -> CredentialOutput {
    let text = |body: Option<&Value>, pointer: &str| {
        body.and_then(|body| body.pointer(pointer))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let source = resource
        .deferred
        .iter()
        .find(|deferred| deferred.path == "/properties/issuer" && deferred.output == ISSUER_OUTPUT)
        .map(|deferred| deferred.source.as_str());
    let cluster = source.map(|address| address.trim_start_matches("cluster/").to_owned());
    let expected_issuer = match source {
        Some(address) => issuer_by_address
            .get(address)
            .copied()
            .flatten()
            .map(str::to_owned),
        None => text(Some(&resource.body), "/properties/issuer"),
    };
    let issuer = text(live, "/properties/issuer");
    let status = match (&issuer, &expected_issuer) {
        _ if live.is_none() => CredentialStatus::Missing,
        (_, None) => CredentialStatus::ClusterMissing,
        (Some(held), Some(expected)) if held == expected => CredentialStatus::Matches,
        _ => CredentialStatus::Stale,
    };
    let identity = resource
        .id
        .parent()
        .map(|parent| parent.name().to_owned())
        .unwrap_or_default();
    CredentialOutput {
        address: resource.address.clone(),
        identity,
        name: resource.id.name().to_owned(),
        subject: text(live, "/properties/subject")
            .or_else(|| text(Some(&resource.body), "/properties/subject")),
        issuer,
        cluster,
        expected_issuer,
        status,
    }
}

/// A Kubernetes ServiceAccount that a federated credential trusts, with the identity it maps to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    pub namespace: String,
    pub name: String,
    /// The identity's client id (`None` while the identity does not exist).
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    /// The identity's logical name.
    pub identity: String,
}

/// One ServiceAccount per distinct `system:serviceaccount:<namespace>:<name>` subject (a
/// credential per cluster maps the same account once), sorted by namespace and name. Subjects
/// that are not service accounts are skipped.
pub fn service_accounts(outputs: &Outputs) -> Vec<ServiceAccount> {
    let identities: BTreeMap<&str, &IdentityOutput> = outputs
        .identities
        .iter()
        .map(|identity| (identity.name.as_str(), identity))
        .collect();
    let mut accounts: BTreeMap<(String, String, String), ServiceAccount> = BTreeMap::new();
    for credential in &outputs.federated_credentials {
        let Some((namespace, name)) = credential
            .subject
            .as_deref()
            .and_then(|subject| subject.strip_prefix("system:serviceaccount:"))
            .and_then(|rest| rest.split_once(':'))
        else {
            continue;
        };
        let identity = identities.get(credential.identity.as_str());
        accounts
            .entry((
                namespace.to_owned(),
                name.to_owned(),
                credential.identity.clone(),
            ))
            .or_insert_with(|| ServiceAccount {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                client_id: identity.and_then(|identity| identity.client_id.clone()),
                tenant_id: identity.and_then(|identity| identity.tenant_id.clone()),
                identity: credential.identity.clone(),
            });
    }
    accounts.into_values().collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

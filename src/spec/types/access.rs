//! Identities and access: user-assigned identities with federated credentials, and role
//! assignments with their principals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Tags;

/// `Microsoft.ManagedIdentity/userAssignedIdentities` with its federated credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identity {
    /// 3-128 chars: letters, digits, `-`, `_`, starting with a letter or digit.
    pub name: String,
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
    /// At most 20 (after `clusters:` expansion).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federated_credentials: Vec<FederatedCredential>,
}

/// A federated identity credential: which external tokens may act as the identity.
///
/// Exactly one issuer source: `cluster` (that cluster's OIDC issuer URL, known after apply),
/// `clusters` (one credential per cluster, see below) or a literal `issuer`. Exactly one subject:
/// `serviceAccount: namespace/name` or a literal `subject`.
///
/// `clusters: [a, b, c]` expands (in defaulting) to one credential per cluster: the first keeps
/// `name`, each other one is named `{name}-{cluster}`, so adding a standby cluster never renames
/// the primary's credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FederatedCredential {
    /// 3-120 chars: alphanumeric first, then letters, digits, `-`, `_`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `namespace/name` of a Kubernetes service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Defaults to `[api://AzureADTokenExchange]`; exactly one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audiences: Vec<String>,
}

string_enum!(
    /// Principal type of an object id in a role assignment.
    PrincipalType { User => "User", Group => "Group", ServicePrincipal => "ServicePrincipal" }
);

/// A role assignment: `principal` gets `role` at `scope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleAssignment {
    /// Logical name (the plan address `roleAssignment/<name>`, and the merge key across files).
    /// Defaults to `{principal}-{role}-on-{scope}` in kebab case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub principal: Principal,
    /// A built-in role name (`Key Vault Secrets User`), a role definition GUID, or a role
    /// definition id `/.../providers/Microsoft.Authorization/roleDefinitions/{guid}`.
    /// See `spec::roles`.
    pub role: String,
    /// `subscription`, `resourceGroup/NAME`, `registry/NAME`, `keyVault/NAME`,
    /// `storageAccount/NAME`, `storageContainer/ACCOUNT/CONTAINER`, `logAnalyticsWorkspace/NAME`,
    /// `cluster/NAME`, `identity/NAME`, or a raw ARM id starting with `/subscriptions/`. Parse it with
    /// [`crate::spec::ScopeReference::parse`].
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Who gets a role. Written as a one-key mapping, e.g. `principal: {identity: id-orders}`, or
/// `principal: {objectId: <guid>, principalType: Group}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PrincipalFields", into = "PrincipalFields")]
pub enum Principal {
    /// A user-assigned identity in `identities` (its principal id is known after apply).
    Identity(String),
    /// A cluster's kubelet identity (AKS-created or `kubeletIdentity`).
    ClusterKubelet(String),
    /// A cluster's control-plane identity (system- or user-assigned).
    ClusterIdentity(String),
    /// An Entra object id (user, group or service principal) aksctl does not manage.
    ObjectId {
        object_id: String,
        principal_type: PrincipalType,
    },
}

/// The YAML shape of [`Principal`]: exactly one of the first four fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrincipalFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_kubelet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<PrincipalType>,
}

impl TryFrom<PrincipalFields> for Principal {
    type Error = String;

    fn try_from(fields: PrincipalFields) -> Result<Self, Self::Error> {
        match fields {
            PrincipalFields {
                identity: Some(name),
                cluster_kubelet: None,
                cluster_identity: None,
                object_id: None,
                principal_type: None,
            } => Ok(Principal::Identity(name)),
            PrincipalFields {
                identity: None,
                cluster_kubelet: Some(name),
                cluster_identity: None,
                object_id: None,
                principal_type: None,
            } => Ok(Principal::ClusterKubelet(name)),
            PrincipalFields {
                identity: None,
                cluster_kubelet: None,
                cluster_identity: Some(name),
                object_id: None,
                principal_type: None,
            } => Ok(Principal::ClusterIdentity(name)),
            PrincipalFields {
                identity: None,
                cluster_kubelet: None,
                cluster_identity: None,
                object_id: Some(object_id),
                principal_type: Some(principal_type),
            } => Ok(Principal::ObjectId {
                object_id,
                principal_type,
            }),
            _ => Err(
                "principal must be exactly one of `identity`, `clusterKubelet`, \
                 `clusterIdentity`, or `objectId` with `principalType`"
                    .to_string(),
            ),
        }
    }
}

impl From<Principal> for PrincipalFields {
    fn from(principal: Principal) -> Self {
        match principal {
            Principal::Identity(name) => PrincipalFields {
                identity: Some(name),
                ..PrincipalFields::default()
            },
            Principal::ClusterKubelet(name) => PrincipalFields {
                cluster_kubelet: Some(name),
                ..PrincipalFields::default()
            },
            Principal::ClusterIdentity(name) => PrincipalFields {
                cluster_identity: Some(name),
                ..PrincipalFields::default()
            },
            Principal::ObjectId {
                object_id,
                principal_type,
            } => PrincipalFields {
                object_id: Some(object_id),
                principal_type: Some(principal_type),
                ..PrincipalFields::default()
            },
        }
    }
}

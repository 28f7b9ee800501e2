//! Lowering of user-assigned identities and their federated identity credentials.
//!
//! A credential's issuer is either a literal URL or an estate cluster's OIDC issuer, which is
//! known only once the cluster exists: `issuer` is then `null` and deferred from
//! `cluster/<name>` `/properties/oidcIssuerProfile/issuerURL`. A credential that lists several
//! clusters (`clusters: [a, b]`) becomes one credential per cluster, named as the spec's
//! defaulting names them: the first keeps `name`, each other one is `{name}-{cluster}` (so adding
//! a standby cluster never renames the primary's credential). Loaded estates arrive expanded;
//! lowering applies the same rule to an estate that was not.

use serde_json::{json, Value};

use crate::desired::context::{address_of, address_of_resource, deferred, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::Kind;
use crate::spec::reference::{IssuerSource, WORKLOAD_IDENTITY_AUDIENCE};
use crate::spec::types::{FederatedCredential, Identity};

/// The pointer of a cluster's OIDC issuer URL in its ARM body.
pub const ISSUER_OUTPUT: &str = "/properties/oidcIssuerProfile/issuerURL";

/// `identity/<name>`: `{location, tags}` (everything else about an identity is read-only).
pub fn lower_identities(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for identity in &lowering.estate.identities {
        let address = address_of_resource(identity);
        let body = lowering.tracked_body(
            identity.location.as_deref(),
            &identity.resource_group,
            &identity.tags,
        );
        let group = lowering.group_address(&identity.resource_group, &address, "resourceGroup")?;
        let resource = DesiredResource {
            address,
            kind: Kind::UserAssignedIdentity,
            id: lowering.id_of(identity),
            body: Value::Object(body),
            deferred: Vec::new(),
            depends_on: vec![group],
        };
        lowering.push(resource);
    }
    Ok(())
}

/// `federatedCredential/<identity>/<name>` for every (expanded) credential of every identity.
pub fn lower_federated_credentials(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    for identity in &lowering.estate.identities {
        for declared in &identity.federated_credentials {
            for credential in expand(declared) {
                let resource = credential_resource(lowering, identity, &credential)?;
                lowering.push(resource);
            }
        }
    }
    Ok(())
}

/// One credential per cluster of `clusters:` (the spec's naming rule), else the credential as is.
pub fn expand(credential: &FederatedCredential) -> Vec<FederatedCredential> {
    if credential.clusters.is_empty() {
        return vec![credential.clone()];
    }
    credential
        .clusters
        .iter()
        .enumerate()
        .map(|(position, cluster)| {
            let mut expanded = credential.clone();
            expanded.clusters = Vec::new();
            if position > 0 {
                expanded.name = format!("{}-{cluster}", credential.name);
            }
            expanded.cluster = Some(cluster.clone());
            expanded
        })
        .collect()
}

fn credential_resource(
    lowering: &Lowering<'_>,
    identity: &Identity,
    credential: &FederatedCredential,
) -> Result<DesiredResource, LowerError> {
    let identity_address = address_of_resource(identity);
    let address = address_of(
        Kind::FederatedIdentityCredential,
        &[&identity.name, &credential.name],
    );
    let invalid = |reason: &str| LowerError::Invalid {
        address: address.clone(),
        reason: reason.to_string(),
    };
    let subject = credential.subject_claim().ok_or_else(|| {
        invalid("needs exactly one of `serviceAccount: NAMESPACE/NAME` or `subject`")
    })?;
    let audiences: Vec<String> = if credential.audiences.is_empty() {
        vec![WORKLOAD_IDENTITY_AUDIENCE.to_string()]
    } else {
        credential.audiences.clone()
    };
    let mut depends_on = vec![identity_address];
    let mut deferred_values = Vec::new();
    let issuer = match credential.issuer_source() {
        Some(IssuerSource::Literal(url)) => Value::String(url.to_string()),
        Some(IssuerSource::Cluster(name)) => {
            let cluster = lowering.cluster(name, &address, "cluster")?;
            let cluster_address = address_of_resource(cluster);
            deferred_values.push(deferred(
                "/properties/issuer",
                &cluster_address,
                ISSUER_OUTPUT,
            ));
            depends_on.push(cluster_address);
            Value::Null
        }
        None => {
            return Err(invalid(
                "needs exactly one of `cluster`, `clusters` or `issuer`",
            ))
        }
    };
    Ok(DesiredResource {
        id: lowering
            .id_of(identity)
            .child(Kind::FederatedIdentityCredential, &credential.name),
        address,
        kind: Kind::FederatedIdentityCredential,
        body: json!({"properties": {
            "issuer": issuer,
            "subject": subject,
            "audiences": audiences,
        }}),
        deferred: deferred_values,
        depends_on,
    })
}

//! Lowering of a cluster's `flux:` to the `microsoft.flux` cluster extension
//! (`clusterExtension/<cluster>/flux`) and one flux configuration per entry
//! (`fluxConfiguration/<cluster>/<name>`), after the extension: ARM needs the extension
//! installed first (FACTS-2 §7).
//!
//! A private repository's token is never in the desired state: the body carries the reference
//! `${VARIABLE}` in `configurationProtectedSettings.httpsKey`, which apply replaces with the
//! variable's value (base64, as Flux takes it) in the request it sends and nowhere else
//! (`resolve_protected_settings`).

use serde_json::{json, Map, Value};

use crate::desired::context::{address_of, address_of_resource, insert_some, Lowering};
use crate::desired::lower::LowerError;
use crate::desired::DesiredResource;
use crate::kind::Kind;
use crate::spec::types::FluxConfiguration;

/// The name of the flux extension on every cluster (the docs' CLI uses `flux`).
pub const FLUX_EXTENSION_NAME: &str = "flux";
/// The namespace Flux's objects live in unless a configuration says otherwise.
pub const DEFAULT_FLUX_NAMESPACE: &str = "flux-system";
/// The branch followed unless a configuration says otherwise.
pub const DEFAULT_BRANCH: &str = "main";
/// The key of the protected settings holding an https token.
const HTTPS_KEY: &str = "httpsKey";

/// Every cluster's flux extension and configurations.
pub fn lower_flux(lowering: &mut Lowering<'_>) -> Result<(), LowerError> {
    let mut resources = Vec::new();
    for cluster in &lowering.estate.clusters {
        let Some(flux) = &cluster.flux else {
            continue;
        };
        let cluster_address = address_of_resource(cluster);
        let cluster_id = lowering.id_of(cluster);
        let extension_address = address_of(
            Kind::ClusterExtension,
            &[&cluster.name, FLUX_EXTENSION_NAME],
        );
        resources.push(DesiredResource {
            address: extension_address.clone(),
            kind: Kind::ClusterExtension,
            id: cluster_id.child(Kind::ClusterExtension, FLUX_EXTENSION_NAME),
            body: json!({"properties": {
                "extensionType": "microsoft.flux",
                "autoUpgradeMinorVersion": true,
                "scope": {"cluster": {"releaseNamespace": DEFAULT_FLUX_NAMESPACE}},
            }}),
            deferred: Vec::new(),
            depends_on: vec![cluster_address.clone()],
        });
        for configuration in &flux.configurations {
            let address = address_of(
                Kind::FluxConfiguration,
                &[&cluster.name, &configuration.name],
            );
            if let Some(variable) = &configuration.https_key_variable {
                if std::env::var_os(variable).is_none_or(|value| value.is_empty()) {
                    return Err(LowerError::Invalid {
                        address,
                        reason: format!(
                            "`httpsKeyVariable: {variable}` names an environment variable that is \
                             not set: export it (the repository token) before plan and apply"
                        ),
                    });
                }
            }
            resources.push(DesiredResource {
                address,
                kind: Kind::FluxConfiguration,
                id: cluster_id.child(Kind::FluxConfiguration, &configuration.name),
                body: json!({"properties": configuration_properties(configuration)}),
                deferred: Vec::new(),
                depends_on: vec![cluster_address.clone(), extension_address.clone()],
            });
        }
    }
    for resource in resources {
        lowering.push(resource);
    }
    Ok(())
}

/// `properties` of a flux configuration: a Git source and its kustomizations.
pub fn configuration_properties(configuration: &FluxConfiguration) -> Map<String, Value> {
    let mut repository = Map::new();
    repository.insert("url".into(), json!(configuration.url));
    repository.insert(
        "repositoryRef".into(),
        json!({"branch": configuration.branch.as_deref().unwrap_or(DEFAULT_BRANCH)}),
    );
    insert_some(
        &mut repository,
        "syncIntervalInSeconds",
        configuration.interval_seconds,
    );
    insert_some(
        &mut repository,
        "httpsUser",
        configuration.https_user.clone(),
    );
    let kustomizations: Map<String, Value> = configuration
        .kustomizations
        .iter()
        .map(|kustomization| {
            let mut body = Map::new();
            body.insert("path".into(), json!(kustomization.path));
            body.insert("dependsOn".into(), json!(kustomization.depends_on));
            insert_some(&mut body, "prune", kustomization.prune);
            insert_some(
                &mut body,
                "syncIntervalInSeconds",
                kustomization.interval_seconds,
            );
            (kustomization.name.clone(), Value::Object(body))
        })
        .collect();
    let mut properties = Map::new();
    properties.insert("scope".into(), json!("cluster"));
    properties.insert(
        "namespace".into(),
        json!(configuration
            .namespace
            .as_deref()
            .unwrap_or(DEFAULT_FLUX_NAMESPACE)),
    );
    properties.insert("sourceKind".into(), json!("GitRepository"));
    properties.insert(
        "suspend".into(),
        json!(configuration.suspend.unwrap_or(false)),
    );
    properties.insert("gitRepository".into(), Value::Object(repository));
    properties.insert("kustomizations".into(), Value::Object(kustomizations));
    if let Some(variable) = &configuration.https_key_variable {
        properties.insert(
            "configurationProtectedSettings".into(),
            json!({HTTPS_KEY: format!("${{{variable}}}")}),
        );
    }
    properties
}

/// The body apply sends: every `${VARIABLE}` reference in
/// `properties.configurationProtectedSettings` replaced by the variable's value, base64-encoded
/// (a reference to an unset variable stays as it is: lowering refused that estate already).
pub fn resolve_protected_settings(mut body: Value) -> Value {
    let Some(Value::Object(settings)) =
        body.pointer_mut("/properties/configurationProtectedSettings")
    else {
        return body;
    };
    for value in settings.values_mut() {
        let Some(variable) = value
            .as_str()
            .and_then(|text| text.strip_prefix("${"))
            .and_then(|text| text.strip_suffix('}'))
        else {
            continue;
        };
        if let Ok(secret) = std::env::var(variable) {
            let encoded = base64(secret.as_bytes());
            // A `-vv` log of the request body shows neither form.
            crate::arm::register_secret(&secret);
            crate::arm::register_secret(&encoded);
            *value = json!(encoded);
        }
    }
    body
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let triple = chunk.iter().enumerate().fold(0u32, |acc, (index, byte)| {
            acc | (u32::from(*byte) << (16 - 8 * index))
        });
        for position in 0..4 {
            if position <= chunk.len() {
                let index = (triple >> (18 - 6 * position)) & 0x3f;
                text.push(char::from(ALPHABET[index as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn protected_settings_are_resolved_only_in_the_sent_body() {
        let variable = "AKSCTL_TEST_FLUX_TOKEN_RESOLVE";
        std::env::set_var(variable, "foobar");
        let body = json!({"properties": {"configurationProtectedSettings": {"httpsKey": format!("${{{variable}}}")}}});
        let sent = resolve_protected_settings(body.clone());
        assert_eq!(
            sent.pointer("/properties/configurationProtectedSettings/httpsKey"),
            Some(&json!("Zm9vYmFy"))
        );
        assert_eq!(
            body.pointer("/properties/configurationProtectedSettings/httpsKey"),
            Some(&json!(format!("${{{variable}}}")))
        );
    }
}

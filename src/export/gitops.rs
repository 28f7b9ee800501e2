//! Export of a cluster's Flux GitOps: its flux configurations (Git source, branch, interval,
//! suspension, kustomizations) back to `flux:`. The secret of a private repository is never
//! returned by ARM: an `httpsUser` without it gets a note to name `httpsKeyVariable`.

use serde_json::Value;

use crate::export::context::{bool_at, name_of, str_at, u32_at, Exporting};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::spec::types::{Flux, FluxConfiguration, Kustomization};

/// The namespace a configuration defaults to in the estate.
pub const DEFAULT_FLUX_NAMESPACE: &str = "flux-system";
/// The branch a configuration defaults to in the estate.
pub const DEFAULT_BRANCH: &str = "main";
/// ARM's default intervals (seconds).
const DEFAULT_INTERVAL: u32 = 600;

/// `flux:` for the cluster `cluster_id`, when it has a flux configuration or the flux extension.
pub fn flux(exporting: &mut Exporting<'_>, cluster_id: &ResourceId) -> Option<Flux> {
    let has_extension = exporting
        .inventory
        .children_of(cluster_id, Kind::ClusterExtension)
        .any(|body| {
            str_at(body, "/properties/extensionType")
                .is_some_and(|kind| kind.eq_ignore_ascii_case("microsoft.flux"))
        });
    let bodies: Vec<Value> = exporting
        .inventory
        .children_of(cluster_id, Kind::FluxConfiguration)
        .cloned()
        .collect();
    let mut configurations = Vec::new();
    for body in &bodies {
        match configuration(body) {
            Ok(configuration) => {
                if configuration.https_user.is_some() {
                    exporting.notes.push(format!(
                        "{}: a private repository; set `httpsKeyVariable` to the variable \
                         holding its token (ARM never returns it)",
                        cluster_id.name()
                    ));
                }
                configurations.push(configuration);
            }
            Err(reason) => exporting.skip(
                Kind::FluxConfiguration.arm_type(),
                str_at(body, "/id").unwrap_or_default(),
                reason,
            ),
        }
    }
    (has_extension || !configurations.is_empty()).then_some(Flux { configurations })
}

fn configuration(body: &Value) -> Result<FluxConfiguration, String> {
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);
    let source = str_at(&properties, "/sourceKind").unwrap_or("GitRepository");
    if !source.eq_ignore_ascii_case("GitRepository") {
        return Err(format!(
            "its source is a {source}; the estate format models Git repositories only"
        ));
    }
    let url = str_at(&properties, "/gitRepository/url")
        .ok_or("it has no gitRepository.url")?
        .to_owned();
    let interval = |value: Option<u32>| value.filter(|seconds| *seconds != DEFAULT_INTERVAL);
    let kustomizations = properties
        .get("kustomizations")
        .and_then(Value::as_object)
        .map(|all| {
            all.iter()
                .map(|(name, kustomization)| Kustomization {
                    name: name.clone(),
                    path: str_at(kustomization, "/path")
                        .unwrap_or_default()
                        .to_owned(),
                    depends_on: kustomization
                        .get("dependsOn")
                        .and_then(Value::as_array)
                        .map(|names| {
                            names
                                .iter()
                                .filter_map(|name| name.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                    prune: bool_at(kustomization, "/prune").filter(|prune| *prune),
                    interval_seconds: interval(u32_at(kustomization, "/syncIntervalInSeconds")),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(FluxConfiguration {
        name: name_of(body),
        namespace: str_at(&properties, "/namespace")
            .filter(|namespace| *namespace != DEFAULT_FLUX_NAMESPACE)
            .map(str::to_owned),
        url,
        branch: str_at(&properties, "/gitRepository/repositoryRef/branch")
            .filter(|branch| *branch != DEFAULT_BRANCH)
            .map(str::to_owned),
        interval_seconds: interval(u32_at(&properties, "/gitRepository/syncIntervalInSeconds")),
        suspend: bool_at(&properties, "/suspend").filter(|suspend| *suspend),
        https_user: str_at(&properties, "/gitRepository/httpsUser").map(str::to_owned),
        https_key_variable: None,
        kustomizations,
    })
}

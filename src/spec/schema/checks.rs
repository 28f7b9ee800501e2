//! The schema of the estate's `checks:` block (`aksctl check` profiles and accepted findings).

use serde_json::{json, Value};

use crate::spec::types::CheckProfile;

use super::builders::{array, object, string, strings};

/// The `$defs` entries for `checks:`.
pub(super) fn definitions() -> Vec<(&'static str, Value)> {
    let profile = || strings(CheckProfile::ALL.iter().map(|value| value.as_str()));
    vec![
        (
            "Checks",
            object(
                "`aksctl check` settings: the profile and the findings accepted on purpose.",
                &[],
                vec![
                    ("profile", profile()),
                    (
                        "clusterProfiles",
                        json!({
                            "type": "object",
                            "description": "Cluster name -> profile for that cluster and its pools.",
                            "additionalProperties": profile(),
                        }),
                    ),
                    ("ignore", array(json!({"$ref": "#/$defs/CheckIgnore"}))),
                ],
            ),
        ),
        (
            "CheckIgnore",
            object(
                "A finding accepted on purpose; `reason` is required by `aksctl check`.",
                &["rule"],
                vec![
                    ("rule", string("Rule id, e.g. `AKS012`.")),
                    (
                        "resource",
                        string("Plan address, e.g. `cluster/aks-dev`; absent: every resource."),
                    ),
                    ("reason", string("Why the finding is accepted.")),
                ],
            ),
        ),
    ]
}

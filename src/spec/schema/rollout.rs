//! Schema of `rollout:` (`spec::types::Rollout`): the stages clusters are applied in.

use serde_json::Value;

use super::builders::{array, object, reference, string};

/// `rollout:` (`spec::types::Rollout`).
pub(super) fn definitions() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Rollout",
            object(
                "The order clusters are applied in: each stage finishes before the next starts.",
                &["stages"],
                vec![("stages", array(reference("RolloutStage")))],
            ),
        ),
        (
            "RolloutStage",
            object(
                "One stage of the rollout.",
                &["name", "clusters"],
                vec![
                    ("name", string("The stage name, for `apply --stage NAME`.")),
                    (
                        "clusters",
                        array(string("A cluster of the estate, by name.")),
                    ),
                ],
            ),
        ),
    ]
}

//! Day-2 changes on a live estate (issue 13, AKS rows): pool rotations and the Kubernetes
//! version workflow, applied against mock-arm, which enforces AKS's rules (last System pool,
//! downgrades, minor skips, pool skew, drain time).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::apply::{run, Run};

mod crash;
mod rollout;
mod rotation;
mod skew;
mod versions;

/// `shared-prod.yaml` with each `(from, to)` text replaced once, written into `directory`.
pub(crate) fn edited_estate(directory: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(crate::apply::plan_file("shared-prod.yaml"))
        .expect("shared-prod.yaml");
    for (from, to) in edits {
        assert!(text.contains(from), "shared-prod.yaml has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    let path = directory.join("shared-prod.yaml");
    std::fs::write(&path, text).expect("write the edited estate");
    path
}

/// `aksctl plan -f FILE --output json`, parsed.
pub(crate) fn plan_json(mock: &mock_arm::MockArm, file: &Path) -> (Run, Value) {
    let run = run(
        mock,
        &["plan", "-f", file.to_str().unwrap(), "--output", "json"],
    );
    let plan = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, plan)
}

/// The change at `address` of a JSON plan.
pub(crate) fn change<'a>(plan: &'a Value, address: &str) -> &'a Value {
    plan["changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|change| change["address"] == address))
        .unwrap_or_else(|| panic!("no change {address} in {plan:#}"))
}

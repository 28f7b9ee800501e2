//! `$defs` of the cluster and pool settings of issue 14 (Defender, image cleaner, managed
//! Prometheus, autoscaler profile, pool upgrade, kubelet configuration, blackout dates).

use serde_json::Value;

use crate::spec::types::{AutoscalerExpander, CpuManagerPolicy};

use super::builders::{array, boolean, count, object, reference, string, strings};

pub(super) fn settings_definitions() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Defender",
            object(
                "Microsoft Defender for Containers.",
                &[],
                vec![
                    ("enabled", boolean("Defaults to true.")),
                    (
                        "workspace",
                        string("Logical name of a workspace in `logAnalyticsWorkspaces`."),
                    ),
                    (
                        "logAnalyticsWorkspaceId",
                        string("Resource id of a workspace outside the estate."),
                    ),
                ],
            ),
        ),
        (
            "ImageCleaner",
            object(
                "Removes unused vulnerable images from nodes.",
                &[],
                vec![
                    ("enabled", boolean("Defaults to true.")),
                    ("intervalHours", count("24-2160.")),
                ],
            ),
        ),
        (
            "ManagedPrometheus",
            object(
                "Azure Monitor managed Prometheus metrics.",
                &[],
                vec![("enabled", boolean("Defaults to true."))],
            ),
        ),
        (
            "AutoscalerProfile",
            object(
                "Cluster autoscaler tuning.",
                &[],
                vec![
                    ("balanceSimilarNodeGroups", boolean("")),
                    (
                        "expander",
                        strings(AutoscalerExpander::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("maxGracefulTerminationSeconds", count("")),
                    ("maxNodeProvisionTime", string("Minutes, e.g. `15m`.")),
                    ("scanInterval", string("Seconds, e.g. `10s`.")),
                    ("scaleDownDelayAfterAdd", string("Minutes, e.g. `10m`.")),
                    ("scaleDownUnneededTime", string("Minutes, e.g. `10m`.")),
                    (
                        "scaleDownUtilizationThreshold",
                        string("A fraction, e.g. `0.5` (quote it)."),
                    ),
                    ("skipNodesWithLocalStorage", boolean("")),
                    ("skipNodesWithSystemPods", boolean("")),
                ],
            ),
        ),
        (
            "PoolUpgrade",
            object(
                "Pool upgrade settings.",
                &[],
                vec![
                    ("maxSurge", string("Node count or percentage (`33%`).")),
                    ("maxUnavailable", string("Node count or percentage.")),
                    ("drainTimeoutMinutes", count("1-1440.")),
                    ("nodeSoakDurationMinutes", count("0-30.")),
                ],
            ),
        ),
        (
            "KubeletConfig",
            object(
                "Kubelet settings (create-only).",
                &[],
                vec![
                    (
                        "cpuManagerPolicy",
                        strings(CpuManagerPolicy::ALL.iter().map(|v| v.as_str())),
                    ),
                    ("imageGcHighThreshold", count("0-100.")),
                    (
                        "imageGcLowThreshold",
                        count("0-100, below the high threshold."),
                    ),
                    ("containerLogMaxSizeMb", count("")),
                    ("containerLogMaxFiles", count("At least 2.")),
                    ("podMaxPids", count("")),
                ],
            ),
        ),
        (
            "BlackoutDates",
            object(
                "Dates no maintenance may start on.",
                &["start", "end"],
                vec![
                    ("start", string("`YYYY-MM-DD` (quote it).")),
                    ("end", string("`YYYY-MM-DD` (quote it).")),
                ],
            ),
        ),
        (
            "Flux",
            object(
                "Flux GitOps: the microsoft.flux extension and its configurations.",
                &[],
                vec![("configurations", array(reference("FluxConfiguration")))],
            ),
        ),
        (
            "FluxConfiguration",
            object(
                "A Git repository reconciled by Flux.",
                &["name", "url"],
                vec![
                    (
                        "name",
                        string("Configuration name (lowercase, digits, `-`, `.`)."),
                    ),
                    (
                        "namespace",
                        string("Defaults to `flux-system` (create-only)."),
                    ),
                    (
                        "url",
                        string("`https://`, `http://`, `ssh://` or `git@host:path`."),
                    ),
                    ("branch", string("Defaults to `main`.")),
                    (
                        "intervalSeconds",
                        count("Seconds between fetches (ARM default 600)."),
                    ),
                    ("suspend", boolean("Stop reconciling (a warm standby).")),
                    ("httpsUser", string("User of a private https repository.")),
                    (
                        "httpsKeyVariable",
                        string("Environment variable holding the repository token."),
                    ),
                    ("kustomizations", array(reference("Kustomization"))),
                ],
            ),
        ),
        (
            "Kustomization",
            object(
                "A repository path applied to the cluster.",
                &["name", "path"],
                vec![
                    ("name", string("")),
                    ("path", string("e.g. `./clusters/prod/apps`.")),
                    (
                        "dependsOn",
                        array(string("Name of a kustomization of this configuration.")),
                    ),
                    (
                        "prune",
                        boolean("Delete what the repository no longer declares."),
                    ),
                    ("intervalSeconds", count("Seconds between reconciliations.")),
                ],
            ),
        ),
    ]
}

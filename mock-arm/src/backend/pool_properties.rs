//! How AKS stores an agent pool's properties: the defaults it echoes (maxPods, osDiskSizeGB,
//! node image, spot taint and label, ...), create-only properties, versions, and a pool as it
//! appears in its cluster's `agentPoolProfiles`.

use serde_json::{json, Value};

use super::common;
use super::error::ArmError;
use super::provider;
use super::{json, kubernetes};

pub const SPOT_TAINT: &str = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";
pub const SPOT_LABEL: &str = "kubernetes.azure.com/scalesetpriority";

/// Create-only pool properties and the value AKS assumes when they are absent.
const CREATE_ONLY: &[(&str, Option<&str>)] = &[
    ("vmSize", None),
    ("scaleSetPriority", Some("Regular")),
    ("availabilityZones", None),
    ("osDiskType", Some("Managed")),
    ("osDiskSizeGB", None),
    ("maxPods", None),
    ("vnetSubnetID", None),
    ("podSubnetID", None),
    ("osType", Some("Linux")),
    ("type", Some("VirtualMachineScaleSets")),
    ("enableEncryptionAtHost", None),
    ("enableUltraSSD", None),
    ("kubeletDiskType", None),
    ("workloadRuntime", None),
    ("gpuInstanceProfile", None),
];

fn comparable(field: &str, value: Option<&Value>, assumed: Option<&str>) -> Value {
    match value.filter(|v| !v.is_null()) {
        Some(Value::Array(items)) if field == "availabilityZones" => {
            let mut zones: Vec<String> = items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            zones.sort();
            json!(zones)
        }
        Some(Value::String(text)) => json!(text.to_lowercase()),
        Some(other) => other.clone(),
        None if field == "availabilityZones" => json!([]),
        None => assumed
            .map(|a| json!(a.to_lowercase()))
            .unwrap_or(Value::Null),
    }
}

fn check_create_only(requested: &Value, previous: &Value) -> Result<(), ArmError> {
    for (field, assumed) in CREATE_ONLY {
        let Some(new) = json::at(requested, &format!("/{field}")) else {
            continue;
        };
        let old = comparable(field, previous.get(*field), *assumed);
        let wanted = comparable(field, Some(new), *assumed);
        let trivially_default = old.is_null() && (wanted == json!(false) || wanted == json!(""));
        if old != wanted && !trivially_default {
            return Err(ArmError::property_change_not_allowed(
                &format!("properties.{field}"),
                previous.get(*field).unwrap_or(&Value::Null),
                new,
            ));
        }
    }
    Ok(())
}

fn node_image(os_sku: &str) -> String {
    match os_sku {
        "AzureLinux" | "AzureLinux3" | "CBLMariner" => {
            "AKSAzureLinux-V3gen2-202511.07.0".to_string()
        }
        sku if sku.starts_with("Windows") => format!("AKS{sku}-202511.11.0"),
        "Ubuntu2404" => "AKSUbuntu-2404gen2containerd-202511.07.0".to_string(),
        _ => "AKSUbuntu-2204gen2containerd-202511.07.0".to_string(),
    }
}

/// Whether the cluster's network gives pods overlay/kubenet addresses (maxPods 110) or VNet
/// addresses (Azure CNI, maxPods 30).
fn default_max_pods(cluster_properties: &Value) -> i64 {
    let plugin =
        json::str_at(cluster_properties, "/networkProfile/networkPlugin").unwrap_or("azure");
    let mode =
        json::str_at(cluster_properties, "/networkProfile/networkPluginMode").unwrap_or_default();
    if plugin.eq_ignore_ascii_case("azure") && !mode.eq_ignore_ascii_case("overlay") {
        30
    } else {
        110
    }
}

/// Normalizes a pool's `properties` the way AKS stores them.
pub fn normalize(
    requested: &Value,
    cluster_properties: &Value,
    previous: Option<&Value>,
) -> Result<Value, ArmError> {
    if let Some(previous) = previous {
        check_create_only(requested, previous)?;
    }
    let mut properties = previous.cloned().unwrap_or_else(|| json!({}));
    if let Value::Object(fields) = requested {
        for (key, value) in fields {
            if key != "name" && !value.is_null() {
                properties[key.as_str()] = value.clone();
            }
        }
    }
    for read_only in [
        "provisioningState",
        "currentOrchestratorVersion",
        "eTag",
        "powerState",
    ] {
        json::remove(&mut properties, read_only);
    }
    if let Some(state) = json::at(requested, "/powerState") {
        properties["powerState"] = state.clone();
    }
    let os_type = json::str_at(&properties, "/osType")
        .unwrap_or("Linux")
        .to_string();
    let mode = json::str_at(&properties, "/mode")
        .unwrap_or("User")
        .to_string();
    if !["System", "User", "Gateway"].contains(&mode.as_str()) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The agent pool mode '{mode}' is invalid."),
        )
        .with_target("properties.mode"));
    }
    if mode == "System" && os_type.eq_ignore_ascii_case("Windows") {
        return Err(
            ArmError::bad_request("InvalidParameter", "System pools must run Linux.")
                .with_target("properties.osType"),
        );
    }
    let count = json::at(&properties, "/count")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let minimum = if mode == "System" { 1 } else { 0 };
    if !(minimum..=1000).contains(&count) {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The agent pool count {count} is out of range ({minimum}-1000)."),
        )
        .with_target("properties.count"));
    }
    if json::bool_at(&properties, "/enableAutoScaling") == Some(true) {
        let min = json::at(&properties, "/minCount").and_then(Value::as_i64);
        let max = json::at(&properties, "/maxCount").and_then(Value::as_i64);
        match (min, max) {
            (Some(min), Some(max)) if min <= max && min >= minimum => {}
            _ => return Err(ArmError::bad_request("InvalidParameter", "With enableAutoScaling, minCount and maxCount are required and minCount must not exceed maxCount.").with_target("properties.minCount")),
        }
    }
    let os_sku = json::str_at(&properties, "/osSKU")
        .map(str::to_string)
        .unwrap_or_else(|| {
            if os_type.eq_ignore_ascii_case("Windows") {
                "Windows2022".to_string()
            } else {
                "Ubuntu".to_string()
            }
        });
    let cluster_version = json::str_at(cluster_properties, "/kubernetesVersion")
        .unwrap_or(kubernetes::DEFAULT_VERSION)
        .to_string();
    let cluster_current = json::str_at(cluster_properties, "/currentKubernetesVersion")
        .unwrap_or(kubernetes::DEFAULT_VERSION)
        .to_string();
    let requested_version = json::str_at(&properties, "/orchestratorVersion")
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    // The request path checks a requested version first (`check_version`); a seeded world
    // keeps the versions it recorded.
    let (orchestrator, current) = match requested_version {
        Some(version) => kubernetes::resolve(Some(&version))
            .unwrap_or_else(|_| (version.clone(), version.clone())),
        None => (cluster_version, cluster_current),
    };
    let defaults = [
        ("count", json!(count)),
        ("vmSize", json!("Standard_D2s_v5")),
        ("osType", json!(os_type)),
        ("osSKU", json!(os_sku)),
        ("type", json!("VirtualMachineScaleSets")),
        ("mode", json!(mode)),
        ("osDiskSizeGB", json!(128)),
        ("osDiskType", json!("Managed")),
        ("kubeletDiskType", json!("OS")),
        ("maxPods", json!(default_max_pods(cluster_properties))),
        ("enableAutoScaling", json!(false)),
        ("enableFIPS", json!(false)),
        ("enableNodePublicIP", json!(false)),
        ("enableEncryptionAtHost", json!(false)),
        ("scaleDownMode", json!("Delete")),
        ("powerState", json!({ "code": "Running" })),
        ("nodeImageVersion", json!(node_image(&os_sku))),
    ];
    for (key, value) in defaults {
        json::default(&mut properties, key, value);
    }
    if json::at(&properties, "/osDiskSizeGB").and_then(Value::as_i64) == Some(0) {
        properties["osDiskSizeGB"] = json!(128);
    }
    properties["orchestratorVersion"] = json!(orchestrator);
    properties["currentOrchestratorVersion"] = json!(current);
    json::default(
        json::child(&mut properties, "upgradeSettings"),
        "maxSurge",
        json!("10%"),
    );
    if json::str_at(&properties, "/scaleSetPriority") == Some("Spot") {
        json::default(&mut properties, "scaleSetEvictionPolicy", json!("Delete"));
        json::default(&mut properties, "spotMaxPrice", json!(-1));
        let taints = json::object(&mut properties)
            .entry("nodeTaints")
            .or_insert_with(|| json!([]));
        if let Some(list) = taints.as_array_mut() {
            if !list.iter().any(|taint| taint.as_str() == Some(SPOT_TAINT)) {
                list.push(json!(SPOT_TAINT));
            }
        }
        json::set(
            json::child(&mut properties, "nodeLabels"),
            SPOT_LABEL,
            json!("spot"),
        );
    }
    properties["eTag"] = json!(common::new_etag());
    Ok(properties)
}

/// A pool version a request names must be supported and within the control plane's skew.
pub fn check_version(version: &str, cluster_properties: &Value) -> Result<(), ArmError> {
    let cluster_current = json::str_at(cluster_properties, "/currentKubernetesVersion")
        .unwrap_or(kubernetes::DEFAULT_VERSION);
    kubernetes::check_pool_version(cluster_current, version)?;
    kubernetes::resolve(Some(version)).map(|_| ())
}

/// Keeps the read-only fields a seeded pool recorded (state, current version, eTag).
pub fn keep_recorded(properties: &mut Value, recorded: &Value) {
    let recorded = recorded.get("properties").unwrap_or(recorded);
    provider::overlay(
        properties,
        recorded,
        &[
            "/provisioningState",
            "/currentOrchestratorVersion",
            "/eTag",
            "/powerState",
        ],
    );
}

/// An agent pool as it appears in a cluster's `agentPoolProfiles`.
pub fn profile(pool: &Value) -> Value {
    let mut profile = json!({ "name": pool.get("name").cloned().unwrap_or(Value::Null) });
    if let Some(Value::Object(properties)) = pool.get("properties") {
        for (key, value) in properties {
            json::set(&mut profile, key, value.clone());
        }
    }
    profile
}

//! Microsoft.ContainerService/managedClusters/agentPools: pool defaults AKS echoes (maxPods,
//! osDiskSizeGB, spot taint/label, ...), create-only properties, the last System pool rule, and
//! pool LROs that lock the whole cluster.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

use super::common::{self, pattern};
use super::context::{Outcome, Reply, Request};
use super::error::ArmError;
use super::lro::{Action, Polling};
use super::parents;
use super::path::ResourcePath;
use super::types::Kind;
use super::world::{Resource, World};
use super::writes;
use super::{json, kubernetes};

static POOL_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| pattern(r"^[a-z][a-z0-9]{0,11}$"));
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

pub fn validate_name(name: &str, os_type: &str) -> Result<(), ArmError> {
    let windows_too_long = os_type.eq_ignore_ascii_case("Windows") && name.len() > 6;
    if common::matches(&POOL_NAME, name) && !windows_too_long {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidParameter",
        format!("The agent pool name '{name}' is invalid: it must start with a lower-case letter, contain only lower-case letters and digits, and be at most 12 characters (6 for Windows)."),
    )
    .with_target("agentPoolProfile.name"))
}

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
    request: &Request,
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
        if !request.seeding {
            json::remove(&mut properties, read_only);
        }
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
    let (orchestrator, current) = match requested_version {
        Some(version) if request.seeding => {
            let current = json::str_at(&properties, "/currentOrchestratorVersion")
                .unwrap_or(&version)
                .to_string();
            (version, current)
        }
        Some(version) => {
            kubernetes::check_pool_version(&cluster_current, &version)?;
            kubernetes::resolve(Some(&version))?
        }
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
    if !request.seeding || json::at(&properties, "/eTag").is_none() {
        properties["eTag"] = json!(common::new_etag());
    }
    Ok(properties)
}

/// The stored body of a pool.
pub fn pool_body(path: &ResourcePath, properties: Value) -> Value {
    json!({
        "id": path.id(),
        "name": path.name(),
        "type": Kind::AgentPool.arm_type(),
        "properties": properties,
    })
}

fn system_pool_count(world: &World, cluster_key: &str, except: &str) -> usize {
    world
        .children(cluster_key, Kind::AgentPool)
        .iter()
        .filter(|pool| {
            pool.key() != except && json::str_at(&pool.body, "/properties/mode") == Some("System")
        })
        .count()
}

fn last_system_pool_error(name: &str) -> ArmError {
    ArmError::bad_request(
        "OperationNotAllowed",
        format!("Agent pool '{name}' is the last System pool of the cluster: a cluster needs at least one System pool, so it cannot be deleted or changed to User mode."),
    )
}

pub fn put(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let input = common::body_object(request)?;
    let requested = input
        .get("properties")
        .cloned()
        .unwrap_or_else(|| json!({}));
    validate_name(
        path.name(),
        json::str_at(&requested, "/osType").unwrap_or("Linux"),
    )?;
    let cluster_key = parents::ensure_parents(world, path, true)?;
    let key = path.key();
    let existing = world.get(&key).cloned();
    let existing_etag = existing
        .as_ref()
        .and_then(|pool| json::str_at(&pool.body, "/properties/eTag"))
        .map(str::to_string);
    common::check_preconditions(request, existing_etag.as_deref(), existing.is_some())?;
    if !request.seeding {
        writes::ensure_idle(
            world,
            &cluster_key,
            path.names.first().map(String::as_str).unwrap_or_default(),
        )?;
    }
    let cluster_properties = world
        .get(&cluster_key)
        .and_then(|c| c.body.get("properties").cloned())
        .unwrap_or_else(|| json!({}));
    let previous = existing
        .as_ref()
        .and_then(|pool| pool.body.get("properties"));
    let mut properties = normalize(&requested, &cluster_properties, previous, request)?;
    let was_system = previous.and_then(|p| json::str_at(p, "/mode")) == Some("System");
    if was_system
        && json::str_at(&properties, "/mode") != Some("System")
        && system_pool_count(world, &cluster_key, &key) == 0
    {
        return Err(last_system_pool_error(path.name()));
    }
    let location = world
        .get(&cluster_key)
        .and_then(Resource::location)
        .unwrap_or_default()
        .to_string();
    if request.seeding {
        let state = json::at(&requested, "/provisioningState")
            .cloned()
            .unwrap_or(json!("Succeeded"));
        properties["provisioningState"] = state;
        let body = pool_body(path, properties);
        world.insert(Resource {
            id: path.id(),
            kind: Kind::AgentPool,
            parent_key: cluster_key,
            body: body.clone(),
        });
        return Ok(Reply::ok(body));
    }
    let (status, action, state) = if existing.is_some() {
        (200, Action::Update, "Updating")
    } else {
        (201, Action::Create, "Creating")
    };
    properties["provisioningState"] = json!(state);
    let body = pool_body(path, properties);
    world.insert(Resource {
        id: path.id(),
        kind: Kind::AgentPool,
        parent_key: cluster_key,
        body: body.clone(),
    });
    writes::start_operation(
        world,
        request,
        path,
        &location,
        action,
        Polling::AsyncOperation,
        Reply::new(status, Some(body)),
    )
}

pub fn delete(world: &mut World, request: &mut Request, path: &ResourcePath) -> Outcome {
    let cluster_key = match parents::ensure_parents(world, path, true) {
        Ok(key) => key,
        Err(error) if error.status == 404 => return Ok(Reply::no_content()),
        Err(error) => return Err(error),
    };
    let key = path.key();
    let Some(existing) = world.get(&key).cloned() else {
        return Ok(Reply::no_content());
    };
    common::check_preconditions(
        request,
        json::str_at(&existing.body, "/properties/eTag"),
        true,
    )?;
    writes::ensure_idle(
        world,
        &cluster_key,
        path.names.first().map(String::as_str).unwrap_or_default(),
    )?;
    if json::str_at(&existing.body, "/properties/mode") == Some("System")
        && system_pool_count(world, &cluster_key, &key) == 0
    {
        return Err(last_system_pool_error(path.name()));
    }
    let location = world
        .get(&cluster_key)
        .and_then(Resource::location)
        .unwrap_or_default()
        .to_string();
    writes::start_delete(world, request, path, &location, Polling::Both)
}

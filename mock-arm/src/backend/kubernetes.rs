//! Kubernetes versions AKS offers in the mock: major.minor -> latest patch, and upgrade rules.

use super::error::ArmError;

/// Supported minors with the patch AKS picks for them (newest first).
pub const VERSIONS: &[(&str, &str)] = &[
    ("1.34", "1.34.1"),
    ("1.33", "1.33.5"),
    ("1.32", "1.32.9"),
    ("1.31", "1.31.13"),
    ("1.30", "1.30.14"),
];

/// The version used when a request leaves `kubernetesVersion` empty.
pub const DEFAULT_VERSION: &str = "1.33.5";

/// `(minor, patch)` numbers of "1.33" / "1.33.5".
pub fn minor_of(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Resolves a requested version to (kept request value, current full version).
pub fn resolve(requested: Option<&str>) -> Result<(String, String), ArmError> {
    let requested = requested.map(str::trim).filter(|text| !text.is_empty());
    let Some(requested) = requested else {
        return Ok((DEFAULT_VERSION.to_string(), DEFAULT_VERSION.to_string()));
    };
    let parts: Vec<&str> = requested.split('.').collect();
    let supported = minor_of(requested).and_then(|(major, minor)| {
        VERSIONS
            .iter()
            .find(|(known, _)| minor_of(known) == Some((major, minor)))
    });
    match (supported, parts.len()) {
        (Some((_, patch)), 2) => Ok((requested.to_string(), patch.to_string())),
        (Some(_), 3) if parts[2].parse::<u32>().is_ok() => Ok((requested.to_string(), requested.to_string())),
        _ => Err(ArmError::bad_request(
            "K8sVersionNotSupported",
            format!("Version {requested} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region."),
        )),
    }
}

/// How many minor versions a pool may trail its control plane: 3 (N-3) since Kubernetes 1.28 per
/// the newer AKS documentation; the spec and the older upgrade page say 2 (FACTS-AKS-DAY2 §4).
pub const POOL_SKEW_MINORS: u32 = 3;

/// The upgrades AKS offers from `current`: the next minor's patch, if supported.
fn available_upgrades(current: &str) -> String {
    let next = minor_of(current).and_then(|(major, minor)| {
        VERSIONS
            .iter()
            .find(|(known, _)| minor_of(known) == Some((major, minor + 1)))
            .map(|(_, patch)| *patch)
    });
    format!("[{}]", next.unwrap_or_default())
}

/// An upgrade may not go back and may not skip a minor version (400 OperationNotAllowed,
/// FACTS-AKS-DAY2 §4).
pub fn check_upgrade(current: &str, requested: &str) -> Result<(), ArmError> {
    let (Some(from), Some(to)) = (minor_of(current), minor_of(requested)) else {
        return Ok(());
    };
    if to < from {
        return Err(ArmError::bad_request(
            "OperationNotAllowed",
            format!(
                "Downgrading Kubernetes version {current} to {requested} is not allowed. Available upgrades: {}",
                available_upgrades(current)
            ),
        ));
    }
    if to.0 == from.0 && to.1 > from.1 + 1 {
        return Err(ArmError::bad_request(
            "OperationNotAllowed",
            format!(
                "Upgrading Kubernetes version {current} to {requested} is not allowed. Available upgrades: {}",
                available_upgrades(current)
            ),
        ));
    }
    Ok(())
}

/// A pool's version must have the control plane's major, never be newer than it, and trail it by
/// at most [`POOL_SKEW_MINORS`] minors.
pub fn check_pool_version(control_plane: &str, pool: &str) -> Result<(), ArmError> {
    let (Some(plane), Some(node)) = (minor_of(control_plane), minor_of(pool)) else {
        return Ok(());
    };
    if node.0 != plane.0 || node > plane || plane.1 > node.1 + POOL_SKEW_MINORS {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The agent pool orchestratorVersion {pool} must have the control plane's major version, must not be newer than the control plane version {control_plane} and may be at most {POOL_SKEW_MINORS} minor versions older."),
        )
        .with_target("properties.orchestratorVersion"));
    }
    Ok(())
}

/// Whether two versions ("1.33", "1.33.5") share major and minor.
pub fn same_minor(left: &str, right: &str) -> bool {
    minor_of(left).is_some() && minor_of(left) == minor_of(right)
}

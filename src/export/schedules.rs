//! Export of a registry's geo-replicas (`geoReplications`) and a cluster's planned-maintenance
//! configurations (`maintenanceWindow`): the inverse of `desired/replication.rs` and
//! `desired/maintenance.rs`, with a note wherever ARM holds something the estate format cannot
//! say (a replica named other than its region, a non-weekly schedule, differing schedules...).

use serde_json::Value;

use crate::desired::{
    maintenance_configuration_names, AUTO_UPGRADE_SCHEDULE, DEFAULT_UTC_OFFSET,
    NODE_OS_UPGRADE_SCHEDULE,
};
use crate::export::context::{canonical_location, name_of, pick, str_at, u32_at, Exporting};
use crate::id::ResourceId;
use crate::kind::Kind;
use crate::spec::types::{AutoUpgrade, MaintenanceWindow, Weekday};

/// The extra regions of a registry: its replicas' locations, without the home region (ARM may
/// list a replica for it; the estate leaves it implicit).
pub fn geo_replications(
    exporting: &mut Exporting<'_>,
    registry_id: &ResourceId,
    registry_body: &Value,
) -> Vec<String> {
    let registry = name_of(registry_body);
    let home = str_at(registry_body, "/location").map(canonical_location);
    let registry_zones = str_at(registry_body, "/properties/zoneRedundancy").unwrap_or("Disabled");
    let replicas: Vec<&Value> = exporting
        .inventory
        .children_of(registry_id, Kind::RegistryReplication)
        .collect();
    let mut locations = Vec::new();
    for replica in replicas {
        let Some(location) = str_at(replica, "/location").map(canonical_location) else {
            continue;
        };
        if Some(&location) == home.as_ref() || locations.contains(&location) {
            continue;
        }
        let name = name_of(replica);
        if !name.eq_ignore_ascii_case(&location) {
            exporting.notes.push(format!(
                "registry/{registry} has the replica `{name}` in {location}: aksctl names replicas \
                 after their region, so a plan creates `{location}` and (with --allow-delete) \
                 removes `{name}` if it carries this estate's ownership tags"
            ));
        }
        let zones = str_at(replica, "/properties/zoneRedundancy").unwrap_or("Disabled");
        if !zones.eq_ignore_ascii_case(registry_zones) {
            exporting.notes.push(format!(
                "registry/{registry}: the replica in {location} has zoneRedundancy {zones} but the \
                 registry has {registry_zones}; the estate's replicas follow their registry, so a \
                 plan would replace it"
            ));
        }
        if replica.pointer("/properties/regionEndpointEnabled") == Some(&Value::Bool(false)) {
            exporting.notes.push(format!(
                "registry/{registry}: the replica in {location} has its regional endpoint \
                 disabled, which the estate format does not model (aksctl leaves it as is)"
            ));
        }
        locations.push(location);
    }
    locations
}

/// The cluster's maintenance window, from `aksManagedAutoUpgradeSchedule` (else
/// `aksManagedNodeOSUpgradeSchedule`), when it is a weekly schedule the estate can declare.
pub fn maintenance_window(
    exporting: &mut Exporting<'_>,
    cluster_id: &ResourceId,
    cluster: &str,
    auto_upgrade: Option<&AutoUpgrade>,
) -> Option<MaintenanceWindow> {
    let configurations: Vec<&Value> = exporting
        .inventory
        .children_of(cluster_id, Kind::MaintenanceConfiguration)
        .collect();
    let named = |wanted: &str| {
        configurations
            .iter()
            .copied()
            .find(|body| name_of(body).eq_ignore_ascii_case(wanted))
    };
    if named("default").is_some() {
        exporting.notes.push(format!(
            "cluster/{cluster} has the legacy `default` maintenance configuration (timeInWeek), \
             which the estate format does not model: a plan deletes it with --allow-delete"
        ));
    }
    let auto = named(AUTO_UPGRADE_SCHEDULE);
    let node_os = named(NODE_OS_UPGRADE_SCHEDULE);
    let source = auto.or(node_os)?;
    let source_name = name_of(source);
    let window = match window_of(source) {
        Ok(window) => window,
        Err(reason) => {
            exporting.notes.push(format!(
                "cluster/{cluster}: the maintenance configuration `{source_name}` is not exported \
                 ({reason}); the estate's maintenanceWindow is a weekly window"
            ));
            return None;
        }
    };
    if let (Some(auto), Some(node_os)) = (auto, node_os) {
        if auto.pointer("/properties/maintenanceWindow/schedule")
            != node_os.pointer("/properties/maintenanceWindow/schedule")
            || window_of(node_os).ok().as_ref() != Some(&window)
        {
            exporting.notes.push(format!(
                "cluster/{cluster}: `{AUTO_UPGRADE_SCHEDULE}` and `{NODE_OS_UPGRADE_SCHEDULE}` \
                 differ; the estate has one window for both, exported from \
                 `{AUTO_UPGRADE_SCHEDULE}`"
            ));
        }
    }
    let expected = maintenance_configuration_names(auto_upgrade);
    for name in [AUTO_UPGRADE_SCHEDULE, NODE_OS_UPGRADE_SCHEDULE] {
        let present = named(name).is_some();
        if present != expected.contains(&name) {
            exporting.notes.push(format!(
                "cluster/{cluster}: the estate's maintenanceWindow {} `{name}` for this cluster's \
                 upgrade channels, so a plan {} it",
                if present {
                    "does not declare"
                } else {
                    "also declares"
                },
                if present {
                    "deletes (with --allow-delete)"
                } else {
                    "creates"
                },
            ));
        }
    }
    for field in ["startDate"] {
        if source
            .pointer(&format!("/properties/maintenanceWindow/{field}"))
            .is_some_and(|value| !value.is_null())
        {
            exporting.notes.push(format!(
                "cluster/{cluster}: `{source_name}` sets {field}, which the estate format does \
                 not model (aksctl leaves it as is)"
            ));
        }
    }
    Some(window)
}

/// An estate window from a configuration body, or why it cannot be one.
fn window_of(body: &Value) -> Result<MaintenanceWindow, String> {
    let window = body
        .pointer("/properties/maintenanceWindow")
        .ok_or("it has no maintenanceWindow")?;
    let weekly = window
        .pointer("/schedule/weekly")
        .filter(|weekly| !weekly.is_null())
        .ok_or("its schedule is not weekly")?;
    let day = str_at(weekly, "/dayOfWeek")
        .and_then(|day| pick(Weekday::ALL, Weekday::as_str, day))
        .ok_or("its day of the week is missing")?;
    let start_time = str_at(window, "/startTime")
        .ok_or("it has no startTime")?
        .to_owned();
    let duration_hours = u32_at(window, "/durationHours").ok_or("it has no durationHours")?;
    Ok(MaintenanceWindow {
        day,
        start_time,
        duration_hours,
        utc_offset: str_at(window, "/utcOffset")
            .filter(|offset| *offset != DEFAULT_UTC_OFFSET)
            .map(str::to_owned),
        interval_weeks: u32_at(weekly, "/intervalWeeks").filter(|weeks| *weeks != 1),
        blackout_dates: crate::export::cluster_settings::blackout_dates(window),
    })
}

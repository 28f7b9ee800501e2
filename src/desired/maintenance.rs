//! Lowering of a cluster's `maintenanceWindow` to AKS planned-maintenance configurations
//! (`Microsoft.ContainerService/managedClusters/maintenanceConfigurations`).
//!
//! The estate's window governs the cluster's automatic upgrades, and AKS schedules the two
//! upgrade channels with two configurations (spec: "Supported values are 'default',
//! 'aksManagedAutoUpgradeSchedule', or 'aksManagedNodeOSUpgradeSchedule'"):
//! - `maintenanceConfiguration/<cluster>/aksManagedAutoUpgradeSchedule`: always, for the
//!   Kubernetes auto-upgrade channel;
//! - `maintenanceConfiguration/<cluster>/aksManagedNodeOSUpgradeSchedule`: when the node OS
//!   channel in effect follows maintenance windows, i.e. `NodeImage` or `SecurityPatch` (the
//!   declared `autoUpgrade.nodeOsChannel`, else ARM's default `NodeImage`); `None` and
//!   `Unmanaged` make no node OS upgrades to schedule.
//!
//! Both carry the same body: `properties.maintenanceWindow` with a weekly schedule
//! (`intervalWeeks` defaults to 1: the spec requires it), `durationHours`, `startTime` and
//! `utcOffset` (ARM's `+00:00` when not declared, so removing an offset converges). The legacy
//! `default` configuration is never declared: an owned cluster's `default` is deleted with
//! `--allow-delete`. They are proxy resources, owned through their cluster.

use serde_json::{json, Value};

use crate::desired::context::{address_of, address_of_resource, Lowering};
use crate::desired::DesiredResource;
use crate::kind::Kind;
use crate::spec::types::{AutoUpgrade, MaintenanceWindow, NodeOsUpgradeChannel};

/// The configuration that schedules the Kubernetes auto-upgrade channel.
pub const AUTO_UPGRADE_SCHEDULE: &str = "aksManagedAutoUpgradeSchedule";
/// The configuration that schedules the node OS upgrade channel.
pub const NODE_OS_UPGRADE_SCHEDULE: &str = "aksManagedNodeOSUpgradeSchedule";
/// ARM's UTC offset when a window does not set one.
pub const DEFAULT_UTC_OFFSET: &str = "+00:00";

/// Every cluster's maintenance configurations, after the cluster.
pub fn lower_maintenance_configurations(lowering: &mut Lowering<'_>) {
    let mut configurations = Vec::new();
    for cluster in &lowering.estate.clusters {
        let Some(window) = &cluster.maintenance_window else {
            continue;
        };
        let cluster_address = address_of_resource(cluster);
        let cluster_id = lowering.id_of(cluster);
        for name in configuration_names(cluster.auto_upgrade.as_ref()) {
            configurations.push(DesiredResource {
                address: address_of(Kind::MaintenanceConfiguration, &[&cluster.name, name]),
                kind: Kind::MaintenanceConfiguration,
                id: cluster_id.child(Kind::MaintenanceConfiguration, name),
                body: json!({"properties": {"maintenanceWindow": window_body(window)}}),
                deferred: Vec::new(),
                depends_on: vec![cluster_address.clone()],
            });
        }
    }
    for configuration in configurations {
        lowering.push(configuration);
    }
}

/// The configurations a window lowers to for a cluster's `autoUpgrade` (see the module doc).
pub fn configuration_names(auto_upgrade: Option<&AutoUpgrade>) -> Vec<&'static str> {
    let node_os_channel = auto_upgrade
        .and_then(|upgrade| upgrade.node_os_channel)
        .unwrap_or(NodeOsUpgradeChannel::NodeImage);
    let mut names = vec![AUTO_UPGRADE_SCHEDULE];
    if matches!(
        node_os_channel,
        NodeOsUpgradeChannel::NodeImage | NodeOsUpgradeChannel::SecurityPatch
    ) {
        names.push(NODE_OS_UPGRADE_SCHEDULE);
    }
    names
}

/// `properties.maintenanceWindow` for an estate window.
pub fn window_body(window: &MaintenanceWindow) -> Value {
    let mut body = json!({
        "schedule": {"weekly": {
            "intervalWeeks": window.interval_weeks.unwrap_or(1),
            "dayOfWeek": window.day.as_str(),
        }},
        "durationHours": window.duration_hours,
        "startTime": window.start_time,
        "utcOffset": window.utc_offset.as_deref().unwrap_or(DEFAULT_UTC_OFFSET),
    });
    if !window.blackout_dates.is_empty() {
        body["notAllowedDates"] = window
            .blackout_dates
            .iter()
            .map(|dates| json!({"start": dates.start, "end": dates.end}))
            .collect();
    }
    body
}

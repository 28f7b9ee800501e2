//! Export of registry replicas and cluster maintenance configurations: the home-region replica
//! is left implicit, matching weekly schedules become one `maintenanceWindow`, and what the
//! estate format cannot say becomes a note.

use serde_json::{json, Value};

use super::*;
use crate::export::build_estate;
use crate::spec::types::{MaintenanceWindow, Weekday};

fn replica(location: &str, name: &str, zones: &str) -> Value {
    json!({"id": format!("{}/replications/{name}", registry_id()),
           "name": name,
           "type": "Microsoft.ContainerRegistry/registries/replications",
           "location": location, "tags": {"env": "prod"},
           "properties": {"provisioningState": "Succeeded", "regionEndpointEnabled": true,
                          "zoneRedundancy": zones, "status": {"displayStatus": "Ready"}}})
}

fn configuration(name: &str, window: Value) -> Value {
    json!({"id": format!("{}/maintenanceConfigurations/{name}", cluster_id()),
           "name": name,
           "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
           "properties": {"maintenanceWindow": window}})
}

fn weekly(day: &str, offset: &str) -> Value {
    json!({"schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": day}},
           "durationHours": 4, "startTime": "02:00", "utcOffset": offset})
}

#[test]
fn replicas_export_without_the_home_region() {
    let mut read = inventory();
    read.children.push(replica("eastus", "eastus", "Disabled"));
    read.children
        .push(replica("westus2", "westus2", "Disabled"));
    read.children.push(replica("West Europe", "weu", "Enabled"));
    let exported = build_estate(&read, None);
    assert_eq!(
        exported.estate.registries[0].geo_replications,
        vec!["westus2".to_string(), "westeurope".to_string()]
    );
    let notes = exported.notes.join("\n");
    assert!(notes.contains("`weu`"), "{notes}");
    assert!(notes.contains("zoneRedundancy Enabled"), "{notes}");
}

#[test]
fn matching_schedules_become_one_window() {
    let mut read = inventory();
    read.children.push(configuration(
        "aksManagedAutoUpgradeSchedule",
        weekly("Saturday", "+00:00"),
    ));
    read.children.push(configuration(
        "aksManagedNodeOSUpgradeSchedule",
        weekly("Saturday", "+00:00"),
    ));
    let exported = build_estate(&read, None);
    assert_eq!(
        exported.estate.clusters[0].maintenance_window,
        Some(MaintenanceWindow {
            day: Weekday::Saturday,
            start_time: "02:00".to_string(),
            duration_hours: 4,
            utc_offset: None,
            interval_weeks: None,
            blackout_dates: Vec::new(),
        })
    );
    assert!(
        !exported
            .notes
            .iter()
            .any(|note| note.contains("maintenance") || note.contains("Schedule")),
        "{:?}",
        exported.notes
    );
}

#[test]
fn odd_schedules_are_noted() {
    let mut read = inventory();
    read.children.push(configuration(
        "aksManagedAutoUpgradeSchedule",
        weekly("Monday", "-05:00"),
    ));
    read.children.push(json!({
        "id": format!("{}/maintenanceConfigurations/default", cluster_id()),
        "name": "default",
        "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
        "properties": {"timeInWeek": [{"day": "Monday", "hourSlots": [1, 2]}]}}));
    let exported = build_estate(&read, None);
    let window = exported.estate.clusters[0]
        .maintenance_window
        .clone()
        .expect("window");
    assert_eq!(window.day, Weekday::Monday);
    assert_eq!(window.utc_offset.as_deref(), Some("-05:00"));
    let notes = exported.notes.join("\n");
    assert!(notes.contains("legacy `default`"), "{notes}");
    // The NodeImage channel's schedule is missing: the estate's window declares it too.
    assert!(notes.contains("aksManagedNodeOSUpgradeSchedule"), "{notes}");

    let mut daily = inventory();
    daily.children.push(configuration(
        "aksManagedAutoUpgradeSchedule",
        json!({"schedule": {"daily": {"intervalDays": 2}}, "durationHours": 8, "startTime": "01:00"}),
    ));
    let exported = build_estate(&daily, None);
    assert_eq!(exported.estate.clusters[0].maintenance_window, None);
    assert!(exported
        .notes
        .iter()
        .any(|note| note.contains("not weekly")));
}

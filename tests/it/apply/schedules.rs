//! Registry replicas and maintenance configurations end to end: northwind applies them from
//! empty (replica LRO, synchronous maintenance PUTs under the cluster's lock), a changed window
//! is updated in place, and undeclared ones this estate owns (a dropped region, a dropped window,
//! a `default` configuration made in the portal) are deleted with `--allow-delete`, before their
//! parent would be.

use aksctl::arm::WriteOptions;
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use serde_json::{json, Value};

use super::{
    apply, assert_converged, assert_no_conflicts_in_log,
    assert_one_operation_at_a_time_per_cluster, plan_file, resources, writes,
};
use crate::common::{self, block_on, SUBSCRIPTION};

const GROUP: &str = "rg-northwind-prod";
const PRIMARY: &str = "aks-northwind-eastus2";
const STANDBY: &str = "aks-northwind-centralus";

fn cluster_id(name: &str) -> ResourceId {
    ResourceId::in_resource_group(SUBSCRIPTION, GROUP, Kind::ManagedCluster, name)
}

fn replica_id() -> ResourceId {
    ResourceId::in_resource_group(SUBSCRIPTION, GROUP, Kind::ContainerRegistry, "northwind")
        .child(Kind::RegistryReplication, "centralus")
}

fn of_type(mock: &mock_arm::MockArm, kind: Kind) -> Vec<Value> {
    resources(mock)
        .into_iter()
        .filter(|body| {
            body["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(kind.arm_type()))
        })
        .collect()
}

#[test]
fn replicas_and_maintenance_windows_apply_update_and_delete() {
    let mock = common::start_mock();
    let file = plan_file("northwind.yaml");
    let created = apply(&mock, &file, &[]);
    assert_eq!(created.code, 0, "{}", created.describe());
    assert_converged(&mock, &file);
    assert_no_conflicts_in_log(&mock);
    assert_one_operation_at_a_time_per_cluster(&mock);

    let replicas = of_type(&mock, Kind::RegistryReplication);
    assert_eq!(replicas.len(), 1, "{replicas:#?}");
    assert_eq!(replicas[0]["location"], "centralus");
    assert_eq!(replicas[0]["properties"]["zoneRedundancy"], "Enabled");
    assert_eq!(replicas[0]["tags"]["managed-by"], "aksctl");
    let windows = of_type(&mock, Kind::MaintenanceConfiguration);
    assert_eq!(windows.len(), 4, "two schedules on each of two clusters");
    for window in &windows {
        assert_eq!(
            window["properties"]["maintenanceWindow"]["schedule"],
            json!({"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}})
        );
        assert_eq!(
            window["properties"]["maintenanceWindow"]["utcOffset"],
            "-05:00"
        );
    }

    // The estate moves its windows and drops the standby's window and the replica; someone
    // added the legacy `default` configuration to the primary in the portal.
    let client = common::arm_client(&mock);
    block_on(client.put(
        &cluster_id(PRIMARY).child(Kind::MaintenanceConfiguration, "default"),
        Kind::MaintenanceConfiguration.api_version(),
        &json!({"properties": {"timeInWeek": [{"day": "Monday", "hourSlots": [1, 2]}]}}),
        &WriteOptions::default(),
    ))
    .expect("portal-made default configuration");
    let text = std::fs::read_to_string(&file).unwrap();
    let window = r#"maintenanceWindow: {day: Sunday, startTime: "02:00", durationHours: 4, utcOffset: "-05:00"}"#;
    assert_eq!(text.matches(window).count(), 2, "northwind.yaml changed");
    let primary_window = r#"maintenanceWindow: {day: Saturday, startTime: "23:00", durationHours: 6, utcOffset: "-05:00"}"#;
    let first = text.find(window).unwrap();
    let mut edited = text.clone();
    edited.replace_range(first..first + window.len(), primary_window);
    let edited = edited
        .replacen(&format!("    {window}\n"), "", 1)
        .replace("    geoReplications: [centralus]\n", "");
    assert_ne!(edited, text);
    let directory = tempfile::tempdir().unwrap();
    let changed = directory.path().join("northwind.yaml");
    std::fs::write(&changed, edited).unwrap();

    common::clear_requests(&mock);
    let refused = apply(&mock, &changed, &[]);
    assert_eq!(refused.code, 1, "{}", refused.describe());
    assert!(
        refused.stderr.contains("--allow-delete"),
        "{}",
        refused.describe()
    );
    assert!(writes(&mock).is_empty(), "{:?}", writes(&mock));

    let allowed = apply(&mock, &changed, &["--allow-delete"]);
    assert_eq!(allowed.code, 0, "{}", allowed.describe());
    assert_converged(&mock, &changed);
    assert_no_conflicts_in_log(&mock);
    assert!(of_type(&mock, Kind::RegistryReplication).is_empty());
    let remaining = of_type(&mock, Kind::MaintenanceConfiguration);
    let mut names: Vec<String> = remaining
        .iter()
        .map(|body| {
            let id = body["id"].as_str().unwrap_or_default();
            ResourceId::new(id)
                .parent()
                .map(|cluster| format!("{}/{}", cluster.name(), ResourceId::new(id).name()))
                .unwrap_or_default()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            format!("{PRIMARY}/aksManagedAutoUpgradeSchedule"),
            format!("{PRIMARY}/aksManagedNodeOSUpgradeSchedule"),
        ]
    );
    for window in &remaining {
        assert_eq!(
            window["properties"]["maintenanceWindow"]["schedule"]["weekly"]["dayOfWeek"],
            "Saturday"
        );
        assert_eq!(
            window["properties"]["maintenanceWindow"]["durationHours"],
            6
        );
    }
    let deleted: Vec<String> = writes(&mock)
        .iter()
        .filter(|request| request["method"] == "DELETE")
        .map(|request| {
            request["path"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
        })
        .collect();
    assert!(
        deleted
            .iter()
            .any(|path| path.ends_with("/replications/centralus")),
        "{deleted:?}"
    );
    assert!(
        deleted
            .iter()
            .any(|path| path.contains(&STANDBY.to_ascii_lowercase())
                && path.ends_with("/maintenanceconfigurations/aksmanagedautoupgradeschedule")),
        "{deleted:?}"
    );
    assert!(
        deleted
            .iter()
            .any(|path| path.ends_with("/maintenanceconfigurations/default")),
        "{deleted:?}"
    );
    assert!(
        block_on(client.get(&replica_id(), Kind::RegistryReplication.api_version()))
            .unwrap()
            .is_none()
    );
}

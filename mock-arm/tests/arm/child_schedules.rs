//! Registry geo-replications and AKS maintenance configurations: the example payloads (shaped
//! like the official x-ms-examples, which the stored specs do not carry) replayed, plus the
//! rules: Premium only, no home-region replica, create-only zone redundancy, LROs; maintenance
//! names, required fields, synchronous writes that ignore the cluster lock, parent required.

use serde_json::{json, Value};

use crate::support::*;

fn example(name: &str) -> Value {
    let path = format!("{}/tests/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&text).expect("example is JSON")
}

fn assert_has_fields(name: &str, expected: &Value, actual: &Value) {
    let mut missing = Vec::new();
    missing_keys(expected, actual, "", &mut missing);
    assert!(
        missing.is_empty(),
        "{name}: response lacks {missing:?}\nresponse: {actual}"
    );
}

async fn registry(arm: &Arm, group: &str, name: &str, sku: &str) -> String {
    let path = format!("{group}/providers/Microsoft.ContainerRegistry/registries/{name}");
    let created = arm
        .put(
            &at(&path, ACR_VERSION),
            json!({ "location": "westus", "sku": { "name": sku } }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    path
}

#[tokio::test]
async fn replication_examples_replay() {
    let arm = Arm::scaled(0.001);
    let group = arm.group("myResourceGroup").await;
    let registry_path = registry(&arm, &group, "myRegistry", "Premium").await;
    let replication = at(
        &format!("{registry_path}/replications/myReplication"),
        ACR_VERSION,
    );

    let create = example("ReplicationCreate.json");
    let created = arm
        .put(&replication, create["parameters"]["replication"].clone())
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_some());
    assert_eq!(created.str("/properties/provisioningState"), "Creating");
    assert_has_fields(
        "ReplicationCreate 201",
        &create["responses"]["201"]["body"],
        &created.body,
    );
    assert_eq!(arm.wait(&created).await.str("/status"), "Succeeded");

    let got = arm.get(&replication).await;
    assert_has_fields(
        "ReplicationGet",
        &example("ReplicationGet.json")["responses"]["200"]["body"],
        &got.body,
    );
    assert_eq!(got.str("/properties/status/displayStatus"), "Ready");
    assert_eq!(got.body["properties"]["regionEndpointEnabled"], json!(true));
    assert_eq!(got.str("/properties/zoneRedundancy"), "Disabled");
    assert_eq!(got.str("/location"), "eastus");
    assert_eq!(got.body["tags"], json!({ "key": "value" }));

    let again = arm
        .put(&replication, create["parameters"]["replication"].clone())
        .await;
    assert_eq!(again.status, 200);
    arm.wait(&again).await;

    let listed = arm
        .get(&at(&format!("{registry_path}/replications"), ACR_VERSION))
        .await;
    assert_has_fields(
        "ReplicationList",
        &example("ReplicationList.json")["responses"]["200"]["body"],
        &listed.body,
    );
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(1));

    let deleted = arm.delete(&replication).await;
    assert_eq!(deleted.status, 202);
    assert!(deleted.header("location").is_some());
    arm.wait(&deleted).await;
    assert_eq!(arm.get(&replication).await.status, 404);
    assert_eq!(arm.delete(&replication).await.status, 204);
}

#[tokio::test]
async fn replication_rules() {
    let arm = Arm::scaled(0.001);
    let group = arm.group("rg-acr").await;
    let premium = registry(&arm, &group, "acrpremium01", "Premium").await;
    let standard = registry(&arm, &group, "acrstandard01", "Standard").await;

    let on_standard = arm
        .put(
            &at(&format!("{standard}/replications/eastus"), ACR_VERSION),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(on_standard.status, 400);
    assert_eq!(on_standard.code(), "RegistrySkuNotSupported");

    let home = arm
        .put(
            &at(&format!("{premium}/replications/westus"), ACR_VERSION),
            json!({ "location": "West US" }),
        )
        .await;
    assert_eq!(home.status, 400);
    assert_eq!(home.code(), "InvalidReplicationLocation");

    let orphan = arm
        .put(
            &at(
                &format!("{group}/providers/Microsoft.ContainerRegistry/registries/nothere1/replications/eastus"),
                ACR_VERSION,
            ),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(orphan.status, 404);
    assert_eq!(orphan.code(), "ParentResourceNotFound");

    let bad_name = arm
        .put(
            &at(&format!("{premium}/replications/east-us"), ACR_VERSION),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(bad_name.status, 400);

    let path = at(&format!("{premium}/replications/eastus"), ACR_VERSION);
    let zonal = example("ReplicationCreateZoneRedundant.json");
    let created = arm
        .put(&path, zonal["parameters"]["replication"].clone())
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    assert_has_fields(
        "ReplicationCreateZoneRedundant",
        &zonal["responses"]["200"]["body"],
        &arm.get(&path).await.body,
    );

    let second_in_region = arm
        .put(
            &at(&format!("{premium}/replications/eastus2nd"), ACR_VERSION),
            json!({ "location": "eastus" }),
        )
        .await;
    assert_eq!(second_in_region.status, 409);

    let zone_change = arm
        .put(
            &path,
            json!({ "location": "eastus", "properties": { "zoneRedundancy": "Disabled" } }),
        )
        .await;
    assert_eq!(zone_change.code(), "PropertyChangeNotAllowed");
    let moved = arm.put(&path, json!({ "location": "centralus" })).await;
    assert_eq!(moved.code(), "InvalidResourceLocation");

    let disabled = arm
        .patch(
            &path,
            json!({ "properties": { "regionEndpointEnabled": false }, "tags": { "a": "b" } }),
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    arm.wait(&disabled).await;
    let got = arm.get(&path).await;
    assert_eq!(
        got.body["properties"]["regionEndpointEnabled"],
        json!(false)
    );
    assert_eq!(got.str("/properties/zoneRedundancy"), "Enabled");
    assert_eq!(got.body["tags"], json!({ "a": "b" }));

    let registry_delete = arm.delete(&at(&premium, ACR_VERSION)).await;
    arm.wait(&registry_delete).await;
    assert_eq!(arm.get(&path).await.status, 404);
}

async fn ready_cluster(arm: &Arm, group: &str) -> String {
    let path = format!("{group}/providers/Microsoft.ContainerService/managedClusters/clustername1");
    let created = arm
        .put(&at(&path, AKS_VERSION), cluster_body("eastus"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    arm.wait(&created).await;
    path
}

#[tokio::test]
async fn maintenance_configuration_examples_replay() {
    let arm = Arm::scaled(0.001);
    let group = arm.group("rg1").await;
    let cluster = ready_cluster(&arm, &group).await;
    let configs = format!("{cluster}/maintenanceConfigurations");

    let create = example("MaintenanceConfigurationsCreate_Update_MaintenanceWindow.json");
    let auto = at(
        &format!("{configs}/aksManagedAutoUpgradeSchedule"),
        AKS_VERSION,
    );
    let body = create["parameters"]["parameters"].clone();
    let created = arm.put(&auto, body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_none());
    assert_has_fields(
        "MaintenanceConfigurationsCreate_Update_MaintenanceWindow",
        &create["responses"]["201"]["body"],
        &created.body,
    );
    assert_eq!(
        created.body["properties"]["maintenanceWindow"],
        body["properties"]["maintenanceWindow"]
    );
    assert_eq!(arm.put(&auto, body).await.status, 200);

    let get = example("MaintenanceConfigurationsGet_MaintenanceWindow.json");
    let node_os = at(
        &format!("{configs}/aksManagedNodeOSUpgradeSchedule"),
        AKS_VERSION,
    );
    let expected = &get["responses"]["200"]["body"];
    let put = arm
        .put(
            &node_os,
            json!({ "properties": expected["properties"].clone() }),
        )
        .await;
    assert_eq!(put.status, 201, "{}", put.body);
    let got = arm.get(&node_os).await;
    assert_has_fields("MaintenanceConfigurationsGet", expected, &got.body);
    assert_eq!(got.str("/name"), "aksManagedNodeOSUpgradeSchedule");

    let legacy = example("MaintenanceConfigurationsCreate_Update.json");
    let default = at(&format!("{configs}/default"), AKS_VERSION);
    let created = arm
        .put(&default, legacy["parameters"]["parameters"].clone())
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_has_fields(
        "MaintenanceConfigurationsCreate_Update",
        &legacy["responses"]["201"]["body"],
        &created.body,
    );

    let listed = arm.get(&at(&configs, AKS_VERSION)).await;
    assert_has_fields(
        "MaintenanceConfigurationsList",
        &example("MaintenanceConfigurationsList_MaintenanceWindow.json")["responses"]["200"]
            ["body"],
        &listed.body,
    );
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(3));

    assert_eq!(arm.delete(&node_os).await.status, 200);
    assert_eq!(arm.delete(&node_os).await.status, 204);
    assert_eq!(arm.get(&node_os).await.status, 404);
}

#[tokio::test]
async fn maintenance_configuration_rules() {
    // A slow clock keeps the cluster update below running while the configurations are written.
    let arm = Arm::scaled(0.05);
    let group = arm.group("rg-mc").await;
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks1");
    let configs = format!("{cluster}/maintenanceConfigurations");
    let window = json!({ "properties": { "maintenanceWindow": {
        "schedule": { "weekly": { "intervalWeeks": 1, "dayOfWeek": "sunday" } },
        "durationHours": 4,
        "startTime": "02:00",
    } } });
    let auto = at(
        &format!("{configs}/aksManagedAutoUpgradeSchedule"),
        AKS_VERSION,
    );

    let orphan = arm.put(&auto, window.clone()).await;
    assert_eq!(orphan.status, 404);
    assert_eq!(orphan.code(), "ParentResourceNotFound");

    let created = arm
        .put(&at(&cluster, AKS_VERSION), cluster_body("eastus"))
        .await;
    assert_eq!(created.status, 201);
    // The cluster create is still running: maintenance configurations do not take its lock.
    let during = arm.put(&auto, window.clone()).await;
    assert_eq!(during.status, 201, "{}", during.body);
    assert_eq!(
        during.str("/properties/maintenanceWindow/schedule/weekly/dayOfWeek"),
        "Sunday"
    );
    assert_eq!(
        during.str("/properties/maintenanceWindow/utcOffset"),
        "+00:00"
    );
    assert!(during.body["properties"]["maintenanceWindow"]
        .get("startDate")
        .is_none());

    let unknown = arm
        .put(
            &at(&format!("{configs}/nightly"), AKS_VERSION),
            window.clone(),
        )
        .await;
    assert_eq!(unknown.status, 400);

    let mut two_schedules = window.clone();
    two_schedules["properties"]["maintenanceWindow"]["schedule"]["daily"] =
        json!({ "intervalDays": 1 });
    assert_eq!(arm.put(&auto, two_schedules).await.status, 400);

    let mut short = window.clone();
    short["properties"]["maintenanceWindow"]["durationHours"] = json!(2);
    assert_eq!(arm.put(&auto, short).await.status, 400);

    let mut no_start = window.clone();
    if let Some(fields) = no_start["properties"]["maintenanceWindow"].as_object_mut() {
        fields.remove("startTime");
    }
    assert_eq!(arm.put(&auto, no_start).await.status, 400);

    let mut bad_interval = window.clone();
    bad_interval["properties"]["maintenanceWindow"]["schedule"]["weekly"]["intervalWeeks"] =
        json!(5);
    assert_eq!(arm.put(&auto, bad_interval).await.status, 400);

    let legacy_on_managed = arm
        .put(
            &auto,
            json!({ "properties": { "timeInWeek": [{ "day": "Monday", "hourSlots": [1] }] } }),
        )
        .await;
    assert_eq!(legacy_on_managed.status, 400);
    let window_on_default = arm
        .put(&at(&format!("{configs}/default"), AKS_VERSION), window)
        .await;
    assert_eq!(window_on_default.status, 400);
}

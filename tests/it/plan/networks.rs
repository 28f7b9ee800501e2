//! Referenced networks through the binary: one GET per distinct VNet before the plan, and a
//! subnet or VNet that does not exist is an estate problem at the line that names it.

use crate::common;

fn network_gets(mock: &mock_arm::MockArm) -> Vec<String> {
    common::arm_requests(mock)
        .iter()
        .filter(|request| request["method"] == "GET")
        .filter_map(|request| request["path"].as_str().map(str::to_owned))
        .filter(|path| path.to_ascii_lowercase().contains("/virtualnetworks/"))
        .collect()
}

#[test]
fn each_vnet_is_read_once_and_a_missing_subnet_is_reported_at_its_line() {
    let mock = common::start_mock();
    let northwind = common::repo_path("plans/northwind.yaml");
    common::clear_requests(&mock);
    let planned = common::aksctl(&mock)
        .args(["plan", "-f"])
        .arg(&northwind)
        .output()
        .expect("runs");
    assert_eq!(
        planned.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&planned.stderr)
    );
    let mut gets = network_gets(&mock);
    gets.sort();
    assert_eq!(
        gets.len(),
        2,
        "one GET per distinct VNet (3 subnets and 2 VNets named): {gets:#?}"
    );
    assert!(
        gets.iter().all(|path| !path.contains("/subnets/")),
        "{gets:#?}"
    );

    let text = std::fs::read_to_string(&northwind).expect("northwind");
    let broken = text.replace("subnets/snet-private-endpoints", "subnets/snet-missing");
    let directory = tempfile::tempdir().expect("tempdir");
    let file = directory.path().join("northwind.yaml");
    std::fs::write(&file, &broken).expect("write");
    let line = broken
        .lines()
        .position(|line| line.contains("snet-missing"))
        .map(|index| index + 1)
        .expect("a changed line");
    let planned = common::aksctl(&mock)
        .args(["plan", "-f"])
        .arg(&file)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&planned.stderr);
    assert_eq!(planned.status.code(), Some(1), "{stderr}");
    assert!(planned.stdout.is_empty());
    assert!(
        stderr.contains(&format!(
            "{}:{line}:15: registries[0].privateEndpoint.subnet: subnet `",
            file.display()
        )) && stderr.contains("/subnets/snet-missing` does not exist in Azure"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("snet-missing` does not exist").count(),
        3,
        "{stderr}"
    );
    assert!(stderr.contains("hint: create the subnet first"), "{stderr}");
}

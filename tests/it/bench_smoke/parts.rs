//! Unit tests of the harness's parts: the fleet generator, the naive baseline, request-log
//! statistics, process measurement and output parsing (`benches/aksctl/harness/`).

mod fleet {
    use super::super::harness::fleet::*;

    #[test]
    fn default_fleet_is_about_two_thousand_resources() {
        let shape = FleetShape::default();
        assert_eq!(shape.expected_resources(), 2012);
        assert!(shape.check().is_ok());
    }

    #[test]
    fn tiny_fleet_counts() {
        // 2 x (rg, vault, cluster, 2 pools, 2 x (identity, credential, assignment), acrPull) + 2
        assert_eq!(FleetShape::tiny().expected_resources(), 2 + 2 * (4 + 2 + 6));
    }

    #[test]
    fn generated_yaml_declares_every_resource_once() {
        let shape = FleetShape {
            clusters: 3,
            pools_per_cluster: 4,
            identities_per_cluster: 5,
            credentials_per_identity: 2,
        };
        let yaml = fleet_yaml(&shape);
        assert_eq!(yaml.matches("  - name: aks-fleet-").count(), 3);
        assert_eq!(yaml.matches("{name: user").count(), 3 * 3);
        assert_eq!(yaml.matches("{name: system,").count(), 3);
        assert_eq!(yaml.matches("  - name: id-fleet-").count(), 15);
        assert_eq!(yaml.matches("serviceAccount: team-").count(), 30);
        assert_eq!(yaml.matches("role: Key Vault Secrets User").count(), 15);
        assert!(yaml.contains("svc005-2, cluster: aks-fleet-03"));
    }

    #[test]
    fn out_of_range_shapes_are_refused() {
        let too_many_credentials = FleetShape {
            credentials_per_identity: 21,
            ..FleetShape::tiny()
        };
        assert!(too_many_credentials.check().is_err());
        let no_pools = FleetShape {
            pools_per_cluster: 0,
            ..FleetShape::tiny()
        };
        assert!(no_pools.check().is_err());
    }
}

mod baseline {
    use super::super::harness::baseline::*;
    use serde_json::json;

    #[test]
    fn sets_values_at_json_pointers() {
        let mut body = json!({"properties": {"issuer": null, "list": [1, 2]}});
        set_pointer(&mut body, "/properties/issuer", json!("https://issuer")).expect("set");
        set_pointer(&mut body, "/properties/list/1", json!(5)).expect("set");
        set_pointer(&mut body, "/properties/new~1key/deep", json!(true)).expect("set");
        assert_eq!(
            body,
            json!({"properties": {"issuer": "https://issuer", "list": [1, 5], "new/key": {"deep": true}}})
        );
        assert!(set_pointer(&mut body, "/properties/list/9", json!(0)).is_err());
    }

    #[test]
    fn system_pools_of_new_clusters_are_created_inline() {
        let cluster = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
        let pool = json!({"kind": "agentPool", "action": "create", "id": format!("{cluster}/agentPools/system"),
                          "after": {"properties": {"mode": "System"}}});
        assert!(created_inline(&pool, &[cluster.to_ascii_lowercase()]));
        assert!(!created_inline(&pool, &[]));
        let user = json!({"kind": "agentPool", "action": "create", "id": format!("{cluster}/agentPools/user"),
                          "after": {"properties": {"mode": "User"}}});
        assert!(!created_inline(&user, &[cluster.to_ascii_lowercase()]));
    }
}

mod mock {
    use super::super::harness::mock::*;
    use serde_json::json;

    #[test]
    fn counts_throttled_answers_and_the_back_off_before_their_retry() {
        let log = vec![
            json!({"method": "PUT", "path": "/subscriptions/s/a", "query": "api-version=1", "status": 429, "time": 10.0, "durationMs": 2.0}),
            json!({"method": "GET", "path": "/subscriptions/s/b", "query": "api-version=1", "status": 200, "time": 11.0, "durationMs": 1.0}),
            json!({"method": "PUT", "path": "/subscriptions/s/A", "query": "api-version=1", "status": 201, "time": 1012.0, "durationMs": 3.0}),
            json!({"method": "GET", "path": "/subscriptions/s/c", "query": "api-version=1", "status": 429, "time": 20.0, "durationMs": 0.0}),
        ];
        let stats = RequestStats::of(&log);
        assert_eq!(stats.total, 4);
        assert_eq!(stats.reads, 2);
        assert_eq!(stats.writes, 2);
        assert_eq!(stats.throttled, 2);
        assert_eq!(stats.backoff_ms, 1000.0); // the GET on c was never retried
    }

    #[test]
    fn names_what_each_request_targets() {
        let base = "/subscriptions/s/resourceGroups/rg/providers";
        let request = |method: &str, path: String| json!({"method": method, "path": path});
        let log = vec![
            request("GET", format!("{base}/Microsoft.ManagedIdentity/userAssignedIdentities/id/federatedIdentityCredentials")),
            request("GET", format!("{base}/Microsoft.ManagedIdentity/userAssignedIdentities/id2/federatedIdentityCredentials/")),
            request("PUT", format!("{base}/Microsoft.KeyVault/vaults/kv")),
            request("GET", "/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/operations/1".to_owned()),
            request("GET", "/subscriptions/s/resourcegroups".to_owned()),
            request("GET", "/subscriptions/s".to_owned()),
            request("GET", format!("{base}/Microsoft.ContainerService/managedClusters/aks/providers/Microsoft.Authorization/roleAssignments")),
            request("GET", "/subscriptions/s/resourcegroups/rg".to_owned()),
        ];
        assert_eq!(request_target(&log[2]), "PUT vaults");
        assert_eq!(
            breakdown(&log),
            vec![
                ("GET list federatedidentitycredentials".to_owned(), 2),
                ("GET list resourcegroups".to_owned(), 1),
                ("GET list roleassignments".to_owned(), 1),
                ("GET resourcegroups".to_owned(), 1),
                ("GET subscriptions".to_owned(), 1),
                ("LRO poll".to_owned(), 1),
                ("PUT vaults".to_owned(), 1),
            ]
        );
    }
}

mod process {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use super::super::harness::process::*;

    #[test]
    fn measures_a_child_that_uses_memory_and_cpu() {
        if !Path::new("/proc/self/stat").exists() || !Path::new("/bin/sh").exists() {
            return; // not Linux: nothing to measure
        }
        let invocation = Invocation {
            binary: PathBuf::from("/bin/sh"),
            arguments: vec![
                "-c".into(),
                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo done; echo oops >&2; exit 3"
                    .into(),
            ],
            environment: Vec::new(),
            removed: Vec::new(),
        };
        let measured = run_measured(&invocation, Path::new("/")).expect("runs");
        assert_eq!(measured.exit_code, Some(3));
        assert_eq!(measured.stdout.trim(), "done");
        assert_eq!(measured.stderr.trim(), "oops");
        assert!(measured.peak_rss_kib.is_some_and(|kib| kib > 0));
        assert!(measured.cpu.is_some());
        assert!(measured.wall > Duration::ZERO);
    }
}

mod scenario {
    use std::time::Duration;

    use super::super::harness::scenario::*;

    #[test]
    fn reads_the_executors_elapsed_time() {
        let stdout = "x\napply complete: 30 done, 0 failed, 0 skipped in 8.3s (113 ARM requests)\n";
        assert_eq!(
            parse_execution_time(stdout),
            Some(Duration::from_millis(8300))
        );
        let long = "apply complete: 2012 done, 0 failed, 0 skipped in 1m05s (9000 ARM requests)";
        assert_eq!(parse_execution_time(long), Some(Duration::from_secs(65)));
        assert_eq!(parse_execution_time("apply failed"), None);
    }

    #[test]
    fn median_of_an_odd_and_an_even_list() {
        assert_eq!(median(vec![3, 1, 2]), Some(2));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(3));
        assert_eq!(median::<u32>(Vec::new()), None);
    }
}

mod shared {
    use std::time::Duration;

    use serde_json::json;

    use super::super::harness::shared::*;

    #[test]
    fn the_bound_counts_accepted_writes_beyond_the_burst() {
        let log = vec![
            json!({"method": "PUT", "status": 201, "path": "/x"}),
            json!({"method": "PUT", "status": 429, "path": "/x"}),
            json!({"method": "GET", "status": 200, "path": "/x"}),
            json!({"method": "DELETE", "status": 202, "path": "/x"}),
            json!({"method": "PATCH", "status": 200, "path": "/x"}),
        ];
        assert_eq!(accepted_writes(&log), 2);
        assert_eq!(bucket_bound(2), Duration::ZERO);
        assert_eq!(bucket_bound(2012), Duration::from_secs_f64(181.2));
        assert!(is_other_tool(
            &json!({"path": "/subscriptions/s/resourceGroups/RG-BENCH-OTHER-TOOL"})
        ));
        assert!(!is_other_tool(
            &json!({"path": "/subscriptions/s/resourceGroups/rg-fleet-01"})
        ));
    }
}

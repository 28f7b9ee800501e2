//! Rule tests: every rule has a failing case (one change to the compliant estate in
//! `tests/data/check-compliant.yaml`) and passes on the compliant estate itself. The cases live
//! next to their rules (`failing_cases` in each area file); this module runs them all and checks
//! none is missing.

use std::collections::BTreeSet;

use crate::check::{all_rules, check, check_estate, CheckOptions, Severity};
use crate::spec::{
    load_inputs, CheckIgnore, CheckProfile, Checks, Estate, Input, LoadedEstate, NodePool,
};

/// A failing case: a rule id and the change that makes the compliant estate violate it.
pub(crate) struct Case {
    pub id: &'static str,
    pub break_it: fn(&mut Estate),
}

pub(crate) fn case(id: &'static str, break_it: fn(&mut Estate)) -> Case {
    Case { id, break_it }
}

const COMPLIANT: &str = include_str!("../../tests/data/check-compliant.yaml");

fn load(text: &str) -> LoadedEstate {
    let input = Input {
        name: "compliant.yaml".into(),
        bytes: Ok(text.as_bytes().to_vec()),
    };
    load_inputs(vec![input], &|_| None).expect("the compliant estate loads")
}

pub(crate) fn compliant() -> Estate {
    load(COMPLIANT).estate
}

/// The pool named `name` of the first cluster.
pub(crate) fn pool_named<'a>(estate: &'a mut Estate, name: &str) -> &'a mut NodePool {
    estate.clusters[0]
        .pools
        .iter_mut()
        .find(|pool| pool.name == name)
        .expect("pool of the compliant estate")
}

fn every_case() -> Vec<Case> {
    use crate::check::rules;
    rules::failing_cases()
}

fn rule_ids(estate: &Estate) -> Vec<&'static str> {
    check_estate(estate, None, &CheckOptions::default())
        .findings
        .iter()
        .map(|finding| finding.rule)
        .collect()
}

#[test]
fn the_compliant_estate_passes_every_rule() {
    let loaded = load(COMPLIANT);
    let report = check(&loaded, &CheckOptions::default());
    assert_eq!(report.findings, Vec::new());
    assert_eq!(report.rules_evaluated, all_rules().len());
}

#[test]
fn every_failing_case_fails_its_rule_only_there() {
    for case in every_case() {
        let mut estate = compliant();
        assert!(
            !rule_ids(&estate).contains(&case.id),
            "{} fires on the compliant estate",
            case.id
        );
        (case.break_it)(&mut estate);
        assert!(
            rule_ids(&estate).contains(&case.id),
            "{}: the failing case does not fire the rule ({:?})",
            case.id,
            rule_ids(&estate)
        );
    }
}

#[test]
fn every_rule_has_a_failing_case_and_there_are_at_least_thirty() {
    let cases: BTreeSet<&str> = every_case().iter().map(|case| case.id).collect();
    let rules: BTreeSet<&str> = all_rules().iter().map(|rule| rule.id).collect();
    assert_eq!(cases, rules);
    assert!(rules.len() >= 30, "{} rules", rules.len());
}

#[test]
fn rule_ids_are_unique_and_every_rule_says_why_and_how() {
    let rules = all_rules();
    let ids: BTreeSet<&str> = rules.iter().map(|rule| rule.id).collect();
    assert_eq!(ids.len(), rules.len());
    for rule in rules {
        assert!(
            rule.id.starts_with("AKS") && rule.id.len() == 6,
            "{}",
            rule.id
        );
        assert!(
            !rule.title.is_empty() && !rule.fix.is_empty(),
            "{}",
            rule.id
        );
        assert!(!rule.rationale.contains('\n'), "{}: one line", rule.id);
    }
}

#[test]
fn findings_point_at_the_offending_field() {
    let text = COMPLIANT.replace("        count: 3\n", "        count: 2\n");
    let loaded = load(&text);
    let report = check(&loaded, &CheckOptions::default());
    let finding = report
        .findings
        .iter()
        .find(|finding| finding.rule == "AKS006")
        .expect("system pool too small");
    assert_eq!(finding.resource, "pool/aks-check/system");
    let location = finding.location.as_ref().expect("located");
    let line = COMPLIANT
        .lines()
        .position(|line| line == "        count: 3")
        .expect("count line")
        + 1;
    assert_eq!(
        (location.file.as_str(), location.line, location.column),
        ("compliant.yaml", line as u64, 16)
    );
}

#[test]
fn dev_profile_relaxes_availability_rules_to_info() {
    let mut estate = compliant();
    estate.clusters[0].tier = None;
    estate.clusters[0].local_accounts = None;
    let production = check_estate(&estate, None, &CheckOptions::default());
    let severity_of = |report: &crate::check::Report, id: &str| {
        report
            .findings
            .iter()
            .find(|finding| finding.rule == id)
            .map(|finding| finding.severity)
    };
    assert_eq!(severity_of(&production, "AKS008"), Some(Severity::Error));
    let dev = check_estate(
        &estate,
        None,
        &CheckOptions {
            profile: Some(CheckProfile::Dev),
        },
    );
    assert_eq!(severity_of(&dev, "AKS008"), Some(Severity::Info));
    assert_eq!(
        severity_of(&dev, "AKS022"),
        Some(Severity::Error),
        "security is not relaxed"
    );

    // The per-cluster profile wins over the estate-wide one.
    estate.checks = Some(Checks {
        cluster_profiles: [("aks-check".to_string(), CheckProfile::Dev)].into(),
        ..Checks::default()
    });
    let per_cluster = check_estate(&estate, None, &CheckOptions::default());
    assert_eq!(severity_of(&per_cluster, "AKS008"), Some(Severity::Info));
    assert_eq!(per_cluster.profile, CheckProfile::Production);
}

#[test]
fn reasoned_ignores_suppress_and_unreasoned_ones_are_findings() {
    let mut estate = compliant();
    estate.clusters[0].tier = None;
    let ignore = |reason: Option<&str>| CheckIgnore {
        rule: "AKS008".into(),
        resource: Some("cluster/aks-check".into()),
        reason: reason.map(str::to_owned),
    };
    estate.checks = Some(Checks {
        ignore: vec![ignore(Some("a cost experiment until March"))],
        ..Checks::default()
    });
    let report = check_estate(&estate, None, &CheckOptions::default());
    assert_eq!(report.findings, Vec::new());
    assert_eq!(report.ignored, 1);

    estate.checks = Some(Checks {
        ignore: vec![ignore(Some("  "))],
        ..Checks::default()
    });
    let ids = rule_ids(&estate);
    assert!(
        ids.contains(&"AKS900") && ids.contains(&"AKS008"),
        "{ids:?}"
    );

    // Fixed, the ignore is stale.
    estate.clusters[0].tier = Some(crate::spec::ClusterTier::Standard);
    estate.checks = Some(Checks {
        ignore: vec![ignore(Some("a cost experiment until March"))],
        ..Checks::default()
    });
    assert_eq!(rule_ids(&estate), vec!["AKS901"]);
}

//! Runs every rule over the indexed estate, then applies the profile (per-cluster profile, else
//! `--profile`, else `checks.profile`, else production: `dev` reports the relaxed rules as
//! `info`) and the reasoned `checks.ignore` entries, and locates each finding in the files.

use crate::check::context::Context;
use crate::check::locate::{FieldPath, Locator};
use crate::check::rules::{all_rules, ignores, rule, STALE_IGNORE, UNREASONED_IGNORE};
use crate::check::{Finding, Report, Severity};
use crate::spec::{CheckIgnore, CheckProfile, Checks, Estate, LoadedEstate, Sources};

/// What the command line asks of a check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `--profile`: overrides `checks.profile` (not the per-cluster profiles).
    pub profile: Option<CheckProfile>,
}

/// Checks a loaded estate, locating findings in its files.
pub fn check(loaded: &LoadedEstate, options: &CheckOptions) -> Report {
    check_estate(&loaded.estate, Some(&loaded.sources), options)
}

fn has_reason(ignore: &CheckIgnore) -> bool {
    ignore
        .reason
        .as_deref()
        .is_some_and(|reason| !reason.trim().is_empty())
}

/// Checks an estate; findings get a location only when `sources` are given. Parsing the files
/// for locations runs on a second thread while the rules run.
pub fn check_estate(estate: &Estate, sources: Option<&Sources>, options: &CheckOptions) -> Report {
    std::thread::scope(|scope| {
        let parsing = sources.map(|sources| scope.spawn(move || Locator::new(sources)));
        let mut evaluated = evaluate(estate, options);
        if let Some(locator) = parsing.and_then(|handle| handle.join().ok()) {
            for (finding, path) in &mut evaluated.findings {
                finding.location = locator.locate(path);
            }
        }
        let mut findings: Vec<Finding> = evaluated
            .findings
            .into_iter()
            .map(|(finding, _)| finding)
            .collect();
        findings.sort_by(|left, right| {
            right
                .severity
                .cmp(&left.severity)
                .then_with(|| left.location.cmp(&right.location))
                .then_with(|| left.rule.cmp(right.rule))
                .then_with(|| left.resource.cmp(&right.resource))
        });
        Report {
            profile: evaluated.profile,
            rules_evaluated: evaluated.rules_evaluated,
            findings,
            ignored: evaluated.ignored,
        }
    })
}

/// Findings (not yet located) with the field each is about.
struct Evaluated {
    profile: CheckProfile,
    rules_evaluated: usize,
    findings: Vec<(Finding, FieldPath)>,
    ignored: usize,
}

fn evaluate(estate: &Estate, options: &CheckOptions) -> Evaluated {
    let context = Context::new(estate);
    let default_checks = Checks::default();
    let checks = estate.checks.as_ref().unwrap_or(&default_checks);
    let estate_profile = options
        .profile
        .or(checks.profile)
        .unwrap_or(CheckProfile::Production);
    let rules = all_rules();
    let mut findings = Vec::new();
    let mut ignored = 0;
    let mut used = vec![false; checks.ignore.len()];
    let mut hits = Vec::new();
    for rule in &rules {
        hits.clear();
        (rule.evaluate)(&context, &mut hits);
        for hit in hits.drain(..) {
            let profile = hit
                .cluster
                .as_ref()
                .and_then(|cluster| checks.cluster_profiles.get(cluster))
                .copied()
                .unwrap_or(estate_profile);
            let severity = if profile == CheckProfile::Dev && rule.relaxed_in_dev {
                Severity::Info
            } else {
                rule.severity
            };
            let accepted = (rule.id != UNREASONED_IGNORE)
                .then(|| {
                    checks.ignore.iter().position(|ignore| {
                        ignore.rule == rule.id
                            && has_reason(ignore)
                            && ignore
                                .resource
                                .as_ref()
                                .is_none_or(|resource| *resource == hit.resource)
                    })
                })
                .flatten();
            if let Some(index) = accepted {
                used[index] = true;
                ignored += 1;
                continue;
            }
            let finding = Finding {
                rule: rule.id,
                severity,
                resource: hit.resource,
                message: hit.message,
                location: None,
                profile,
            };
            findings.push((finding, hit.path));
        }
    }
    for (ignore, used) in checks.ignore.iter().zip(used) {
        if !used && has_reason(ignore) && rule(&ignore.rule).is_some() {
            let hit = ignores::ignore_hit(
                ignore,
                "resource",
                format!(
                    "ignore of {} on {} matches no finding",
                    ignore.rule,
                    ignore.resource.as_deref().unwrap_or("every resource")
                ),
            );
            let finding = Finding {
                rule: STALE_IGNORE,
                severity: Severity::Warning,
                resource: hit.resource,
                message: hit.message,
                location: None,
                profile: estate_profile,
            };
            findings.push((finding, hit.path));
        }
    }
    Evaluated {
        profile: estate_profile,
        rules_evaluated: rules.len(),
        findings,
        ignored,
    }
}

/// What `plan` shows of a check: the count of findings and errors, then each error (empty when
/// the estate has no finding).
pub fn plan_notices(report: &Report) -> Vec<String> {
    if report.findings.is_empty() {
        return Vec::new();
    }
    let errors = report.count_of(Severity::Error);
    let mut notices = vec![format!(
        "aksctl check ({} profile): {} finding(s), {errors} error(s); run `aksctl check -f <estate files>` for locations and fixes.",
        report.profile,
        report.findings.len()
    )];
    notices.extend(
        report
            .findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
            .map(|finding| {
                format!(
                    "check {} error on {}: {}",
                    finding.rule, finding.resource, finding.message
                )
            }),
    );
    notices
}

//! Rendering a benchmark run as Markdown: the machine, the tables per measurement, growth from
//! the first estate, the throttled run, and each target with met/missed.

use std::fmt::Write as _;
use std::time::Duration;

use super::scenario::{EstateResult, NaiveStats, PlanStats, Results, RunOutcome};

fn seconds(duration: Duration) -> String {
    let value = duration.as_secs_f64();
    if value < 1.0 {
        format!("{:.0} ms", value * 1000.0)
    } else {
        format!("{value:.2} s")
    }
}

fn milliseconds(value: f64) -> String {
    seconds(Duration::from_secs_f64(value.max(0.0) / 1000.0))
}

fn optional_seconds(duration: Option<Duration>) -> String {
    duration.map_or_else(|| "n/a".to_owned(), seconds)
}

fn mebibytes(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a".to_owned(),
        |kib| format!("{:.1} MiB", kib as f64 / 1024.0),
    )
}

fn ratio(numerator: f64, denominator: f64) -> String {
    if denominator > 0.0 && numerator.is_finite() {
        format!("{:.2}x", numerator / denominator)
    } else {
        "n/a".to_owned()
    }
}

fn naive(stats: &NaiveStats) -> String {
    let wall = seconds(stats.wall);
    if stats.modelled {
        format!("{wall} (modelled)")
    } else {
        wall
    }
}

fn load(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |load| format!("{load:.2}"))
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

/// The whole report.
pub fn render(results: &Results) -> String {
    let mut out = String::new();
    let options = &results.options;
    let _ = writeln!(out, "## aksctl benchmark — {}\n", results.machine.date);
    let _ = writeln!(
        out,
        "Machine: {} CPUs, {}, load average {} at start, {} at end. mock-arm in-process on loopback; operation time scale {}; apply parallelism {}; fleet shape {} (clusters x pools x identities x credentials).\n",
        results.machine.cpus,
        results.machine.cpu_model,
        load(results.machine.load.0),
        load(results.machine.load.1),
        options.time_scale,
        options.parallelism.map_or_else(|| "aksctl default (10)".to_owned(), |p| p.to_string()),
        options.fleet.label()
    );
    for estate in &results.estates {
        let _ = writeln!(
            out,
            "- {}: `{}`, {} resources",
            estate.label, estate.file, estate.resources
        );
    }
    out.push('\n');
    render_noop(&mut out, results);
    render_apply(&mut out, results);
    render_growth(&mut out, results);
    render_throttle(&mut out, results);
    render_breakdowns(&mut out, results);
    render_targets(&mut out, results);
    out
}

fn targets(by_target: &[(String, usize)]) -> String {
    by_target
        .iter()
        .map(|(target, count)| format!("{count} {target}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_breakdowns(out: &mut String, results: &Results) {
    let _ = writeln!(out, "### Requests by target\n");
    for estate in &results.estates {
        let _ = writeln!(
            out,
            "- {} no-op plan: {}",
            estate.label,
            targets(&estate.noop.by_target)
        );
        let _ = writeln!(
            out,
            "- {} apply: {}",
            estate.label,
            targets(&estate.apply.by_target)
        );
    }
    if let Some(throttle) = &results.throttle {
        let _ = writeln!(
            out,
            "- {} throttled apply: {}",
            throttle.label,
            targets(&throttle.apply.run.by_target)
        );
        if let Some(shared) = &throttle.shared {
            let _ = writeln!(
                out,
                "- {} throttled apply, shared subscription: {}",
                throttle.label,
                targets(&shared.run.by_target)
            );
        }
    }
    out.push('\n');
}

fn slow_latency(results: &Results) -> String {
    results
        .options
        .slow_latency_ms
        .map_or_else(|| "slow".to_owned(), |ms| format!("{ms} ms"))
}

fn render_noop(out: &mut String, results: &Results) {
    let slow = slow_latency(results);
    let _ = writeln!(out, "### No-op plan (after apply): requests and latency\n");
    let _ = writeln!(
        out,
        "| Estate | Resources | ARM requests | per resource | Naive requests | Wall 0 ms | Naive 0 ms | Wall {slow} | Naive {slow} | vs naive at {slow} | CPU | Peak RSS | No changes |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for estate in &results.estates {
        let noop = &estate.noop;
        let (slow_wall, slow_naive, speedup) = match (&estate.noop_slow, &estate.naive_plan_slow) {
            (Some(plan), Some(naive_stats)) => (
                seconds(plan.median_wall),
                naive(naive_stats),
                ratio(
                    naive_stats.wall.as_secs_f64(),
                    plan.median_wall.as_secs_f64(),
                ),
            ),
            _ => ("–".to_owned(), "–".to_owned(), "–".to_owned()),
        };
        let converged =
            noop.converged && estate.noop_slow.as_ref().is_none_or(|plan| plan.converged);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.3} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            estate.label,
            estate.resources,
            noop.requests.total,
            per_resource(noop, estate.resources),
            estate
                .naive_plan
                .requests
                .map_or_else(|| "–".to_owned(), |n| n.to_string()),
            seconds(noop.median_wall),
            naive(&estate.naive_plan),
            slow_wall,
            slow_naive,
            speedup,
            optional_seconds(noop.median_cpu),
            mebibytes(noop.max_peak_rss_kib),
            if converged { "yes" } else { "**no**" }
        );
    }
    let _ = writeln!(
        out,
        "\nWall and CPU: median of {} run(s) of `aksctl plan --detailed-exitcode`, process start to exit. Naive: one sequential GET per resource.\n",
        results.options.plan_repeats.max(1)
    );
}

fn per_resource(plan: &PlanStats, resources: usize) -> f64 {
    if resources == 0 {
        0.0
    } else {
        plan.requests.total as f64 / resources as f64
    }
}

fn render_apply(out: &mut String, results: &Results) {
    let _ = writeln!(out, "### Apply from empty vs the critical path\n");
    let _ = writeln!(
        out,
        "| Estate | Steps | Longest chain | Critical path (ARM rules) | Apply execution | / CP | Apply command | / CP | Naive sequential | vs naive | ARM requests | CPU | Peak RSS |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for estate in &results.estates {
        let bound = estate.bound.serialised_ms;
        let execution = estate.apply_execution.map(|d| d.as_secs_f64() * 1000.0);
        let command = estate.apply.wall.as_secs_f64() * 1000.0;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            estate.label,
            estate.bound.steps,
            milliseconds(estate.bound.longest_path_ms),
            milliseconds(bound),
            optional_seconds(estate.apply_execution),
            execution.map_or_else(|| "n/a".to_owned(), |ms| ratio(ms, bound)),
            seconds(estate.apply.wall),
            ratio(command, bound),
            naive(&estate.naive_apply),
            ratio(estate.naive_apply.wall.as_secs_f64() * 1000.0, command),
            estate.apply.requests.total,
            optional_seconds(estate.apply.cpu),
            mebibytes(estate.apply.peak_rss_kib),
        );
    }
    let _ = writeln!(
        out,
        "\nCritical path: the plan's steps weighted by `GET /_mock/operations` (scaled), unlimited parallelism, one mutating operation per cluster (pools included), one credential write per identity, a new cluster's System pool inline. Apply execution: the `apply complete ... in` time aksctl reports; apply command: the whole process (stale-plan check included).\n"
    );
    for estate in &results.estates {
        let _ = writeln!(
            out,
            "- {} critical chain: {}",
            estate.label,
            estate.bound.chain.join(" → ")
        );
    }
    out.push('\n');
}

fn render_growth(out: &mut String, results: &Results) {
    let Some(first) = results.estates.first() else {
        return;
    };
    let _ = writeln!(out, "### Growth from {}\n", first.label);
    let _ = writeln!(
        out,
        "| Estate | Resources | No-op requests | No-op wall 0 ms | No-op CPU | Peak RSS | Plan from empty | Plan from empty CPU |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    let cpu = |estate: &EstateResult| estate.noop.median_cpu.map_or(0.0, |d| d.as_secs_f64());
    let rss = |estate: &EstateResult| estate.noop.max_peak_rss_kib.unwrap_or(0) as f64;
    let from_empty_cpu =
        |estate: &EstateResult| estate.plan_from_empty.cpu.map_or(0.0, |d| d.as_secs_f64());
    for estate in &results.estates {
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {} ({}) | {} ({}) | {} ({}) | {} ({}) | {} ({}) | {} ({}) |",
            estate.label,
            estate.resources,
            ratio(estate.resources as f64, first.resources as f64),
            estate.noop.requests.total,
            ratio(
                estate.noop.requests.total as f64,
                first.noop.requests.total as f64
            ),
            seconds(estate.noop.median_wall),
            ratio(
                estate.noop.median_wall.as_secs_f64(),
                first.noop.median_wall.as_secs_f64()
            ),
            optional_seconds(estate.noop.median_cpu),
            ratio(cpu(estate), cpu(first)),
            mebibytes(estate.noop.max_peak_rss_kib),
            ratio(rss(estate), rss(first)),
            seconds(estate.plan_from_empty.wall),
            ratio(
                estate.plan_from_empty.wall.as_secs_f64(),
                first.plan_from_empty.wall.as_secs_f64()
            ),
            optional_seconds(estate.plan_from_empty.cpu),
            ratio(from_empty_cpu(estate), from_empty_cpu(first)),
        );
    }
    out.push('\n');
}

fn outcome_row(
    out: &mut String,
    name: &str,
    run: &RunOutcome,
    baseline: Option<std::time::Duration>,
) {
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} | {} | {} |",
        match (run.exit_code, &run.error) {
            (Some(0), None) => "ok".to_owned(),
            (code, _) => format!("**failed** (exit {code:?})"),
        },
        run.requests.total,
        run.requests.throttled,
        milliseconds(run.requests.backoff_ms),
        seconds(run.wall),
        baseline.map_or_else(
            || "–".to_owned(),
            |base| format!("+{}", seconds(run.wall.saturating_sub(base)))
        ),
    );
}

fn render_throttle(out: &mut String, results: &Results) {
    let Some(throttle) = &results.throttle else {
        return;
    };
    let _ = writeln!(
        out,
        "### {} with ARM throttling (`--throttle`: reads 250 burst / 25 s⁻¹, writes 200 / 10 s⁻¹)\n",
        throttle.label
    );
    let _ = writeln!(out, "| Run | Result | ARM requests | 429s absorbed | Client back-off (summed) | Wall | vs unthrottled |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
    outcome_row(out, "plan from empty", &throttle.plan, None);
    let mut applies = vec![("apply", &throttle.apply)];
    if let Some(shared) = &throttle.shared {
        applies.push(("apply, shared subscription", shared));
    }
    for (name, apply) in &applies {
        outcome_row(out, name, &apply.run, Some(throttle.unthrottled_apply_wall));
    }
    let _ = writeln!(
        out,
        "\n| Apply | 429 share | Writes accepted (all clients) | Bucket bound | Wall / bound | Second client |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---|");
    for (name, apply) in &applies {
        let accepted = (apply.bucket_bound.as_secs_f64() * super::shared::WRITE_REFILL_PER_SECOND
            + super::shared::WRITE_BURST)
            .round();
        let _ = writeln!(
            out,
            "| {name} | {:.1} % ({} of {}) | {accepted:.0} | {} | {:.3}x | {} |",
            apply.throttled_share() * 100.0,
            apply.run.requests.throttled,
            apply.run.requests.total,
            seconds(apply.bucket_bound),
            apply.bound_ratio(),
            apply.other.map_or_else(
                || "–".to_owned(),
                |other| format!(
                    "{:.0} writes/s: {} accepted, {} answered 429",
                    other.rate_per_second, other.accepted, other.throttled
                )
            ),
        );
    }
    for (name, run) in [("plan", &throttle.plan)]
        .into_iter()
        .chain(applies.iter().map(|(name, apply)| (*name, &apply.run)))
    {
        if let Some(error) = &run.error {
            let _ = writeln!(out, "\n{name} failed:\n```text\n{error}\n```");
        }
    }
    out.push('\n');
}

fn render_targets(out: &mut String, results: &Results) {
    let _ = writeln!(out, "### Targets\n");
    let find = |label: &str| results.estates.iter().find(|estate| estate.label == label);
    if let Some(northwind) = find("E-northwind") {
        let per = per_resource(&northwind.noop, northwind.resources);
        let _ = writeln!(
            out,
            "- E-northwind no-op plan ≤ 0.3 requests per resource: {per:.3} — {}",
            met(per <= 0.3)
        );
        if let Some(slow) = &northwind.noop_slow {
            let wall = slow.median_wall.as_secs_f64();
            let _ = writeln!(
                out,
                "- E-northwind no-op plan at {} ms ≤ 0.4 s: {} — {}",
                slow.latency_ms,
                seconds(slow.median_wall),
                met(wall <= 0.4)
            );
        }
    }
    for estate in &results.estates {
        let bound = estate.bound.serialised_ms / 1000.0;
        if let Some(execution) = estate.apply_execution {
            let value = execution.as_secs_f64() / bound.max(f64::MIN_POSITIVE);
            let _ = writeln!(
                out,
                "- {} apply ≤ 1.05 x critical path: execution {value:.3}x, whole command {:.3}x — {}",
                estate.label,
                estate.apply.wall.as_secs_f64() / bound.max(f64::MIN_POSITIVE),
                met(value <= 1.05)
            );
        }
    }
    if let Some(fleet) = find("E-fleet") {
        let wall = fleet.noop.median_wall.as_secs_f64();
        let rss = fleet
            .noop
            .max_peak_rss_kib
            .map_or(f64::INFINITY, |kib| kib as f64 / 1024.0);
        let _ = writeln!(
            out,
            "- E-fleet no-op plan at 0 ms ≤ 1 s and ≤ 100 MB peak RSS: {} and {} — {}",
            seconds(fleet.noop.median_wall),
            mebibytes(fleet.noop.max_peak_rss_kib),
            met(wall <= 1.0 && rss <= 100.0 * 1_000_000.0 / 1_048_576.0)
        );
        if let Some(slow) = &fleet.noop_slow {
            let _ = writeln!(
                out,
                "- E-fleet no-op plan at {} ms ≤ 1.2 s: {} — {}",
                slow.latency_ms,
                seconds(slow.median_wall),
                met(slow.median_wall.as_secs_f64() <= 1.2)
            );
        }
    }
    if let Some(throttle) = &results.throttle {
        let _ = writeln!(
            out,
            "- {} plan under throttling completes: {} 429s absorbed — {}",
            throttle.label,
            throttle.plan.requests.throttled,
            met(throttle.plan.error.is_none())
        );
        let mut applies = vec![("apply", &throttle.apply)];
        if let Some(shared) = &throttle.shared {
            applies.push(("apply sharing the subscription", shared));
        }
        for (name, apply) in applies {
            let share = apply.throttled_share();
            let ratio = apply.bound_ratio();
            let _ = writeln!(
                out,
                "- {} throttled {name}: 429s ≤ 5 % of requests, wall ≤ 1.05 x bucket bound, no failure: {:.1} %, {ratio:.3}x, {} — {}",
                throttle.label,
                share * 100.0,
                if apply.run.error.is_none() { "ok" } else { "failed" },
                met(share <= 0.05 && ratio <= 1.05 && apply.run.error.is_none())
            );
        }
    }
}

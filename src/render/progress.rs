//! Live progress of apply/destroy on stderr: an indicatif multi-progress on a terminal (one line
//! per running operation with its elapsed time and ARM's percent, plus a summary bar), plain
//! timestamped lines otherwise or with `--no-progress`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::apply::events::{ExecutionEvent, ExecutionObserver, StepLabel, StepOperation};

/// Renders execution events; pick the mode with `ApplyProgress::new`.
pub struct ApplyProgress {
    inner: Mutex<Inner>,
}

enum Inner {
    Bars(Bars),
    Lines(Lines),
}

struct Bars {
    multi: MultiProgress,
    summary: ProgressBar,
    running: HashMap<usize, ProgressBar>,
    counts: Counts,
}

#[derive(Default)]
struct Lines {
    /// Last percent printed per step, so progress lines come every 10% at most.
    last_percent: HashMap<usize, f64>,
    last_wait: HashMap<usize, String>,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    total: usize,
    done: usize,
    failed: usize,
    skipped: usize,
}

impl ApplyProgress {
    /// Bars when stderr is a terminal and `no_progress` is false; plain lines otherwise.
    pub fn new(no_progress: bool) -> Self {
        let inner = if !no_progress && std::io::stderr().is_terminal() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let summary = multi.add(ProgressBar::new(0));
            summary.set_style(
                ProgressStyle::with_template("{bar:30.cyan/blue} {pos}/{len} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            Inner::Bars(Bars {
                multi,
                summary,
                running: HashMap::new(),
                counts: Counts::default(),
            })
        } else {
            Inner::Lines(Lines::default())
        };
        ApplyProgress {
            inner: Mutex::new(inner),
        }
    }

    /// Clears the bars (call before printing the report).
    pub fn finish(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            if let Inner::Bars(bars) = &mut *inner {
                for (_, bar) in bars.running.drain() {
                    bar.finish_and_clear();
                }
                bars.summary.finish_and_clear();
                let _ = bars.multi.clear();
            }
        }
    }
}

fn describe(step: &StepLabel) -> String {
    format!("{} {}", step.operation.verb(), step.address)
}

fn past_tense(operation: StepOperation) -> &'static str {
    match operation {
        StepOperation::Create => "created",
        StepOperation::Update => "updated",
        StepOperation::Delete => "deleted",
    }
}

/// `1m05s`, `12.3s`.
pub fn format_elapsed(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    if seconds >= 60.0 {
        let whole = elapsed.as_secs();
        format!("{}m{:02}s", whole / 60, whole % 60)
    } else {
        format!("{seconds:.1}s")
    }
}

fn timestamp() -> String {
    let format = time::macros::format_description!("[hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

impl Bars {
    fn refresh_summary(&self) {
        let counts = self.counts;
        self.summary.set_length(counts.total as u64);
        self.summary
            .set_position((counts.done + counts.failed + counts.skipped) as u64);
        let mut message = format!("{} running, {} done", self.running.len(), counts.done);
        if counts.failed > 0 {
            message.push_str(&format!(", {} failed", counts.failed));
        }
        if counts.skipped > 0 {
            message.push_str(&format!(", {} skipped", counts.skipped));
        }
        self.summary.set_message(message);
    }

    fn handle(&mut self, event: &ExecutionEvent) {
        match event {
            ExecutionEvent::Planned { total } => self.counts.total = *total,
            ExecutionEvent::Started { step } => {
                let bar = self
                    .multi
                    .insert_before(&self.summary, ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner:.green} {prefix} {msg} [{elapsed}]")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(describe(step));
                bar.enable_steady_tick(Duration::from_millis(120));
                self.running.insert(step.index, bar);
            }
            ExecutionEvent::Progress {
                step,
                status,
                percent_complete,
            } => {
                if let Some(bar) = self.running.get(&step.index) {
                    bar.set_message(match percent_complete {
                        Some(percent) => format!("{status} {percent:.0}%"),
                        None => status.clone(),
                    });
                }
            }
            ExecutionEvent::Waiting { step, reason } => {
                if let Some(bar) = self.running.get(&step.index) {
                    bar.set_message(reason.clone());
                }
            }
            ExecutionEvent::Finished {
                step,
                elapsed,
                note,
            } => {
                self.end(step.index);
                self.counts.done += 1;
                let note = note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                let _ = self.multi.println(format!(
                    "✓ {} {} in {}{note}",
                    past_tense(step.operation),
                    step.address,
                    format_elapsed(*elapsed)
                ));
            }
            ExecutionEvent::Failed {
                step,
                elapsed,
                failure,
            } => {
                self.end(step.index);
                self.counts.failed += 1;
                let _ = self.multi.println(format!(
                    "✗ {} failed after {}: {failure}",
                    describe(step),
                    format_elapsed(*elapsed)
                ));
            }
            ExecutionEvent::Skipped { step, because } => {
                self.counts.skipped += 1;
                let _ = self
                    .multi
                    .println(format!("- skipped {} ({because})", describe(step)));
            }
            ExecutionEvent::Interrupted { in_flight } => {
                let _ = self.multi.println(format!(
                    "interrupted: not starting anything new; {} operation(s) were in flight",
                    in_flight.len()
                ));
            }
        }
        self.refresh_summary();
    }

    fn end(&mut self, index: usize) {
        if let Some(bar) = self.running.remove(&index) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }
}

impl Lines {
    fn handle(&mut self, event: &ExecutionEvent) {
        if let Some(line) = self.line_for(event) {
            eprintln!("{} {line}", timestamp());
        }
    }

    /// The log line for `event` (without timestamp), or `None` when it adds nothing: progress
    /// only every 10 %, a wait only when its reason changes.
    fn line_for(&mut self, event: &ExecutionEvent) -> Option<String> {
        let line = match event {
            ExecutionEvent::Planned { total } => format!("{total} step(s) to run"),
            ExecutionEvent::Started { step } => format!("start    {}", describe(step)),
            ExecutionEvent::Progress {
                step,
                status,
                percent_complete,
            } => {
                let percent = (*percent_complete)?;
                let last = self
                    .last_percent
                    .get(&step.index)
                    .copied()
                    .unwrap_or(-100.0);
                if percent - last < 10.0 {
                    return None;
                }
                self.last_percent.insert(step.index, percent);
                format!("progress {} {status} {percent:.0}%", describe(step))
            }
            ExecutionEvent::Waiting { step, reason } => {
                if self.last_wait.get(&step.index) == Some(reason) {
                    return None;
                }
                self.last_wait.insert(step.index, reason.clone());
                format!("waiting  {}: {reason}", describe(step))
            }
            ExecutionEvent::Finished {
                step,
                elapsed,
                note,
            } => {
                let note = note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                format!(
                    "done     {} {} in {}{note}",
                    past_tense(step.operation),
                    step.address,
                    format_elapsed(*elapsed)
                )
            }
            ExecutionEvent::Failed {
                step,
                elapsed,
                failure,
            } => format!(
                "FAILED   {} after {}: {failure}",
                describe(step),
                format_elapsed(*elapsed)
            ),
            ExecutionEvent::Skipped { step, because } => {
                format!("skipped  {} ({because})", describe(step))
            }
            ExecutionEvent::Interrupted { in_flight } => format!(
                "interrupted: not starting anything new; {} operation(s) were in flight",
                in_flight.len()
            ),
        };
        Some(line)
    }
}

impl ExecutionObserver for ApplyProgress {
    fn on_event(&self, event: &ExecutionEvent) {
        if let Ok(mut inner) = self.inner.lock() {
            match &mut *inner {
                Inner::Bars(bars) => bars.handle(event),
                Inner::Lines(lines) => lines.handle(event),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::ResourceId;
    use crate::kind::Kind;

    fn step() -> StepLabel {
        StepLabel {
            index: 0,
            address: "cluster/aks".into(),
            kind: Kind::ManagedCluster,
            id: ResourceId::new("/x/aks"),
            operation: StepOperation::Create,
        }
    }

    fn progress(percent: f64) -> ExecutionEvent {
        ExecutionEvent::Progress {
            step: step(),
            status: "InProgress".into(),
            percent_complete: Some(percent),
        }
    }

    #[test]
    fn plain_lines_throttle_progress_and_repeat_waits() {
        let mut lines = Lines::default();
        assert_eq!(
            lines
                .line_for(&ExecutionEvent::Started { step: step() })
                .as_deref(),
            Some("start    create cluster/aks")
        );
        assert!(lines.line_for(&progress(5.0)).is_some());
        assert!(lines.line_for(&progress(9.0)).is_none());
        assert_eq!(
            lines.line_for(&progress(15.0)).as_deref(),
            Some("progress create cluster/aks InProgress 15%")
        );
        let wait = ExecutionEvent::Waiting {
            step: step(),
            reason: "waiting for aks to finish Updating".into(),
        };
        assert!(lines.line_for(&wait).is_some());
        assert!(lines.line_for(&wait).is_none());
        let finished = ExecutionEvent::Finished {
            step: step(),
            elapsed: Duration::from_secs(75),
            note: None,
        };
        assert_eq!(
            lines.line_for(&finished).as_deref(),
            Some("done     created cluster/aks in 1m15s")
        );
    }
}

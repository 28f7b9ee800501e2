//! The human plan: terraform-like symbols (`+` create, `~` update in place, `-/+` replace, `-`
//! delete), per-field `before -> after`, `(known after apply)`, reasons, notices and the summary
//! line. Colored when stdout is a terminal and `NO_COLOR` is unset.

use std::io::IsTerminal;

use serde_json::Value;

use crate::plan::{Action, Plan, ReasonCode, ResourceChange};
use crate::render::plan_redact::redacted;

/// The text shown for a value only apply can know.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Color when stdout is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    pub fn for_stdout() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|term| term == "dumb");
        Style {
            color: std::io::stdout().is_terminal() && !no_color && !dumb,
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    fn action(self, action: Action, text: &str) -> String {
        let code = match action {
            Action::Create => "32",
            Action::Update => "33",
            Action::Replace => "35",
            Action::Delete => "31",
            Action::Noop => "0",
        };
        self.paint(code, text)
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// Renders the plan as text.
pub fn render(plan: &Plan, style: Style) -> String {
    let plan = redacted(plan);
    let mut out = String::new();
    out.push_str(&format!(
        "aksctl plan for estate {} (subscription {})\n",
        style.bold(&plan.estate),
        plan.subscription
    ));
    let changing = display_order(&plan);
    if !changing.is_empty() {
        out.push_str(
            "\naksctl will perform these actions (parents first; deletions last, children first):\n",
        );
    }
    for change in changing {
        out.push('\n');
        let symbol = format!("{:>3}", change.action.symbol());
        out.push_str(&format!(
            "{} {} {}\n",
            style.action(change.action, &symbol),
            style.bold(&change.address),
            style.dim(&format!("{} ({})", headline(change), change.arm_type))
        ));
        for line in change_lines(change) {
            out.push_str(&format!("      {line}\n"));
        }
    }
    if !plan.notices.is_empty() {
        out.push_str(&format!("\n{}\n", style.bold("Notices:")));
        for notice in &plan.notices {
            out.push_str(&format!("  {} {notice}\n", style.paint("33", "!")));
        }
    }
    out.push('\n');
    out.push_str(&summary_line(&plan));
    out.push('\n');
    for gate in apply_gates(&plan) {
        out.push_str(&format!("{} {gate}\n", style.paint("33", "Note:")));
    }
    out
}

/// The approval flags `aksctl apply` will ask for, given the destructive actions in the plan.
pub fn apply_gates(plan: &Plan) -> Vec<String> {
    let deletions = plan.summary.delete;
    let guarded_replacements = plan
        .changes
        .iter()
        .filter(|change| change.action == Action::Replace && replace_is_guarded(change.kind))
        .count();
    let counted = |count: usize, noun: &str| {
        if count == 1 {
            format!("1 {noun} needs")
        } else {
            format!("{count} {noun}s need")
        }
    };
    let mut gates = Vec::new();
    if deletions > 0 {
        gates.push(format!(
            "{} `--allow-delete` to apply.",
            counted(deletions, "deletion")
        ));
    }
    let draining = plan
        .changes
        .iter()
        .filter(|change| {
            change.procedure.disruptive
                && change
                    .procedure
                    .requires
                    .iter()
                    .any(|flag| flag == "allow-replace")
                && !(change.action == Action::Replace && replace_is_guarded(change.kind))
        })
        .collect::<Vec<_>>();
    if !draining.is_empty() {
        let nodes: u64 = draining
            .iter()
            .filter_map(|change| change.procedure.drained_nodes)
            .sum();
        gates.push(format!(
            "{} `--allow-replace` to apply (pools are rotated: {nodes} node{} drained).",
            counted(draining.len(), "rotation"),
            if nodes == 1 { "" } else { "s" }
        ));
    }
    if guarded_replacements > 0 {
        gates.push(format!(
            "{} `--allow-replace` to apply (a cluster, vault, registry or storage account is recreated).",
            counted(guarded_replacements, "replacement")
        ));
    }
    gates
}

/// Kinds whose replacement destroys data or a control plane (apply's `--allow-replace`).
fn replace_is_guarded(kind: crate::kind::Kind) -> bool {
    kind.descriptor().destructive_replace
}

/// The changes to show, in the order they run: creates, updates and replacements in plan order
/// (parents first), then deletions in reverse plan order (children first). No-ops are left out.
pub fn display_order(plan: &Plan) -> Vec<&ResourceChange> {
    let mut ordered: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|change| !matches!(change.action, Action::Noop | Action::Delete))
        .collect();
    ordered.extend(
        plan.changes
            .iter()
            .rev()
            .filter(|change| change.action == Action::Delete),
    );
    ordered
}

/// Prints the plan on stdout.
pub fn print(plan: &Plan) {
    print!("{}", render(plan, Style::for_stdout()));
}

/// `Plan: N to create, ...` or `No changes. ARM matches the estate.`
pub fn summary_line(plan: &Plan) -> String {
    if !plan.has_changes() {
        return "No changes. ARM matches the estate.".to_owned();
    }
    let summary = plan.summary;
    format!(
        "Plan: {} to create, {} to update, {} to replace, {} to delete.",
        summary.create, summary.update, summary.replace, summary.delete
    )
}

/// What happens to the resource, in words.
pub fn headline(change: &ResourceChange) -> &'static str {
    match change.action {
        Action::Create => {
            if change
                .reasons
                .iter()
                .any(|reason| reason.code == ReasonCode::RecoverSoftDeleted)
            {
                "will be recovered from soft delete"
            } else {
                "will be created"
            }
        }
        Action::Update if !change.procedure.steps.is_empty() => "will be updated in steps",
        Action::Update => "will be updated in place",
        Action::Replace if !change.procedure.steps.is_empty() => {
            "will be rotated (a new pool first, then the old one drained and deleted)"
        }
        Action::Replace => "must be replaced (deleted, then created)",
        Action::Delete => "will be deleted",
        Action::Noop => "is unchanged",
    }
}

/// The detail lines of one change (no color): reasons, and for a create the declared fields.
pub fn change_lines(change: &ResourceChange) -> Vec<String> {
    let mut lines = Vec::new();
    match change.action {
        Action::Create => {
            for reason in &change.reasons {
                lines.push(format!("# {}", reason.message));
            }
            if let Some(after) = &change.after {
                let mut fields = Vec::new();
                flatten(after, "", "", &change.unknown_after_apply, &mut fields);
                lines.extend(fields);
            }
        }
        Action::Update | Action::Replace => {
            for reason in &change.reasons {
                let marker = match reason.code {
                    ReasonCode::ImmutableFieldChanged => "-/+",
                    ReasonCode::FieldChanged | ReasonCode::DependencyChanged => "~",
                    _ => "#",
                };
                lines.push(format!("{marker} {}", reason.message));
            }
        }
        Action::Delete | Action::Noop => {
            for reason in &change.reasons {
                lines.push(format!("# {}", reason.message));
            }
        }
    }
    lines.extend(step_lines(change));
    lines
}

/// The ordered steps of a multi-step change, numbered, with what it disrupts and needs.
fn step_lines(change: &ResourceChange) -> Vec<String> {
    let procedure = &change.procedure;
    if procedure.steps.is_empty() {
        return Vec::new();
    }
    let mut heading = String::from("steps, each after the previous one succeeded");
    if let Some(nodes) = procedure.drained_nodes {
        heading.push_str(&format!(
            "; {nodes} node{} drained",
            if nodes == 1 { "" } else { "s" }
        ));
    }
    if !procedure.requires.is_empty() {
        let flags: Vec<String> = procedure
            .requires
            .iter()
            .map(|flag| format!("--{flag}"))
            .collect();
        heading.push_str(&format!("; needs {}", flags.join(" ")));
    }
    let mut lines = vec![format!("{heading}:")];
    for (position, step) in procedure.steps.iter().enumerate() {
        lines.push(format!("  {}. {}", position + 1, step.description));
    }
    lines
}

/// `path = value` lines for a body, unknown pointers shown as known after apply.
fn flatten(value: &Value, path: &str, pointer: &str, unknown: &[String], out: &mut Vec<String>) {
    if unknown.iter().any(|known_later| known_later == pointer) {
        out.push(format!("{path} = {KNOWN_AFTER_APPLY}"));
        return;
    }
    match value {
        Value::Object(object) if !object.is_empty() => {
            for (key, item) in object {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let child_pointer =
                    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                flatten(item, &child_path, &child_pointer, unknown, out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (index, item) in items.iter().enumerate() {
                let label = item
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| index.to_string());
                flatten(
                    item,
                    &format!("{path}[{label}]"),
                    &format!("{pointer}/{index}"),
                    unknown,
                    out,
                );
            }
        }
        Value::Null => {}
        other => out.push(format!("{path} = {other}")),
    }
}

/// Prints an informational line on stderr (kept off stdout so JSON output stays parseable).
pub fn print_note(note: &str) {
    eprintln!("{note}");
}

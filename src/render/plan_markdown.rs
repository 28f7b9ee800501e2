//! `--output markdown`: the plan for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the
//! summary line, a table of changes with their reasons, one collapsed block per change with its
//! full ARM id and field diff, and notices. Nothing a reader needs (an id, a value) is cut short:
//! when the blocks would pass GitHub's comment limit, whole blocks are left out and named.

use crate::plan::{Action, Plan, ResourceChange};
use crate::render::plan_redact::redacted;
use crate::render::plan_text::{apply_gates, change_lines, display_order, headline, summary_line};

/// GitHub rejects comments over 65,536 characters: detail blocks are added only while the whole
/// document stays under this.
const COMMENT_LIMIT: usize = 60_000;

/// The plan as GitHub-flavoured markdown.
pub fn render(plan: &Plan) -> String {
    let plan = redacted(plan);
    let mut out = format!("### aksctl plan: `{}`\n\n", plan.estate);
    out.push_str(&format!("**{}**\n", summary_line(&plan)));
    let tail = tail(&plan);
    let changing: Vec<&ResourceChange> = display_order(&plan);
    if changing.is_empty() {
        out.push_str(&tail);
        return out;
    }
    out.push_str("\n| Action | Resource | Type | Why |\n|---|---|---|---|\n");
    for change in &changing {
        let why: Vec<String> = change
            .reasons
            .iter()
            .map(|reason| escape_cell(&reason.message))
            .collect();
        out.push_str(&format!(
            "| `{}` {} | `{}` | `{}` | {} |\n",
            change.action.symbol(),
            action_word(change.action),
            escape_cell(&change.address),
            change.arm_type,
            why.join("<br>")
        ));
    }
    out.push('\n');
    let mut left_out: Vec<&str> = Vec::new();
    for (index, change) in changing.iter().enumerate() {
        let block = details_block(change);
        // Room for this block, the end of the document, and the note naming every later change.
        let reserve = changing[index + 1..]
            .iter()
            .map(|later| later.address.len() + 4)
            .sum::<usize>()
            + 200;
        let fits = out.len() + block.len() + tail.len() + reserve <= COMMENT_LIMIT;
        if fits && left_out.is_empty() {
            out.push_str(&block);
        } else {
            left_out.push(&change.address);
        }
    }
    if !left_out.is_empty() {
        out.push_str(&format!(
            "\nDetails of {} more changes are left out to stay within GitHub's comment size: {}. `aksctl plan` (or the saved plan JSON) shows them.\n",
            left_out.len(),
            left_out
                .iter()
                .map(|address| format!("`{}`", escape_cell(address)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push_str(&tail);
    out
}

/// The apply gates and notices that end the document.
fn tail(plan: &Plan) -> String {
    let mut out = String::new();
    for gate in apply_gates(plan) {
        out.push_str(&format!("\n> {gate}\n"));
    }
    if !plan.notices.is_empty() {
        out.push_str("\n**Notices**\n\n");
        for notice in &plan.notices {
            out.push_str(&format!("- {notice}\n"));
        }
    }
    out
}

/// One change as a collapsed block: what happens to which resource in the summary, then its full
/// ARM id and the field diff.
fn details_block(change: &ResourceChange) -> String {
    let mut diff = format!(
        "{} {} {}\n",
        diff_marker(change.action),
        change.address,
        headline(change)
    );
    for line in change_lines(change) {
        diff.push_str(&format!("    {line}\n"));
    }
    format!(
        "<details><summary><code>{} {}</code> {}</summary>\n\n<code>{}</code>\n\n```diff\n{}```\n\n</details>\n",
        diff_marker(change.action),
        html_escape(&change.address),
        headline(change),
        html_escape(change.id.as_str()),
        diff.replace("```", "'''")
    )
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Prints the plan as markdown on stdout.
pub fn print(plan: &Plan) {
    print!("{}", render(plan));
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
        Action::Noop => "no-op",
    }
}

/// The first column of a `diff` block line: `+` green, `-` red, `!` (orange) otherwise.
fn diff_marker(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Delete => "-",
        Action::Replace => "-/+",
        Action::Update | Action::Noop => "!",
    }
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

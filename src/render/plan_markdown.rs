//! `--output markdown`: the plan for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the
//! summary line, a table of changes with their reasons, field details in a collapsed diff block,
//! and notices.

use crate::plan::{Action, Plan, ResourceChange};
use crate::render::plan_redact::redacted;
use crate::render::plan_text::{apply_gates, change_lines, display_order, headline, summary_line};

/// GitHub rejects comments over 65,536 characters; details are cut well before that.
const DETAILS_LIMIT: usize = 50_000;

/// The plan as GitHub-flavoured markdown.
pub fn render(plan: &Plan) -> String {
    let plan = redacted(plan);
    let mut out = format!("### aksctl plan: `{}`\n\n", plan.estate);
    out.push_str(&format!("**{}**\n", summary_line(&plan)));
    let changing: Vec<&ResourceChange> = display_order(&plan);
    if !changing.is_empty() {
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
        let mut details = String::new();
        for change in &changing {
            details.push_str(&format!(
                "{} {} {}\n",
                diff_marker(change.action),
                change.address,
                headline(change)
            ));
            for line in change_lines(change) {
                details.push_str(&format!("    {line}\n"));
            }
        }
        if details.len() > DETAILS_LIMIT {
            let cut = details
                .char_indices()
                .take_while(|(index, _)| *index < DETAILS_LIMIT)
                .last()
                .map(|(index, _)| index)
                .unwrap_or(0);
            details.truncate(cut);
            details.push_str("\n… (details cut; run `aksctl plan` for the full plan)\n");
        }
        out.push_str("\n<details><summary>Details</summary>\n\n```diff\n");
        out.push_str(&details.replace("```", "'''"));
        out.push_str("```\n\n</details>\n");
    }
    for gate in apply_gates(&plan) {
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

//! `aksctl check -f FILE...`: load the estate offline, run every rule, print the findings (text,
//! JSON, SARIF or markdown); exit 1 when one is at or above `--fail-on`. `--list-rules` prints
//! the rule table instead. Sends nothing to Azure.

use crate::check::{self, CheckOptions};
use crate::cli::{CheckArgs, CheckOutputFormat};
use crate::commands::estate::load;
use crate::commands::{CommandError, ExitStatus};
use crate::render::{check_json, check_rules, check_sarif, check_text};

pub fn run(args: &CheckArgs) -> Result<ExitStatus, CommandError> {
    if args.list_rules {
        check_rules::print(&match args.output {
            CheckOutputFormat::Text => check_rules::text(),
            CheckOutputFormat::Markdown => check_rules::markdown(),
            CheckOutputFormat::Json | CheckOutputFormat::Sarif => check_rules::json(),
        });
        return Ok(ExitStatus::Success);
    }
    let loaded = load(&args.files, false)?;
    let report = check::check(
        &loaded,
        &CheckOptions {
            profile: args.profile,
        },
    );
    check_text::print(&match args.output {
        CheckOutputFormat::Text => check_text::text(&report),
        CheckOutputFormat::Json => check_json::render(&report),
        CheckOutputFormat::Sarif => check_sarif::render(&report),
        CheckOutputFormat::Markdown => check_text::markdown(&report),
    });
    Ok(if report.fails(args.fail_on) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

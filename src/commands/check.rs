//! `aksctl check -f FILE...`: load the estate offline, run every rule, print the findings (text,
//! JSON, SARIF or markdown); exit 1 when one is at or above `--fail-on`. `--list-rules` prints
//! the rule table instead. Sends nothing to Azure.

use crate::check::{self, CheckOptions};
use crate::cli::{CheckArgs, CheckOutputFormat};
use crate::commands::ExitStatus;
use crate::render::diagnostics::print_diagnostics;
use crate::render::{check_json, check_rules, check_sarif, check_text};
use crate::spec;

pub fn run(args: &CheckArgs, _verbose: u8) -> ExitStatus {
    if args.list_rules {
        check_rules::print(&match args.output {
            CheckOutputFormat::Text => check_rules::text(),
            CheckOutputFormat::Markdown => check_rules::markdown(),
            CheckOutputFormat::Json | CheckOutputFormat::Sarif => check_rules::json(),
        });
        return ExitStatus::Success;
    }
    let loaded = match spec::load(&args.files) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            return ExitStatus::Failure;
        }
    };
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
    if report.fails(args.fail_on) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

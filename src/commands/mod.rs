//! One module per subcommand; each turns resolved arguments into work across the stages and
//! returns an `ExitStatus`. `run` dispatches and is the single place errors become exit codes.

use crate::cli::{Cli, Command};

mod adopt;
mod apply;
mod check;
mod destroy;
mod dr;
mod drift;
mod export;
mod logging;
mod outputs;
mod plan;
mod render;
mod schema;
mod validate;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success, or no changes.
    Success,
    /// An error: bad input, ARM failure, stale plan, failed apply.
    Failure,
    /// `plan --detailed-exitcode` (or `drift`) found changes.
    Changes,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let verbose = cli.verbose;
    match cli.command {
        Command::Validate(args) => validate::run(&args, verbose),
        Command::Render(args) => render::run(&args, verbose),
        Command::Schema => schema::run(),
        Command::Plan(args) => plan::run(&args, verbose),
        Command::Apply(args) => apply::run(&args, verbose),
        Command::Destroy(args) => destroy::run(&args, verbose),
        Command::Export(args) => export::run(&args, verbose),
        Command::Adopt(args) => adopt::run(&args, verbose),
        Command::Drift(args) => drift::run(&args, verbose),
        Command::Outputs(args) => outputs::run(&args, verbose),
        Command::Dr(args) => dr::run(&args, verbose),
        Command::Check(args) => check::run(&args, verbose),
    }
}

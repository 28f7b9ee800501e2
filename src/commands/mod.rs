//! One module per subcommand; each turns resolved arguments into work across the stages and
//! returns `Result<ExitStatus, CommandError>`. `run` is the one place that starts logging and the
//! async runtime, dispatches, prints a failed command's error and maps it to an exit code.

// `CommandError` carries ARM and connection errors with everything needed to explain them; it is
// the cold path, so its size does not matter.
#![allow(clippy::result_large_err)]

use crate::cli::{Cli, Command};

mod adopt;
mod apply;
mod check;
mod completions;
mod destroy;
mod dr;
mod drift;
mod error;
mod estate;
mod export;
mod logging;
mod outputs;
mod plan;
mod render;
mod schema;
mod validate;

pub use error::CommandError;

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

/// Runs the parsed command line: logging and one async runtime for the whole run, then the
/// command; an error is printed here (with its cause chain under `-v`) and exits 1.
pub fn run(cli: Cli) -> ExitStatus {
    let verbose = cli.verbose;
    logging::init(verbose);
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CommandError::Runtime)
        .and_then(|runtime| runtime.block_on(dispatch(cli.command)));
    match outcome {
        Ok(status) => status,
        Err(error) => {
            error::print(&error, verbose);
            ExitStatus::Failure
        }
    }
}

/// One line per command.
async fn dispatch(command: Command) -> Result<ExitStatus, CommandError> {
    match command {
        Command::Validate(args) => validate::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Schema => schema::run(),
        Command::Plan(args) => plan::run(&args).await,
        Command::Apply(args) => apply::run(&args).await,
        Command::Destroy(args) => destroy::run(&args).await,
        Command::Export(args) => export::run(&args).await,
        Command::Adopt(args) => adopt::run(&args).await,
        Command::Drift(args) => drift::run(&args).await,
        Command::Outputs(args) => outputs::run(&args).await,
        Command::Dr(args) => dr::run(&args).await,
        Command::Completions(args) => completions::run_completions(&args),
        Command::Man => completions::run_man(),
        Command::Check(args) => check::run(&args),
    }
}

//! `aksctl completions SHELL` (a completion script generated from the command line's own
//! definition) and `aksctl man` (the roff man page, likewise): both on stdout, both offline.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::commands::{CommandError, ExitStatus};
use crate::render::estate::print_bytes;

/// Runs `aksctl completions SHELL`.
pub fn run_completions(args: &CompletionsArgs) -> Result<ExitStatus, CommandError> {
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    print_bytes(&script);
    Ok(ExitStatus::Success)
}

/// Runs `aksctl man`.
pub fn run_man() -> Result<ExitStatus, CommandError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|source| CommandError::Write {
            path: "the man page".into(),
            source,
        })?;
    print_bytes(&page);
    Ok(ExitStatus::Success)
}

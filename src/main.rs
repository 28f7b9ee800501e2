//! The `aksctl` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = aksctl::cli::Cli::parse();
    ExitCode::from(aksctl::run(cli).code())
}

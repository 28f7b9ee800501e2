//! The `aksctl` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match aksctl::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` print and succeed. A usage error exits 1, never clap's
            // default 2: exit code 2 means "changes present" to `plan --detailed-exitcode` users.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(aksctl::ExitStatus::Failure.code())
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    ExitCode::from(aksctl::run(cli).code())
}

//! The `aksctl` binary: parse the command line, run it, exit with its code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match aksctl::cli::Cli::try_parse() {
        Ok(cli) => ExitCode::from(aksctl::run(cli).code()),
        // `--help` and `--version` print and succeed. A usage error exits 1, never clap's default
        // 2: exit code 2 means "changes present" to `plan --detailed-exitcode` users.
        Err(error) => {
            let _ = error.print();
            ExitCode::from(if error.use_stderr() {
                aksctl::ExitStatus::Failure.code()
            } else {
                aksctl::ExitStatus::Success.code()
            })
        }
    }
}

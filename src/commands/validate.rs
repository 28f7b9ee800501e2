//! `aksctl validate -f FILE...`: load, merge, default and check the estate offline; print a
//! summary on success or every problem (exit 1). Sends nothing to Azure.

use crate::cli::FilesArgs;
use crate::commands::ExitStatus;
use crate::render::diagnostics::{print_diagnostics, print_valid};
use crate::spec;

pub fn run(args: &FilesArgs, _verbose: u8) -> ExitStatus {
    match spec::load(&args.files) {
        Ok(loaded) => {
            print_valid(&loaded);
            ExitStatus::Success
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            ExitStatus::Failure
        }
    }
}

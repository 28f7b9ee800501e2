//! `aksctl render -f FILE...`: print the merged, fully-defaulted estate as YAML (what will be
//! planned). The output is itself a valid estate file.

use crate::cli::FilesArgs;
use crate::commands::ExitStatus;
use crate::render::diagnostics::print_diagnostics;
use crate::render::estate::{estate_yaml, print_error, print_estate_yaml};
use crate::spec;

pub fn run(args: &FilesArgs, _verbose: u8) -> ExitStatus {
    let loaded = match spec::load(&args.files) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            return ExitStatus::Failure;
        }
    };
    match estate_yaml(&loaded.estate) {
        Ok(yaml) => {
            print_estate_yaml(&yaml);
            ExitStatus::Success
        }
        Err(error) => {
            print_error(&error.to_string());
            ExitStatus::Failure
        }
    }
}

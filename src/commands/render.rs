//! `aksctl render -f FILE...`: print the merged, fully-defaulted estate as YAML (what will be
//! planned). The output is itself a valid estate file.

use crate::cli::FilesArgs;
use crate::commands::estate::load;
use crate::commands::{CommandError, ExitStatus};
use crate::render::estate::{estate_yaml, print_estate_yaml};

pub fn run(args: &FilesArgs) -> Result<ExitStatus, CommandError> {
    let loaded = load(&args.files, false)?;
    let yaml =
        estate_yaml(&loaded.estate).map_err(|error| CommandError::Invalid(error.to_string()))?;
    print_estate_yaml(&yaml);
    Ok(ExitStatus::Success)
}

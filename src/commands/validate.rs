//! `aksctl validate -f FILE...`: load, merge, default and check the estate offline; print a
//! summary on success or every problem (exit 1). Sends nothing to Azure.

use crate::cli::FilesArgs;
use crate::commands::estate::load;
use crate::commands::{CommandError, ExitStatus};
use crate::render::diagnostics::print_valid;

pub fn run(args: &FilesArgs) -> Result<ExitStatus, CommandError> {
    let loaded = load(&args.files, false)?;
    print_valid(&loaded);
    Ok(ExitStatus::Success)
}

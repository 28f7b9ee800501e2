//! `aksctl schema`: placeholder until its issue lands.

use crate::commands::ExitStatus;

pub fn run() -> ExitStatus {
    ExitStatus::Failure
}

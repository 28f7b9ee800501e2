//! `aksctl destroy`: placeholder until its issue lands (replaced by the helper that owns it).

use crate::commands::ExitStatus;

pub fn run<T>(_args: &T, _verbose: u8) -> ExitStatus {
    ExitStatus::Failure
}

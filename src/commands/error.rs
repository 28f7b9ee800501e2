//! `CommandError`: why a command could not do its work, one variant per stage it can fail in,
//! each carrying its cause; and `print`, the one place a failed command's error is shown.

use std::path::PathBuf;

use crate::apply::gates::{BlockedChange, StaleResource};
use crate::arm::{ArmError, TenantError};
use crate::desired::LowerError;
use crate::export::adopt::AdoptError;
use crate::export::ExportError;
use crate::live::LiveError;
use crate::planner::PlanError;
use crate::render::{diagnostics, report};
use crate::sandbox::ConnectError;
use crate::spec::Diagnostics;

/// Why a command failed (as opposed to running and reporting a failed outcome, such as an apply
/// step that failed or a credential left on an old issuer: those print their own report and
/// return `ExitStatus::Failure`).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The command line asks for something that cannot work (what to do instead is in the text).
    #[error("{0}")]
    Usage(String),
    /// A refusal that protects the user: nothing was changed, the text says why and what to do.
    #[error("{0}")]
    Refused(String),
    #[error("the estate files have problems")]
    Estate(Diagnostics),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Tenant(#[from] TenantError),
    #[error("cannot lower the estate to ARM resources: {0}")]
    Lower(#[from] LowerError),
    #[error("cannot read live state from ARM: {0}")]
    Live(#[from] LiveError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Lease(#[from] crate::apply::lease::LeaseError),
    #[error("cannot re-check the saved plan against Azure: {0}; nothing was changed")]
    Recheck(#[source] LiveError),
    #[error("{context}: {source}")]
    Arm {
        context: String,
        #[source]
        source: ArmError,
    },
    #[error("export failed: {0}")]
    Export(#[from] ExportError),
    #[error(transparent)]
    Adopt(#[from] AdoptError),
    #[error("the plan has destructive changes that were not allowed; nothing was changed")]
    Blocked(Vec<BlockedChange>),
    #[error("the saved plan is stale; nothing was changed")]
    Stale(Vec<StaleResource>),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

impl CommandError {
    /// An ARM call that failed, with what the command was doing.
    pub fn arm(context: impl Into<String>, source: ArmError) -> CommandError {
        CommandError::Arm {
            context: context.into(),
            source,
        }
    }
}

/// Prints a failed command's error on stderr: estate problems with their locations, the
/// destructive-change and stale-plan lists, anything else with its cause chain under `-v`.
pub(crate) fn print(error: &CommandError, verbose: u8) {
    match error {
        CommandError::Estate(problems) => diagnostics::print_diagnostics(problems),
        CommandError::Blocked(blocked) => report::print_blocked(blocked),
        CommandError::Stale(stale) => report::print_stale(stale),
        other => diagnostics::print_error(other, verbose),
    }
}

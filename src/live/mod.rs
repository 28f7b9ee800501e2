//! Live state: what ARM has, read one list per collection, with fingerprints for stale-plan checks.
//!
//! `read` reads what an estate needs (its resource groups, the managed kinds in them, children of
//! what it finds, the subscription's role assignments, soft-deleted vaults when a declared vault
//! is missing); `read_ids` re-reads a given set of ids for apply's stale-plan check. Both list each
//! collection once instead of GETting resource by resource.

mod arm_reader;
mod collections;
mod fingerprint;
mod read_queue;
mod reader;
mod state;

#[cfg(test)]
mod tests;

pub use collections::{child_collections, collection_of, ChildReading, Collection};
pub use fingerprint::{canonical_json, fingerprint_of, ABSENT};
pub use reader::{
    read_ids_with, read_with, ArmReader, ReadFailure, ReadOptions, MAX_PARALLEL_READS,
};
pub use state::{DeletedVault, LiveResource, LiveState, MANAGED_BY_TAG, OWNER_TAG};

use crate::arm::ArmClient;
use crate::desired::DesiredState;
use crate::id::ResourceId;

/// Why live state could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// An ARM read failed (after the client's own retries).
    #[error("reading {path} failed: {source}")]
    Read {
        path: String,
        #[source]
        source: ReadFailure,
    },
    /// A read task ended abnormally.
    #[error("a live-state read task failed: {0}")]
    Task(String),
}

/// Reads the live state an estate needs from ARM, one list per collection, with bounded
/// parallelism. `estate` is the ownership tag value (`aksctl-estate=<estate>`), normally
/// `desired.estate`.
pub async fn read(
    client: &ArmClient,
    desired: &DesiredState,
    estate: &str,
) -> Result<LiveState, LiveError> {
    read_with(client, desired, estate, &ReadOptions::default()).await
}

/// Re-reads exactly `ids` (absent ones stay absent), listing each collection once: used by
/// apply to compare a saved plan's `observed` fingerprints with ARM now.
pub async fn read_ids(client: &ArmClient, ids: &[ResourceId]) -> Result<LiveState, LiveError> {
    read_ids_with(client, ids, &ReadOptions::default()).await
}

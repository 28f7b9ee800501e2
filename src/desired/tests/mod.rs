//! Lowering tests. Fixture estates go through the real spec loader, so they are merged,
//! defaulted and validated exactly as `aksctl plan` sees them.

mod bodies;
mod fixture;
mod network;
mod plans;
mod references;

use super::*;
use crate::spec::load::{load_inputs, Input};
use crate::spec::types::Estate;

use fixture::{FIXTURE, KUBELET_ESTATE};

pub(super) const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub(super) const TENANT: &str = "11111111-1111-1111-1111-111111111111";

pub(super) fn load(text: &str) -> Estate {
    let input = Input {
        name: "estate.yaml".into(),
        bytes: Ok(text.as_bytes().to_vec()),
    };
    match load_inputs(vec![input], &|_| None) {
        Ok(loaded) => loaded.estate,
        Err(diagnostics) => panic!("fixture does not load:\n{diagnostics}"),
    }
}

pub(super) fn context() -> LowerContext {
    LowerContext {
        tenant_id: Some(TENANT.to_string()),
        subscription: None,
        ..LowerContext::default()
    }
}

pub(super) fn fixture() -> DesiredState {
    lower(&load(FIXTURE), &context()).expect("fixture lowers")
}

pub(super) fn resource<'a>(state: &'a DesiredState, address: &str) -> &'a DesiredResource {
    state
        .by_address(address)
        .unwrap_or_else(|| panic!("{address} not lowered; have {:?}", addresses(state)))
}

pub(super) fn addresses(state: &DesiredState) -> Vec<&str> {
    state.resources.iter().map(|r| r.address.as_str()).collect()
}

pub(super) fn count(state: &DesiredState, kind: Kind) -> usize {
    state.resources.iter().filter(|r| r.kind == kind).count()
}

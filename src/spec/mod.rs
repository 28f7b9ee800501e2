//! The estate format: YAML files -> merged, defaulted, validated `Estate`, with located diagnostics.
//!
//! `types` is the data model; `reference` parses typed references (scopes, issuers, subjects);
//! `roles` maps built-in role names to GUIDs; `resolve` answers lookups on an estate.
//! Loading: `node` (located YAML tree) -> `environment` (`${VAR}`) -> `merge` (several files) ->
//! `check` (structure against `schema`) -> typed `Estate` -> `defaults` -> `validate`.

pub mod check;
pub mod cidr;
pub mod defaults;
pub mod diagnostic;
pub mod environment;
pub mod load;
pub mod merge;
pub mod node;
pub mod reference;
pub mod resolve;
pub mod roles;
pub mod schema;
pub mod suggest;
pub mod types;
pub mod validate;

pub use diagnostic::{Diagnostic, Diagnostics, Position, SourceId, Sources};
pub use load::{load, load_inputs, Input, LoadedEstate};
pub use reference::{IssuerSource, ScopeParseError, ScopeReference, WORKLOAD_IDENTITY_AUDIENCE};
pub use types::*;

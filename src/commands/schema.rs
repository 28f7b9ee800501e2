//! `aksctl schema`: print the JSON Schema (draft 2020-12) of the estate format, for editors
//! (e.g. `# yaml-language-server: $schema=...`).

use crate::commands::{CommandError, ExitStatus};
use crate::render::estate::print_json;
use crate::spec::schema::estate_schema;

pub fn run() -> Result<ExitStatus, CommandError> {
    print_json(&estate_schema());
    Ok(ExitStatus::Success)
}

//! The only code that prints: diagnostics, rendered estates, plans (text, JSON, markdown),
//! progress and reports. Every other module returns data.
#![allow(clippy::print_stdout, clippy::print_stderr)]
pub mod check_json;
pub mod check_rules;
pub mod check_sarif;
pub mod check_text;
pub mod diagnostics;
pub mod drift;
pub mod estate;
pub mod outputs;
pub mod plan_json;
pub mod plan_markdown;
pub mod plan_redact;
pub mod plan_text;
pub mod progress;
pub mod report;

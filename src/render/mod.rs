//! The only code that prints: diagnostics, rendered estates, plans (text, JSON, markdown),
//! progress and reports. Every other module returns data.
#![allow(clippy::print_stdout, clippy::print_stderr)]

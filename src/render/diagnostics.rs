//! Printing estate diagnostics and command errors (stderr) and the `validate` summary (stdout).
//! Formatting is split from printing so tests can snapshot the exact text.
//!
//! Each problem reads, compiler style:
//!
//! ```text
//! error: plans/x.yaml:12:9: clusters[0].pools[0].vmSise: unknown field `vmSise`
//!    12 |         vmSise: Standard_D4s_v5
//!       |         ^
//!   hint: did you mean `vmSize`?
//! ```

use std::fmt::Write as _;

use crate::arm::ArmError;
use crate::spec::{Diagnostic, Diagnostics, LoadedEstate};

/// All problems, then a summary line saying nothing was sent to Azure.
pub fn format_diagnostics(diagnostics: &Diagnostics) -> String {
    let mut text = String::new();
    for diagnostic in &diagnostics.items {
        format_one(&mut text, diagnostics, diagnostic);
    }
    let count = diagnostics.len();
    let noun = if count == 1 { "problem" } else { "problems" };
    let _ = writeln!(
        text,
        "error: {count} {noun} in the estate; nothing was sent to Azure"
    );
    text
}

fn format_one(text: &mut String, diagnostics: &Diagnostics, diagnostic: &Diagnostic) {
    let mut headline = String::from("error: ");
    if let Some(location) = diagnostics.location_of(diagnostic) {
        headline.push_str(&location);
        headline.push_str(": ");
    }
    if !diagnostic.path.is_empty() {
        headline.push_str(&diagnostic.path);
        headline.push_str(": ");
    }
    headline.push_str(&diagnostic.message);
    let _ = writeln!(text, "{headline}");
    if let Some(position) = diagnostic.position {
        let line = diagnostics
            .sources
            .line(position.source, position.line)
            .filter(|line| position.column <= 160 && line.chars().count() <= 400);
        if let Some(line) = line {
            let number = position.line.to_string();
            let gutter = " ".repeat(number.len());
            let shown: String = line.chars().take(200).collect();
            let caret_at = usize::try_from(position.column.saturating_sub(1)).unwrap_or(0);
            let padding: String = line
                .chars()
                .take(caret_at)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(text, "   {number} | {shown}");
            let _ = writeln!(text, "   {gutter} | {padding}^");
        }
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(text, "  hint: {hint}");
    }
}

/// Prints every problem to stderr.
pub fn print_diagnostics(diagnostics: &Diagnostics) {
    eprint!("{}", format_diagnostics(diagnostics));
}

/// A command's error: `error: <message>`; with `-v`, each underlying cause not already in the
/// message on its own `caused by:` line, down to the raw chain of a transport or credential
/// failure whose message shows only its recognised root cause.
pub fn format_error(error: &(dyn std::error::Error + 'static), verbose: u8) -> String {
    let mut text = format!("error: {error}");
    if verbose > 0 {
        let mut current = Some(error);
        while let Some(cause) = current {
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                let _ = write!(text, "\n  caused by: {cause_text}");
            }
            let arm = cause
                .downcast_ref::<ArmError>()
                .or_else(|| cause.downcast_ref::<Box<ArmError>>().map(|boxed| &**boxed));
            if let Some(underlying) = arm.and_then(ArmError::underlying) {
                if !text.contains(underlying) {
                    let _ = write!(text, "\n  caused by: {underlying}");
                }
            }
            current = cause.source();
        }
    }
    text.push('\n');
    text
}

/// Prints a command's error to stderr (see [`format_error`]).
pub fn print_error(error: &(dyn std::error::Error + 'static), verbose: u8) {
    eprint!("{}", format_error(error, verbose));
}

/// Prints a one-line error to stderr: `error: <message>`.
pub fn print_error_message(message: &str) {
    eprintln!("error: {message}");
}

/// The one-line success summary of `aksctl validate`.
pub fn format_valid(loaded: &LoadedEstate) -> String {
    let files = loaded.sources.files.len();
    format!(
        "ok: {} ({} resources in {} {}, subscription {})\n",
        loaded.estate.name(),
        loaded.estate.resource_count(),
        files,
        if files == 1 { "file" } else { "files" },
        loaded.estate.subscription,
    )
}

/// Prints the success summary to stdout.
pub fn print_valid(loaded: &LoadedEstate) {
    print!("{}", format_valid(loaded));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{load_inputs, Input};

    fn diagnostics_for(text: &str) -> Diagnostics {
        let input = Input {
            name: "plans/bad.yaml".into(),
            bytes: Ok(text.as_bytes().to_vec()),
        };
        match load_inputs(vec![input], &|_| None) {
            Ok(_) => panic!("expected problems"),
            Err(diagnostics) => diagnostics,
        }
    }

    #[test]
    fn unknown_field_rendering() {
        let diagnostics = diagnostics_for(
            "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nmetadata: {name: e}\nsubscription: ${AZURE_SUBSCRIPTION_ID}\nlocation: eastus\nresourceGroupz: []\n",
        );
        insta::assert_snapshot!(format_diagnostics(&diagnostics), @r"
        error: plans/bad.yaml:4:15: subscription: environment variable `AZURE_SUBSCRIPTION_ID` is not set
           4 | subscription: ${AZURE_SUBSCRIPTION_ID}
             |               ^
          hint: export AZURE_SUBSCRIPTION_ID=... before running aksctl, or write the value literally
        error: plans/bad.yaml:6:1: resourceGroupz: unknown field `resourceGroupz`
           6 | resourceGroupz: []
             | ^
          hint: did you mean `resourceGroups`?
        error: 2 problems in the estate; nothing was sent to Azure
        ");
    }

    #[test]
    fn rule_rendering() {
        let diagnostics = diagnostics_for(
            "apiVersion: aksctl.dev/v1alpha1\nkind: Estate\nmetadata: {name: e}\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: eastus\nresourceGroups: [{name: rg}]\nkeyVaults:\n  - name: kv--bad\n    resourceGroup: rg-missing\n",
        );
        insta::assert_snapshot!(format_diagnostics(&diagnostics), @r"
        error: plans/bad.yaml:8:11: keyVaults[0].name: `kv--bad` is not a valid key vault name
           8 |   - name: kv--bad
             |           ^
          hint: 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, no `--`; globally unique
        error: plans/bad.yaml:9:20: keyVaults[0].resourceGroup: resource group `rg-missing` is not declared in this estate
           9 |     resourceGroup: rg-missing
             |                    ^
          hint: declare it under `resourceGroups`, or fix the name
        error: 2 problems in the estate; nothing was sent to Azure
        ");
    }
}

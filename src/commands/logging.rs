//! Logging for commands: `tracing` to stderr, `warn` by default, `-v` ARM requests (debug),
//! `-vv` bodies (trace); `RUST_LOG` overrides. Tokens are redacted by the ARM client.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber once per process (later calls are no-ops).
pub(crate) fn init(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "warn,aksctl=debug",
        _ => "warn,aksctl=trace,mock_arm=debug",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .and_then(|value| EnvFilter::try_new(value).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let _already_set = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(verbose > 1)
        .try_init();
}

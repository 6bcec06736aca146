//! Log output through `tracing`: one line per event on standard error, at
//! `info` by default, `debug` with `-v`, `trace` with `-vv`; `MGMT_LOG` (a
//! tracing filter such as `mgmt_runtime=debug`) overrides.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8) {
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("MGMT_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(verbose > 0)
        .try_init();
}

//! Log output through `tracing`: one event per line on standard error, at
//! `info` by default, `debug` with `-v`, `trace` with `-vv`; `MGMT_LOG` (a
//! tracing filter such as `mgmt_runtime=debug`) overrides. Lines are for
//! people, or (`--log-format json`) one JSON object each for log shippers.

use crate::cli::LogFormatArg;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8, format: LogFormatArg) {
    // The inotify crate warns once per watch it cannot remove because its
    // path is gone: under churn (a tree swapped in a loop) that was 780,000
    // lines in 20 s. What matters of the watches is logged by mgmt itself.
    let level = match verbose {
        0 => "info,notify=error",
        1 => "debug,notify=error",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("MGMT_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormatArg::Human => builder
            .with_ansi(std::io::stderr().is_terminal())
            .with_target(verbose > 0)
            .try_init(),
        // The event's fields (`message` among them) at the top level, beside
        // `timestamp`, `level` and `target`: what shippers index directly.
        LogFormatArg::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}

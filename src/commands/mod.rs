//! One module per subcommand (`shell.rs` holds the two that print the CLI
//! itself: completions and the manual page).

pub mod check;
pub mod compile;
pub mod fmt;
mod report;
pub mod run;
pub mod shell;
mod signals;
mod world;

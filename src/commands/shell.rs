//! `mgmt completions SHELL` and `mgmt man`: the command line described for
//! shells and for `man`, both generated from the clap definitions in
//! `cli.rs`, so they never fall behind the flags.

use crate::cli::Cli;
use crate::Failure;
use anyhow::Context;
use clap::CommandFactory;
use std::io::Write;

/// Prints the completion script for `shell` on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "mgmt", &mut script);
    write_stdout(&script)
}

/// Prints a manual page as roff on standard output: mgmt(1) (the global
/// flags and the list of subcommands), or mgmt-SUBCOMMAND(1) with every
/// flag of that subcommand.
pub fn man(subcommand: Option<&str>) -> Result<(), Failure> {
    let mut mgmt = Cli::command();
    // Propagates the version to the subcommands, for their pages' headers.
    mgmt.build();
    let command = match subcommand {
        None => mgmt,
        Some(name) => mgmt
            .find_subcommand(name)
            .cloned()
            .with_context(|| format!("no subcommand {name}"))?
            .name(format!("mgmt-{name}")),
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .context("cannot render the manual page")?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("cannot write standard output")?;
    Ok(())
}

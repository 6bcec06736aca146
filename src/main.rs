//! `mgmt`: the command-line entry point. Parses arguments, runs one
//! subcommand, and maps its outcome to the exit codes of DESIGN.md
//! (0 success, 1 program or compile error, 2 usage error, 3 run failure;
//! `mgmt run --detailed-exitcodes` picks its own, see `commands/run.rs`).

mod allocator;
mod cli;
mod commands;
mod entry;
mod graphviz;
mod logging;
mod source;

use mgmt::toolbox;

use clap::{CommandFactory, Parser};
use std::process::ExitCode;

/// How a command ended, beyond plain success.
#[derive(Debug)]
pub enum Failure {
    /// The program has errors; they were already printed. Exit 1.
    Program,
    /// The command could not do its job (I/O, missing feature). Exit 3.
    Run(anyhow::Error),
    /// Like `Run`, with the error already printed (as a diagnostic). Exit 3.
    Reported,
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::Run(error)
    }
}

fn main() -> ExitCode {
    allocator::tune();
    let cli = cli::Cli::parse();
    if let Some(Err(message)) = cli.command.entry().map(cli::EntryArgs::validate) {
        cli::Cli::command()
            .error(clap::error::ErrorKind::UnknownArgument, message)
            .exit();
    }
    let worker = std::thread::Builder::new()
        .name("mgmt".to_owned())
        .stack_size(mcl_compiler::STACK_BYTES)
        .spawn(move || execute(cli));
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => ExitCode::from(3),
        Err(error) => {
            eprintln!("error: cannot start the worker thread: {error}");
            ExitCode::from(3)
        }
    }
}

fn execute(mut cli: cli::Cli) -> ExitCode {
    let resolved = match cli
        .command
        .entry_mut()
        .map(cli::EntryArgs::resolve_directory)
    {
        Some(Err(problem)) => Err(Failure::Run(anyhow::anyhow!(problem))),
        _ => Ok(0),
    };
    let outcome = resolved.and_then(|_| match cli.command {
        cli::Command::Fmt(args) => commands::fmt::run(&cli.global, &args).map(|()| 0),
        cli::Command::Compile(args) => commands::compile::run(&cli.global, &args).map(|()| 0),
        cli::Command::Check(args) => commands::check::run(&cli.global, &args).map(|()| 0),
        cli::Command::Run(args) => commands::run::run(&cli.global, &args),
        cli::Command::Completions(args) => commands::shell::completions(args.shell).map(|()| 0),
        cli::Command::Man(args) => commands::shell::man(args.command.as_deref()).map(|()| 0),
    });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Program) => ExitCode::from(1),
        Err(Failure::Run(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(3)
        }
        Err(Failure::Reported) => ExitCode::from(3),
    }
}

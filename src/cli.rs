//! The command-line interface as clap types: the CLI contract of DESIGN.md.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// `mgmt --version`: the version, the commit it was built from and the
/// build date (see `build.rs`).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("MGMT_GIT_COMMIT"),
    ", built ",
    env!("MGMT_BUILD_DATE"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "mgmt",
    version = VERSION,
    about = "Event-driven, parallel, distributed configuration management",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
pub struct GlobalArgs {
    /// How to print errors: for people, or one JSON object per line for editors.
    #[arg(long, value_enum, default_value_t = ErrorFormatArg::Human, global = true)]
    pub error_format: ErrorFormatArg,
    /// More log output (repeat for more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Refuse source files (the entry and its imports) larger than this.
    #[arg(long, value_name = "BYTES", default_value_t = mgmt::toolbox::MAX_SOURCE_BYTES, global = true)]
    pub max_source_bytes: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ErrorFormatArg {
    Human,
    Json,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Rewrite .mcl files in the canonical layout.
    Fmt(FmtArgs),
    /// Parse, check and evaluate a program once and print its resource graph.
    Compile(CompileArgs),
    /// Parse and type-check a program; print nothing but its errors.
    Check(CheckArgs),
    /// Run the agent: keep this host converged on the program.
    Run(RunArgs),
    /// Print a shell completion script (e.g. `mgmt completions bash > /etc/bash_completion.d/mgmt`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `mgmt man | man -l -`; with a
    /// subcommand, that subcommand's page (`mgmt man run`).
    Man(ManArgs),
}

/// The subcommands with a page of their own (`man` itself has none; a test
/// checks that no other subcommand is missing).
const MAN_PAGES: [&str; 5] = ["fmt", "compile", "check", "run", "completions"];

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: mgmt(1) itself).
    #[arg(value_parser = MAN_PAGES)]
    pub command: Option<String>,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Files to format in place; `-` reads standard input and writes standard output.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing; exit 1 and show a diff if a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    Text,
    Json,
    Dot,
}

/// The entry file of `compile`, `check` and `run`, optionally after the word
/// `lang`: upstream mgmt names its front end there (`mgmt run lang main.mcl`),
/// and we have only that one, so the word is accepted and skipped.
#[derive(Args, Debug)]
pub struct EntryArgs {
    /// The program's entry file (`-` for standard input), or a directory
    /// holding `main.mcl` (or a `metadata.yaml` naming the main file),
    /// optionally after `lang`.
    #[arg(value_name = "[lang] FILE|DIR", num_args = 1..=2, required = true)]
    words: Vec<PathBuf>,
    /// The directory given as the entry, once resolved to its main file.
    #[arg(skip)]
    directory: Option<PathBuf>,
}

impl EntryArgs {
    /// The entry file: the last word, once [`EntryArgs::validate`] passed.
    pub fn file(&self) -> &Path {
        self.words.last().map_or(Path::new("-"), PathBuf::as_path)
    }

    /// Two words are allowed only as `lang FILE`.
    pub fn validate(&self) -> Result<(), String> {
        match self.words.as_slice() {
            [frontend, _] if frontend != Path::new("lang") => Err(format!(
                "unexpected argument {:?}: only the front end `lang` may come before the file",
                frontend.display().to_string()
            )),
            _ => Ok(()),
        }
    }

    /// Replaces a directory entry by its main file (see `entry.rs`).
    pub fn resolve_directory(&mut self) -> Result<(), String> {
        if let Some(last) = self.words.last_mut() {
            let main = crate::entry::main_file(last)?;
            if main != *last {
                self.directory = Some(std::mem::replace(last, main));
            }
        }
        Ok(())
    }

    /// The directory given as the entry, if one was (its main file is
    /// [`EntryArgs::file`]).
    pub fn directory(&self) -> Option<&Path> {
        self.directory.as_deref()
    }
}

impl Command {
    /// The entry words of a command that has them.
    pub fn entry(&self) -> Option<&EntryArgs> {
        match self {
            Command::Fmt(_) | Command::Completions(_) | Command::Man(_) => None,
            Command::Compile(args) => Some(&args.entry),
            Command::Check(args) => Some(&args.entry),
            Command::Run(args) => Some(&args.entry),
        }
    }

    pub fn entry_mut(&mut self) -> Option<&mut EntryArgs> {
        match self {
            Command::Fmt(_) | Command::Completions(_) | Command::Man(_) => None,
            Command::Compile(args) => Some(&mut args.entry),
            Command::Check(args) => Some(&mut args.entry),
            Command::Run(args) => Some(&mut args.entry),
        }
    }
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub entry: EntryArgs,
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    #[command(flatten)]
    pub entry: EntryArgs,
    /// How to print the resource graph.
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    pub format: GraphFormat,
    /// Also write the graph as Graphviz (PNG or SVG by the file's extension).
    #[arg(long, value_name = "FILE")]
    pub graphviz: Option<PathBuf>,
    /// The host name the program sees as `$hostname`.
    #[arg(long)]
    pub hostname: Option<String>,
    /// Do not add automatic edges.
    #[arg(long)]
    pub no_autoedges: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub entry: EntryArgs,
    /// Exit this many seconds after the graph has converged (0: as soon as
    /// it converges); -1, as upstream writes it, never exits on convergence
    /// (the default).
    #[arg(
        long,
        visible_alias = "converger-timeout",
        value_name = "SECONDS",
        allow_negative_numbers = true,
        value_parser = parse_converged_timeout
    )]
    pub converged_timeout: Option<ConvergedTimeout>,
    /// Accepted for upstream's command lines and changes nothing: the agent
    /// always exits after --converged-timeout, and never without it.
    #[arg(long)]
    pub converged_exit: bool,
    /// The host name the program sees as `$hostname`.
    #[arg(long)]
    pub hostname: Option<String>,
    /// Change nothing; report what would change.
    #[arg(long)]
    pub noop: bool,
    /// Limit concurrent resource work to N.
    #[arg(long, value_name = "N")]
    pub sema: Option<u32>,
    /// Join an etcd cluster at these URLs (comma separated).
    #[arg(long, value_name = "URLS")]
    pub seeds: Option<String>,
    /// Start and supervise a local etcd server (Debian's etcd-server) and
    /// join it; other agents join with --seeds.
    #[arg(long)]
    pub etcd_serve: bool,
    /// The served etcd's client URLs (comma separated).
    #[arg(long, value_name = "URLS", default_value = "http://127.0.0.1:2379")]
    pub etcd_client_urls: String,
    /// The served etcd's peer URLs (comma separated).
    #[arg(long, value_name = "URLS", default_value = "http://127.0.0.1:2380")]
    pub etcd_peer_urls: String,
    /// The client URLs other hosts reach the served etcd at (default: --etcd-client-urls).
    #[arg(long, value_name = "URLS")]
    pub etcd_advertise_client_urls: Option<String>,
    /// The peer URLs other members reach the served etcd at (default: --etcd-peer-urls).
    #[arg(long, value_name = "URLS")]
    pub etcd_advertise_peer_urls: Option<String>,
    /// Serve etcd's client URLs (then https://) with TLS: this certificate
    /// (PEM), with --etcd-serve-key.
    #[arg(long, value_name = "FILE", requires_all = ["etcd_serve", "etcd_serve_key"])]
    pub etcd_serve_cert: Option<PathBuf>,
    /// The key (PEM) of --etcd-serve-cert.
    #[arg(long, value_name = "FILE", requires = "etcd_serve_cert")]
    pub etcd_serve_key: Option<PathBuf>,
    /// Admit only clients whose certificate this CA (PEM) signed (etcd's
    /// client-certificate auth); needs --etcd-serve-cert.
    #[arg(long, value_name = "FILE", requires = "etcd_serve_cert")]
    pub etcd_serve_client_ca: Option<PathBuf>,
    /// The agent's state directory (default /var/lib/mgmt as root, else
    /// ~/.local/state/mgmt): resource state that outlives a restart in
    /// PREFIX/state, a served etcd's data in PREFIX/etcd.
    #[arg(long, value_name = "DIR", env = "MGMT_PREFIX")]
    pub prefix: Option<PathBuf>,
    /// Keys of the cluster live below this etcd prefix.
    #[arg(long, value_name = "PREFIX", default_value = "/_mgmt/")]
    pub etcd_prefix: String,
    /// Bind this host's exports to an etcd lease of this many seconds: they
    /// vanish that long after the agent dies (off by default).
    #[arg(long, value_name = "SECONDS")]
    pub export_ttl: Option<u64>,
    /// The CA certificate (PEM) that signed the etcd servers' certificates.
    #[arg(long, value_name = "FILE")]
    pub etcd_ca: Option<PathBuf>,
    /// This agent's client certificate (PEM) for etcd.
    #[arg(long, value_name = "FILE", requires = "etcd_key")]
    pub etcd_cert: Option<PathBuf>,
    /// The key (PEM) of --etcd-cert.
    #[arg(long, value_name = "FILE", requires = "etcd_cert")]
    pub etcd_key: Option<PathBuf>,
    /// The etcd user to authenticate as; the password comes from
    /// --etcd-password-file or the MGMT_ETCD_PASSWORD variable.
    #[arg(long, value_name = "NAME")]
    pub etcd_user: Option<String>,
    /// A file whose first line is the etcd user's password.
    #[arg(long, value_name = "FILE", requires = "etcd_user")]
    pub etcd_password_file: Option<PathBuf>,
    /// Write what the run did as JSON to FILE when it ends (see docs/report.md).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Exit as Puppet does: 0 nothing changed, 2 something changed (or, with
    /// --noop, would), 4 something failed, 6 both.
    #[arg(long)]
    pub detailed_exitcodes: bool,
    /// How log lines are written: for people, or one JSON object per line.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = LogFormatArg::Human)]
    pub log_format: LogFormatArg,
    /// Write the running graph as Graphviz.
    #[arg(long, value_name = "FILE")]
    pub graphviz: Option<PathBuf>,
    /// Check each resource once; do not watch.
    #[arg(long)]
    pub no_watch: bool,
    /// After SIGINT or SIGTERM, how long running commands may take to
    /// finish before their process groups are killed.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub shutdown_grace: u64,
    /// Which noop diffs show file content: auto hides the content of files
    /// others may not read (their size and digest are shown); always shows
    /// those too; never hides all. Meta:sensitive resources never show it.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ShowDiffArg::Auto)]
    pub show_diff: ShowDiffArg,
    /// Poll every this many seconds a resource that cannot be watched (the
    /// inotify watch limit is reached, say); its watch is retried then.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub watch_fallback_poll: u64,
}

impl RunArgs {
    /// How long the graph must stay converged before the agent exits; `None`: never.
    pub fn converged_timeout(&self) -> Option<std::time::Duration> {
        match self.converged_timeout {
            Some(ConvergedTimeout::After(seconds)) => Some(std::time::Duration::from_secs(seconds)),
            Some(ConvergedTimeout::Never) | None => None,
        }
    }
}

/// `--converged-timeout`'s value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvergedTimeout {
    /// `-1`: never exit on convergence.
    Never,
    After(u64),
}

/// Seconds, or `-1` for never; anything else is explained, where clap's
/// own message for `-1` suggested passing it after `--`.
fn parse_converged_timeout(text: &str) -> Result<ConvergedTimeout, String> {
    if text.trim() == "-1" {
        return Ok(ConvergedTimeout::Never);
    }
    text.trim()
        .parse()
        .map(ConvergedTimeout::After)
        .map_err(|_| {
            "expected a whole number of seconds to stay converged before exiting \
         (0: exit as soon as converged), or -1 to never exit on convergence (the default)"
                .to_owned()
        })
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum LogFormatArg {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ShowDiffArg {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_subcommand_but_man_has_a_page() {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|command| command.get_name().to_owned())
            .filter(|name| name != "man" && name != "help")
            .collect();
        assert_eq!(names, MAN_PAGES);
    }

    #[test]
    fn converged_timeout_takes_seconds_or_minus_one() {
        assert_eq!(parse_converged_timeout("-1"), Ok(ConvergedTimeout::Never));
        assert_eq!(
            parse_converged_timeout("30"),
            Ok(ConvergedTimeout::After(30))
        );
        for bad in ["-2", "1.5", "", "soon"] {
            assert!(parse_converged_timeout(bad).is_err(), "{bad}");
        }
    }
}

//! The command-line interface as clap types: the CLI contract of DESIGN.md.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "mgmt",
    version,
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
    /// The program's entry file (`-` for standard input), optionally after `lang`.
    #[arg(value_name = "[lang] FILE", num_args = 1..=2, required = true)]
    words: Vec<PathBuf>,
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
}

impl Command {
    /// The entry words of a command that has them.
    pub fn entry(&self) -> Option<&EntryArgs> {
        match self {
            Command::Fmt(_) => None,
            Command::Compile(args) => Some(&args.entry),
            Command::Check(args) => Some(&args.entry),
            Command::Run(args) => Some(&args.entry),
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
    /// Exit this many seconds after the graph has converged.
    #[arg(long, visible_alias = "converger-timeout", value_name = "SECONDS")]
    pub converged_timeout: Option<u64>,
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
    /// The agent's state directory: the served etcd keeps its data in
    /// PREFIX/etcd (default /var/lib/mgmt as root, else ~/.local/state/mgmt).
    #[arg(long, value_name = "DIR")]
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

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ShowDiffArg {
    Auto,
    Always,
    Never,
}

//! Running one command of an `exec` resource to completion: the child's
//! environment, credentials and process group, its captured output, and its
//! timeout.
//!
//! Every child starts in a process group of its own, with stdin on
//! `/dev/null` and exactly the resource's environment. A timeout kills the
//! whole group (a shell and everything it started). The groups of running
//! children are registered in their engine's [`RunningCommands`], so that
//! the agent can end them all when it stops. Deciding *whether* to run is
//! the resource's business (`mod.rs`); long-running watch commands live in
//! `watch_command.rs`.

use super::config::{CommandLine, Credentials};
use super::reaper::Reaper;
use crate::resource::ResourceError;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, LazyLock, Mutex, PoisonError};
use std::thread;
use std::time::Duration;
use tracing::warn;

/// How much of each output stream is kept by default (`outputlimit`): the
/// last MiB.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// How long to wait for the output to close once the command has exited: a
/// background process it started may hold the pipes open indefinitely.
const OUTPUT_GRACE: Duration = Duration::from_secs(1);

/// The PATH searched when neither `env` nor the agent has one.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What every command of one resource shares.
#[derive(Clone, Debug, Default)]
pub struct RunContext {
    /// The child's whole environment.
    pub env: BTreeMap<String, String>,
    pub credentials: Credentials,
    /// `None`: no limit.
    pub timeout: Option<Duration>,
    /// Where the children are registered, for the engine's shutdown.
    pub running: RunningCommands,
    /// How many bytes of each output stream are kept (the last ones, from
    /// a line start); `None`: all of it.
    pub output_limit: Option<usize>,
}

/// A command that ran to its end.
#[derive(Clone, Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// Standard output and error interleaved in the order they were read.
    pub output: String,
    /// How many bytes were cut from the front of each stream (`stdout`,
    /// `stderr`, `output`) to keep it within the limit; 0: none.
    pub dropped: [u64; 3],
}

impl Finished {
    /// An error naming `what` unless the command exited with status 0; with
    /// `show_output`, it ends with the last lines the command printed.
    pub fn check(&self, what: &str, show_output: bool) -> Result<(), ResourceError> {
        if self.status.success() {
            return Ok(());
        }
        // `setpriv` could not execute the command: say it as a failed start.
        if let Some(cause) = self
            .stderr
            .strip_prefix("setpriv: failed to execute ")
            .and_then(|rest| rest.trim_end().rsplit_once(": "))
            .map(|(_, cause)| cause)
        {
            return Err(ResourceError::failed(format!(
                "cannot start `{what}`: {cause}"
            )));
        }
        let ending = match (self.status.code(), self.status.signal()) {
            (Some(code), _) => format!("`{what}` exited with status {code}"),
            (None, Some(signal)) => match Signal::try_from(signal) {
                Ok(name) => format!("`{what}` was killed by signal {signal} ({name})"),
                Err(_) => format!("`{what}` was killed by signal {signal}"),
            },
            (None, None) => format!("`{what}` failed ({})", self.status),
        };
        let tail = if !show_output {
            String::new()
        } else if self.stderr.trim().is_empty() {
            last_lines(&self.stdout)
        } else {
            last_lines(&self.stderr)
        };
        Err(ResourceError::failed(if tail.is_empty() {
            ending
        } else {
            format!("{ending}: {tail}")
        }))
    }
}

/// The last few non-empty lines of `text`, for error messages.
fn last_lines(text: &str) -> String {
    const LINES: usize = 10;
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(LINES)..].join("\n")
}

/// The process groups of every command that one engine's `exec` resources
/// are running now (main, guard, done and watch commands). Each engine owns
/// one and hands it to its resources (see [`crate::services::Services`]), so
/// an engine's shutdown kills its own children and no other engine's.
#[derive(Clone, Debug, Default)]
pub struct RunningCommands {
    /// Each running group, with the resource that started it.
    groups: Arc<Mutex<BTreeMap<i32, Arc<str>>>>,
    /// Whose commands this handle registers (see `owned_by`).
    owner: Arc<str>,
    /// Ends the running groups if the agent dies (`mgmt run` only).
    reaper: Option<Arc<Reaper>>,
}

impl RunningCommands {
    /// A register whose running groups are killed whole when the agent
    /// process dies, however it dies (see `reaper.rs`).
    pub fn reaped_at_exit() -> RunningCommands {
        RunningCommands {
            reaper: Some(Arc::default()),
            ..RunningCommands::default()
        }
    }

    /// The same register, for the commands of the resource `owner`.
    pub fn owned_by(&self, owner: &str) -> RunningCommands {
        RunningCommands {
            groups: Arc::clone(&self.groups),
            owner: Arc::from(owner),
            reaper: self.reaper.clone(),
        }
    }

    /// Registers the group led by `leader` (started with `process_group(0)`).
    pub fn register(&self, leader: u32) -> ProcessGroup {
        let id = i32::try_from(leader).unwrap_or(i32::MAX);
        self.lock().insert(id, Arc::clone(&self.owner));
        if let Some(reaper) = &self.reaper {
            reaper.started(id);
        }
        ProcessGroup {
            id,
            running: self.clone(),
        }
    }

    /// Kills the process group of every command registered here; returns
    /// the resources whose commands were killed, sorted, each once.
    pub fn kill_all(&self) -> Vec<String> {
        let groups = self.lock();
        let mut owners = BTreeSet::new();
        for (group, owner) in groups.iter() {
            let _ = killpg(Pid::from_raw(*group), Signal::SIGKILL);
            owners.insert(owner.to_string());
        }
        owners.into_iter().collect()
    }

    /// How many commands are running.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<i32, Arc<str>>> {
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A registered process group; unregistered when dropped.
pub struct ProcessGroup {
    id: i32,
    running: RunningCommands,
}

impl ProcessGroup {
    /// Kills every process of the group.
    pub fn kill(&self) {
        // ESRCH: the group is gone already, which is what we want.
        let _ = killpg(Pid::from_raw(self.id), Signal::SIGKILL);
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.running.lock().remove(&self.id);
        if let Some(reaper) = &self.running.reaper {
            reaper.ended(self.id);
        }
    }
}

/// `setpriv` (util-linux), through which every command is started so that
/// it gets SIGKILL if the agent dies without killing it (SIGKILLed, say):
/// the parent-death signal survives `setpriv`'s exec into the command, and
/// setting it in the child ourselves would need `unsafe` code between fork
/// and exec. It covers the command itself; what it puts in the background
/// is the reaper's (`reaper.rs`). Without `setpriv`, commands start directly, as said once.
static PARENT_DEATH_WRAPPER: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
    let found = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file());
    if found.is_none() {
        warn!(
            "setpriv (util-linux) is missing: commands will outlive an agent that is killed \
             with SIGKILL"
        );
    }
    found
});

/// A command for `program` that the kernel kills when the agent dies (by
/// `setpriv --pdeathsig KILL`, when util-linux has it).
pub(crate) fn dies_with_agent(program: impl AsRef<std::ffi::OsStr>) -> Command {
    match PARENT_DEATH_WRAPPER.as_ref() {
        Some(setpriv) => {
            let mut command = Command::new(setpriv);
            command.args(["--pdeathsig", "KILL", "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// The child process for `line`, ready to spawn (its output not yet set).
pub fn build(line: &CommandLine, context: &RunContext) -> Result<Command, ResourceError> {
    let argv = line.argv();
    let Some((program, arguments)) = argv.split_first() else {
        return Err(ResourceError::invalid(format!(
            "the {} is empty",
            line.role
        )));
    };
    let program = resolve(program, line.cwd.as_deref(), &context.env)?;
    let mut command = dies_with_agent(&program);
    command
        .args(arguments)
        .env_clear()
        .envs(&context.env)
        .stdin(Stdio::null())
        .process_group(0);
    if let Some(cwd) = &line.cwd {
        command.current_dir(cwd);
    }
    if let Some(gid) = context.credentials.gid {
        command.gid(gid);
    }
    if let Some(uid) = context.credentials.uid {
        command.uid(uid);
    }
    Ok(command)
}

/// Finds the program to execute: a name without `/` is looked up in the
/// child's PATH (or the agent's, as Go's `exec.Command` does), a relative
/// path is taken from the command's `cwd`.
fn resolve(
    program: &str,
    cwd: Option<&Path>,
    env: &BTreeMap<String, String>,
) -> Result<PathBuf, ResourceError> {
    if program.contains('/') {
        return Ok(match cwd {
            Some(cwd) if !program.starts_with('/') => cwd.join(program),
            _ => PathBuf::from(program),
        });
    }
    let search = env
        .get("PATH")
        .cloned()
        .or_else(|| std::env::var("PATH").ok())
        .unwrap_or_else(|| DEFAULT_PATH.to_owned());
    search
        .split(':')
        .filter(|directory| !directory.is_empty())
        .map(|directory| Path::new(directory).join(program))
        .find(|candidate| {
            candidate
                .metadata()
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
        .ok_or_else(|| ResourceError::failed(format!("`{program}` is not in PATH ({search})")))
}

/// Runs `line` to its end (or its timeout), capturing its output.
pub fn run(line: &CommandLine, context: &RunContext) -> Result<Finished, ResourceError> {
    let shown = line.display();
    let mut command = build(line, context)?;
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|error| ResourceError::failed(format!("cannot start `{shown}`: {error}")))?;
    let group = context.running.register(child.id());

    let capture = Arc::new(Mutex::new(Capture::new(context.output_limit)));
    let (reading, readers) = mpsc::channel::<()>();
    let mut started = Ok(());
    if let Some(stdout) = child.stdout.take() {
        started = started.and(read_into(stdout, Stream::Stdout, &capture, &reading));
    }
    if let Some(stderr) = child.stderr.take() {
        started = started.and(read_into(stderr, Stream::Stderr, &capture, &reading));
    }
    drop(reading);
    let (exited, exit) = mpsc::channel();
    let waiter = thread::Builder::new()
        .name("exec-wait".into())
        .spawn(move || {
            let _ = exited.send(child.wait());
        });
    if let Err(error) = started.and(waiter.map(drop)) {
        group.kill();
        return Err(ResourceError::failed(format!(
            "cannot read the output of `{shown}`: {error}"
        )));
    }

    let mut timed_out = false;
    let status = match context.timeout {
        Some(limit) => match exit.recv_timeout(limit) {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                group.kill();
                exit.recv()
            }
            other => other.map_err(|_| mpsc::RecvError),
        },
        None => exit.recv(),
    };
    let status = match status {
        Ok(Ok(status)) => status,
        Ok(Err(error)) => {
            return Err(ResourceError::failed(format!(
                "waiting for `{shown}`: {error}"
            )))
        }
        Err(_) => return Err(ResourceError::failed(format!("lost track of `{shown}`"))),
    };

    // Nothing is ever sent: both readers drop their sender at end of file.
    if let Err(mpsc::RecvTimeoutError::Timeout) = readers.recv_timeout(OUTPUT_GRACE) {
        warn!("`{shown}` exited but something it started still holds its output open; not waiting for it");
    }
    let capture = std::mem::replace(
        &mut *capture.lock().unwrap_or_else(PoisonError::into_inner),
        Capture::new(context.output_limit),
    );
    drop(group);
    if timed_out {
        let seconds = context.timeout.map_or(0, |limit| limit.as_secs());
        return Err(ResourceError::failed(format!(
            "`{shown}` timed out after {seconds} s; its process group was killed"
        )));
    }
    let (stdout, stdout_dropped) = capture.stdout.finish();
    let (stderr, stderr_dropped) = capture.stderr.finish();
    let (output, output_dropped) = capture.output.finish();
    Ok(Finished {
        status,
        stdout,
        stderr,
        output,
        dropped: [stdout_dropped, stderr_dropped, output_dropped],
    })
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Copies `source` into the capture on a thread of its own, holding `done`
/// until end of file.
fn read_into(
    mut source: impl Read + Send + 'static,
    stream: Stream,
    capture: &Arc<Mutex<Capture>>,
    done: &mpsc::Sender<()>,
) -> std::io::Result<()> {
    let capture = Arc::clone(capture);
    let done = done.clone();
    thread::Builder::new()
        .name("exec-output".into())
        .spawn(move || {
            let mut buffer = [0; 8192];
            loop {
                match source.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(count) => capture
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(stream, &buffer[..count]),
                    Err(error) if error.kind() == ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            drop(done);
        })
        .map(drop)
}

/// The output read so far; one lock keeps `output` in reading order.
struct Capture {
    stdout: Tail,
    stderr: Tail,
    output: Tail,
}

impl Capture {
    fn new(limit: Option<usize>) -> Capture {
        Capture {
            stdout: Tail::new(limit),
            stderr: Tail::new(limit),
            output: Tail::new(limit),
        }
    }

    fn push(&mut self, stream: Stream, chunk: &[u8]) {
        match stream {
            Stream::Stdout => self.stdout.push(chunk),
            Stream::Stderr => self.stderr.push(chunk),
        }
        self.output.push(chunk);
    }
}

/// The last `limit` bytes of a stream, from the start of a line.
struct Tail {
    bytes: Vec<u8>,
    /// `None`: keep everything.
    limit: Option<usize>,
    /// Bytes dropped from the front so far.
    dropped: u64,
}

impl Tail {
    fn new(limit: Option<usize>) -> Tail {
        Tail {
            bytes: Vec::new(),
            limit,
            dropped: 0,
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        // Trim in batches so that a chatty command costs linear time.
        if let Some(limit) = self.limit {
            if self.bytes.len() > limit.saturating_mul(2).max(64 * 1024) {
                self.trim(limit);
            }
        }
    }

    /// Keeps the last `limit` bytes, starting after a line break when one
    /// is among them (else on a character boundary).
    fn trim(&mut self, limit: usize) {
        if self.bytes.len() <= limit {
            return;
        }
        let mut cut = self.bytes.len() - limit;
        if cut > 0 && self.bytes[cut - 1] != b'\n' {
            match self.bytes[cut..].iter().position(|&byte| byte == b'\n') {
                Some(newline) if newline + 1 < self.bytes.len() - cut => cut += newline + 1,
                _ => {
                    while self.bytes.get(cut).is_some_and(|byte| byte & 0xC0 == 0x80) {
                        cut += 1;
                    }
                }
            }
        }
        self.bytes.drain(..cut);
        self.dropped += cut as u64;
    }

    /// The text kept and how many bytes were dropped.
    fn finish(mut self) -> (String, u64) {
        if let Some(limit) = self.limit {
            self.trim(limit);
        }
        (
            String::from_utf8_lossy(&self.bytes).into_owned(),
            self.dropped,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_without_line_breaks_keeps_the_last_bytes_on_a_character_boundary() {
        let mut tail = Tail::new(Some(OUTPUT_LIMIT));
        tail.push(&vec![b'a'; OUTPUT_LIMIT]);
        tail.push("é".repeat(OUTPUT_LIMIT).as_bytes());
        let (text, dropped) = tail.finish();
        assert!(text.len() <= OUTPUT_LIMIT);
        assert!(text.chars().all(|character| character == 'é'));
        assert_eq!(dropped as usize, 3 * OUTPUT_LIMIT - text.len());
    }

    #[test]
    fn a_tail_starts_at_a_whole_line() {
        let mut tail = Tail::new(Some(10));
        tail.push(b"first line\nsecond\nthird\n");
        assert_eq!(tail.finish(), ("third\n".to_owned(), 18));
        let mut exact = Tail::new(Some(13));
        exact.push(b"first line\nsecond\nthird\n");
        assert_eq!(exact.finish(), ("second\nthird\n".to_owned(), 11));
    }

    #[test]
    fn a_tail_without_a_limit_keeps_everything() {
        let mut tail = Tail::new(None);
        let big = vec![b'x'; 3 * OUTPUT_LIMIT];
        tail.push(&big);
        assert_eq!(tail.finish().0.len(), big.len());
    }

    #[test]
    fn last_lines_skip_blank_ones() {
        let text: String = (1..=20).map(|line| format!("{line}\n\n")).collect();
        assert_eq!(
            last_lines(&text),
            (11..=20)
                .map(|line| line.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

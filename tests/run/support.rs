//! What the `mgmt run` tests share: the real binary, a program in a temp
//! dir, an agent stopped on drop, and polling without timed assertions.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub fn mgmt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mgmt"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A program in a fresh temp dir; `@` in the text stands for that dir.
pub struct Case {
    pub dir: tempfile::TempDir,
    pub program: PathBuf,
}

impl Case {
    pub fn new(program: &str) -> Case {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("main.mcl");
        let root = dir.path().to_str().expect("utf-8 temp dir");
        std::fs::write(&path, program.replace('@', root)).expect("program written");
        Case { dir, program: path }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// The agents' state directory (`MGMT_PREFIX`): the case's own, never
    /// the machine's /var/lib/mgmt.
    pub fn prefix(&self) -> PathBuf {
        self.path(".mgmt-prefix")
    }

    /// `mgmt run --converged-timeout 0` plus `args`, to completion.
    pub fn once(&self, args: &[&str]) -> Output {
        let mut command = mgmt();
        command
            .arg("run")
            .arg("--converged-timeout")
            .arg("0")
            .args(args)
            .arg(&self.program)
            .env("MGMT_PREFIX", self.prefix());
        run_with_deadline(command, Duration::from_secs(60))
    }

    /// `mgmt run` in the background, watching, until stopped.
    pub fn agent(&self, args: &[&str]) -> Agent {
        let mut command = mgmt();
        command
            .arg("run")
            .args(args)
            .arg(&self.program)
            .env("MGMT_PREFIX", self.prefix());
        Agent::spawn(command)
    }

    /// `mgmt run` started by a shell `script` that ends with
    /// `exec "$@"` (the agent's command line comes as its arguments).
    pub fn agent_after(&self, script: &str, args: &[&str]) -> Agent {
        let mut command = Command::new("/bin/sh");
        command
            .args(["-c", script, "sh", env!("CARGO_BIN_EXE_mgmt"), "run"])
            .args(args)
            .arg(&self.program)
            .env("MGMT_PREFIX", self.prefix());
        Agent::spawn(command)
    }
}

impl Agent {
    pub fn spawn(command: Command) -> Agent {
        Agent::spawn_as(command, false)
    }

    /// Starts `command` in a process group of its own that ignores SIGTERM,
    /// SIGINT and SIGHUP until the agent installs its own handlers; signals
    /// go to the whole group. For an agent behind `nsenter`, which forks it
    /// and passes no signal on.
    pub fn spawn_in_group(command: Command) -> Agent {
        let mut wrapped = Command::new("/bin/sh");
        wrapped
            .args(["-c", "trap '' TERM INT HUP; exec \"$@\"", "sh"])
            .arg(command.get_program())
            .args(command.get_args())
            .process_group(0);
        Agent::spawn_as(wrapped, true)
    }

    fn spawn_as(mut command: Command, group: bool) -> Agent {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mgmt starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = Some(follow(child.stderr.take(), Arc::clone(&log)));
        Agent {
            child: Some(child),
            stderr,
            log,
            group,
        }
    }
}

/// Reads a pipe to its end on a thread of its own, so that a child that
/// logs more than a pipe holds never blocks on it.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Reads a pipe to its end like `drain`, keeping what came so far in `log`
/// for a test that waits for a line while the child runs.
fn follow(
    pipe: Option<impl Read + Send + 'static>,
    log: Arc<Mutex<Vec<u8>>>,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        if let Some(mut pipe) = pipe {
            while let Ok(read @ 1..) = pipe.read(&mut chunk) {
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(&chunk[..read]);
            }
        }
        let bytes = log.lock().unwrap_or_else(PoisonError::into_inner).clone();
        bytes
    })
}

pub fn run_with_deadline(mut command: Command, deadline: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mgmt starts");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = stderr.join().unwrap_or_default();
            panic!("mgmt did not exit within {deadline:?}:\n{}", text(&stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// A running agent; stopped with SIGTERM when dropped.
pub struct Agent {
    child: Option<Child>,
    /// Its log, read as it comes.
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    /// What it has logged so far.
    log: Arc<Mutex<Vec<u8>>>,
    /// Signals go to its process group.
    group: bool,
}

impl Agent {
    pub fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let target = if self.group {
                format!("-{}", child.id())
            } else {
                child.id().to_string()
            };
            let _ = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg("--")
                .arg(target)
                .status();
        }
    }

    /// Sends SIGTERM and returns (exit code, stderr) once it exits.
    pub fn stop(mut self) -> (Option<i32>, String) {
        self.signal("TERM");
        let mut child = self.child.take().expect("running");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait works") {
                let stderr = self
                    .stderr
                    .take()
                    .and_then(|reader| reader.join().ok())
                    .unwrap_or_default();
                return (status.code(), text(&stderr));
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("mgmt did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        text(&self.log.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or_default()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        // A failed test shows what its agents said: the only account of a
        // failure that came from timing.
        if std::thread::panicking() {
            eprintln!("--- the log of agent {} ---\n{}", self.pid(), self.log());
        }
        if self.group {
            self.signal("KILL");
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `check` until it holds or 10 s pass.
pub fn eventually(what: &str, check: impl FnMut() -> bool) {
    eventually_within(what, Duration::from_secs(10), check);
}

/// `eventually` for what takes longer (a package download and install).
pub fn eventually_within(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while started.elapsed() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not happen within {} s", deadline.as_secs());
}

pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .map(|meta| meta.permissions().mode() & 0o7777)
        .unwrap_or(0)
}

/// The lines of a file in the case's dir.
pub fn lines(case: &Case, name: &str) -> Vec<String> {
    case.read(name).lines().map(str::to_owned).collect()
}

/// Stops each agent with SIGTERM and expects it to exit 0.
pub fn stop_all(agents: impl IntoIterator<Item = Agent>) {
    for agent in agents {
        let (code, log) = agent.stop();
        assert_eq!(code, Some(0), "{log}");
    }
}

/// A program that exports one hidden file, `@/x`, to every host.
pub const EXPORTS_X: &str =
    "file \"@/x\" {\n\tcontent => \"x\\n\",\n\tMeta:export => [\"*\"],\n\tMeta:hidden => true,\n}\n";

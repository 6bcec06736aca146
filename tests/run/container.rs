//! A throw-away container running a real systemd (with its D-Bus, hostnamed
//! and PackageKit) for the system-resource tests; the agent runs inside it,
//! as it would on a real host, so nothing of the machine's own services,
//! packages or accounts is touched.
//!
//! The root is built once per machine by `tests/container/build-root.sh`
//! and cached under `target/container/`; each container is an overlay on it
//! in a temp dir, booted by `tests/container/boot.sh` in its own PID, mount,
//! UTS, IPC and cgroup namespaces, and torn down when dropped: systemd is
//! asked to exit, then the namespace is killed, then its cgroups and temp
//! dir are removed.

use super::support::{text, Agent};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SOURCE: &str = env!("CARGO_MANIFEST_DIR");
const CGROUPS: [&str; 2] = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"];

pub struct Container {
    /// The `unshare` process; its child is the container's systemd.
    unshare: Child,
    /// systemd's PID as the machine sees it.
    pid1: u32,
    cgroup: String,
    dir: tempfile::TempDir,
}

/// Why the container cannot run here, for the test's skip message.
pub fn unavailable() -> Option<String> {
    // /proc/self belongs to the effective user.
    let root = std::fs::metadata("/proc/self")
        .is_ok_and(|meta| std::os::unix::fs::MetadataExt::uid(&meta) == 0);
    if !root {
        return Some("needs root (namespaces, mounts and cgroups)".to_owned());
    }
    for tool in ["debootstrap", "unshare", "nsenter"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !found {
            return Some(format!("needs `{tool}` (make deps installs it)"));
        }
    }
    if CGROUPS.iter().any(|path| !Path::new(path).is_dir()) {
        return Some("needs the name=systemd and unified cgroup hierarchies".to_owned());
    }
    None
}

/// Starts a container, or says why a test that needs one is skipped.
macro_rules! container_or_skip {
    () => {
        match super::container::unavailable() {
            Some(reason) => {
                eprintln!("skipped: {reason}");
                return;
            }
            None => super::container::Container::start(),
        }
    };
}
pub(crate) use container_or_skip;

/// The cached root, built on first use (one build at a time per machine).
fn root() -> PathBuf {
    let root = Path::new(SOURCE).join("target/container/root");
    if root.is_dir() {
        return root;
    }
    let lock = std::fs::File::create(Path::new(SOURCE).join("target/container.lock"))
        .expect("the build lock");
    nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
        .map(|held| {
            let status = Command::new(Path::new(SOURCE).join("tests/container/build-root.sh"))
                .arg(&root)
                .status()
                .expect("build-root.sh runs");
            assert!(status.success(), "building the container root failed");
            drop(held);
        })
        .unwrap_or_else(|(_, problem)| panic!("the build lock: {problem}"));
    root
}

impl Container {
    pub fn start() -> Container {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let root = root();
        let dir = tempfile::Builder::new()
            .prefix("mgmt-container-")
            .tempdir()
            .expect("temp dir");
        let run = dir.path().join("run");
        std::fs::create_dir(&run).expect("run dir");
        let notify = UnixDatagram::bind(run.join("host-notify")).expect("notify socket");
        notify
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let cgroup = format!(
            "mgmt-test-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        );
        for hierarchy in CGROUPS {
            std::fs::create_dir(Path::new(hierarchy).join(&cgroup)).expect("cgroup");
        }
        let bin = Path::new(env!("CARGO_BIN_EXE_mgmt"))
            .parent()
            .expect("the binary's directory");
        let join = CGROUPS
            .iter()
            .map(|hierarchy| format!("echo $$ > {hierarchy}/{cgroup}/cgroup.procs"))
            .collect::<Vec<_>>()
            .join(" && ");
        let unshare = Command::new("sh")
            .args([
                "-c",
                &format!(
                    "{join} && exec unshare --pid --fork --mount --uts --ipc --cgroup \
                     --kill-child=SIGKILL sh \"$0\" \"$1\" \"$2\" \"$3\""
                ),
            ])
            .arg(Path::new(SOURCE).join("tests/container/boot.sh"))
            .arg(&root)
            .arg(dir.path())
            .arg(bin)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("unshare starts");
        let mut container = Container {
            pid1: 0,
            unshare,
            cgroup,
            dir,
        };
        container.wait_ready(&notify);
        container
    }

    /// Waits for systemd's `READY=1` (at most 60 s: the first boot of a
    /// loaded machine), then learns its PID.
    fn wait_ready(&mut self, notify: &UnixDatagram) {
        let started = Instant::now();
        let mut message = [0u8; 4096];
        loop {
            if let Ok(Some(status)) = self.unshare.try_wait() {
                let mut log = String::new();
                if let Some(mut stderr) = self.unshare.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut stderr, &mut log);
                }
                panic!("the container stopped while booting ({status}):\n{log}");
            }
            if let Ok(read) = notify.recv(&mut message) {
                if text(&message[..read]).lines().any(|line| line == "READY=1") {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the container's systemd was not ready within 60 s"
            );
        }
        let children = format!("/proc/{0}/task/{0}/children", self.unshare.id());
        self.pid1 = std::fs::read_to_string(children)
            .ok()
            .and_then(|list| list.split_whitespace().next()?.parse().ok())
            .expect("the container's PID 1");
    }

    /// A path inside the container, as the machine reaches it.
    pub fn path(&self, inside: &str) -> PathBuf {
        PathBuf::from(format!("/proc/{}/root{inside}", self.pid1))
    }

    /// A directory the test and the container share: `/run/test` inside.
    pub fn shared(&self) -> PathBuf {
        let shared = self.dir.path().join("run/test");
        std::fs::create_dir_all(&shared).expect("shared dir");
        shared
    }

    /// Writes `program` as `/run/test/main.mcl` and returns its inside path.
    pub fn program(&self, program: &str) -> String {
        std::fs::write(self.shared().join("main.mcl"), program).expect("program written");
        "/run/test/main.mcl".to_owned()
    }

    /// A command run inside the container.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new("nsenter");
        command
            .args(["-t", &self.pid1.to_string(), "-a", "--"])
            .arg(program);
        command
    }

    /// Runs `argv` inside the container to completion.
    pub fn run(&self, argv: &[&str]) -> Output {
        let (program, args) = argv.split_first().expect("a command");
        self.command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("nsenter runs")
    }

    /// `systemctl ARGS` inside; its stdout, trimmed.
    pub fn systemctl(&self, args: &[&str]) -> String {
        let output = self.run(&[&["systemctl"], args].concat());
        text(&output.stdout).trim().to_owned()
    }

    /// `mgmt run ARGS` inside the container, watching, until stopped.
    pub fn agent(&self, args: &[&str]) -> Agent {
        let mut command = self.command("/opt/mgmt/mgmt");
        command.arg("run").args(args).arg("/run/test/main.mcl");
        Agent::spawn_in_group(command)
    }

    /// `mgmt run --converged-timeout 0 ARGS` inside, to completion (killed
    /// inside after 100 s: killing `nsenter` would leave it running).
    pub fn once(&self, args: &[&str]) -> Output {
        let mut command = self.command("timeout");
        command
            .args(["-s", "KILL", "100", "/opt/mgmt/mgmt"])
            .args(["run", "--converged-timeout", "0"])
            .args(args)
            .arg("/run/test/main.mcl");
        super::support::run_with_deadline(command, Duration::from_secs(120))
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        // SIGRTMIN+4 asks systemd to power off; after 10 s the namespace
        // is killed whole (unshare --kill-child).
        if self.pid1 != 0 {
            let _ = Command::new("kill")
                .args(["-s", "RTMIN+4", &self.pid1.to_string()])
                .status();
        }
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if matches!(self.unshare.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
        for hierarchy in CGROUPS {
            remove_cgroup(&Path::new(hierarchy).join(&self.cgroup));
        }
    }
}

/// Removes a cgroup and those systemd made inside it, deepest first,
/// waiting briefly for the last processes to leave.
fn remove_cgroup(cgroup: &Path) {
    if let Ok(entries) = std::fs::read_dir(cgroup) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                remove_cgroup(&entry.path());
            }
        }
    }
    let started = Instant::now();
    while std::fs::remove_dir(cgroup).is_err() && cgroup.exists() {
        if started.elapsed() > Duration::from_secs(5) {
            eprintln!("left behind: cgroup {}", cgroup.display());
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

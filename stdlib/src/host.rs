//! The two [`Host`] implementations: [`RealHost`] reads this machine (files,
//! environment, `/proc`, `/etc/os-release`, `sh -c`), [`MemoryHost`] is a
//! plain value for tests and for `mgmt compile`'s reproducible runs.
//!
//! Neither watches anything: the engine turns the [`Watch`] records that
//! functions leave into inotify watches, timers and processes.
//!
//! [`Watch`]: mcl_compiler::function::Watch

use mcl_compiler::function::Host;
use std::collections::BTreeMap;
use std::io;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The machine this process runs on.
#[derive(Clone, Debug)]
pub struct RealHost {
    /// The program's arguments after the `.mcl` file (for `os.args`).
    pub args: Vec<String>,
    /// The agent's private state directory (for `local.vardir`).
    pub vardir: String,
    /// The name this agent goes by (`--hostname`), instead of the kernel's.
    pub hostname: Option<String>,
}

impl Default for RealHost {
    fn default() -> RealHost {
        RealHost {
            args: Vec::new(),
            vardir: "/var/lib/mgmt".to_owned(),
            hostname: None,
        }
    }
}

impl RealHost {
    pub fn new() -> RealHost {
        RealHost::default()
    }

    pub fn with_args(mut self, args: Vec<String>) -> RealHost {
        self.args = args;
        self
    }

    pub fn with_vardir(mut self, vardir: impl Into<String>) -> RealHost {
        self.vardir = vardir.into();
        self
    }

    /// Goes by `hostname` (several agents on one machine, each its own host).
    pub fn with_hostname(mut self, hostname: Option<String>) -> RealHost {
        self.hostname = hostname;
        self
    }
}

impl Host for RealHost {
    fn now_unix(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        }
    }

    fn utc_offset(&self, unix: i64) -> i64 {
        use chrono::{Local, Offset, TimeZone};
        match Local.timestamp_opt(unix, 0).earliest() {
            Some(time) => i64::from(time.offset().fix().local_minus_utc()),
            None => 0,
        }
    }

    fn hostname(&self) -> String {
        if let Some(name) = &self.hostname {
            return name.clone();
        }
        // The kernel's name, as gethostname(2) returns it, without libc.
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "localhost".to_owned())
    }

    fn read_file(&self, path: &str) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn file_exists(&self, path: &str) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }

    fn getenv(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn environment(&self) -> BTreeMap<String, String> {
        // Variables whose name or value is not UTF-8 cannot be mcl strings.
        std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect()
    }

    fn system(&self, command: &str) -> io::Result<String> {
        let output = Command::new("sh").arg("-c").arg(command).output()?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let detail = stderr.trim();
            return Err(io::Error::other(if detail.is_empty() {
                format!("{}", output.status)
            } else {
                format!("{}: {detail}", output.status)
            }));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        Ok(last_line(&stdout).to_owned())
    }

    fn cpu_count(&self) -> i64 {
        std::thread::available_parallelism()
            .map(|count| i64::try_from(count.get()).unwrap_or(1))
            .unwrap_or(1)
    }

    fn uptime(&self) -> i64 {
        // /proc/uptime: "seconds-since-boot idle-seconds".
        std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse::<f64>().ok())
            .map(|seconds| seconds as i64)
            .unwrap_or(0)
    }

    fn load(&self) -> (f64, f64, f64) {
        let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let mut fields = text
            .split_whitespace()
            .map(|field| field.parse::<f64>().unwrap_or(0.0));
        (
            fields.next().unwrap_or(0.0),
            fields.next().unwrap_or(0.0),
            fields.next().unwrap_or(0.0),
        )
    }

    fn os_family(&self) -> Vec<String> {
        std::fs::read_to_string("/etc/os-release")
            .or_else(|_| std::fs::read_to_string("/usr/lib/os-release"))
            .map(|text| os_release_ids(&text))
            .unwrap_or_default()
    }

    fn args(&self) -> Vec<String> {
        self.args.clone()
    }

    fn vardir(&self) -> String {
        self.vardir.clone()
    }
}

/// The last non-empty line of a command's output.
fn last_line(output: &str) -> &str {
    output
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

/// The lowercase words of `ID` and `ID_LIKE` in an os-release file.
pub(crate) fn os_release_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() == "ID" || key.trim() == "ID_LIKE" {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            ids.extend(value.split_whitespace().map(str::to_lowercase));
        }
    }
    ids
}

/// A host made of plain values, for tests: every fact is a public field, and
/// the builders set the common ones. Files, variables and commands that are
/// not in the maps do not exist.
#[derive(Clone, Debug)]
pub struct MemoryHost {
    pub now: i64,
    /// Seconds east of UTC, at every instant.
    pub utc_offset: i64,
    pub hostname: String,
    pub files: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    /// A command's last output line, or the error it fails with.
    pub commands: BTreeMap<String, Result<String, String>>,
    pub cpu_count: i64,
    pub uptime: i64,
    pub load: (f64, f64, f64),
    pub os_family: Vec<String>,
    pub args: Vec<String>,
    pub vardir: String,
}

impl Default for MemoryHost {
    fn default() -> MemoryHost {
        MemoryHost {
            // 2009-11-10 23:00:00 UTC, a Tuesday.
            now: 1_257_894_000,
            utc_offset: 0,
            hostname: "h1".to_owned(),
            files: BTreeMap::new(),
            env: BTreeMap::new(),
            commands: BTreeMap::new(),
            cpu_count: 2,
            uptime: 3600,
            load: (0.5, 0.25, 0.125),
            os_family: vec!["debian".to_owned()],
            args: Vec::new(),
            vardir: "/var/lib/mgmt".to_owned(),
        }
    }
}

impl MemoryHost {
    pub fn new() -> MemoryHost {
        MemoryHost::default()
    }

    pub fn with_time(mut self, now: i64) -> MemoryHost {
        self.now = now;
        self
    }

    pub fn with_utc_offset(mut self, seconds: i64) -> MemoryHost {
        self.utc_offset = seconds;
        self
    }

    pub fn with_hostname(mut self, hostname: impl Into<String>) -> MemoryHost {
        self.hostname = hostname.into();
        self
    }

    pub fn with_file(mut self, path: impl Into<String>, content: impl Into<String>) -> MemoryHost {
        self.files.insert(path.into(), content.into());
        self
    }

    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> MemoryHost {
        self.env.insert(name.into(), value.into());
        self
    }

    pub fn with_command(
        mut self,
        command: impl Into<String>,
        output: Result<String, String>,
    ) -> MemoryHost {
        self.commands.insert(command.into(), output);
        self
    }

    pub fn with_os_family(mut self, ids: &[&str]) -> MemoryHost {
        self.os_family = ids.iter().map(|id| (*id).to_owned()).collect();
        self
    }

    pub fn with_args(mut self, args: &[&str]) -> MemoryHost {
        self.args = args.iter().map(|arg| (*arg).to_owned()).collect();
        self
    }
}

impl Host for MemoryHost {
    fn now_unix(&self) -> i64 {
        self.now
    }

    fn utc_offset(&self, _unix: i64) -> i64 {
        self.utc_offset
    }

    fn hostname(&self) -> String {
        self.hostname.clone()
    }

    fn read_file(&self, path: &str) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "No such file or directory"))
    }

    fn file_exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }

    fn environment(&self) -> BTreeMap<String, String> {
        self.env.clone()
    }

    fn system(&self, command: &str) -> io::Result<String> {
        match self.commands.get(command) {
            Some(Ok(output)) => Ok(output.clone()),
            Some(Err(error)) => Err(io::Error::other(error.clone())),
            None => Err(io::Error::other("exit status: 127: command not found")),
        }
    }

    fn cpu_count(&self) -> i64 {
        self.cpu_count
    }

    fn uptime(&self) -> i64 {
        self.uptime
    }

    fn load(&self) -> (f64, f64, f64) {
        self.load
    }

    fn os_family(&self) -> Vec<String> {
        self.os_family.clone()
    }

    fn args(&self) -> Vec<String> {
        self.args.clone()
    }

    fn vardir(&self) -> String {
        self.vardir.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_gives_id_and_id_like() {
        let text = "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=\"Debian\"\nVERSION_ID=\"24.04\"\n";
        assert_eq!(os_release_ids(text), ["ubuntu", "debian"]);
    }

    #[test]
    fn the_real_host_runs_shell_commands() {
        let host = RealHost::new();
        assert_eq!(host.system("echo one; echo two").unwrap(), "two");
        let error = host.system("echo oops >&2; exit 3").unwrap_err();
        assert_eq!(error.to_string(), "exit status: 3: oops");
    }

    #[test]
    fn the_real_host_reads_this_machine() {
        let host = RealHost::new();
        assert!(host.now_unix() > 1_600_000_000);
        assert!(host.cpu_count() >= 1);
        assert!(!host.hostname().is_empty());
        assert!(host.file_exists("/"));
        assert!(host.read_file("/nonexistent/mgmt-test").is_err());
        let offset = host.utc_offset(host.now_unix());
        assert!(offset.abs() <= 14 * 3600);
    }

    #[test]
    fn the_memory_host_knows_only_what_it_was_given() {
        let host = MemoryHost::new()
            .with_file("/etc/motd", "hi")
            .with_env("HOME", "/root");
        assert_eq!(host.read_file("/etc/motd").unwrap(), "hi");
        assert_eq!(
            host.read_file("/etc/x").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(host.getenv("HOME").as_deref(), Some("/root"));
        assert!(host.system("ls").is_err());
    }
}

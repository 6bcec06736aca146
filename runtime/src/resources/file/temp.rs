//! Names of the agent's temporary files, and removal of those a crashed
//! agent left behind.
//!
//! A temporary is `.mgmt-tmp.<pid>-<start>.<random>`: the writing agent's
//! pid and its start time (clock ticks since boot, `/proc/<pid>/stat` field
//! 22). A temporary is stale when no process has that pid with that start
//! time, so a reused pid never makes a live agent's temporary look stale,
//! nor a dead agent's look live. Only names of this form are ever removed;
//! writing them is `atomic`'s job.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const MARK: &str = ".mgmt-tmp.";

/// `.mgmt-tmp.<pid>-<start>.` for this process.
pub fn own_prefix() -> &'static str {
    static PREFIX: OnceLock<String> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let pid = std::process::id();
        let start = start_time(pid).unwrap_or(0);
        format!("{MARK}{pid}-{start}.")
    })
}

/// The start time of process `pid`, `None` when there is no such process.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// The writer's `(pid, start)` from a temporary's name.
fn writer(name: &str) -> Option<(u32, u64)> {
    let rest = name.strip_prefix(MARK)?;
    let (writer, _random) = rest.split_once('.')?;
    let (pid, start) = writer.split_once('-')?;
    Some((pid.parse().ok()?, start.parse().ok()?))
}

fn is_stale(name: &str) -> bool {
    match writer(name) {
        Some((pid, start)) => start_time(pid) != Some(start),
        None => false,
    }
}

/// Removes stale temporaries in `dir`, once per directory per agent (a
/// crash leaves them once; looking again on every check would cost a
/// listing per file). Failures are logged, never fatal: a leftover
/// temporary is untidy, not wrong.
pub fn remove_stale(dir: &Path) {
    static DONE: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let done = DONE.get_or_init(Default::default);
    {
        // Every check comes here: look the directory up before copying
        // its path, so that a directory already cleaned costs no allocation.
        let mut done = done.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if done.contains(dir) {
            return;
        }
        done.insert(dir.to_owned());
    }
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    for entry in listing.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !name.starts_with(MARK) || !is_stale(name) {
            continue;
        }
        let path = entry.path();
        // Never follows a link: remove_file and remove_dir act on the name.
        let result = match entry.file_type() {
            Ok(kind) if kind.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
        match result {
            Ok(()) => tracing::info!("{}: removed a stale temporary file", path.display()),
            Err(error) => tracing::warn!(
                "{}: cannot remove stale temporary file: {error}",
                path.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_prefix_names_a_live_writer() {
        let prefix = own_prefix();
        let name = format!("{prefix}abc123");
        let (pid, _) = writer(&name).unwrap();
        assert_eq!(pid, std::process::id());
        assert!(!is_stale(&name));
    }

    #[test]
    fn dead_or_reused_pids_are_stale_and_other_names_are_not() {
        let pid = std::process::id();
        let start = start_time(pid).unwrap();
        assert!(is_stale(&format!("{MARK}{pid}-{}.x", start + 1)));
        assert!(is_stale(&format!("{MARK}4194305-1.x")));
        assert!(!is_stale(".mgmt-XXXXXX"));
        assert!(!is_stale(".mgmt-tmp.junk"));
    }

    #[test]
    fn removes_only_stale_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let pid = std::process::id();
        let live = dir.path().join(format!("{}x", own_prefix()));
        let dead = dir.path().join(format!("{MARK}4194305-1.x"));
        let other = dir.path().join(".mgmt-other");
        for path in [&live, &dead, &other] {
            fs::write(path, "x").unwrap();
        }
        remove_stale(dir.path());
        assert!(live.exists() && other.exists(), "pid {pid}");
        assert!(!dead.exists());
    }
}

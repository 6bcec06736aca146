//! What ends a command's whole process group when the agent is killed.
//! `setpriv --pdeathsig` reaches the command itself; what the command put
//! in the background (`sleep 60 &` in a shell) would live on. The reaper
//! is a small shell, started with the agent's first command, in a process
//! group of its own (so a signal to the agent's group does not reach it)
//! and without a parent-death signal: the agent tells it, on a pipe, of
//! each group as its command starts (`+PGID`) and ends (`-PGID`), and when
//! the pipe closes — the agent is gone, however it died — it kills the
//! groups whose command was still running. A command that ended is
//! forgotten, so what it left in the background on purpose (a daemon it
//! started) is never killed, and a group is only ever named while its
//! leader lives, so its number cannot have been reused.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use tracing::warn;

const SCRIPT: &str = r#"groups=' '
while read -r change; do
	case $change in
	+*) groups="$groups${change#+} " ;;
	-*) kept=' '
		for group in $groups; do [ "$group" = "${change#-}" ] || kept="$kept$group "; done
		groups=$kept ;;
	esac
done
for group in $groups; do kill -9 "-$group" 2>/dev/null; done
"#;

/// The reaper of one engine's commands, started on first use.
#[derive(Debug, Default)]
pub struct Reaper {
    input: OnceLock<Option<Mutex<ChildStdin>>>,
}

impl Reaper {
    /// A command group started.
    pub fn started(&self, group: i32) {
        self.tell(&format!("+{group}\n"));
    }

    /// A command group's command ended.
    pub fn ended(&self, group: i32) {
        self.tell(&format!("-{group}\n"));
    }

    fn tell(&self, line: &str) {
        let Some(input) = self.input.get_or_init(start) else {
            return;
        };
        let mut input = input.lock().unwrap_or_else(PoisonError::into_inner);
        // A reaper that is gone (killed by hand) leaves only pdeathsig.
        let _ = input.write_all(line.as_bytes());
    }
}

fn start() -> Option<Mutex<ChildStdin>> {
    let spawned = Command::new("/bin/sh")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
    match spawned {
        // Not waited for: it ends after the agent, reaped by init.
        Ok(mut child) => child.stdin.take().map(Mutex::new),
        Err(error) => {
            warn!(
                "cannot start /bin/sh to end commands' process groups if the agent is killed: \
                 {error}; what a command puts in the background would outlive a killed agent"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn alive(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| !stat.contains(") Z "))
    }

    #[test]
    fn groups_still_running_are_killed_when_the_pipe_closes_and_ended_ones_are_not() {
        let spawn_group = || {
            Command::new("sleep")
                .arg("30")
                .process_group(0)
                .spawn()
                .unwrap()
        };
        let (mut running, mut ended) = (spawn_group(), spawn_group());
        let reaper = Reaper::default();
        reaper.started(running.id() as i32);
        reaper.started(ended.id() as i32);
        reaper.ended(ended.id() as i32);
        drop(reaper);
        let deadline = Instant::now() + Duration::from_secs(10);
        while alive(running.id()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive(running.id()), "a running group is killed");
        assert!(alive(ended.id()), "an ended command's group is left alone");
        let _ = ended.kill();
        let _ = ended.wait();
        let _ = running.wait();
    }
}

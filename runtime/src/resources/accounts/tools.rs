//! Running the shadow tools (`useradd`, `usermod`, `userdel`, `groupadd`,
//! `groupmod`, `groupdel`) with an exact argv, no shell, and their standard
//! error in the error when they fail. A tool is never interrupted: it runs
//! to its end even while the agent stops.

use crate::resource::ResourceError;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};

/// One tool at a time in this process. The account files are one set per
/// machine, not per engine, so the lock is process-wide: independent
/// `user` and `group` resources run in parallel, and two tools at once
/// would contend for the files' locks (the tools wait for each other only
/// for a while, then fail with "cannot lock /etc/passwd").
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Where the tools live when the agent's `PATH` lacks the `sbin` directories.
const SBIN: &[&str] = &["/usr/sbin", "/sbin"];

/// `argv[0]` as found on `PATH` or in the `sbin` directories.
fn locate(tool: &str) -> Result<PathBuf, ResourceError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(SBIN.iter().map(PathBuf::from))
        .map(|directory| directory.join(tool))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            ResourceError::failed(format!(
                "cannot find `{tool}` on PATH or in {}: the shadow tools \
                 (Debian's `passwd` package, `shadow-utils` elsewhere) are needed",
                SBIN.join(", ")
            ))
        })
}

/// The command as a person would type it, for messages.
pub fn shown(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            if word.is_empty() || word.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", word.replace('\'', "'\\''"))
            } else {
                word.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `argv` to completion; an error carries its exit status and what it
/// wrote to standard error.
pub fn run(argv: &[String]) -> Result<(), ResourceError> {
    let (tool, args) = argv
        .split_first()
        .ok_or_else(|| ResourceError::failed("no command to run"))?;
    let program = locate(tool)?;
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let output = Command::new(&program)
        .args(args)
        // The tools' messages in one language, for logs and tests.
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        // A process group of its own: a Ctrl-C or a signal sent to the
        // agent's group must not kill a tool halfway through rewriting the
        // account files (shutdown waits for the running check instead).
        .process_group(0)
        .output()
        .map_err(|problem| {
            ResourceError::failed(format!(
                "cannot run {}: {problem}",
                Path::new(&program).display()
            ))
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let status = match output.status.code() {
        Some(code) => format!("exit status {code}"),
        None => "killed by a signal".to_owned(),
    };
    Err(ResourceError::failed(if stderr.is_empty() {
        format!("`{}` failed ({status})", shown(argv))
    } else {
        format!("`{}` failed ({status}): {stderr}", shown(argv))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| (*word).to_owned()).collect()
    }

    #[test]
    fn commands_are_shown_as_typed() {
        assert_eq!(
            shown(&words(&["usermod", "-G", "", "-d", "/home/a b", "alice"])),
            "usermod -G '' -d '/home/a b' alice"
        );
    }

    #[test]
    fn a_failing_tool_says_its_status_and_stderr() {
        let problem = run(&words(&["sh", "-c", "echo no such group >&2; exit 6"])).unwrap_err();
        assert_eq!(
            problem,
            ResourceError::failed(
                "`sh -c 'echo no such group >&2; exit 6'` failed (exit status 6): no such group"
            )
        );
        assert!(run(&words(&["true"])).is_ok());
        let missing = run(&words(&["mgmt-no-such-tool"])).unwrap_err();
        assert!(missing
            .to_string()
            .contains("cannot find `mgmt-no-such-tool`"));
    }
}

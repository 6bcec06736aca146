//! `watchcmd`: a long-running command whose every non-empty output line (on
//! stdout or stderr) is an event for its `exec` resource.
//!
//! The command is started, read and reaped on a thread of its own, in a
//! process group of its own; dropping the [`CommandWatch`] kills that group.
//! If the command exits by itself its exit is logged and, as upstream, the
//! watch ends there: it is not restarted (`Meta:rewatch` is the engine's).

use super::config::{CommandLine, Config};
use super::process::{self, ProcessGroup, RunningCommands};
use crate::resource::{ResourceError, WatchEvents};
use std::io::{ErrorKind, Read};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use tracing::{debug, error, warn};

/// Longest line kept whole; a longer one counts as one event per this many bytes.
const LINE_LIMIT: usize = 64 * 1024;

/// Keeps the watch command running; dropping it kills the command's group.
pub struct CommandWatch {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    stopped: bool,
    group: Option<ProcessGroup>,
}

impl Drop for CommandWatch {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.stopped = true;
        if let Some(group) = &state.group {
            group.kill();
        }
    }
}

/// Starts `line`; each output line bumps `counter` and sends an event.
pub fn start(
    id: String,
    line: CommandLine,
    config: Config,
    running: RunningCommands,
    counter: Arc<AtomicU64>,
    events: WatchEvents,
) -> Result<CommandWatch, ResourceError> {
    let state = Arc::new(Mutex::new(State::default()));
    let shared = Arc::clone(&state);
    thread::Builder::new()
        .name("exec-watchcmd".into())
        .spawn(move || run(&id, &line, &config, &running, &shared, &counter, &events))
        .map_err(|error| ResourceError::failed(format!("cannot start a watch thread: {error}")))?;
    Ok(CommandWatch { state })
}

fn run(
    id: &str,
    line: &CommandLine,
    config: &Config,
    running: &RunningCommands,
    state: &Mutex<State>,
    counter: &AtomicU64,
    events: &WatchEvents,
) {
    let shown = line.display();
    let mut child = {
        // Spawning under the lock: a drop meanwhile waits, then kills it.
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.stopped {
            return;
        }
        let spawned = config
            .run_context(running)
            .and_then(|context| process::build(line, &context))
            .and_then(|mut command| {
                command
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(|error| ResourceError::failed(error.to_string()))
            });
        match spawned {
            Ok(child) => {
                state.group = Some(running.register(child.id()));
                child
            }
            Err(problem) => {
                error!("{id}: cannot start watchcmd `{shown}`: {problem}; no events from it");
                return;
            }
        }
    };
    debug!("{id}: watchcmd `{shown}` started");

    let on_line = |text: &str| {
        if line.redacted {
            debug!("{id}: watchcmd printed a line");
        } else {
            debug!("{id}: watchcmd: {text}");
        }
        counter.fetch_add(1, Ordering::SeqCst);
        if events.changed().is_ok() {
            return true;
        }
        // Nobody listens any more: do not leave the command behind.
        let state = state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(group) = &state.group {
            group.kill();
        }
        false
    };
    let stderr = child.stderr.take();
    let stdout = child.stdout.take();
    thread::scope(|scope| {
        if let Some(stderr) = stderr {
            scope.spawn(|| for_each_line(stderr, on_line));
        }
        if let Some(stdout) = stdout {
            for_each_line(stdout, on_line);
        }
    });
    let status = child.wait();

    let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
    state.group = None;
    if state.stopped {
        debug!("{id}: watchcmd `{shown}` stopped");
        return;
    }
    match status {
        Ok(status) => warn!("{id}: watchcmd `{shown}` ended ({status}); no more events from it"),
        Err(problem) => {
            warn!("{id}: watchcmd `{shown}` was lost ({problem}); no more events from it")
        }
    }
}

/// Calls `on_line` with each non-empty line of `source` (without its line
/// ending) until end of file or until `on_line` returns false.
fn for_each_line(mut source: impl Read, on_line: impl Fn(&str) -> bool) {
    let mut pending: Vec<u8> = Vec::new();
    let mut buffer = [0; 8192];
    let emit = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim_end_matches('\r');
        text.is_empty() || on_line(text)
    };
    loop {
        let count = match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        pending.extend_from_slice(&buffer[..count]);
        while let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
            let keep_going = emit(&pending[..end]);
            pending.drain(..=end);
            if !keep_going {
                return;
            }
        }
        if pending.len() >= LINE_LIMIT {
            let keep_going = emit(&pending);
            pending.clear();
            if !keep_going {
                return;
            }
        }
    }
    emit(&pending);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn lines_are_split_trimmed_and_empty_ones_skipped() {
        let seen = Mutex::new(Vec::new());
        for_each_line(&b"one\r\n\ntwo\nthree"[..], |line| {
            seen.lock().unwrap().push(line.to_owned());
            true
        });
        assert_eq!(*seen.lock().unwrap(), ["one", "two", "three"]);
    }

    #[test]
    fn a_false_answer_stops_reading() {
        let seen = Mutex::new(0);
        for_each_line(&b"a\nb\nc\n"[..], |_| {
            *seen.lock().unwrap() += 1;
            false
        });
        assert_eq!(*seen.lock().unwrap(), 1);
    }
}

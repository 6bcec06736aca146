//! Watching the reactive inputs a program read (files, the clock, command
//! output) and saying when the program should be evaluated again.

use mcl_compiler::function::Watch;
use notify::{RecursiveMode, Watcher};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;
use tracing::warn;

/// Why the evaluator wakes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A reactive input may have changed.
    Input,
    /// Read and check the program again (SIGHUP, or one of its files changed).
    Reload,
    /// The agent is stopping.
    Stop,
}

/// Keeps the watches of one evaluation alive; dropping it stops them all.
pub struct ReactiveWatches {
    watches: Vec<Watch>,
    _files: Option<notify::RecommendedWatcher>,
    stop: Arc<AtomicBool>,
    children: Vec<Child>,
}

impl Drop for ReactiveWatches {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl ReactiveWatches {
    /// The watches this set was made for.
    pub fn watches(&self) -> &[Watch] {
        &self.watches
    }

    /// Starts watching everything in `watches`; each change sends `Wake::Input`.
    pub fn start(watches: Vec<Watch>, wake: Sender<Wake>) -> ReactiveWatches {
        let stop = Arc::new(AtomicBool::new(false));
        let mut files: Vec<PathBuf> = Vec::new();
        let mut clock: Option<u64> = None;
        let mut children = Vec::new();
        for watch in &watches {
            match watch {
                Watch::File(path) => files.push(PathBuf::from(path)),
                Watch::Clock { period_ms } => {
                    clock = Some(clock.map_or(*period_ms, |current| current.min(*period_ms)));
                }
                Watch::Command(command) => {
                    if let Some(child) = follow_command(command, wake.clone()) {
                        children.push(child);
                    }
                }
                // The agent's own environment does not change; the agent
                // follows the store's keys itself (`wake_on_store_changes`).
                Watch::Env(_) | Watch::Store(_) => {}
            }
        }
        if let Some(period) = clock {
            let stop = Arc::clone(&stop);
            let wake = wake.clone();
            std::thread::spawn(move || loop {
                std::thread::sleep(Duration::from_millis(period.max(10)));
                if stop.load(Ordering::SeqCst) || wake.send(Wake::Input).is_err() {
                    return;
                }
            });
        }
        let files = if files.is_empty() {
            None
        } else {
            watch_files(files, wake, Wake::Input)
        };
        ReactiveWatches {
            watches,
            _files: files,
            stop,
            children,
        }
    }
}

/// Watches the program's own files (its entry and imports): a change asks
/// for a reload. Dropping the watcher stops it.
pub fn watch_program_files(
    paths: Vec<PathBuf>,
    wake: Sender<Wake>,
) -> Option<notify::RecommendedWatcher> {
    watch_files(paths, wake, Wake::Reload)
}

/// One watcher on the parent directories of every file (so creation and
/// deletion are seen too), filtered to the files themselves; a change sends
/// `what`.
fn watch_files(
    paths: Vec<PathBuf>,
    wake: Sender<Wake>,
    what: Wake,
) -> Option<notify::RecommendedWatcher> {
    let wanted = paths.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            // Reading a file (as the evaluation itself does) is no change;
            // waking on it would re-evaluate forever.
            if event.kind.is_access() {
                return;
            }
            if event
                .paths
                .iter()
                .any(|path| wanted.iter().any(|wanted| wanted == path))
            {
                let _ = wake.send(what);
            }
        }
    })
    .map_err(|problem| warn!("cannot watch files for re-evaluation: {problem}"))
    .ok()?;
    let mut parents: Vec<&Path> = paths.iter().filter_map(|path| path.parent()).collect();
    parents.sort();
    parents.dedup();
    for parent in parents {
        if let Err(problem) = watcher.watch(parent, RecursiveMode::NonRecursive) {
            warn!(
                "cannot watch {} for re-evaluation: {problem}",
                parent.display()
            );
        }
    }
    Some(watcher)
}

/// Runs a command for `os.system`; each line it prints is a change.
fn follow_command(command: &str, wake: Sender<Wake>) -> Option<Child> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|problem| warn!("cannot run `{command}` for re-evaluation: {problem}"))
        .ok()?;
    let stdout = child.stdout.take()?;
    std::thread::spawn(move || {
        // The first line is what the evaluation already saw.
        for _ in BufReader::new(stdout).lines().skip(1) {
            if wake.send(Wake::Input).is_err() {
                return;
            }
        }
    });
    Some(child)
}

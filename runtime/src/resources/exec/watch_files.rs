//! The paths an `exec` watches (`creates`, `watchfiles`, `mtimes`): any
//! change to one of them, including its creation or removal, is an event.
//!
//! A path that does not exist yet (the usual case for `creates`) is watched
//! through its nearest existing ancestor directory, and the watches move
//! down or up as directories appear and disappear. A path ending in `/` that
//! is a directory is watched with everything below it. All of this runs on a
//! thread of its own; dropping the [`FileWatch`] ends it.

use crate::resource::{ResourceError, WatchEvents};
use notify::event::EventKind;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use tracing::{debug, warn};

/// Keeps the file watch alive; dropping it stops the watch.
pub struct FileWatch {
    control: mpsc::Sender<Message>,
}

enum Message {
    Changed(notify::Result<notify::Event>),
    Stop,
}

impl Drop for FileWatch {
    fn drop(&mut self) {
        let _ = self.control.send(Message::Stop);
    }
}

/// One watched path.
#[derive(Clone, Debug)]
struct Target {
    path: PathBuf,
    /// Spelled with a trailing `/`: a directory tree.
    tree: bool,
}

/// Starts watching `paths`; each change bumps `counter` and sends an event.
pub fn start(
    id: String,
    paths: &[String],
    counter: Arc<AtomicU64>,
    events: WatchEvents,
) -> Result<FileWatch, ResourceError> {
    let targets: Vec<Target> = paths
        .iter()
        .map(|path| Target {
            path: PathBuf::from(path),
            tree: path.len() > 1 && path.ends_with('/'),
        })
        .collect();
    let (control, inbox) = mpsc::channel();
    let forward = control.clone();
    thread::Builder::new()
        .name("exec-watchfiles".into())
        .spawn(move || {
            let watcher = notify::recommended_watcher(move |result| {
                let _ = forward.send(Message::Changed(result));
            });
            match watcher {
                Ok(watcher) => run(&id, watcher, &targets, &inbox, &counter, &events),
                Err(problem) => warn!("{id}: cannot watch files: {problem}"),
            }
        })
        .map_err(|error| ResourceError::failed(format!("cannot start a watch thread: {error}")))?;
    Ok(FileWatch { control })
}

fn run(
    id: &str,
    mut watcher: impl Watcher,
    targets: &[Target],
    inbox: &mpsc::Receiver<Message>,
    counter: &AtomicU64,
    events: &WatchEvents,
) {
    let mut armed = BTreeMap::new();
    arm(id, &mut watcher, &mut armed, targets);
    for message in inbox {
        match message {
            Message::Stop => return,
            Message::Changed(Err(problem)) => warn!("{id}: file watch: {problem}"),
            Message::Changed(Ok(event)) => {
                if matches!(event.kind, EventKind::Access(_)) || !concerns(&event.paths, targets) {
                    continue;
                }
                debug!("{id}: {:?} {:?}", event.kind, event.paths);
                counter.fetch_add(1, Ordering::SeqCst);
                if events.changed().is_err() {
                    return;
                }
                arm(id, &mut watcher, &mut armed, targets);
            }
        }
    }
}

/// Whether a change to one of `paths` may change one of the targets: it is
/// the target, inside it, or one of its ancestors.
fn concerns(paths: &[PathBuf], targets: &[Target]) -> bool {
    paths.iter().any(|path| {
        targets
            .iter()
            .any(|target| path.starts_with(&target.path) || target.path.starts_with(path))
    })
}

/// The watches the targets need now.
fn wanted(targets: &[Target]) -> BTreeMap<PathBuf, RecursiveMode> {
    let mut wanted = BTreeMap::new();
    for target in targets {
        if target.tree && target.path.is_dir() {
            wanted.insert(target.path.clone(), RecursiveMode::Recursive);
            continue;
        }
        // A directory sees its entries being created, changed and removed.
        let mut directory = target.path.parent();
        while let Some(candidate) = directory {
            if candidate.is_dir() {
                wanted
                    .entry(candidate.to_path_buf())
                    .or_insert(RecursiveMode::NonRecursive);
                break;
            }
            directory = candidate.parent();
        }
    }
    wanted
}

/// Moves the watches to where the targets need them now.
fn arm(
    id: &str,
    watcher: &mut impl Watcher,
    armed: &mut BTreeMap<PathBuf, RecursiveMode>,
    targets: &[Target],
) {
    let wanted = wanted(targets);
    armed.retain(|path, mode| {
        if wanted.get(path) == Some(mode) {
            return true;
        }
        // The directory may be gone already, which removed its watch.
        let _ = watcher.unwatch(path);
        false
    });
    for (path, mode) in wanted {
        if armed.contains_key(&path) {
            continue;
        }
        match watcher.watch(Path::new(&path), mode) {
            Ok(()) => {
                armed.insert(path, mode);
            }
            Err(problem) => warn!("{id}: cannot watch `{}`: {problem}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> Target {
        Target {
            path: PathBuf::from(path),
            tree: path.ends_with('/'),
        }
    }

    #[test]
    fn missing_paths_are_watched_through_their_nearest_ancestor() {
        let directory = tempfile::tempdir().unwrap();
        let base = directory.path().display().to_string();
        std::fs::create_dir(directory.path().join("tree")).unwrap();
        let targets = [
            target(&format!("{base}/missing/deeper/file")),
            target(&format!("{base}/tree/")),
            target(&format!("{base}/file")),
        ];
        let wanted = wanted(&targets);
        assert_eq!(wanted.len(), 2);
        assert_eq!(
            wanted.get(directory.path()),
            Some(&RecursiveMode::NonRecursive)
        );
        assert_eq!(
            wanted.get(&directory.path().join("tree")),
            Some(&RecursiveMode::Recursive)
        );
    }

    #[test]
    fn events_concern_targets_their_insides_and_their_ancestors() {
        let targets = [target("/a/b/c")];
        assert!(concerns(&[PathBuf::from("/a/b")], &targets));
        assert!(concerns(&[PathBuf::from("/a/b/c")], &targets));
        assert!(concerns(&[PathBuf::from("/a/b/c/d")], &targets));
        assert!(!concerns(&[PathBuf::from("/a/b/cd")], &targets));
        assert!(!concerns(&[PathBuf::from("/a/x")], &targets));
    }
}

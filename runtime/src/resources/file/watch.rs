//! What a file resource watches, and which file system events concern it.
//!
//! Each watched *target* (the path, a copied `source`, each fragment) is
//! seen through its parent directory, watched non-recursively, so creating,
//! removing and renaming the path are seen as well as writes and
//! chmod/chown (attribute events); a directory managed with `recurse` (or
//! a fragment directory) is also watched itself, recursively (or one level
//! deep). When the parent does not exist yet, the nearest existing ancestor
//! is watched instead, and the watches move whenever an ancestor appears,
//! disappears or is renamed. Our own temporary files (see `atomic.rs`) are
//! ignored; the rename that puts one in place is reported like any other.
//!
//! The watching itself is shared by all file resources (see `hub.rs`).

use super::entry::is_temp_name;
use super::hub::FileWatcher;
use super::params::Params;
use crate::resource::{ResourceError, WatchEvents, WatchGuard};
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecursiveMode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only the path itself.
    Exact,
    /// The path and its direct entries (a fragment directory).
    Children,
    /// The path and everything below it.
    Tree,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    pub scope: Scope,
}

/// The targets, shared with the resource so `receive("source", …)` can
/// change them while the watch runs.
pub type SharedTargets = Arc<Mutex<Vec<Target>>>;

/// What a change of the params' paths means for the watch.
pub fn targets(params: &Params) -> Vec<Target> {
    let trim = |path: &str| PathBuf::from(path.trim_end_matches('/'));
    let tree_if = |tree: bool| if tree { Scope::Tree } else { Scope::Exact };
    let mut targets = vec![Target {
        path: params.target(),
        scope: tree_if(params.is_dir() && params.recurse),
    }];
    if let Some(source) = params.source.as_deref().filter(|_| !params.symlink) {
        targets.push(Target {
            path: trim(source),
            scope: tree_if(source.ends_with('/') && params.recurse),
        });
    }
    for fragment in params.fragments.iter().flatten() {
        let scope = if fragment.ends_with('/') {
            Scope::Children
        } else {
            Scope::Exact
        };
        targets.push(Target {
            path: trim(fragment),
            scope,
        });
    }
    targets
}

/// Starts watching `targets`; the watches are in place when this returns,
/// and dropping the guard removes them.
pub fn start(
    watcher: &FileWatcher,
    targets: SharedTargets,
    events: WatchEvents,
) -> Result<WatchGuard, ResourceError> {
    Ok(Box::new(watcher.subscribe(targets, events)?))
}

pub fn snapshot(targets: &SharedTargets) -> Vec<Target> {
    targets
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// Whether an event may change a target's state, and whether the watches
/// have to move.
pub fn classify(event: &Event, targets: &[Target]) -> (bool, bool) {
    if is_read(event) {
        return (false, false);
    }
    if matches!(event.kind, EventKind::Any | EventKind::Other) || event.need_rescan() {
        return (true, true);
    }
    let structural = is_structural(event);
    let (mut relevant, mut rearm) = (false, false);
    for path in &event.paths {
        if path.file_name().is_some_and(is_temp_name) {
            continue;
        }
        for target in targets {
            if *path == target.path {
                relevant = true;
                rearm |= structural && target.scope != Scope::Exact;
            } else if target.path.starts_with(path) {
                // An ancestor appeared, went away or moved.
                relevant |= structural;
                rearm |= structural;
            } else if path.starts_with(&target.path) {
                relevant |= match target.scope {
                    Scope::Exact => false,
                    Scope::Children => path.parent() == Some(target.path.as_path()),
                    Scope::Tree => true,
                };
            }
        }
    }
    (relevant, rearm)
}

/// Opening, reading, closing without writing: no change to anyone. Our
/// own reads, and the open and fsync of a directory after each atomic
/// write, make plenty of these.
pub fn is_read(event: &Event) -> bool {
    matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write))
}

/// Whether the event adds, removes or moves an entry: only these concern
/// what lies below its path (an ancestor of a target).
pub fn is_structural(event: &Event) -> bool {
    matches!(
        event.kind,
        EventKind::Any
            | EventKind::Other
            | EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_))
    ) || event.need_rescan()
}

pub fn is_not_found(error: &notify::Error) -> bool {
    match &error.kind {
        notify::ErrorKind::PathNotFound => true,
        notify::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}

/// The directories to watch for all these targets: each one's nearest
/// existing ancestor, and the directory trees. Nothing strictly inside a
/// tree is listed: the tree's watch covers it, and adding it again (or
/// removing it later) would disturb `notify`'s recursive bookkeeping.
pub fn wanted_watches(targets: &[Target]) -> BTreeMap<PathBuf, RecursiveMode> {
    let mut wanted = BTreeMap::new();
    let mut add = |path: PathBuf, mode: RecursiveMode| {
        let entry = wanted.entry(path).or_insert(mode);
        if mode == RecursiveMode::Recursive {
            *entry = mode;
        }
    };
    for target in targets {
        if let Some(ancestor) = nearest_dir_ancestor(&target.path) {
            add(ancestor, RecursiveMode::NonRecursive);
        }
        if target.scope != Scope::Exact && target.path.is_dir() {
            let mode = if target.scope == Scope::Tree {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            add(target.path.clone(), mode);
        }
    }
    let trees: Vec<PathBuf> = wanted
        .iter()
        .filter(|(_, mode)| **mode == RecursiveMode::Recursive)
        .map(|(path, _)| path.clone())
        .collect();
    wanted.retain(|path, _| {
        !trees
            .iter()
            .any(|tree| path != tree && path.starts_with(tree))
    });
    wanted
}

fn nearest_dir_ancestor(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|ancestor| ancestor.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, MetadataKind, RenameMode};

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        paths.iter().fold(Event::new(kind), |event, path| {
            event.add_path(PathBuf::from(path))
        })
    }

    fn targets() -> Vec<Target> {
        vec![
            Target {
                path: "/w/file".into(),
                scope: Scope::Exact,
            },
            Target {
                path: "/w/tree".into(),
                scope: Scope::Tree,
            },
            Target {
                path: "/w/frags".into(),
                scope: Scope::Children,
            },
        ]
    }

    #[test]
    fn classifies_events() {
        let targets = targets();
        let create = EventKind::Create(CreateKind::File);
        let attrib = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any));
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(
            classify(&event(create, &["/w/file"]), &targets),
            (true, false)
        );
        assert_eq!(
            classify(&event(attrib, &["/w/file"]), &targets),
            (true, false)
        );
        assert_eq!(
            classify(&event(open, &["/w/file"]), &targets),
            (false, false)
        );
        assert_eq!(
            classify(&event(create, &["/w/other"]), &targets),
            (false, false)
        );
        assert_eq!(
            classify(&event(create, &["/w/.mgmt-abc"]), &targets),
            (false, false)
        );
        assert_eq!(
            classify(&event(rename, &["/w/.mgmt-abc", "/w/file"]), &targets),
            (true, false)
        );
        assert_eq!(
            classify(&event(create, &["/w/tree/a/b"]), &targets),
            (true, false)
        );
        assert_eq!(
            classify(&event(create, &["/w/tree"]), &targets),
            (true, true)
        );
        assert_eq!(
            classify(&event(create, &["/w/frags/a"]), &targets),
            (true, false)
        );
        assert_eq!(
            classify(&event(create, &["/w/frags/a/b"]), &targets),
            (false, false)
        );
        assert_eq!(classify(&event(create, &["/w"]), &targets), (true, true));
        assert_eq!(classify(&event(attrib, &["/w"]), &targets), (false, false));
        let rescan = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert_eq!(classify(&rescan, &targets), (true, true));
    }

    #[test]
    fn watches_nearest_ancestors_and_trees() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("tree/sub")).unwrap();
        let targets = vec![
            Target {
                path: root.join("missing/deeper/file"),
                scope: Scope::Exact,
            },
            Target {
                path: root.join("tree"),
                scope: Scope::Tree,
            },
            Target {
                path: root.join("tree/sub/file"),
                scope: Scope::Exact,
            },
            Target {
                path: root.join("tree/sub"),
                scope: Scope::Tree,
            },
        ];
        let wanted = wanted_watches(&targets);
        let expected: BTreeMap<PathBuf, RecursiveMode> = [
            (root.to_path_buf(), RecursiveMode::NonRecursive),
            (root.join("tree"), RecursiveMode::Recursive),
        ]
        .into_iter()
        .collect();
        assert_eq!(wanted, expected);
    }
}

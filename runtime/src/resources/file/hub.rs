//! One inotify watcher for every file resource of the process.
//!
//! Each `notify` watcher is an inotify instance and a thread, and Linux
//! allows 128 instances per user by default: a graph with a few hundred
//! files would run out. So all watches go through one watcher here: each
//! watching resource *subscribes* with its targets, the set of watched
//! directories is recomputed from all subscriptions whenever it may change,
//! and one dispatcher thread hands each burst of events to the subscribers
//! it concerns. Re-arming happens on the dispatcher thread, never in the
//! `notify` callback (which runs on `notify`'s own thread: calling the
//! watcher from there would deadlock).

use super::watch::{classify, is_not_found, snapshot, wanted_watches, SharedTargets, Target};
use crate::resource::{ResourceError, WatchEvents};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

static HUB: Mutex<Option<Hub>> = Mutex::new(None);

struct Hub {
    watcher: RecommendedWatcher,
    /// What the watcher watches now, and how.
    armed: BTreeMap<PathBuf, RecursiveMode>,
    subscriptions: BTreeMap<u64, Subscription>,
    next_id: u64,
}

struct Subscription {
    targets: SharedTargets,
    events: WatchEvents,
}

/// Ends its subscription when dropped.
pub struct Guard(u64);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(hub) = lock().as_mut() {
            hub.subscriptions.remove(&self.0);
            if let Err(error) = hub.rearm(&[], false) {
                tracing::warn!("file watch: {error}");
            }
        }
    }
}

fn lock() -> MutexGuard<'static, Option<Hub>> {
    HUB.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends `()` on `events` whenever something happens to one of `targets`.
pub fn subscribe(targets: SharedTargets, events: WatchEvents) -> Result<Guard, ResourceError> {
    let mut slot = lock();
    let hub = match slot.as_mut() {
        Some(hub) => hub,
        None => slot.insert(Hub::start()?),
    };
    let id = hub.next_id;
    hub.next_id += 1;
    hub.subscriptions
        .insert(id, Subscription { targets, events });
    if let Err(error) = hub.rearm(&[], false) {
        hub.subscriptions.remove(&id);
        let _ = hub.rearm(&[], false);
        return Err(error);
    }
    Ok(Guard(id))
}

/// Re-reads every subscription's targets.
pub fn rearm_all() {
    if let Some(hub) = lock().as_mut() {
        if let Err(error) = hub.rearm(&[], false) {
            tracing::warn!("file watch: {error}");
        }
    }
}

impl Hub {
    fn start() -> Result<Hub, ResourceError> {
        let (sender, receiver) = mpsc::channel();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = sender.send(event);
        })
        .map_err(|error| {
            ResourceError::failed(format!("cannot start the file watcher: {error}"))
        })?;
        thread::Builder::new()
            .name("mgmt-file-watch".into())
            .spawn(move || dispatch(receiver))
            .map_err(|error| {
                ResourceError::failed(format!("cannot start the file watcher thread: {error}"))
            })?;
        Ok(Hub {
            watcher,
            armed: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            next_id: 0,
        })
    }

    /// Tells each subscriber concerned by the burst, once, after moving
    /// the watches if the burst asks for it.
    fn deliver(&mut self, burst: &[notify::Result<Event>]) {
        let mut concerned = BTreeSet::new();
        let mut touched = Vec::new();
        let (mut rearm, mut everything) = (false, false);
        for (id, subscription) in &self.subscriptions {
            let targets = snapshot(&subscription.targets);
            for event in burst {
                let (relevant, moves) = match event {
                    Ok(event) => classify(event, &targets),
                    // The kernel queue overflowed, or a watch broke.
                    Err(_) => {
                        everything = true;
                        (true, true)
                    }
                };
                if relevant {
                    concerned.insert(*id);
                }
                if moves {
                    rearm = true;
                    if let Ok(event) = event {
                        touched.extend(event.paths.iter().cloned());
                    }
                }
            }
        }
        if let Some(Err(error)) = burst.iter().find(|event| event.is_err()) {
            tracing::warn!("file watch: {error}");
        }
        if rearm {
            if let Err(error) = self.rearm(&touched, everything) {
                tracing::warn!("file watch: {error}");
            }
        }
        for id in concerned {
            if let Some(subscription) = self.subscriptions.get(&id) {
                // A closed receiver: the guard's drop will unsubscribe.
                let _ = subscription.events.send(());
            }
        }
    }

    /// Brings the watcher in line with all subscriptions. Directories under
    /// a `touched` path (created, removed or renamed) are watched afresh,
    /// since `notify` drops the watch of a directory that goes away. A
    /// directory that vanishes while we add it makes us start over, so that
    /// the watch lands on an ancestor that exists.
    fn rearm(&mut self, touched: &[PathBuf], everything: bool) -> Result<(), ResourceError> {
        for _ in 0..8 {
            let targets: Vec<Target> = self
                .subscriptions
                .values()
                .flat_map(|subscription| snapshot(&subscription.targets))
                .collect();
            let wanted = wanted_watches(&targets);
            let in_tree = |path: &Path| {
                wanted.iter().any(|(tree, mode)| {
                    *mode == RecursiveMode::Recursive && path != tree && path.starts_with(tree)
                })
            };
            // Stale watches go first: removing a tree removes its subdirectories.
            for (path, mode) in &self.armed {
                let stale = match wanted.get(path) {
                    Some(wanted_mode) => wanted_mode != mode,
                    None => !in_tree(path),
                };
                if stale {
                    let _ = self.watcher.unwatch(path);
                }
            }
            let mut armed = BTreeMap::new();
            let mut raced = false;
            for (path, mode) in &wanted {
                let fresh = everything
                    || self.armed.get(path) != Some(mode)
                    || touched.iter().any(|touched| path.starts_with(touched));
                if fresh {
                    match self.watcher.watch(path, *mode) {
                        Ok(()) => {}
                        Err(error) if is_not_found(&error) => {
                            raced = true;
                            continue;
                        }
                        Err(error) => {
                            self.armed = armed;
                            return Err(ResourceError::failed(format!(
                                "cannot watch {}: {error}",
                                path.display()
                            )));
                        }
                    }
                }
                armed.insert(path.clone(), *mode);
            }
            self.armed = armed;
            if !raced {
                break;
            }
        }
        Ok(())
    }
}

fn dispatch(receiver: Receiver<notify::Result<Event>>) {
    while let Ok(first) = receiver.recv() {
        let burst: Vec<_> = std::iter::once(first).chain(receiver.try_iter()).collect();
        if let Some(hub) = lock().as_mut() {
            hub.deliver(&burst);
        }
    }
}

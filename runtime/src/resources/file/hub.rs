//! One inotify watcher for every file resource of an engine.
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
//!
//! A path that cannot be watched (the inotify watch limit is reached) is
//! left out, said once with the fix, and the subscriptions that need it are
//! polled instead: every `--watch-fallback-poll` seconds the dispatcher
//! tries those watches again and tells those subscribers to check.

use super::entry::is_temp_name;
use super::watch::{
    classify, is_not_found, is_read, is_structural, snapshot, wanted_watches, SharedTargets, Target,
};
use crate::resource::{ResourceError, WatchEvents};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::thread;
use std::time::{Duration, Instant};

/// The file watcher of one engine, shared by its file resources (a handle
/// in [`crate::services::Services`]); started by the first subscription,
/// stopped when the last handle and subscription are gone.
#[derive(Clone, Default)]
pub struct FileWatcher(Arc<Mutex<Option<Hub>>>, FallbackPoll);

/// Milliseconds between polls of subscriptions whose paths could not be
/// watched (0: the default).
#[derive(Clone, Default)]
struct FallbackPoll(Arc<AtomicU64>);

impl FallbackPoll {
    fn interval(&self) -> Duration {
        match self.0.load(Ordering::Relaxed) {
            0 => Duration::from_secs(10),
            millis => Duration::from_millis(millis),
        }
    }
}

impl std::fmt::Debug for FileWatcher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("FileWatcher")
    }
}

/// Events queued for the dispatcher at most; a burst beyond it is handled
/// as lost events (every file checks once) rather than held in memory.
const QUEUE: usize = 1024;

struct Hub {
    watcher: RecommendedWatcher,
    /// What the watcher watches now, and how.
    armed: BTreeMap<PathBuf, RecursiveMode>,
    subscriptions: BTreeMap<u64, Subscription>,
    /// Every subscription by each of its target paths, so that an event
    /// reaches the few subscriptions it may concern without a scan of all.
    /// Paths sort by component, so a directory's descendants are contiguous.
    index: BTreeMap<PathBuf, BTreeSet<u64>>,
    next_id: u64,
    /// Wanted paths that could not be watched; their subscribers are polled.
    unarmed: BTreeSet<PathBuf>,
    /// Whether the first such failure was logged (later ones are debug).
    said_unarmed: bool,
}

struct Subscription {
    targets: SharedTargets,
    events: WatchEvents,
}

/// Ends its subscription when dropped.
pub struct Guard {
    id: u64,
    watcher: FileWatcher,
}

impl Drop for Guard {
    /// A watch left behind is harmless (its events concern no one) and goes
    /// at the next full re-arm; re-arming on every drop would make stopping
    /// a large graph quadratic.
    fn drop(&mut self) {
        if let Some(hub) = lock(&self.watcher.0).as_mut() {
            if let Some(subscription) = hub.subscriptions.remove(&self.id) {
                hub.unindex(self.id, &snapshot(&subscription.targets));
            }
        }
    }
}

fn lock(hub: &Mutex<Option<Hub>>) -> MutexGuard<'_, Option<Hub>> {
    hub.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FileWatcher {
    /// Sends `()` on `events` whenever something happens to one of `targets`.
    pub fn subscribe(
        &self,
        targets: SharedTargets,
        events: WatchEvents,
    ) -> Result<Guard, ResourceError> {
        let mut slot = lock(&self.0);
        let hub = match slot.as_mut() {
            Some(hub) => hub,
            None => slot.insert(Hub::start(Arc::downgrade(&self.0), self.1.clone())?),
        };
        let id = hub.next_id;
        hub.next_id += 1;
        let current = snapshot(&targets);
        // Only this subscription's watches are new: arm just those.
        hub.arm(&wanted_watches(&current))?;
        hub.index(id, &current);
        hub.subscriptions
            .insert(id, Subscription { targets, events });
        Ok(Guard {
            id,
            watcher: self.clone(),
        })
    }

    /// How often subscriptions whose paths could not be watched are polled.
    pub fn set_fallback_poll(&self, interval: Duration) {
        let millis = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        self.1 .0.store(millis, Ordering::Relaxed);
    }

    /// How many wanted paths could not be watched (their files are polled).
    pub fn unwatched(&self) -> usize {
        lock(&self.0).as_ref().map_or(0, |hub| hub.unarmed.len())
    }

    /// Re-reads every subscription's targets.
    pub fn rearm_all(&self) {
        if let Some(hub) = lock(&self.0).as_mut() {
            hub.reindex();
            if let Err(error) = hub.rearm(&[], false) {
                tracing::warn!("file watch: {error}");
            }
        }
    }
}

impl Hub {
    /// The dispatcher holds the hub weakly: once every handle is gone, the
    /// hub and its `notify` watcher go, and the dispatcher's queue ends.
    fn start(shared: Weak<Mutex<Option<Hub>>>, poll: FallbackPoll) -> Result<Hub, ResourceError> {
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let overflowed = Arc::new(AtomicBool::new(false));
        let overflow = Arc::clone(&overflowed);
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            if event.as_ref().is_ok_and(concerns_no_one) {
                return;
            }
            // Never block `notify`'s thread: the dispatcher may be waiting on
            // it to add a watch. A full queue counts as lost events.
            if sender.try_send(event).is_err() {
                overflow.store(true, Ordering::Release);
            }
        })
        .map_err(|error| {
            ResourceError::failed(format!("cannot start the file watcher: {error}"))
        })?;
        thread::Builder::new()
            .name("mgmt-file-watch".into())
            .spawn(move || dispatch(receiver, overflowed, shared, poll))
            .map_err(|error| {
                ResourceError::failed(format!("cannot start the file watcher thread: {error}"))
            })?;
        Ok(Hub {
            watcher,
            armed: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            index: BTreeMap::new(),
            next_id: 0,
            unarmed: BTreeSet::new(),
            said_unarmed: false,
        })
    }

    fn index(&mut self, id: u64, targets: &[Target]) {
        for target in targets {
            self.index
                .entry(target.path.clone())
                .or_default()
                .insert(id);
        }
    }

    fn unindex(&mut self, id: u64, targets: &[Target]) {
        for target in targets {
            if let Some(ids) = self.index.get_mut(&target.path) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.index.remove(&target.path);
                }
            }
        }
    }

    fn reindex(&mut self) {
        let all: Vec<(u64, Vec<Target>)> = self
            .subscriptions
            .iter()
            .map(|(id, subscription)| (*id, snapshot(&subscription.targets)))
            .collect();
        self.index.clear();
        for (id, targets) in all {
            self.index(id, &targets);
        }
    }

    /// Watches what `wanted` adds to what is armed (a path armed recursively
    /// covers a non-recursive wish).
    fn arm(&mut self, wanted: &BTreeMap<PathBuf, RecursiveMode>) -> Result<(), ResourceError> {
        for (path, mode) in wanted {
            let armed = self.armed.get(path);
            if armed == Some(mode) || armed == Some(&RecursiveMode::Recursive) {
                continue;
            }
            match self.watcher.watch(path, *mode) {
                Ok(()) => {
                    self.armed.insert(path.clone(), *mode);
                }
                // Gone meanwhile: the next event about it re-arms.
                Err(error) if is_not_found(&error) => {}
                // Polled instead (see the module header).
                Err(error) => self.cannot_arm(path, &error),
            }
        }
        Ok(())
    }

    /// The subscriptions an event may concern: those with a target at a
    /// path, those with a target above it (a tree), and, when the event adds,
    /// removes or moves the path, those with a target below it (a target's
    /// ancestor moved). An event on a directory that is no such change (its
    /// attributes, say) concerns only that directory's own subscribers: with
    /// thousands of files in it, scanning them all per event would not keep up.
    fn candidates(&self, event: &Event) -> BTreeSet<u64> {
        let mut ids = BTreeSet::new();
        let below = is_structural(event);
        for path in &event.paths {
            if below {
                for (target, owners) in self.index.range(path.clone()..) {
                    if !target.starts_with(path) {
                        break;
                    }
                    ids.extend(owners);
                }
            } else if let Some(owners) = self.index.get(path) {
                ids.extend(owners);
            }
            for ancestor in path.ancestors().skip(1) {
                if let Some(owners) = self.index.get(ancestor) {
                    ids.extend(owners);
                }
            }
        }
        ids
    }

    /// Tells each subscriber concerned by the burst, once, after moving
    /// the watches if the burst asks for it.
    fn deliver(&mut self, burst: &[notify::Result<Event>]) {
        // An error (a full kernel queue: events were lost) or an event
        // without paths may concern anyone: everybody checks again, once,
        // and the watches are re-armed. Classifying a burst of thousands of
        // events for every subscription would take minutes at this scale.
        let lost = burst
            .iter()
            .any(|event| event.as_ref().map_or(true, |event| event.paths.is_empty()));
        if lost {
            if let Some(Err(error)) = burst.iter().find(|event| event.is_err()) {
                tracing::warn!("file watch: {error}; checking every watched file again");
            }
            if let Err(error) = self.rearm(&[], true) {
                tracing::warn!("file watch: {error}");
            }
            for subscription in self.subscriptions.values() {
                let _ = subscription.events.changed();
            }
            return;
        }
        let mut concerned = BTreeSet::new();
        let mut touched = Vec::new();
        let mut rearm = false;
        // Each event is classified only for the subscriptions its paths
        // may concern; their targets are read once per burst.
        let mut targets: BTreeMap<u64, Vec<Target>> = BTreeMap::new();
        // Reads never get here: `concerns_no_one` drops them at the source.
        for event in burst.iter().flatten() {
            for id in self.candidates(event) {
                let Some(subscription) = self.subscriptions.get(&id) else {
                    continue;
                };
                let current = targets
                    .entry(id)
                    .or_insert_with(|| snapshot(&subscription.targets));
                let (relevant, moves) = classify(event, current);
                if relevant {
                    concerned.insert(id);
                }
                if moves {
                    rearm = true;
                    touched.extend(event.paths.iter().cloned());
                }
            }
        }
        if rearm {
            if let Err(error) = self.rearm(&touched, false) {
                tracing::warn!("file watch: {error}");
            }
        }
        for id in concerned {
            if let Some(subscription) = self.subscriptions.get(&id) {
                // A closed receiver: the guard's drop will unsubscribe.
                let _ = subscription.events.changed();
            }
        }
    }

    /// Brings the watcher in line with all subscriptions. Directories under
    /// a `touched` path (created, removed or renamed) are watched afresh,
    /// since `notify` drops the watch of a directory that goes away. A
    /// directory that vanishes while we add it, or one that appears below a
    /// directory we just started watching (before that watch could see it:
    /// `mkdir -p a/b`), makes us start over, so that the watches land where
    /// the file system is now.
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
            self.unarmed.clear();
            let mut raced = false;
            let mut added = false;
            for (path, mode) in &wanted {
                let fresh = everything
                    || self.armed.get(path) != Some(mode)
                    || touched.iter().any(|touched| path.starts_with(touched));
                if fresh {
                    match self.watcher.watch(path, *mode) {
                        Ok(()) => added = true,
                        Err(error) if is_not_found(&error) => {
                            raced = true;
                            continue;
                        }
                        Err(error) => {
                            self.cannot_arm(path, &error);
                            continue;
                        }
                    }
                }
                armed.insert(path.clone(), *mode);
            }
            self.armed = armed;
            let moved_meanwhile = added && wanted_watches(&targets) != wanted;
            if !raced && !moved_meanwhile {
                break;
            }
        }
        Ok(())
    }
}

impl Hub {
    /// `path` cannot be watched: leave it to the poll, and say so once.
    fn cannot_arm(&mut self, path: &Path, error: &notify::Error) {
        self.unarmed.insert(path.to_owned());
        let message = format!("cannot watch {}: {error}", path.display());
        if std::mem::replace(&mut self.said_unarmed, true) {
            tracing::debug!("file watch: {message}");
            return;
        }
        let advice = if crate::watch_limit::is_watch_limit(&message) {
            format!("; {}", crate::watch_limit::advice())
        } else {
            String::new()
        };
        tracing::warn!(
            "file watch: {message}{advice}. The files that need such paths are checked every \
             poll instead (--watch-fallback-poll) and the watches tried again; further ones \
             are logged at debug level"
        );
    }

    /// The poll of the paths that could not be watched: try them again,
    /// and have every subscriber that needs one check.
    fn poll_unarmed(&mut self) {
        if self.unarmed.is_empty() {
            return;
        }
        let missing = self.unarmed.clone();
        if let Err(error) = self.rearm(&[], false) {
            tracing::debug!("file watch: {error}");
        }
        for subscription in self.subscriptions.values() {
            let needs = wanted_watches(&snapshot(&subscription.targets))
                .keys()
                .any(|path| missing.contains(path));
            if needs {
                let _ = subscription.events.changed();
            }
        }
        if self.unarmed.is_empty() {
            tracing::info!("file watch: every path is watched again");
        }
    }
}

/// Reads (our own checks, the open and fsync of a directory after each
/// atomic write) and events about our temporary files alone: most of what
/// a burst of writes makes, dropped before it is queued. An event without
/// paths stays (it means events were lost).
fn concerns_no_one(event: &Event) -> bool {
    is_read(event)
        || (!event.paths.is_empty()
            && event
                .paths
                .iter()
                .all(|path| path.file_name().is_some_and(is_temp_name)))
}

fn dispatch(
    receiver: Receiver<notify::Result<Event>>,
    overflowed: Arc<AtomicBool>,
    shared: Weak<Mutex<Option<Hub>>>,
    poll: FallbackPoll,
) {
    // Polls happen on time even while events keep coming.
    let mut next_poll = Instant::now() + poll.interval();
    loop {
        let wait = next_poll.saturating_duration_since(Instant::now());
        let first = match receiver.recv_timeout(wait) {
            Ok(first) => Some(first),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if Instant::now() >= next_poll {
            next_poll = Instant::now() + poll.interval();
            let Some(hub) = shared.upgrade() else {
                return;
            };
            let mut slot = lock(&hub);
            if let Some(hub) = slot.as_mut() {
                hub.poll_unarmed();
            }
        }
        let Some(first) = first else {
            continue;
        };
        let mut burst: Vec<_> = std::iter::once(first).chain(receiver.try_iter()).collect();
        if overflowed.swap(false, Ordering::AcqRel) {
            burst.push(Err(notify::Error::generic(
                "the watch queue was full and events were dropped",
            )));
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let mut slot = lock(&shared);
        if let Some(hub) = slot.as_mut() {
            hub.deliver(&burst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::watch::Scope;
    use super::*;
    use notify::event::{MetadataKind, ModifyKind, RemoveKind};
    use notify::EventKind;

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    fn target(path: &str, scope: Scope) -> Target {
        Target {
            path: PathBuf::from(path),
            scope,
        }
    }

    #[test]
    fn only_changes_of_a_directory_reach_what_lies_below_it() {
        let mut hub = Hub::start(Weak::new(), FallbackPoll::default()).expect("a watcher");
        hub.index(1, &[target("/d/a", Scope::Exact)]);
        hub.index(2, &[target("/d/b", Scope::Exact)]);
        hub.index(3, &[target("/t", Scope::Tree)]);
        let attributes = EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any));
        let removal = EventKind::Remove(RemoveKind::Folder);
        assert!(hub.candidates(&event(attributes, "/d")).is_empty());
        assert_eq!(
            hub.candidates(&event(removal, "/d")),
            BTreeSet::from([1, 2])
        );
        assert_eq!(
            hub.candidates(&event(attributes, "/d/a")),
            BTreeSet::from([1])
        );
        assert_eq!(
            hub.candidates(&event(attributes, "/t/deep/file")),
            BTreeSet::from([3])
        );
    }
}

//! Resources that cannot be watched (the inotify watch limit is reached,
//! say) are polled instead, every `--watch-fallback-poll` seconds, and their
//! watch is tried again at each poll; the cause is logged once, with the fix
//! when it is the watch limit, and the end of the run counts them.

use super::watch::poll_every;
use super::Engine;
use crate::resource::{ResourceError, WatchEvents};
use crate::spec::ResourceKey;
use crate::watch_limit::is_watch_limit;
use tracing::{debug, info, warn};

impl Engine {
    /// `key`'s watch could not start: poll it, and say why once.
    pub(super) fn cannot_watch(&mut self, key: &ResourceKey, watch: u64, problem: &ResourceError) {
        let interval = self.options.watch_fallback_poll;
        let Some(vertex) = self.vertices.get_mut(key) else {
            return;
        };
        let events = WatchEvents::engine(self.sender.clone(), key.clone(), watch);
        vertex.watch_id = watch;
        vertex.forwarder = Some(poll_every(interval, events));
        vertex.polled_instead = true;
        let id = vertex.spec.id();
        if std::mem::replace(&mut self.said_cannot_watch, true) {
            debug!(
                "{id}: cannot watch: {problem}; polling it every {} s",
                interval.as_secs()
            );
            return;
        }
        let fix = if is_watch_limit(&problem.to_string()) {
            format!(" {}.", crate::watch_limit::advice())
        } else {
            String::new()
        };
        warn!(
            "{id}: cannot watch: {problem}.{fix} Resources that cannot be watched are polled \
             every {} s instead (--watch-fallback-poll), and their watches are tried again at \
             each poll; further ones are logged at debug level",
            interval.as_secs()
        );
    }

    /// A polled resource's poll came: try its watch again (it may fit now).
    pub(super) fn try_watching_again(&mut self, key: &ResourceKey) {
        self.next_watch += 1;
        let watch = self.next_watch;
        let events = WatchEvents::engine(self.sender.clone(), key.clone(), watch);
        let Some(vertex) = self.vertices.get_mut(key) else {
            return;
        };
        let Some(resource) = vertex.resource.as_ref() else {
            // Running: the next poll tries again.
            return;
        };
        if let Ok(Some(guard)) = resource.watch(events) {
            vertex.stop_watch();
            vertex.watch = Some(guard);
            vertex.watch_id = watch;
            vertex.polled_instead = false;
            info!("{}: watched again (no longer polled)", vertex.spec.id());
        }
    }

    /// For the end of the run: how many resources, and how many paths of
    /// the file watcher, were left polled.
    pub(super) fn report_polled(&self) {
        let paths = self.services.files.unwatched();
        if paths > 0 {
            warn!(
                "{paths} path(s) could not be watched; the files that need them were polled every {} s",
                self.options.watch_fallback_poll.as_secs()
            );
        }
        let polled = self
            .vertices
            .values()
            .filter(|vertex| vertex.polled_instead)
            .count();
        if polled > 0 {
            warn!(
                "{polled} resource(s) could not be watched and were polled every {} s instead",
                self.options.watch_fallback_poll.as_secs()
            );
        }
    }
}

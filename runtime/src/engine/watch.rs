//! Watches: starting one per resource (or a poll timer), taking the news
//! they send, and `Meta:rewatch` when one ends by itself.

use super::Engine;
use crate::resource::{WatchEvents, WatchTag};
use crate::spec::ResourceKey;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tracing::{info, warn};

/// Sends a change on `events` every `interval` (the first after one
/// interval), until the engine stops listening.
pub(super) fn poll_every(interval: Duration, events: WatchEvents) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if events.changed().is_err() {
                return;
            }
        }
    })
}

impl Engine {
    /// Starts the resource's watch (or its poll timer) unless watching is off.
    pub(super) fn start_watch(&mut self, key: &ResourceKey) {
        if self.options.no_watch {
            return;
        }
        let Some(vertex) = self.vertices.get_mut(key) else {
            return;
        };
        if vertex.phase.failure().is_some() || vertex.spec.meta.hidden {
            return;
        }
        self.next_watch += 1;
        let watch = self.next_watch;
        let events = WatchEvents::engine(self.sender.clone(), key.clone(), watch);
        let poll = vertex.spec.meta.poll;
        if poll > 0 {
            vertex.watch_id = watch;
            vertex.forwarder = Some(poll_every(Duration::from_secs(u64::from(poll)), events));
            return;
        }
        let Some(resource) = vertex.resource.as_ref() else {
            return;
        };
        match resource.watch(events) {
            Ok(Some(guard)) => {
                vertex.watch = Some(guard);
                vertex.watch_id = watch;
            }
            Ok(None) => {}
            Err(problem) => self.cannot_watch(key, watch, &problem),
        }
    }

    /// A watch says the resource's state may have changed.
    pub(super) fn watch_event(&mut self, tag: &WatchTag) {
        // Later changes send again from now on; this one is being taken.
        tag.pending.store(false, Ordering::Release);
        let no_watch = self.options.no_watch;
        if let Some(vertex) = self.vertices.get_mut(&tag.key) {
            if vertex.watch_id == tag.watch
                && !no_watch
                && vertex.limiter.allow(Instant::now())
                && vertex.phase.mark()
            {
                self.candidates.insert(tag.key.clone());
            }
            if vertex.watch_id == tag.watch && vertex.polled_instead {
                self.try_watching_again(&tag.key);
            }
        }
    }

    /// `Meta:rewatch` restarts a watch that ended (once the resource is back
    /// from any running check); otherwise the resource is checked only at
    /// start, on refresh and on poll from now on.
    pub(super) fn watch_ended(&mut self, tag: &WatchTag) {
        let shutting_down = self.shutting_down;
        let Some(vertex) = self.vertices.get_mut(&tag.key) else {
            return;
        };
        if vertex.watch_id != tag.watch || shutting_down {
            return;
        }
        vertex.stop_watch();
        if !vertex.spec.meta.rewatch {
            warn!(
                "{}: its watch ended; it is checked only at start, on refresh and on poll now",
                vertex.spec.id()
            );
            return;
        }
        info!(
            "{}: its watch ended; restarting it (Meta:rewatch)",
            vertex.spec.id()
        );
        // The restarted watch may have missed a change meanwhile.
        if vertex.phase.mark() {
            self.candidates.insert(tag.key.clone());
        }
        if vertex.phase.is_running() {
            vertex.rewatch_pending = true;
        } else {
            self.start_watch(&tag.key);
        }
    }
}

//! One resource's state in the engine: its phase (see `phase.rs`) and what
//! goes with it (the resource itself, its watch, retries, what it sent).

use super::limiter::Limiter;
use super::phase::Phase;
use crate::resource::{Resource, WatchGuard};
use crate::spec::ResourceSpec;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use tokio::task::JoinHandle;

pub(super) struct Vertex {
    pub spec: ResourceSpec,
    /// Bumped when the resource is replaced, so late events of the old one are ignored.
    pub generation: u64,
    /// `None` while a check/apply has it on a blocking thread.
    pub resource: Option<Box<dyn Resource>>,
    pub watch: Option<WatchGuard>,
    /// The number of the running watch (0: none); see `Engine::next_watch`.
    pub watch_id: u64,
    /// Sends poll ticks to the engine (`Meta:poll`).
    pub forwarder: Option<JoinHandle<()>>,
    pub phase: Phase,
    /// An upstream change arrived along a `Notify` edge.
    pub refresh: bool,
    /// The check/apply under way is brief work (see `Resource::brief`).
    pub brief: bool,
    pub retries_left: i64,
    /// How long after its next give-up it is tried again (backoff).
    pub recheck_after: std::time::Duration,
    /// How many times it gave up, so a stale recheck is told apart.
    pub gave_up_times: u64,
    /// What it sent after its last check/apply.
    pub sent: BTreeMap<String, Json>,
    /// Which of those were cut to a size limit, and by how many bytes.
    pub sent_cut: BTreeMap<String, u64>,
    pub limiter: Limiter,
    /// The watch ended while a check ran; restart it when the resource is back.
    pub rewatch_pending: bool,
    /// It could not be watched and is polled instead (see `unwatched.rs`).
    pub polled_instead: bool,
    /// What its check/applies did this run (see `record.rs`).
    pub tally: super::record::Tally,
}

impl Vertex {
    pub fn new(
        spec: ResourceSpec,
        resource: Option<Box<dyn Resource>>,
        generation: u64,
        failed: Option<String>,
    ) -> Vertex {
        let limiter = Limiter::new(spec.meta.limit, spec.meta.burst);
        Vertex {
            retries_left: spec.meta.retry,
            generation,
            resource,
            watch: None,
            watch_id: 0,
            forwarder: None,
            phase: Phase::initial(spec.meta.hidden, failed),
            refresh: false,
            brief: false,
            recheck_after: super::finish::RECHECK_FIRST,
            gave_up_times: 0,
            sent: BTreeMap::new(),
            sent_cut: BTreeMap::new(),
            limiter,
            rewatch_pending: false,
            polled_instead: false,
            tally: super::record::Tally::default(),
            spec,
        }
    }

    /// How many of its retries it has used.
    pub fn retries_used(&self) -> i64 {
        if self.spec.meta.retry < 0 {
            0
        } else {
            self.spec.meta.retry - self.retries_left.max(0)
        }
    }

    /// Counts `used` retries as already spent (`-1`, forever, stays so).
    pub fn use_retries(&mut self, used: i64) {
        if self.retries_left >= 0 {
            self.retries_left = (self.retries_left - used).max(0);
        }
    }

    /// Ready to run, as far as its own state goes.
    pub fn wants_to_run(&self) -> bool {
        self.phase.is_pending() && self.resource.is_some()
    }

    /// Forgets the watch's number first, so that its end is not taken for
    /// a watch that ended by itself.
    pub fn stop_watch(&mut self) {
        self.watch_id = 0;
        if let Some(forwarder) = self.forwarder.take() {
            forwarder.abort();
        }
        self.watch = None;
    }
}

impl Drop for Vertex {
    fn drop(&mut self) {
        self.stop_watch();
    }
}

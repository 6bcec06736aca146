//! One resource's state in the engine.

use super::limiter::Limiter;
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
    /// Its state may be wrong: check it.
    pub dirty: bool,
    /// An upstream change arrived along a `Notify` edge.
    pub refresh: bool,
    pub running: bool,
    /// The check/apply under way is brief work (see `Resource::brief`).
    pub brief: bool,
    pub waiting_retry: bool,
    pub retries_left: i64,
    /// Gave up after its retries; holds the last error.
    pub failed: Option<String>,
    /// Has completed at least one check/apply since it (re)started.
    pub checked_once: bool,
    /// What it sent after its last check/apply.
    pub sent: BTreeMap<String, Json>,
    pub limiter: Limiter,
    /// The watch ended while a check ran; restart it when the resource is back.
    pub rewatch_pending: bool,
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
            dirty: failed.is_none() && !spec.meta.hidden,
            refresh: false,
            running: false,
            brief: false,
            waiting_retry: false,
            failed,
            checked_once: false,
            sent: BTreeMap::new(),
            limiter,
            rewatch_pending: false,
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
        self.dirty
            && !self.running
            && !self.waiting_retry
            && self.failed.is_none()
            && !self.spec.meta.hidden
            && self.resource.is_some()
    }

    /// Done with its work in the current graph: its dependants may run.
    pub fn is_converged(&self) -> bool {
        (self.checked_once || self.spec.meta.hidden)
            && !self.dirty
            && !self.running
            && !self.waiting_retry
            && self.failed.is_none()
    }

    /// Nothing left to do for now (converged, or given up). A dirty resource
    /// behind a failed one is idle too; the engine works that out.
    pub fn is_idle(&self) -> bool {
        !self.running
            && !self.waiting_retry
            && (self.failed.is_some() || self.spec.meta.hidden || !self.dirty)
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

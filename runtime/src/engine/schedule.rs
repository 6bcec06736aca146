//! Scheduling: which pending resources start now. A resource starts once
//! everything it depends on has converged, its semaphores are free and, for
//! brief work, a place among the brief check/applies is free.

use super::launch::{self, Job};
use super::{Engine, MOST_BRIEF_AT_ONCE};
use crate::resource::ApplyContext;
use crate::spec::ResourceKey;
use tracing::warn;

impl Engine {
    /// Starts every candidate that may run now. A candidate that waits for
    /// its upstream is dropped (it comes back when the upstream finishes); one
    /// that waits for a semaphore is queued (it comes back on a release).
    pub(super) fn schedule(&mut self) {
        if self.shutting_down {
            return;
        }
        let candidates = std::mem::take(&mut self.candidates);
        for key in candidates {
            self.consider(key);
        }
        // Places among the brief check/applies that came free go to those
        // waiting for one, first come first served; in bunches, once half
        // of them are free, so that the pool always has work queued and its
        // threads do not sleep and wake for each check.
        if self.brief_running > MOST_BRIEF_AT_ONCE / 2 {
            return;
        }
        while self.brief_running < MOST_BRIEF_AT_ONCE {
            let Some(key) = self.brief_waiting.pop_front() else {
                break;
            };
            self.consider(key);
        }
    }

    /// Starts `key` if it is ready; queues it if a semaphore or a place
    /// among the brief check/applies is not free; drops it otherwise (it
    /// comes back when what it waits for changes).
    fn consider(&mut self, key: ResourceKey) {
        let was_first = self.semaphores.take_if_first(&key);
        // `Some(brief)` when it wants to run, as far as its own state goes.
        let wants = self.vertices.get(&key).and_then(|vertex| {
            let brief = vertex.resource.as_ref()?.brief();
            vertex.wants_to_run().then_some(brief)
        });
        let Some(brief) = wants else {
            return;
        };
        if !self.upstream_converged(&key) {
            return;
        }
        if brief && self.brief_running >= MOST_BRIEF_AT_ONCE {
            self.brief_waiting.push_back(key);
            return;
        }
        if !self.start(&key, brief) {
            if let Some(vertex) = self.vertices.get(&key) {
                self.semaphores
                    .wait(&vertex.spec.meta.sema, &key, was_first);
            }
        }
    }

    fn upstream_converged(&self, key: &ResourceKey) -> bool {
        self.upstream.get(key).is_none_or(|edges| {
            edges.iter().all(|edge| {
                self.vertices
                    .get(&edge.from)
                    .is_none_or(|vertex| vertex.phase.is_converged())
            })
        })
    }

    /// Starts a check/apply; false when a semaphore is not free.
    fn start(&mut self, key: &ResourceKey, brief: bool) -> bool {
        let received = self.received_values(key);
        let noop = self.options.noop;
        let sender = self.sender.clone();
        let Some(vertex) = self.vertices.get_mut(key) else {
            return true;
        };
        if !self.semaphores.try_acquire(&vertex.spec.meta.sema) {
            return false;
        }
        let Some(mut resource) = vertex.resource.take() else {
            let waiters = self.semaphores.release(&vertex.spec.meta.sema);
            self.candidates.extend(waiters);
            return true;
        };
        self.running += 1;
        if brief {
            self.brief_running += 1;
        }
        vertex.brief = brief;
        for (field, value) in received {
            if let Err(problem) = resource.receive(&field, value) {
                warn!("{}: cannot receive `{field}`: {problem}", vertex.spec.id());
            }
        }
        let context = ApplyContext {
            apply: !(noop || vertex.spec.meta.noop),
            refresh: vertex.refresh,
            show_diff: self.options.show_diff,
        };
        vertex.refresh = false;
        vertex.phase.start();
        launch::launch(
            sender,
            Job {
                key: key.clone(),
                generation: vertex.generation,
                resource,
                context,
                timeout: vertex.spec.meta.timeout,
            },
        );
        true
    }
}

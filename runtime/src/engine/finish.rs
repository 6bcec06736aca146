//! A finished check/apply: its outcome logged, what it sent taken, a change
//! passed downstream (a refresh along `Notify` edges), and a failure retried
//! after `Meta:delay` or given up once its retries are used. In a watching
//! engine a resource that gave up is tried again when its watch sees a
//! change and on a backoff timer (10 s, doubling to 5 min); the resources
//! waiting behind it are named.

use super::phase::AfterFailure;
use super::record::Did;
use super::send_recv::take_sent;
use super::{Engine, Event};
use crate::resource::{Outcome, Resource, ResourceError};
use crate::spec::ResourceKey;
use std::collections::{HashSet, VecDeque};
use std::time::Duration;
use tracing::{debug, error, info, warn};

/// How long a resource that gave up waits before it is tried again without
/// a watch event; each further failure doubles it, up to `RECHECK_AT_MOST`.
pub(super) const RECHECK_FIRST: Duration = Duration::from_secs(10);
const RECHECK_AT_MOST: Duration = Duration::from_secs(300);

/// How many of the resources waiting behind a failed one are named.
const NAMED_BLOCKED: usize = 10;

impl Engine {
    pub(super) fn finished(
        &mut self,
        key: ResourceKey,
        generation: u64,
        resource: Option<Box<dyn Resource>>,
        result: Result<Outcome, ResourceError>,
        elapsed: Duration,
    ) {
        let Some(vertex) = self.vertices.get_mut(&key) else {
            return;
        };
        if vertex.generation != generation {
            // A replaced or removed resource's last run: its result is stale.
            return;
        }
        let (sema, brief) = (vertex.spec.meta.sema.clone(), vertex.brief);
        self.run_ended(&sema, brief);
        // It may be pending again; what waited on it may run now.
        self.candidates.insert(key.clone());
        for edge in self.downstream.get(&key).into_iter().flatten() {
            self.candidates.insert(edge.to.clone());
        }
        let Some(vertex) = self.vertices.get_mut(&key) else {
            return;
        };
        vertex.resource = match resource {
            Some(resource) => Some(resource),
            None => match self.services.build(&vertex.spec) {
                Ok(rebuilt) => Some(rebuilt),
                Err(problem) => {
                    vertex.phase.invalid(problem.to_string());
                    return;
                }
            },
        };
        if std::mem::take(&mut vertex.rewatch_pending) {
            self.start_watch(&key);
        }
        let changed = match result {
            Ok(outcome) => self.succeeded(&key, outcome, elapsed),
            Err(problem) => {
                self.failed(&key, generation, &problem);
                false
            }
        };
        if changed {
            self.changed_upstream(&key);
        }
    }

    /// Logs a successful check/apply; true when it changed something
    /// (or sent something new).
    fn succeeded(&mut self, key: &ResourceKey, outcome: Outcome, elapsed: Duration) -> bool {
        self.reversal_done(key, &outcome);
        let Some(vertex) = self.vertices.get_mut(key) else {
            return false;
        };
        vertex.phase.succeeded();
        vertex.recheck_after = RECHECK_FIRST;
        if vertex.spec.meta.retryreset {
            vertex.retries_left = vertex.spec.meta.retry;
        }
        // Formatted only for the lines that are written: most checks find
        // everything right and log nothing above debug.
        let id = &vertex.spec;
        let mut changed = false;
        match outcome {
            Outcome::Correct => {
                debug!("{id}: already correct ({} ms)", elapsed.as_millis());
                self.record.finished(&mut vertex.tally, Did::Nothing);
            }
            Outcome::Changed(what) => {
                info!("{id}: {what}");
                self.record.finished(&mut vertex.tally, Did::Changed(&what));
                changed = true;
            }
            Outcome::WouldChange(what) => {
                info!("{id}: (noop) would change: {what}");
                self.record
                    .finished(&mut vertex.tally, Did::WouldChange(&what));
            }
        }
        take_sent(vertex) || changed
    }

    /// A failed check/apply: retried after `Meta:delay` while retries are
    /// left (`-1`: forever), given up otherwise.
    fn failed(&mut self, key: &ResourceKey, generation: u64, problem: &ResourceError) {
        let Some(vertex) = self.vertices.get_mut(key) else {
            return;
        };
        self.record
            .finished(&mut vertex.tally, Did::Failed(&problem.to_string()));
        let id = &vertex.spec;
        let location = &vertex.spec.location;
        if vertex.retries_left == 0 {
            let watching = !self.options.no_watch;
            if watching {
                error!(
                    "{id}: {problem} (at {location}); giving up until its watch sees a change \
                     or its recheck in {} s, resources that depend on it wait",
                    vertex.recheck_after.as_secs()
                );
            } else {
                error!(
                    "{id}: {problem} (at {location}); giving up, resources that depend on it wait"
                );
            }
            vertex
                .phase
                .failed(AfterFailure::GiveUp, problem.to_string());
            if watching {
                let delay = vertex.recheck_after;
                vertex.recheck_after = (delay * 2).min(RECHECK_AT_MOST);
                vertex.gave_up_times += 1;
                let token = (generation, vertex.gave_up_times);
                self.after(delay, Event::Recheck(key.clone(), token));
            }
            self.name_the_blocked(key, problem);
            return;
        }
        if vertex.retries_left > 0 {
            vertex.retries_left -= 1;
        }
        warn!(
            "{id}: {problem} (at {location}); retrying in {} ms",
            vertex.spec.meta.delay
        );
        vertex
            .phase
            .failed(AfterFailure::Retry, problem.to_string());
        let delay = Duration::from_millis(vertex.spec.meta.delay);
        self.after(delay, Event::Retry(key.clone(), generation));
    }

    /// Sends `event` to the engine after `delay`.
    fn after(&self, delay: Duration, event: Event) {
        let sender = self.sender.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = sender.send(event);
        });
    }

    /// Logs, for the resources that now wait behind `key` (directly or
    /// not), what they wait for; the first few by name, then how many more.
    fn name_the_blocked(&self, key: &ResourceKey, problem: &ResourceError) {
        let Some(failed) = self.vertices.get(key) else {
            return;
        };
        let mut seen = HashSet::from([key.clone()]);
        let mut queue = VecDeque::from([key.clone()]);
        let mut blocked = 0usize;
        while let Some(next) = queue.pop_front() {
            for edge in self.downstream.get(&next).into_iter().flatten() {
                if !seen.insert(edge.to.clone()) {
                    continue;
                }
                queue.push_back(edge.to.clone());
                let Some(waiting) = self.vertices.get(&edge.to) else {
                    continue;
                };
                blocked += 1;
                if blocked <= NAMED_BLOCKED {
                    warn!(
                        "{}: waiting for {}, which failed: {problem}",
                        waiting.spec, failed.spec
                    );
                }
            }
        }
        if blocked > NAMED_BLOCKED {
            warn!(
                "{} more resources wait for {}",
                blocked - NAMED_BLOCKED,
                failed.spec
            );
        }
    }

    /// A resource that gave up is due for another try (unless it was
    /// replaced, or has given up again since: that give-up has its own).
    pub(super) fn recheck_due(&mut self, key: ResourceKey, (generation, times): (u64, u64)) {
        if let Some(vertex) = self.vertices.get_mut(&key) {
            if vertex.generation == generation
                && vertex.gave_up_times == times
                && vertex.phase.gave_up()
                && vertex.phase.mark()
            {
                debug!("{}: trying again after giving up", vertex.spec);
                self.candidates.insert(key);
            }
        }
    }

    /// A retry's delay is over (unless the resource was replaced since).
    pub(super) fn retry_due(&mut self, key: ResourceKey, generation: u64) {
        if let Some(vertex) = self.vertices.get_mut(&key) {
            if vertex.generation == generation && vertex.phase.retry_due() {
                self.candidates.insert(key);
            }
        }
    }

    /// `key` changed something: what depends on it checks again, with a
    /// refresh along `Notify` edges.
    fn changed_upstream(&mut self, key: &ResourceKey) {
        for edge in self.downstream.get(key).cloned().unwrap_or_default() {
            if let Some(next) = self.vertices.get_mut(&edge.to) {
                next.phase.mark();
                next.refresh |= edge.notify;
            }
        }
    }

    /// Accounts for a check/apply that ended (or was abandoned): gives back
    /// its semaphores and its place among the brief ones, and lets the
    /// resources that waited for those try again.
    pub(super) fn run_ended(&mut self, sema: &[String], brief: bool) {
        self.running = self.running.saturating_sub(1);
        let waiters = self.semaphores.release(sema);
        self.candidates.extend(waiters);
        if brief {
            // `schedule` gives the place to the next one waiting.
            self.brief_running = self.brief_running.saturating_sub(1);
        }
    }
}

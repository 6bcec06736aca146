//! The engine: keeps the host converged on a resource graph.
//!
//! One coordinator task owns the graph and every resource's state, and
//! receives a closed set of [`Event`]s on one channel: watch events, finished
//! check/applies, retry timers, new graphs, shutdown. A resource is checked
//! only when something says its state may be wrong (start, a watch event, a
//! poll, an upstream change or refresh) and only once everything it depends on
//! has converged in the current graph; independent resources run in parallel
//! on blocking threads. A new graph is diffed against the running one and only
//! the resources that differ are replaced.

mod launch;
mod limiter;
mod semaphores;
mod state;
mod swap;
mod watch;

use crate::resource::{ApplyContext, Outcome, Resource, ResourceError, WatchTag};
use crate::services::Services;
use crate::spec::{GraphSpec, ResourceKey};
use launch::Job;
use semaphores::Semaphores;
use state::Vertex;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::{debug, error, info, warn};

/// Brief check/applies (files, see `Resource::brief`) handed to the
/// blocking pool at once. The pool has fewer threads than this anyway; the
/// rest of a large graph's first pass waits in the engine's own queue
/// instead of as thousands of queued tasks, each holding its resource.
const MOST_BRIEF_AT_ONCE: usize = 1024;

/// How the engine runs.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Check only; change nothing.
    pub noop: bool,
    /// Exit after the graph has stayed converged this long (`Some(0)`: as
    /// soon as it converges once).
    pub converged_timeout: Option<Duration>,
    /// At most this many check/applies at once.
    pub sema: Option<usize>,
    /// Check each resource once; do not watch.
    pub no_watch: bool,
}

/// What the engine hears about.
pub(crate) enum Event {
    /// A resource's state may have changed.
    Watch(Arc<WatchTag>),
    /// A check/apply finished.
    Done {
        key: ResourceKey,
        generation: u64,
        /// `None` when the check/apply timed out or panicked: the engine rebuilds it.
        resource: Option<Box<dyn Resource>>,
        result: Result<Outcome, ResourceError>,
        elapsed: Duration,
    },
    /// A resource's watch ended (by itself, unless the engine stopped it).
    WatchEnded(Arc<WatchTag>),
    /// A failed resource may try again.
    Retry(ResourceKey, u64),
    /// Run this graph from now on.
    Swap(GraphSpec),
    /// Stop: let running check/applies finish, then return.
    Shutdown,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Converged and stayed so for the converged timeout.
    Converged,
    /// Converged, but these resources gave up with an error.
    ConvergedWithFailures(Vec<String>),
    /// Asked to stop.
    Stopped,
}

/// Sends graphs and shutdown to a running engine.
#[derive(Clone)]
pub struct EngineHandle {
    events: mpsc::UnboundedSender<Event>,
}

impl EngineHandle {
    /// Replaces the running graph (only the differences are touched).
    pub fn swap(&self, graph: GraphSpec) -> bool {
        self.events.send(Event::Swap(graph)).is_ok()
    }

    /// Asks the engine to stop once running check/applies finish.
    pub fn shutdown(&self) -> bool {
        self.events.send(Event::Shutdown).is_ok()
    }
}

pub struct Engine {
    options: EngineOptions,
    events: mpsc::UnboundedReceiver<Event>,
    sender: mpsc::UnboundedSender<Event>,
    /// Boxed: a B-tree node has room for eleven entries and is often half
    /// full; with the vertices inline that is half a vertex wasted each.
    vertices: BTreeMap<ResourceKey, Box<Vertex>>,
    /// Edges by head: for each resource, what it depends on.
    upstream: HashMap<ResourceKey, Vec<crate::spec::EdgeSpec>>,
    /// Edges by tail: for each resource, what depends on it.
    downstream: HashMap<ResourceKey, Vec<crate::spec::EdgeSpec>>,
    semaphores: Semaphores,
    converged_since: Option<Instant>,
    shutting_down: bool,
    /// Whether a graph has been received yet (an engine with no graph is not converged).
    started: bool,
    next_generation: u64,
    /// Resources that may have become ready to run since the last
    /// scheduling pass, so that a pass does not scan the whole graph.
    candidates: BTreeSet<ResourceKey>,
    /// How many check/applies are under way.
    running: usize,
    /// A new graph held back by `Meta:realize`.
    held_graph: Option<GraphSpec>,
    /// Brief check/applies under way, and the ready ones waiting for a
    /// place (see `MOST_BRIEF_AT_ONCE`).
    brief_running: usize,
    brief_waiting: VecDeque<ResourceKey>,
    /// Numbers each watch started, so that news of an old one is ignored.
    next_watch: u64,
    /// What this engine's resources share (see `Services`).
    services: Services,
}

impl Engine {
    /// An engine with services of its own.
    pub fn new(options: EngineOptions) -> (Engine, EngineHandle) {
        Engine::with_services(options, Services::new())
    }

    /// An engine whose resources share `services`; the caller keeps a clone
    /// to clean up after the engine (kill the commands a timed-out
    /// check/apply left running).
    pub fn with_services(options: EngineOptions, services: Services) -> (Engine, EngineHandle) {
        let (sender, events) = mpsc::unbounded_channel();
        let semaphores = Semaphores::new(options.sema);
        let engine = Engine {
            options,
            events,
            sender: sender.clone(),
            vertices: BTreeMap::new(),
            upstream: HashMap::new(),
            downstream: HashMap::new(),
            semaphores,
            converged_since: None,
            shutting_down: false,
            started: false,
            next_generation: 0,
            candidates: BTreeSet::new(),
            running: 0,
            held_graph: None,
            brief_running: 0,
            brief_waiting: VecDeque::new(),
            next_watch: 0,
            services,
        };
        (engine, EngineHandle { events: sender })
    }

    /// Runs until converged for the timeout, or until shut down.
    pub async fn run(mut self) -> Ending {
        let tick = Duration::from_millis(50);
        loop {
            if let Some(ending) = self.ending() {
                self.stop_all();
                return ending;
            }
            let event = match self.converged_deadline() {
                Some(deadline) => {
                    match tokio::time::timeout_at(deadline.into(), self.events.recv()).await {
                        Ok(event) => event,
                        Err(_) => continue,
                    }
                }
                None => match tokio::time::timeout(tick * 20, self.events.recv()).await {
                    Ok(event) => event,
                    Err(_) => continue,
                },
            };
            let Some(event) = event else {
                self.shutting_down = true;
                continue;
            };
            self.handle(event);
            // Drain what is already queued before scheduling, so a burst of
            // events costs one scheduling pass.
            while let Ok(event) = self.events.try_recv() {
                self.handle(event);
            }
            self.schedule();
            if self.held_graph.is_some() {
                self.release_held_graph();
                self.schedule();
            }
            self.update_converged();
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Watch(tag) => self.watch_event(&tag),
            Event::Done {
                key,
                generation,
                resource,
                result,
                elapsed,
            } => self.finished(key, generation, resource, result, elapsed),
            Event::WatchEnded(tag) => self.watch_ended(&tag),
            Event::Retry(key, generation) => {
                if let Some(vertex) = self.vertices.get_mut(&key) {
                    if vertex.generation == generation {
                        vertex.waiting_retry = false;
                        vertex.dirty = true;
                        self.candidates.insert(key);
                    }
                }
            }
            Event::Swap(graph) => {
                self.started = true;
                self.swap(graph);
            }
            Event::Shutdown => {
                if self.shutting_down {
                    return;
                }
                let running: Vec<String> = self
                    .vertices
                    .values()
                    .filter(|vertex| vertex.running)
                    .map(|vertex| vertex.spec.id())
                    .collect();
                if running.is_empty() {
                    info!("stopping");
                } else {
                    info!(
                        "stopping: waiting for {} running resource(s) to finish: {}",
                        running.len(),
                        running.join(", ")
                    );
                }
                self.shutting_down = true;
                for vertex in self.vertices.values_mut() {
                    vertex.stop_watch();
                }
            }
        }
    }

    /// Starts every candidate that may run now. A candidate that waits for
    /// its upstream is dropped (it comes back when the upstream finishes); one
    /// that waits for a semaphore is queued (it comes back on a release).
    fn schedule(&mut self) {
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
                    .is_none_or(|vertex| vertex.is_converged())
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
        };
        vertex.dirty = false;
        vertex.refresh = false;
        vertex.running = true;
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

    /// Values sent along send/recv edges into `key`'s fields.
    fn received_values(&self, key: &ResourceKey) -> Vec<(String, serde_json::Value)> {
        let mut values = Vec::new();
        for edge in self.upstream.get(key).into_iter().flatten() {
            let Some(sender) = self.vertices.get(&edge.from) else {
                continue;
            };
            for (sent, field) in &edge.send_recv {
                if let Some(value) = sender.sent.get(sent) {
                    values.push((field.clone(), value.clone()));
                }
            }
        }
        values
    }

    fn finished(
        &mut self,
        key: ResourceKey,
        generation: u64,
        resource: Option<Box<dyn Resource>>,
        result: Result<Outcome, ResourceError>,
        elapsed: Duration,
    ) {
        let sender = self.sender.clone();
        let Some(vertex) = self.vertices.get_mut(&key) else {
            return;
        };
        if vertex.generation != generation {
            // A replaced or removed resource's last run: its result is stale.
            return;
        }
        vertex.running = false;
        let (sema, brief) = (vertex.spec.meta.sema.clone(), vertex.brief);
        self.run_ended(&sema, brief);
        // It may be dirty again; what waited on it may run now.
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
                    vertex.failed = Some(problem.to_string());
                    return;
                }
            },
        };
        if std::mem::take(&mut vertex.rewatch_pending) {
            self.start_watch(&key);
        }
        let Some(vertex) = self.vertices.get_mut(&key) else {
            return;
        };
        // Formatted only for the lines that are written: most checks find
        // everything right and log nothing above debug.
        let id = &vertex.spec;
        let mut changed = false;
        match result {
            Ok(outcome) => {
                vertex.checked_once = true;
                vertex.failed = None;
                if vertex.spec.meta.retryreset {
                    vertex.retries_left = vertex.spec.meta.retry;
                }
                match outcome {
                    Outcome::Correct => {
                        debug!("{id}: already correct ({} ms)", elapsed.as_millis())
                    }
                    Outcome::Changed(what) => {
                        info!("{id}: {what}");
                        changed = true;
                    }
                    Outcome::WouldChange(what) => info!("{id}: (noop) would change: {what}"),
                }
                let sent = vertex
                    .resource
                    .as_ref()
                    .map(|resource| resource.sent())
                    .unwrap_or_default();
                let sent_changed = sent != vertex.sent;
                vertex.sent = sent;
                changed |= sent_changed && !vertex.sent.is_empty();
            }
            Err(problem) => {
                let location = vertex.spec.location.clone();
                if vertex.retries_left != 0 {
                    if vertex.retries_left > 0 {
                        vertex.retries_left -= 1;
                    }
                    warn!(
                        "{id}: {problem} (at {location}); retrying in {} ms",
                        vertex.spec.meta.delay
                    );
                    vertex.waiting_retry = true;
                    let delay = Duration::from_millis(vertex.spec.meta.delay);
                    let retry_key = key.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        let _ = sender.send(Event::Retry(retry_key, generation));
                    });
                } else {
                    error!("{id}: {problem} (at {location}); giving up, resources that depend on it wait");
                    vertex.failed = Some(problem.to_string());
                }
            }
        }
        if changed {
            for edge in self.downstream.get(&key).cloned().unwrap_or_default() {
                if let Some(next) = self.vertices.get_mut(&edge.to) {
                    next.dirty = true;
                    next.refresh |= edge.notify;
                }
            }
        }
    }

    /// Accounts for a check/apply that ended (or was abandoned): gives back
    /// its semaphores and its place among the brief ones, and lets the
    /// resources that waited for those try again.
    fn run_ended(&mut self, sema: &[String], brief: bool) {
        self.running = self.running.saturating_sub(1);
        let waiters = self.semaphores.release(sema);
        self.candidates.extend(waiters);
        if brief {
            // `schedule` gives the place to the next one waiting.
            self.brief_running = self.brief_running.saturating_sub(1);
        }
    }

    /// The graph is converged when nothing is running, waiting or dirty
    /// (except resources stuck behind one that gave up).
    fn is_converged(&self) -> bool {
        if !self.started || self.running > 0 || self.held_graph.is_some() {
            return false;
        }
        let mut blocked = HashMap::new();
        self.vertices.iter().all(|(key, vertex)| {
            vertex.is_idle()
                || (!vertex.running
                    && !vertex.waiting_retry
                    && self.behind_failure(key, &mut blocked))
        })
    }

    /// Whether something `key` depends on (directly or not) gave up.
    fn behind_failure(&self, key: &ResourceKey, memo: &mut HashMap<ResourceKey, bool>) -> bool {
        if let Some(known) = memo.get(key) {
            return *known;
        }
        // Cycles are refused by the compiler; mark first so a bad graph cannot loop.
        memo.insert(key.clone(), false);
        let answer = self.upstream.get(key).into_iter().flatten().any(|edge| {
            self.vertices
                .get(&edge.from)
                .is_some_and(|vertex| vertex.failed.is_some())
                || self.behind_failure(&edge.from, memo)
        });
        memo.insert(key.clone(), answer);
        answer
    }

    fn update_converged(&mut self) {
        if self.is_converged() {
            if self.converged_since.is_none() {
                debug!("converged");
                self.converged_since = Some(Instant::now());
            }
        } else {
            self.converged_since = None;
        }
    }

    fn converged_deadline(&self) -> Option<Instant> {
        let timeout = self.options.converged_timeout?;
        self.converged_since.map(|since| since + timeout)
    }

    fn ending(&mut self) -> Option<Ending> {
        if self.shutting_down {
            let running = self.vertices.values().any(|vertex| vertex.running);
            return (!running).then_some(Ending::Stopped);
        }
        let deadline = self.converged_deadline()?;
        if Instant::now() < deadline {
            return None;
        }
        let failed: Vec<String> = self
            .vertices
            .values()
            .filter(|vertex| vertex.failed.is_some())
            .map(|vertex| vertex.spec.id())
            .collect();
        Some(if failed.is_empty() {
            Ending::Converged
        } else {
            Ending::ConvergedWithFailures(failed)
        })
    }

    fn stop_all(&mut self) {
        for vertex in self.vertices.values_mut() {
            vertex.stop_watch();
        }
    }
}

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

mod converge;
mod finish;
mod launch;
mod limiter;
mod phase;
mod record;
mod reversals;
mod schedule;
mod semaphores;
mod send_recv;
mod shutdown;
mod state;
mod swap;
mod unwatched;
mod watch;

use crate::resource::{Outcome, Resource, ResourceError, WatchTag};
use crate::services::Services;
use crate::spec::{GraphSpec, ResourceKey};
use semaphores::Semaphores;
use state::Vertex;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Brief check/applies (files, see `Resource::brief`) handed to the
/// blocking pool at once. The pool has fewer threads than this anyway; the
/// rest of a large graph's first pass waits in the engine's own queue
/// instead of as thousands of queued tasks, each holding its resource.
const MOST_BRIEF_AT_ONCE: usize = 1024;

/// How the engine runs.
#[derive(Clone, Debug)]
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
    /// Which noop diffs show content.
    pub show_diff: crate::resource::ShowDiff,
    /// How often a resource that cannot be watched is polled instead.
    pub watch_fallback_poll: Duration,
}

impl Default for EngineOptions {
    fn default() -> EngineOptions {
        EngineOptions {
            noop: false,
            converged_timeout: None,
            sema: None,
            no_watch: false,
            show_diff: crate::resource::ShowDiff::Auto,
            watch_fallback_poll: DEFAULT_WATCH_FALLBACK_POLL,
        }
    }
}

/// `--watch-fallback-poll`'s default.
pub const DEFAULT_WATCH_FALLBACK_POLL: Duration = Duration::from_secs(10);

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
    /// A resource that gave up is due for another try: its generation and
    /// how many times it had given up.
    Recheck(ResourceKey, (u64, u64)),
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
    /// Asked to stop, with these resources left failed.
    StoppedWithFailures(Vec<String>),
}

/// How a run ended, and what it did on the way.
#[derive(Clone, Debug)]
pub struct Finished {
    pub ending: Ending,
    pub report: crate::report::RunReport,
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
    /// Whether it was logged yet that a resource cannot be watched (it is,
    /// once; see `unwatched.rs`).
    said_cannot_watch: bool,
    /// Tallies, convergence and progress lines (see `record.rs`).
    record: record::Record,
    /// Undos saved by an earlier run that joined the first graph, by their
    /// key, with the id of the resource each undoes (see `reversals.rs`).
    saved_reversals: HashMap<ResourceKey, String>,
    /// Whether the saved undos were read (once, with the first graph).
    reversals_loaded: bool,
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
        services
            .files
            .set_fallback_poll(options.watch_fallback_poll);
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
            said_cannot_watch: false,
            record: record::Record::new(),
            saved_reversals: HashMap::new(),
            reversals_loaded: false,
        };
        (engine, EngineHandle { events: sender })
    }

    /// Runs until converged for the timeout, or until shut down.
    pub async fn run(self) -> Ending {
        self.run_with_report().await.ending
    }

    /// [`Engine::run`], with what the run did.
    pub async fn run_with_report(mut self) -> Finished {
        let tick = Duration::from_millis(50);
        loop {
            if let Some(ending) = self.ending() {
                self.stop_all();
                self.report_polled();
                let report = self.run_report();
                return Finished { ending, report };
            }
            self.log_progress();
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

    /// Takes one event; `run` schedules after each burst of them.
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
            Event::Retry(key, generation) => self.retry_due(key, generation),
            Event::Recheck(key, token) => self.recheck_due(key, token),
            Event::Swap(graph) => {
                self.started = true;
                self.swap(graph);
            }
            Event::Shutdown => self.begin_shutdown(),
        }
    }
}

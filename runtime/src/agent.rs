//! The agent: evaluates the program, hands each new graph to the engine, and
//! evaluates again whenever a reactive input it read changes (the shared
//! store's keys included), publishing its exports to the World after each
//! evaluation. When one of the
//! program's files changes, and on SIGHUP, it reads and checks the program
//! again and runs the new one. A failed
//! re-evaluation or reload is logged with its located errors and the last
//! good graph (and program) keeps running.

use crate::engine::{Engine, EngineHandle, Finished};
use crate::reactive::{ReactiveWatches, Wake};
use crate::spec::GraphSpec;
use crate::world::{keys, World};
use mcl_compiler::compile::{CheckedProgram, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::{render_human, Diagnostic};
use mcl_compiler::eval::Evaluation;
use mcl_compiler::function::Watch;
use mcl_grammar::SourceMap;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use tracing::{debug, error, info, warn};

/// Everything the agent needs; the first evaluation has already succeeded.
pub struct AgentInputs {
    /// What hosts share: this host's exports are published to it after each
    /// evaluation (unless `noop`), and its changes wake the evaluator.
    pub world: Arc<World>,
    pub noop: bool,
    pub program: CheckedProgram,
    pub toolbox: Toolbox,
    pub compile: CompileOptions,
    pub sources: SourceMap,
    pub first: Evaluation,
    /// Reads and checks the program again from its files (for SIGHUP): the
    /// new program and its sources, or the sources and the errors.
    pub reload: Option<Reload>,
    /// Files a reload reads besides the program's own, whose changes also
    /// reload it (a directory entry's `metadata.yaml`).
    pub reload_also_reads: Vec<PathBuf>,
}

/// See [`AgentInputs::reload`].
pub type Reload =
    Box<dyn FnMut() -> Result<(CheckedProgram, SourceMap), (SourceMap, Vec<Diagnostic>)> + Send>;

/// Runs the agent until `engine` ends (converged timeout, or shutdown through
/// its handle); returns how it ended and what it did.
pub async fn run_agent(inputs: AgentInputs, engine: Engine, handle: EngineHandle) -> Finished {
    let AgentInputs {
        world,
        noop,
        program,
        toolbox,
        compile,
        sources,
        first,
        reload,
        reload_also_reads,
    } = inputs;
    log_warnings(&sources, &first.warnings);
    handle.swap(GraphSpec::from_graph(&first.graph, &sources));
    let (wake, woken) = mpsc::channel();
    let store_watches = Arc::new(Mutex::new(BTreeSet::new()));
    remember_store_watches(&store_watches, &first.watches);
    // Subscribed first: the first exports may be what this host collects.
    wake_on_store_changes(&world, Arc::clone(&store_watches), wake.clone());
    if !noop {
        world.publish_exports(&first.graph);
    }
    let first_watches = first.watches;
    drop(first.graph);
    if reload.is_some() {
        tokio::spawn(reload_on_hangup(wake.clone()));
    }
    let mut evaluator = Evaluator {
        program,
        toolbox,
        compile,
        sources,
        reload,
        reload_also_reads,
        world,
        noop,
        store_watches,
        engine: handle.clone(),
        wake: wake.clone(),
        program_files: None,
    };
    // Evaluation stays on one thread: mcl values are not shared across threads.
    let thread = std::thread::Builder::new()
        .name("mgmt-evaluator".to_owned())
        .stack_size(mcl_compiler::STACK_BYTES)
        .spawn(move || evaluator.run(first_watches, woken));
    let finished = engine.run_with_report().await;
    let _ = wake.send(Wake::Stop);
    if let Ok(thread) = thread {
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
    finished
}

/// How long the program's files must stay unchanged before a reload reads them.
const RELOAD_SETTLE: std::time::Duration = std::time::Duration::from_millis(200);

/// Each SIGHUP asks the evaluator to reload the program.
async fn reload_on_hangup(wake: mpsc::Sender<Wake>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        error!("cannot listen for SIGHUP: the program cannot be reloaded");
        return;
    };
    while hangups.recv().await.is_some() {
        info!("SIGHUP: reading and checking the program again");
        if wake.send(Wake::Reload).is_err() {
            return;
        }
    }
}

/// The evaluator thread's state: the program it runs and how to reload it.
struct Evaluator {
    program: CheckedProgram,
    toolbox: Toolbox,
    compile: CompileOptions,
    sources: SourceMap,
    reload: Option<Reload>,
    /// See [`AgentInputs::reload_also_reads`].
    reload_also_reads: Vec<PathBuf>,
    world: Arc<World>,
    noop: bool,
    /// The store keys the running evaluation read (`Watch::Store`).
    store_watches: Arc<Mutex<BTreeSet<String>>>,
    engine: EngineHandle,
    wake: mpsc::Sender<Wake>,
    /// Watches the program's own files while it can be reloaded.
    program_files: Option<notify::RecommendedWatcher>,
}

impl Evaluator {
    fn run(&mut self, watches: Vec<mcl_compiler::function::Watch>, woken: mpsc::Receiver<Wake>) {
        let mut reactive = self.start_watches(watches);
        self.watch_program_files();
        self.reload_if_edited_unwatched();
        loop {
            let mut reload = match woken.recv() {
                Ok(Wake::Input) => false,
                Ok(Wake::Reload) => true,
                Ok(Wake::Stop) | Err(_) => return,
            };
            // A burst of changes is one re-evaluation. A file of the program
            // being saved sends several events (truncate, write, close):
            // wait for them to settle, so a half-written file is not read.
            loop {
                if reload {
                    std::thread::sleep(RELOAD_SETTLE);
                }
                let mut more = false;
                while let Ok(next) = woken.try_recv() {
                    match next {
                        Wake::Stop => return,
                        Wake::Reload => {
                            more |= reload;
                            reload = true;
                        }
                        Wake::Input => {}
                    }
                }
                if !more {
                    break;
                }
            }
            if reload && !self.reload_program() {
                continue;
            }
            match self.program.evaluate(&self.toolbox, &self.compile) {
                Ok(evaluation) => {
                    log_warnings(&self.sources, &evaluation.warnings);
                    // The engine diffs it against the running graph and touches
                    // only what changed, so no copy of the last graph is kept here.
                    debug!("re-evaluated: handing the graph to the engine");
                    if !self
                        .engine
                        .swap(GraphSpec::from_graph(&evaluation.graph, &self.sources))
                    {
                        return;
                    }
                    if !self.noop {
                        self.world.publish_exports(&evaluation.graph);
                    }
                    remember_store_watches(&self.store_watches, &evaluation.watches);
                    if reactive.watches() != evaluation.watches.as_slice() {
                        reactive = self.start_watches(evaluation.watches);
                    }
                }
                Err(diagnostics) => {
                    error!(
                        "re-evaluation failed; the last good graph keeps running:\n{}",
                        render_human(&self.sources, &diagnostics)
                    );
                }
            }
        }
    }

    /// Starts watching what an evaluation read. A file it read may have
    /// changed before its watch began (the first graph runs while this
    /// thread starts): one more evaluation reads it as it is now, and
    /// changes only what differs.
    fn start_watches(&self, watches: Vec<Watch>) -> ReactiveWatches {
        let reads_files = watches.iter().any(|watch| matches!(watch, Watch::File(_)));
        let reactive = ReactiveWatches::start(watches, self.wake.clone());
        if reads_files {
            let _ = self.wake.send(Wake::Input);
        }
        reactive
    }

    /// Asks for a reload if a file of the program differs from what was
    /// compiled: it was edited before its watch began.
    fn reload_if_edited_unwatched(&self) {
        if self.reload.is_none() {
            return;
        }
        let edited = self.program.files().into_iter().any(|name| {
            let compiled = self
                .sources
                .files()
                .find(|(_, file)| file.name() == name)
                .map(|(_, file)| file.text());
            compiled.is_some_and(|compiled| {
                std::fs::read_to_string(name).map_or(true, |now| now != compiled)
            })
        });
        if edited {
            let _ = self.wake.send(Wake::Reload);
        }
    }

    /// Watches the files of the running program, so that editing one
    /// reloads it (only when it can be reloaded: not from standard input).
    fn watch_program_files(&mut self) {
        if self.reload.is_none() {
            return;
        }
        let files = self
            .program
            .files()
            .into_iter()
            .map(std::path::Path::new)
            .chain(self.reload_also_reads.iter().map(PathBuf::as_path))
            .filter_map(|file| std::path::absolute(file).ok())
            .collect();
        self.program_files = crate::reactive::watch_program_files(files, self.wake.clone());
    }

    /// Reads and checks the program again; false (logged) when it does not
    /// check, and the running program stays.
    fn reload_program(&mut self) -> bool {
        let Some(reload) = self.reload.as_mut() else {
            return false;
        };
        match reload() {
            Ok((program, sources)) => {
                info!("reloaded the program");
                self.program = program;
                self.sources = sources;
                // Its imports may have changed.
                self.watch_program_files();
                true
            }
            Err((sources, diagnostics)) => {
                error!(
                    "the reloaded program has errors; the running one stays:\n{}",
                    render_human(&sources, &diagnostics)
                );
                false
            }
        }
    }
}

/// Logs what an evaluation skipped (collected exports that do not fit).
fn log_warnings(sources: &SourceMap, warnings: &[Diagnostic]) {
    if !warnings.is_empty() {
        warn!("{}", render_human(sources, warnings));
    }
}

/// Keeps the store keys an evaluation read, for [`wake_on_store_changes`].
fn remember_store_watches(store_watches: &Mutex<BTreeSet<String>>, watches: &[Watch]) {
    if let Ok(mut keys) = store_watches.lock() {
        *keys = watches
            .iter()
            .filter_map(|watch| match watch {
                Watch::Store(key) => Some(key.clone()),
                _ => None,
            })
            .collect();
    }
}

/// Wakes the evaluator when a store key that the running evaluation read
/// changes (on any host); other changes cost nothing.
fn wake_on_store_changes(
    world: &World,
    store_watches: Arc<Mutex<BTreeSet<String>>>,
    wake: mpsc::Sender<Wake>,
) {
    let changes = world.subscribe();
    let spawned = std::thread::Builder::new()
        .name("mgmt-world-watch".to_owned())
        .spawn(move || {
            for changed in changes {
                let wanted = store_watches.lock().is_ok_and(|watched| {
                    changed
                        .iter()
                        .filter_map(|key| keys::watched_by(key))
                        .any(|key| watched.contains(&key))
                });
                if wanted && wake.send(Wake::Input).is_err() {
                    return;
                }
            }
        });
    if let Err(problem) = spawned {
        error!("cannot watch the shared store: {problem}; collected data will not update");
    }
}

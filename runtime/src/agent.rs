//! The agent: evaluates the program, hands each new graph to the engine, and
//! evaluates again whenever a reactive input it read changes. On SIGHUP it
//! reads and checks the program again and runs the new one. A failed
//! re-evaluation or reload is logged with its located errors and the last
//! good graph (and program) keeps running.

use crate::engine::{Ending, Engine, EngineHandle};
use crate::reactive::{ReactiveWatches, Wake};
use crate::spec::GraphSpec;
use mcl_compiler::compile::{CheckedProgram, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::{render_human, Diagnostic};
use mcl_compiler::eval::Evaluation;
use mcl_grammar::SourceMap;
use std::sync::mpsc;
use tracing::{debug, error, info};

/// Everything the agent needs; the first evaluation has already succeeded.
pub struct AgentInputs {
    pub program: CheckedProgram,
    pub toolbox: Toolbox,
    pub compile: CompileOptions,
    pub sources: SourceMap,
    pub first: Evaluation,
    /// Reads and checks the program again from its files (for SIGHUP): the
    /// new program and its sources, or the sources and the errors.
    pub reload: Option<Reload>,
}

/// See [`AgentInputs::reload`].
pub type Reload =
    Box<dyn FnMut() -> Result<(CheckedProgram, SourceMap), (SourceMap, Vec<Diagnostic>)> + Send>;

/// Runs the agent until `engine` ends (converged timeout, or shutdown through
/// its handle).
pub async fn run_agent(inputs: AgentInputs, engine: Engine, handle: EngineHandle) -> Ending {
    let AgentInputs {
        program,
        toolbox,
        compile,
        sources,
        first,
        reload,
    } = inputs;
    handle.swap(GraphSpec::from_graph(&first.graph, &sources));
    let (wake, woken) = mpsc::channel();
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
        engine: handle.clone(),
        wake: wake.clone(),
    };
    // Evaluation stays on one thread: mcl values are not shared across threads.
    let thread = std::thread::Builder::new()
        .name("mgmt-evaluator".to_owned())
        .stack_size(mcl_compiler::STACK_BYTES)
        .spawn(move || evaluator.run(first_watches, woken));
    let ending = engine.run().await;
    let _ = wake.send(Wake::Stop);
    if let Ok(thread) = thread {
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
    ending
}

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
    engine: EngineHandle,
    wake: mpsc::Sender<Wake>,
}

impl Evaluator {
    fn run(&mut self, watches: Vec<mcl_compiler::function::Watch>, woken: mpsc::Receiver<Wake>) {
        let mut reactive = ReactiveWatches::start(watches, self.wake.clone());
        loop {
            let mut reload = match woken.recv() {
                Ok(Wake::Input) => false,
                Ok(Wake::Reload) => true,
                Ok(Wake::Stop) | Err(_) => return,
            };
            // A burst of changes is one re-evaluation.
            while let Ok(next) = woken.try_recv() {
                match next {
                    Wake::Stop => return,
                    Wake::Reload => reload = true,
                    Wake::Input => {}
                }
            }
            if reload && !self.reload_program() {
                continue;
            }
            match self.program.evaluate(&self.toolbox, &self.compile) {
                Ok(evaluation) => {
                    // The engine diffs it against the running graph and touches
                    // only what changed, so no copy of the last graph is kept here.
                    debug!("re-evaluated: handing the graph to the engine");
                    if !self
                        .engine
                        .swap(GraphSpec::from_graph(&evaluation.graph, &self.sources))
                    {
                        return;
                    }
                    if reactive.watches() != evaluation.watches.as_slice() {
                        reactive = ReactiveWatches::start(evaluation.watches, self.wake.clone());
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

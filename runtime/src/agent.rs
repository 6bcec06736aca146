//! The agent: evaluates the program, hands each new graph to the engine, and
//! evaluates again whenever a reactive input it read changes. A failed
//! re-evaluation is logged with its located errors and the last good graph
//! keeps running.

use crate::engine::{Ending, Engine, EngineHandle};
use crate::reactive::{ReactiveWatches, Wake};
use crate::spec::GraphSpec;
use mcl_compiler::compile::{CheckedProgram, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::render_human;
use mcl_compiler::eval::Evaluation;
use mcl_grammar::SourceMap;
use std::sync::mpsc;
use tracing::{debug, error};

/// Everything the agent needs; the first evaluation has already succeeded.
pub struct AgentInputs {
    pub program: CheckedProgram,
    pub toolbox: Toolbox,
    pub compile: CompileOptions,
    pub sources: SourceMap,
    pub first: Evaluation,
}

/// Runs the agent until `engine` ends (converged timeout, or shutdown through
/// its handle).
pub async fn run_agent(inputs: AgentInputs, engine: Engine, handle: EngineHandle) -> Ending {
    let AgentInputs {
        program,
        toolbox,
        compile,
        sources,
        first,
    } = inputs;
    handle.swap(GraphSpec::from_graph(&first.graph, &sources));
    let (wake, woken) = mpsc::channel();
    let first_watches = first.watches;
    drop(first.graph);
    let evaluator_handle = handle.clone();
    let evaluator_wake = wake.clone();
    // Evaluation stays on one thread: mcl values are not shared across threads.
    let evaluator = std::thread::Builder::new()
        .name("mgmt-evaluator".to_owned())
        .stack_size(mcl_compiler::STACK_BYTES)
        .spawn(move || {
            reevaluate_forever(
                &program,
                &toolbox,
                &compile,
                &sources,
                first_watches,
                evaluator_wake,
                woken,
                &evaluator_handle,
            );
        });
    let ending = engine.run().await;
    let _ = wake.send(Wake::Stop);
    if let Ok(evaluator) = evaluator {
        let _ = tokio::task::spawn_blocking(move || evaluator.join()).await;
    }
    ending
}

#[allow(clippy::too_many_arguments)]
fn reevaluate_forever(
    program: &CheckedProgram,
    toolbox: &Toolbox,
    compile: &CompileOptions,
    sources: &SourceMap,
    watches: Vec<mcl_compiler::function::Watch>,
    wake: mpsc::Sender<Wake>,
    woken: mpsc::Receiver<Wake>,
    engine: &EngineHandle,
) {
    let mut reactive = ReactiveWatches::start(watches, wake.clone());
    loop {
        match woken.recv() {
            Ok(Wake::Input) => {}
            Ok(Wake::Stop) | Err(_) => return,
        }
        // A burst of changes is one re-evaluation.
        while let Ok(next) = woken.try_recv() {
            if next == Wake::Stop {
                return;
            }
        }
        match program.evaluate(toolbox, compile) {
            Ok(evaluation) => {
                // The engine diffs it against the running graph and touches
                // only what changed, so no copy of the last graph is kept here.
                debug!("re-evaluated: handing the graph to the engine");
                if !engine.swap(GraphSpec::from_graph(&evaluation.graph, sources)) {
                    return;
                }
                if reactive.watches() != evaluation.watches.as_slice() {
                    reactive = ReactiveWatches::start(evaluation.watches, wake.clone());
                }
            }
            Err(diagnostics) => {
                error!(
                    "re-evaluation failed; the last good graph keeps running:\n{}",
                    render_human(sources, &diagnostics)
                );
            }
        }
    }
}

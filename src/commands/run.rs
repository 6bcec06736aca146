//! `mgmt run`: the agent. Checks and evaluates the program (reporting errors
//! like `mgmt compile`), then keeps the host converged on it, re-evaluating
//! when its reactive inputs change, until the converged timeout or a signal;
//! then says what the run did (see `report.rs`) and picks the exit code.

use super::signals::StopSignals;
use crate::cli::{GlobalArgs, LogFormatArg, RunArgs, ShowDiffArg};
use crate::source::{display_name, loader, read_source, report, unreadable_diagnostic};
use crate::toolbox::{read_program_file, real_toolbox, toolbox_with_kinds, FsLoader};
use crate::Failure;
use anyhow::Context;
use mcl_compiler::compile::{check, CompileOptions};
use mcl_compiler::Diagnostic;
use mcl_grammar::{SourceMap, Span};
use mcl_stdlib::RealHost;
use mgmt_runtime::agent::{run_agent, AgentInputs, Reload};
use mgmt_runtime::engine::{Ending, Engine, EngineHandle, EngineOptions, Finished};
use mgmt_runtime::resource::ShowDiff;
use mgmt_runtime::services::Services;
use mgmt_runtime::state::StateDir;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tracing::{error, info, warn};

/// Threads for brief check/applies (file work), per CPU. More only contend:
/// on 2 CPUs, creating 1,000 files durably took 0.27 s with 4 threads, 0.34 s
/// with 8 and 0.56 s with 16, as the fsyncs fight over the same journal.
const BLOCKING_THREADS_PER_CPU: usize = 2;

/// Runs the agent; the exit code when it ended without an error to print
/// (0, or with `--detailed-exitcodes` 0, 2, 4 or 6). With `--log-format
/// json` its last error is a log event too, so that every line of standard
/// error stays one JSON object.
pub fn run(global: &GlobalArgs, args: &RunArgs) -> Result<u8, Failure> {
    crate::logging::init(global.verbose, args.log_format);
    match run_logged(global, args) {
        Err(Failure::Run(problem)) if args.log_format == LogFormatArg::Json => {
            error!("{problem:#}");
            Err(Failure::Reported)
        }
        outcome => outcome,
    }
}

fn run_logged(global: &GlobalArgs, args: &RunArgs) -> Result<u8, Failure> {
    if let Some(path) = &args.report {
        super::report::check_report_path(path)?;
    }
    let text = read_source(global, args.entry.file())?;
    // One catalogue of kinds for the compiler, the graph output and the engine.
    let kinds = Arc::new(mgmt_runtime::kinds());
    let host = RealHost::new().with_hostname(args.hostname.clone());
    let mut toolbox = toolbox_with_kinds(Arc::new(host), Arc::clone(&kinds));
    let compile = CompileOptions {
        hostname: toolbox.host.hostname(),
        autoedges: true,
    };
    // The engine's coordinator and its few light tasks (signals, timers,
    // polls, the etcd client) share one thread; brief check/applies run on
    // the blocking pool, commands on threads of their own (see the engine's
    // `launch.rs`).
    let cpus = std::thread::available_parallelism().map_or(2, usize::from);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads((cpus * BLOCKING_THREADS_PER_CPU).clamp(2, 64))
        .thread_name("mgmt-engine")
        .build()
        .context("cannot start the engine's runtime")?;
    // From here on a stop signal stops the agent cleanly, even while it
    // starts etcd or waits for the cluster's data.
    let mut signals = {
        let _context = runtime.enter();
        StopSignals::listen()
    };
    let served = super::world::serve(args, &compile.hostname).map_err(Failure::Run)?;
    let Some(world) = super::world::world(
        args,
        served.as_ref(),
        &compile.hostname,
        &runtime,
        &mut signals,
    )
    .map_err(Failure::Run)?
    else {
        info!("signal received while joining the cluster: stopping before the first run");
        return Ok(0);
    };
    toolbox.world = world.view();
    let mut sources = SourceMap::new();
    let entry = display_name(args.entry.file());
    let report_errors = |sources: &SourceMap, diagnostics: &[mcl_compiler::Diagnostic]| {
        report(global, sources, diagnostics);
        Failure::Program
    };
    let program = check(&loader(global), &mut sources, &entry, Some(text), &toolbox)
        .map_err(|diagnostics| report_errors(&sources, &diagnostics))?;
    let first = program
        .evaluate(&toolbox, &compile)
        .map_err(|diagnostics| report_errors(&sources, &diagnostics))?;
    if let Some(path) = &args.graphviz {
        // The graph as the engine runs it: with its groups boxed.
        let spec = mgmt_runtime::spec::GraphSpec::from_graph(&first.graph, &sources);
        let groups: Vec<Vec<String>> = mgmt_runtime::autogroup::autogroup(spec, &kinds)
            .resources
            .iter()
            .filter(|leader| !leader.group.is_empty())
            .map(|leader| {
                std::iter::once(leader)
                    .chain(&leader.group)
                    .map(|spec| spec.id())
                    .collect()
            })
            .collect();
        let dot = mcl_compiler::graph::to_dot_with_groups(&first.graph, &groups);
        crate::graphviz::render_graphviz(&dot, path)?;
    }
    let converged_timeout = args.converged_timeout();
    let engine_options = EngineOptions {
        noop: args.noop,
        converged_timeout,
        sema: args.sema.map(|limit| limit as usize),
        // A run that ends at its first convergence has nothing to watch for.
        no_watch: args.no_watch || converged_timeout == Some(Duration::ZERO),
        watch_fallback_poll: Duration::from_secs(args.watch_fallback_poll.max(1)),
        show_diff: match args.show_diff {
            ShowDiffArg::Auto => ShowDiff::Auto,
            ShowDiffArg::Always => ShowDiff::Always,
            ShowDiffArg::Never => ShowDiff::Never,
        },
    };
    let host = compile.hostname.clone();
    let inputs = AgentInputs {
        world: Arc::clone(&world),
        noop: args.noop,
        program,
        toolbox,
        compile,
        sources,
        first,
        reload: reloader(global, args.entry.file(), args.entry.directory(), &entry),
        reload_also_reads: args
            .entry
            .directory()
            .map(|directory| vec![crate::entry::metadata_file(directory)])
            .unwrap_or_default(),
    };
    let services = Services::with_kinds(kinds)
        .for_agent_process()
        .with_world(Arc::clone(&world))
        .with_state(StateDir::at(super::world::state_dir(args).join("state")));
    let grace = Duration::from_secs(args.shutdown_grace);
    // What the grace period had to kill, if it ran out.
    let (killed_sender, killed) = std::sync::mpsc::channel::<Vec<String>>();
    let engine_services = services.clone();
    let signal_services = services.clone();
    let Finished { ending, report } = runtime.block_on(async move {
        let (engine, handle) = Engine::with_services(engine_options, engine_services);
        tokio::spawn(stop_on_signals(
            signals,
            handle.clone(),
            signal_services,
            grace,
            killed_sender,
        ));
        run_agent(inputs, engine, handle).await
    });
    // No command the engine started may outlive it (a check/apply abandoned
    // by `Meta:timeout` may still have one), and blocking threads still
    // waiting on a child must not hold the exit.
    services.commands.kill_all();
    runtime.shutdown_timeout(Duration::from_secs(2));
    if let Some(server) = served {
        server.stop();
    }
    let outcome = match ending {
        Ending::Converged | Ending::ConvergedWithFailures(_) => "converged",
        Ending::Stopped | Ending::StoppedWithFailures(_) => "stopped",
    };
    super::report::log_summary(&report, outcome, args.log_format);
    if let Some(path) = &args.report {
        super::report::write_report(path, &report, &host, outcome).map_err(Failure::Run)?;
    }
    let killed = killed.try_recv().ok().map(|owners| {
        anyhow::anyhow!(
            "stopped after killing the commands of {} (still running when the {} s shutdown grace ran out)",
            owners.join(", "),
            grace.as_secs()
        )
    });
    let failed = match ending {
        Ending::Converged | Ending::Stopped => None,
        Ending::ConvergedWithFailures(failed) => Some(anyhow::anyhow!(
            "converged, but these resources failed: {}",
            failed.join(", ")
        )),
        Ending::StoppedWithFailures(failed) => Some(anyhow::anyhow!(
            "stopped with these resources left failed: {}",
            failed.join(", ")
        )),
    };
    let problem = killed.or(failed);
    if args.detailed_exitcodes {
        if let Some(problem) = &problem {
            match args.log_format {
                LogFormatArg::Human => eprintln!("error: {problem:#}"),
                LogFormatArg::Json => error!("{problem:#}"),
            }
        }
        // A resource stopped while waiting for a retry failed too.
        let failed = problem.is_some() || report.counts().failed > 0;
        return Ok(super::report::detailed_exit_code(&report, failed));
    }
    match problem {
        Some(problem) => Err(Failure::Run(problem)),
        None => Ok(0),
    }
}

/// How SIGHUP reads and checks the program again: from its files, with the
/// same limits (a program read from standard input cannot be reloaded).
fn reloader(
    global: &GlobalArgs,
    file: &Path,
    directory: Option<&Path>,
    entry: &str,
) -> Option<Reload> {
    if file == Path::new("-") {
        return None;
    }
    let mut path = file.to_owned();
    let mut entry = entry.to_owned();
    let directory = directory.map(Path::to_owned);
    let max_bytes = global.max_source_bytes;
    Some(Box::new(move || {
        let mut sources = SourceMap::new();
        if let Some(directory) = &directory {
            // Its metadata.yaml may name another main file now.
            match crate::entry::main_file(directory) {
                Ok(main) if main != path => {
                    info!("the main file is now {}", main.display());
                    entry = display_name(&main);
                    path = main;
                }
                Ok(_) => {}
                Err(problem) => {
                    let diagnostic = Diagnostic::error("E0206", problem, Span::default(), "");
                    return Err((sources, vec![diagnostic]));
                }
            }
        }
        let text = match read_program_file(&path, max_bytes) {
            Ok(text) => text,
            Err(error) => {
                let diagnostic = unreadable_diagnostic(&mut sources, &path, error);
                return Err((sources, vec![diagnostic]));
            }
        };
        if text.trim().is_empty() {
            // Most likely a save in progress; an empty program would stop
            // managing everything.
            let diagnostic = Diagnostic::error(
                "E0206",
                format!("{} is empty; not reloaded", path.display()),
                Span::default(),
                "",
            );
            return Err((sources, vec![diagnostic]));
        }
        let toolbox = real_toolbox();
        match check(
            &FsLoader { max_bytes },
            &mut sources,
            &entry,
            Some(text),
            &toolbox,
        ) {
            Ok(program) => Ok((program, sources)),
            Err(diagnostics) => Err((sources, diagnostics)),
        }
    }))
}

/// The first SIGINT or SIGTERM stops the engine cleanly (running applies
/// finish, watches end); commands still running after `grace` are killed,
/// and named on `killed`. A second signal exits at once.
async fn stop_on_signals(
    mut signals: StopSignals,
    handle: EngineHandle,
    services: Services,
    grace: Duration,
    killed: std::sync::mpsc::Sender<Vec<String>>,
) {
    if !signals.is_listening() {
        error!("cannot listen for signals; stop with SIGKILL");
        return;
    }
    signals.next().await;
    info!("signal received: finishing running work (send it again to exit now)");
    handle.shutdown();
    let grace_over = tokio::select! {
        _ = signals.next() => false,
        _ = tokio::time::sleep(grace) => true,
    };
    if grace_over {
        let owners = services.commands.kill_all();
        if !owners.is_empty() {
            warn!(
                "shutdown grace of {} s is over: killed the commands of {}",
                grace.as_secs(),
                owners.join(", ")
            );
            let _ = killed.send(owners);
        }
        signals.next().await;
    }
    warn!("second signal: exiting now");
    services.commands.kill_all();
    std::process::exit(130);
}

//! `mgmt compile`: load, check and evaluate a program once, and print its
//! resource graph as text, JSON or Graphviz DOT.

use crate::cli::{CompileArgs, GlobalArgs, GraphFormat};
use crate::source::{display_name, loader, read_source, report};
use crate::toolbox::real_toolbox;
use crate::Failure;
use mcl_compiler::compile::{compile, CompileOptions};
use mcl_compiler::graph::{to_dot, to_json, to_text};
use mcl_grammar::SourceMap;

pub fn run(global: &GlobalArgs, args: &CompileArgs) -> Result<(), Failure> {
    let text = read_source(global, args.entry.file())?;
    let toolbox = real_toolbox();
    let options = CompileOptions {
        hostname: args
            .hostname
            .clone()
            .unwrap_or_else(|| toolbox.host.hostname()),
        autoedges: !args.no_autoedges,
    };
    let mut sources = SourceMap::new();
    let entry = display_name(args.entry.file());
    let evaluation = compile(
        &loader(global),
        &mut sources,
        &entry,
        Some(text),
        &toolbox,
        &options,
    )
    .map_err(|diagnostics| {
        report(global, &sources, &diagnostics);
        Failure::Program
    })?;
    let graph = &evaluation.graph;
    let output = match args.format {
        GraphFormat::Text => to_text(graph),
        GraphFormat::Json => format!("{}\n", to_json(graph)),
        GraphFormat::Dot => to_dot(graph),
    };
    print!("{output}");
    if let Some(path) = &args.graphviz {
        crate::graphviz::render_graphviz(&to_dot(graph), path)?;
    }
    Ok(())
}

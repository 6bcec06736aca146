//! The programs under `examples/` compile to the graph their `.graph` file
//! states, and are written in `mgmt fmt`'s canonical form.
//!
//! An example is `examples/NAME.mcl`, or a directory `examples/NAME/` whose
//! entry is `main.mcl` (the other `.mcl` files in it are modules it
//! imports). Its expected graph is `examples/NAME.graph`: exactly what
//! `mgmt compile --hostname example-host` prints for it. The examples compile
//! with every core function and resource kind, reading imports from the
//! file system, on a [`MemoryHost`] named `example-host` at a fixed time, so
//! the graphs do not depend on the machine.

use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::diagnostics::render_human;
use mcl_compiler::graph::to_text;
use mcl_grammar::SourceMap;
use mcl_stdlib::MemoryHost;
use mgmt::toolbox::FsLoader;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const HOSTNAME: &str = "example-host";

fn toolbox() -> Toolbox {
    mgmt::toolbox::toolbox(Arc::new(
        MemoryHost::new()
            .with_hostname(HOSTNAME)
            .with_time(1_700_000_000),
    ))
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Every example as `(name, entry file)`, sorted by name.
fn examples() -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(examples_dir()).expect("examples/ exists");
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let Some(stem) = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
        else {
            continue;
        };
        if path.is_dir() {
            found.push((stem, path.join("main.mcl")));
        } else if path.extension().is_some_and(|extension| extension == "mcl") {
            found.push((stem, path));
        }
    }
    found.sort();
    found
}

/// Every `.mcl` file under `examples/`, modules included.
fn mcl_files(directory: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(directory).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(mcl_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "mcl") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The example's graph in the text form, or its rendered errors.
fn compile_example(entry: &Path) -> Result<String, String> {
    let mut sources = SourceMap::new();
    let options = CompileOptions {
        hostname: HOSTNAME.to_owned(),
        autoedges: true,
    };
    let entry = entry.to_string_lossy();
    compile(
        &FsLoader::default(),
        &mut sources,
        &entry,
        None,
        &toolbox(),
        &options,
    )
    .map(|evaluation| to_text(&evaluation.graph))
    .map_err(|diagnostics| render_human(&sources, &diagnostics))
}

#[test]
fn every_example_compiles_to_its_graph() {
    let examples = examples();
    assert!(!examples.is_empty(), "no examples found");
    let mut problems = Vec::new();
    for (name, entry) in &examples {
        let graph_file = examples_dir().join(format!("{name}.graph"));
        let expected = match std::fs::read_to_string(&graph_file) {
            Ok(expected) => expected,
            Err(error) => {
                problems.push(format!(
                    "── {name}: cannot read {}: {error}",
                    graph_file.display()
                ));
                continue;
            }
        };
        match compile_example(entry) {
            Ok(graph) if graph == expected => {}
            Ok(graph) => problems.push(format!(
                "── {name}: the graph differs from {name}.graph\nexpected:\n{expected}found:\n{graph}"
            )),
            Err(errors) => problems.push(format!("── {name} does not compile:\n{errors}")),
        }
    }
    // A graph file whose example was renamed or removed would never fail.
    for entry in std::fs::read_dir(examples_dir()).expect("examples/ exists") {
        let path = entry.expect("directory entry").path();
        if path
            .extension()
            .is_some_and(|extension| extension == "graph")
        {
            let stem = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned());
            if !examples.iter().any(|(name, _)| Some(name) == stem.as_ref()) {
                problems.push(format!("── {} has no example", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_example_is_in_canonical_form() {
    let files = mcl_files(&examples_dir());
    assert!(!files.is_empty(), "no examples found");
    let output = Command::new(env!("CARGO_BIN_EXE_mgmt"))
        .arg("fmt")
        .arg("--check")
        .args(&files)
        .output()
        .expect("the mgmt binary runs");
    assert!(
        output.status.success(),
        "mgmt fmt --check failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

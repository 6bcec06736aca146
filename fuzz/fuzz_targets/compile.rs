//! Feeds arbitrary bytes through the whole compile pipeline (load, check,
//! evaluate, graph) with every core function and resource kind, on an
//! in-memory host; only a panic, a stack overflow or a timeout is a
//! finding. `tests/no_panic_compile.rs` runs the same property on stable
//! with generated programs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcl_compiler::compile::{compile, CompileOptions, Toolbox};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::load::MemoryLoader;
use mcl_grammar::SourceMap;
use std::sync::{Arc, OnceLock};

fn toolbox() -> &'static (Arc<FunctionRegistry>, Arc<mgmt_runtime::Kinds>) {
    static TOOLBOX: OnceLock<(Arc<FunctionRegistry>, Arc<mgmt_runtime::Kinds>)> = OnceLock::new();
    TOOLBOX.get_or_init(|| {
        let mut functions = FunctionRegistry::new();
        mcl_stdlib::register(&mut functions);
        (Arc::new(functions), Arc::new(mgmt_runtime::kinds()))
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let (functions, kinds) = toolbox();
    let toolbox = Toolbox {
        functions: Arc::clone(functions),
        kinds: Arc::clone(kinds) as _,
        host: Arc::new(mcl_stdlib::MemoryHost::new()),
    };
    let options = CompileOptions {
        hostname: "fuzz".into(),
        autoedges: true,
    };
    let _ = compile(
        &MemoryLoader::default(),
        &mut SourceMap::new(),
        "main.mcl",
        Some(text),
        &toolbox,
        &options,
    );
});

//! Wiring the pipeline to the real world: the file-system source loader,
//! every core function, every resource kind, and the real host.

use mcl_compiler::compile::Toolbox;
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::load::SourceLoader;
use std::sync::Arc;

/// Reads imported files from disk; paths are relative to the current
/// directory or absolute, as the entry file's path was given.
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|error| error.to_string())
    }
}

/// The functions, kinds and host of a real run.
pub fn real_toolbox() -> Toolbox {
    let mut functions = FunctionRegistry::new();
    mcl_stdlib::register(&mut functions);
    Toolbox {
        functions: Arc::new(functions),
        kinds: Arc::new(mgmt_runtime::schemas::kinds()),
        host: Arc::new(mcl_stdlib::RealHost::new()),
    }
}

//! Wiring the pipeline to the real world: the file-system source loader,
//! every core function, every resource kind, and a host. `mgmt compile`,
//! `mgmt run`, the corpus and example tests and the compile benchmark all
//! build their toolbox here, so they check programs against the same
//! functions and kinds.

use mcl_compiler::compile::Toolbox;
use mcl_compiler::function::{FunctionRegistry, Host};
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

/// Every core function and resource kind, on `host`.
pub fn toolbox(host: Arc<dyn Host>) -> Toolbox {
    let mut functions = FunctionRegistry::new();
    mcl_stdlib::register(&mut functions);
    Toolbox {
        functions: Arc::new(functions),
        kinds: Arc::new(mgmt_runtime::kinds()),
        host,
    }
}

/// The functions, kinds and host of a real run.
pub fn real_toolbox() -> Toolbox {
    toolbox(Arc::new(mcl_stdlib::RealHost::new()))
}

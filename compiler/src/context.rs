//! What both the checker and the evaluator need to know about the program and
//! its environment: the loaded modules, the functions and the resource kinds.

use crate::function::FunctionRegistry;
use crate::load::{import_target, is_local_import, LoadedProgram};
use crate::schema::ResourceKinds;
use crate::scope::ImportTarget;

pub struct Context<'a> {
    pub program: &'a LoadedProgram,
    pub functions: &'a FunctionRegistry,
    pub kinds: &'a dyn ResourceKinds,
}

impl Context<'_> {
    /// What `import "path"` in module `module` refers to, if anything.
    pub fn resolve_import(&self, module: usize, path: &str) -> Option<ImportTarget> {
        resolve_import(self.program, self.functions, module, path)
    }
}

/// What `import "path"` in module `module` refers to: a core module, a loaded
/// local module, or nothing.
pub fn resolve_import(
    program: &LoadedProgram,
    functions: &FunctionRegistry,
    module: usize,
    path: &str,
) -> Option<ImportTarget> {
    if is_local_import(path) {
        let importer = &program.modules.get(module)?.path;
        let target = import_target(importer, path);
        return program.module_index(&target).map(ImportTarget::Local);
    }
    functions
        .has_module(path)
        .then(|| ImportTarget::Core(path.into()))
}

/// `File` -> `file`, `Http:Server` -> `http:server`: edge kinds are written
/// capitalised, resource kinds lowercase.
pub fn kind_of_edge_name(name: &str) -> String {
    name.split(':')
        .map(|part| part.to_lowercase())
        .collect::<Vec<_>>()
        .join(":")
}

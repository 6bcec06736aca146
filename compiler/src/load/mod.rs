//! Loading a program: the entry file and every local file it imports,
//! transitively, through a [`SourceLoader`] (the file system in the CLI, a
//! map in tests). Core-module imports (`import "fmt"`) load nothing here.

mod paths;

pub use paths::{join, normalize};

use crate::diagnostics::{syntax, Diagnostic};
use mcl_grammar::ast::{Program, StmtKind};
use mcl_grammar::{parse_file, FileId, SourceMap, Span};
use std::collections::{BTreeMap, HashMap};

/// Reads source files by path. Paths are `/`-separated and already normalised.
pub trait SourceLoader {
    fn load(&self, path: &str) -> Result<String, String>;
}

/// Files held in memory, for tests and tools.
#[derive(Clone, Debug, Default)]
pub struct MemoryLoader {
    files: BTreeMap<String, String>,
}

impl MemoryLoader {
    pub fn new() -> MemoryLoader {
        MemoryLoader::default()
    }

    pub fn with(mut self, path: &str, text: &str) -> MemoryLoader {
        self.files.insert(normalize(path), text.to_owned());
        self
    }
}

impl SourceLoader for MemoryLoader {
    fn load(&self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "no such file".to_owned())
    }
}

/// One parsed file of the program.
#[derive(Debug)]
pub struct Module {
    /// Normalised path, as imports name it.
    pub path: String,
    pub file: FileId,
    pub program: Program,
}

/// The entry module (index 0) and every local module it reaches.
#[derive(Debug, Default)]
pub struct LoadedProgram {
    pub modules: Vec<Module>,
    by_path: HashMap<String, usize>,
}

impl LoadedProgram {
    pub fn module_index(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }
}

/// Whether an import path names a local file or directory rather than a core module.
pub fn is_local_import(path: &str) -> bool {
    path.ends_with(".mcl") || path.ends_with('/')
}

/// The file a local import loads: `lib.mcl` itself, or `dir/main.mcl`.
pub fn import_target(importer: &str, path: &str) -> String {
    let joined = join(importer, path);
    if path.ends_with('/') {
        format!("{}/main.mcl", joined.trim_end_matches('/'))
    } else {
        joined
    }
}

/// Loads and parses the entry file and its local imports. Syntax errors of
/// every file are reported together; a missing import or an import cycle is
/// reported at the import statement.
pub fn load_program(
    loader: &dyn SourceLoader,
    sources: &mut SourceMap,
    entry: &str,
    entry_text: Option<String>,
) -> Result<LoadedProgram, Vec<Diagnostic>> {
    let mut loaded = LoadedProgram::default();
    let mut diagnostics = Vec::new();
    let entry = normalize(entry);
    let text = match entry_text {
        Some(text) => text,
        None => loader.load(&entry).map_err(|error| {
            vec![Diagnostic::error(
                "E0206",
                format!("cannot read {entry}: {error}"),
                Span::default(),
                "",
            )]
        })?,
    };
    // Depth-first, each file with the chain of files that imported it, to name cycles.
    let mut pending = vec![(entry, text, Vec::<String>::new())];
    while let Some((path, text, chain)) = pending.pop() {
        if loaded.by_path.contains_key(&path) {
            continue;
        }
        let file = sources.add(path.clone(), text.as_str());
        let program = match parse_file(file, &text) {
            Ok(parsed) => parsed.program,
            Err(errors) => {
                diagnostics.extend(
                    errors
                        .iter()
                        .map(|error| syntax::to_diagnostic(sources, error)),
                );
                continue;
            }
        };
        let imports: Vec<(String, Span)> = program
            .body
            .iter()
            .filter_map(|stmt| match &stmt.kind {
                StmtKind::Import { path: import, .. } if is_local_import(&import.value) => {
                    Some((import.value.clone(), import.span))
                }
                _ => None,
            })
            .collect();
        loaded.by_path.insert(path.clone(), loaded.modules.len());
        loaded.modules.push(Module {
            path: path.clone(),
            file,
            program,
        });
        for (import, span) in imports {
            let target = import_target(&path, &import);
            let mut next_chain = chain.clone();
            next_chain.push(path.clone());
            if let Some(start) = next_chain.iter().position(|seen| *seen == target) {
                let cycle: Vec<&str> = next_chain[start..]
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::once(target.as_str()))
                    .collect();
                diagnostics.push(
                    Diagnostic::error(
                        "E0207",
                        "import cycle",
                        span,
                        "this import closes the cycle",
                    )
                    .with_note(format!("the cycle: {}", cycle.join(" -> "))),
                );
                continue;
            }
            if loaded.by_path.contains_key(&target) {
                continue;
            }
            match loader.load(&target) {
                Ok(text) => pending.push((target, text, next_chain)),
                Err(error) => diagnostics.push(
                    Diagnostic::error(
                        "E0206",
                        format!("cannot import `{import}`: cannot read {target}: {error}"),
                        span,
                        "imported here",
                    )
                    .with_help(if import.ends_with('/') {
                        "a directory module needs a main.mcl inside it"
                    } else {
                        "import paths are relative to the importing file"
                    }),
                ),
            }
        }
    }
    if diagnostics.is_empty() {
        Ok(loaded)
    } else {
        Err(diagnostics)
    }
}

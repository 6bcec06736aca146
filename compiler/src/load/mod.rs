//! Loading a program: the entry file and every local file it imports,
//! transitively, through a [`SourceLoader`] (the file system in the CLI, a
//! map in tests). Core-module imports (`import "fmt"`) load nothing here.

mod paths;

pub use paths::{join, normalize};

use crate::diagnostics::{syntax, Diagnostic};
use mcl_grammar::ast::{Program, StmtKind};
use mcl_grammar::{parse_file, FileId, SourceMap, Span};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

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
/// One file on a chain of imports, with the file that imported it.
struct Link {
    path: String,
    importer: Option<Rc<Link>>,
}

impl Link {
    /// When `target` is on this chain: the cycle an import of it from here
    /// closes, from `target` to this file and back to `target`.
    fn cycle_to<'a>(&'a self, target: &'a str) -> Option<Vec<&'a str>> {
        let mut cycle = vec![target];
        let mut current = Some(self);
        while let Some(link) = current {
            cycle.push(link.path.as_str());
            if link.path == target {
                cycle.reverse();
                return Some(cycle);
            }
            current = link.importer.as_deref();
        }
        None
    }
}

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
    // Depth-first, each file with the chain of files that imported it, to name
    // cycles. The chain is shared (each link points at its importer), so a
    // long chain of imports costs linear time, not quadratic.
    let mut pending: Vec<(String, String, Option<Rc<Link>>)> = vec![(entry, text, None)];
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
        let link = Rc::new(Link {
            path: path.clone(),
            importer: chain,
        });
        for (import, span) in imports {
            let target = import_target(&path, &import);
            // Every file on the chain is loaded: a file not loaded yet
            // cannot close a cycle, and only a loaded one needs the walk.
            if loaded.by_path.contains_key(&target) {
                if let Some(cycle) = link.cycle_to(&target) {
                    diagnostics.push(
                        Diagnostic::error(
                            "E0207",
                            "import cycle",
                            span,
                            "this import closes the cycle",
                        )
                        .with_note(format!("the cycle: {}", cycle.join(" -> "))),
                    );
                }
                continue;
            }
            let next_chain = Some(Rc::clone(&link));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(loader: &MemoryLoader) -> Result<LoadedProgram, Vec<Diagnostic>> {
        load_program(loader, &mut SourceMap::new(), "main.mcl", None)
    }

    #[test]
    fn a_cycle_is_named_from_the_file_it_returns_to() {
        let loader = MemoryLoader::new()
            .with("main.mcl", "import \"a.mcl\"\n")
            .with("a.mcl", "import \"b.mcl\"\n")
            .with("b.mcl", "import \"c.mcl\"\n")
            .with("c.mcl", "import \"a.mcl\"\n");
        let errors = load(&loader).expect_err("a cycle");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "E0207");
        assert_eq!(
            errors[0].notes,
            ["the cycle: a.mcl -> b.mcl -> c.mcl -> a.mcl"]
        );
    }

    #[test]
    fn a_file_imported_twice_without_a_cycle_loads_once() {
        let loader = MemoryLoader::new()
            .with("main.mcl", "import \"a.mcl\"\nimport \"b.mcl\"\n")
            .with("a.mcl", "import \"b.mcl\"\n")
            .with("b.mcl", "$x = 1\n");
        let loaded = load(&loader).expect("no cycle");
        assert_eq!(loaded.modules.len(), 3);
        assert_eq!(loaded.module_index("b.mcl").map(|_| ()), Some(()));
    }

    #[test]
    fn a_long_chain_of_imports_loads() {
        let count = 3_000;
        let mut loader = MemoryLoader::new().with("main.mcl", "import \"f0.mcl\"\n");
        for index in 0..count {
            let text = if index + 1 < count {
                format!("import \"f{}.mcl\"\n", index + 1)
            } else {
                "$last = 1\n".to_owned()
            };
            loader = loader.with(&format!("f{index}.mcl"), &text);
        }
        assert_eq!(load(&loader).expect("loads").modules.len(), count + 1);
    }
}

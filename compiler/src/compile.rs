//! The whole pipeline in one call: load, check, evaluate.

use crate::check::{check_program, CallResultTypes};
use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::eval::{evaluate, EvalInputs, Evaluation};
use crate::facts::{Definition, ProgramFacts};
use crate::function::{FunctionRegistry, Host};
use crate::load::{load_program, LoadedProgram, SourceLoader};
use crate::schema::ResourceKinds;
use crate::types::Type;
use crate::world::WorldView;
use mcl_grammar::{FileId, SourceMap, Span};
use std::sync::Arc;

pub struct CompileOptions {
    /// What `$hostname` holds.
    pub hostname: String,
    pub autoedges: bool,
}

/// The environment a program compiles against.
pub struct Toolbox {
    pub functions: Arc<FunctionRegistry>,
    pub kinds: Arc<dyn ResourceKinds>,
    pub host: Arc<dyn Host>,
    /// The shared store's data, as `collect` and the `world` functions read it.
    pub world: Arc<dyn WorldView>,
}

/// A loaded and type-checked program, ready to be evaluated (again and again,
/// as its reactive inputs change).
pub struct CheckedProgram {
    /// Shared with each evaluation, whose scopes and function values keep
    /// the parts of the tree they run; freed when the last user goes.
    program: Arc<LoadedProgram>,
    /// Each expression's type and each name's definition, for editors
    /// (only when checked with [`check_with_facts`]).
    facts: Option<ProgramFacts>,
    /// The result types of calls that only their use fixes, for the
    /// functions to be told at evaluation.
    result_types: Arc<CallResultTypes>,
}

/// Loads `entry` (with `entry_text` if the caller already read it) and its
/// imports, and type-checks the result.
pub fn check(
    loader: &dyn SourceLoader,
    sources: &mut SourceMap,
    entry: &str,
    entry_text: Option<String>,
    toolbox: &Toolbox,
) -> Result<CheckedProgram, Vec<Diagnostic>> {
    check_program_text(loader, sources, entry, entry_text, toolbox, false)
}

/// [`check`], keeping each expression's type and each name's definition
/// for [`CheckedProgram::type_at`] and [`CheckedProgram::definition_at`]
/// (editors and tools; a run does not need them, and at about 1 KB per
/// resource they are not free).
pub fn check_with_facts(
    loader: &dyn SourceLoader,
    sources: &mut SourceMap,
    entry: &str,
    entry_text: Option<String>,
    toolbox: &Toolbox,
) -> Result<CheckedProgram, Vec<Diagnostic>> {
    check_program_text(loader, sources, entry, entry_text, toolbox, true)
}

fn check_program_text(
    loader: &dyn SourceLoader,
    sources: &mut SourceMap,
    entry: &str,
    entry_text: Option<String>,
    toolbox: &Toolbox,
    keep_facts: bool,
) -> Result<CheckedProgram, Vec<Diagnostic>> {
    let loaded = load_program(loader, sources, entry, entry_text)?;
    let context = Context {
        program: &loaded,
        functions: &toolbox.functions,
        kinds: toolbox.kinds.as_ref(),
    };
    let checked = check_program(&context, keep_facts)?;
    Ok(CheckedProgram {
        program: Arc::new(loaded),
        facts: checked.facts,
        result_types: Arc::new(checked.result_types),
    })
}

impl CheckedProgram {
    /// The types of the innermost expression at `offset` in `file` (see
    /// [`ProgramFacts::type_at`]); `None` also when the program was not
    /// checked with [`check_with_facts`].
    pub fn type_at(&self, file: FileId, offset: u32) -> Option<(Span, Vec<Type>)> {
        self.facts.as_ref()?.type_at(file, offset)
    }

    /// What the name used at `offset` in `file` refers to (see
    /// [`ProgramFacts::definition_at`]).
    pub fn definition_at(&self, file: FileId, offset: u32) -> Option<(Span, &Definition)> {
        self.facts.as_ref()?.definition_at(file, offset)
    }

    /// The files the program was loaded from: its entry and every import,
    /// by the paths the loader read them under.
    pub fn files(&self) -> Vec<&str> {
        self.program
            .modules
            .iter()
            .map(|module| module.path.as_str())
            .collect()
    }

    /// Everything checking recorded, if it was asked to.
    pub fn facts(&self) -> Option<&ProgramFacts> {
        self.facts.as_ref()
    }

    /// Evaluates the program with the host's current state.
    pub fn evaluate(
        &self,
        toolbox: &Toolbox,
        options: &CompileOptions,
    ) -> Result<Evaluation, Vec<Diagnostic>> {
        evaluate(EvalInputs {
            program: Arc::clone(&self.program),
            result_types: Arc::clone(&self.result_types),
            functions: Arc::clone(&toolbox.functions),
            kinds: Arc::clone(&toolbox.kinds),
            host: Arc::clone(&toolbox.host),
            world: Arc::clone(&toolbox.world),
            hostname: options.hostname.clone(),
            autoedges: options.autoedges,
        })
    }
}

/// Load, check and evaluate once.
pub fn compile(
    loader: &dyn SourceLoader,
    sources: &mut SourceMap,
    entry: &str,
    entry_text: Option<String>,
    toolbox: &Toolbox,
    options: &CompileOptions,
) -> Result<Evaluation, Vec<Diagnostic>> {
    check(loader, sources, entry, entry_text, toolbox)?.evaluate(toolbox, options)
}

//! The evaluator: turns a checked program and the current values of its
//! reactive inputs into a resource graph.
//!
//! It walks the program like the checker does, with values instead of types:
//! bindings are computed on first use, only the taken branch of an `if` runs,
//! loop bodies run once per element, classes once per include. A catchable
//! error (missing file, bad index...) travels with its value until `<|>`
//! replaces it; one that reaches a resource, an edge or a condition is a run
//! error naming where it started and where it arrived.

mod build;
mod closure;
mod collect;
mod errors;
mod expr;
mod names;
mod stmt;

use crate::diagnostics::Diagnostic;
use crate::fields::Fields;
use crate::function::{FunctionRegistry, Host, Watch};
use crate::graph::{MetaParams, ResourceGraph};
use crate::load::LoadedProgram;
use crate::schema::ResourceKinds;
use crate::scope::{Scope, SharedStmt};
use crate::value::Value;
use mcl_grammar::Span;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex};

/// An error the program may still catch with `<|>`, and where it started.
#[derive(Clone, Debug, PartialEq)]
pub struct Catchable {
    pub message: String,
    pub span: Span,
}

/// Why an expression has no value.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    Catchable(Catchable),
    /// Already reported as a diagnostic; evaluation of this part stops.
    Fatal,
}

pub(crate) type Evaluated = Result<Value, Catchable>;
pub(crate) type ValueScope = Scope<SharedStmt, Evaluated>;

/// A resource as a statement produced it, before duplicates are merged.
#[derive(Clone, Debug)]
pub(crate) struct PendingResource {
    pub kind: String,
    pub name: String,
    /// Field values with the span of the expression that produced each.
    pub params: Fields<(Value, Span)>,
    pub meta: MetaParams,
    pub span: Span,
}

/// An edge as a statement or body entry produced it, before it is resolved.
#[derive(Clone, Debug)]
pub(crate) struct PendingEdge {
    pub from: (String, String),
    pub to: (String, String),
    pub notify: bool,
    pub send_recv: Option<(String, String)>,
    /// The spans of the two ends, for "unknown resource" errors.
    pub from_span: Span,
    pub to_span: Span,
}

/// What the evaluator needs from outside, owned so that closures can keep it.
pub struct EvalInputs {
    pub program: Arc<LoadedProgram>,
    /// What checking fixed of the result types that calls cannot know.
    pub result_types: Arc<crate::check::CallResultTypes>,
    pub functions: Arc<FunctionRegistry>,
    pub kinds: Arc<dyn ResourceKinds>,
    pub host: Arc<dyn Host>,
    pub world: Arc<dyn crate::world::WorldView>,
    pub hostname: String,
    pub autoedges: bool,
}

/// The result of one evaluation.
pub struct Evaluation {
    pub graph: ResourceGraph,
    /// What reactive functions read: re-evaluate when any of it changes.
    pub watches: Vec<Watch>,
    /// What was skipped without failing the evaluation (an export that does
    /// not fit its kind), to be logged.
    pub warnings: Vec<Diagnostic>,
}

#[derive(Default)]
pub(crate) struct EvalState {
    pub module_scopes: Vec<Option<Rc<ValueScope>>>,
    /// Every scope with slots computed on first use, whose cycles (see
    /// [`Scope::forget_computed`]) are broken when the evaluation ends. Weak,
    /// so that a scope nobody uses is still dropped at once (only its
    /// allocation waits for the end).
    pub declared: Vec<Weak<ValueScope>>,
    pub diagnostics: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    pub resources: Vec<PendingResource>,
    pub edges: Vec<PendingEdge>,
    /// Classes and functions being expanded, to stop runaway recursion.
    pub depth: usize,
}

pub(crate) struct EvalCore {
    pub inputs: EvalInputs,
    pub state: RefCell<EvalState>,
    pub watches: Mutex<Vec<Watch>>,
    pub this: Weak<EvalCore>,
}

/// Evaluates the entry module of a checked program into a resource graph.
pub fn evaluate(inputs: EvalInputs) -> Result<Evaluation, Vec<Diagnostic>> {
    let modules = inputs.program.modules.len();
    let core = Rc::new_cyclic(|this| EvalCore {
        inputs,
        state: RefCell::new(EvalState::default()),
        watches: Mutex::new(Vec::new()),
        this: this.clone(),
    });
    core.state
        .borrow_mut()
        .module_scopes
        .resize_with(modules, || None);
    if let Some(entry) = core.inputs.program.modules.first() {
        let scope = core.module_scope(0);
        // A fatal failure has been reported; the rest of the block still runs
        // so that independent mistakes are reported together.
        let _ = core.run_block(&scope, &entry.program.body);
    }
    let mut state = core.state.take();
    let graph = build::build_graph(&core, &mut state);
    // Scopes hold closures that point back at the core and at their scope,
    // and aliases hold instances that point back at their holder: empty
    // them all, so that the scopes (and the tree they keep) are freed.
    for scope in state.declared.drain(..) {
        if let Some(scope) = scope.upgrade() {
            scope.forget_computed();
        }
    }
    state.module_scopes.clear();
    let watches = core
        .watches
        .lock()
        .map(|mut watches| std::mem::take(&mut *watches))
        .unwrap_or_default();
    if state.diagnostics.is_empty() {
        let mut watches = watches;
        watches.sort();
        watches.dedup();
        Ok(Evaluation {
            graph,
            watches,
            warnings: state.warnings,
        })
    } else {
        Err(state.diagnostics)
    }
}

impl EvalCore {
    pub(crate) fn report(&self, diagnostic: Diagnostic) -> Failure {
        self.state.borrow_mut().diagnostics.push(diagnostic);
        Failure::Fatal
    }

    pub(crate) fn module_scope(&self, index: usize) -> Rc<ValueScope> {
        if let Some(Some(scope)) = self.state.borrow().module_scopes.get(index) {
            return Rc::clone(scope);
        }
        let program = &self.inputs.program;
        let body = Arc::clone(&program.modules[index].program.body);
        let functions = &self.inputs.functions;
        let mut duplicates = Vec::new();
        let scope = self.keep(Scope::declare(
            None,
            index,
            body,
            &|path| resolve_import(program, functions, index, path),
            &mut duplicates,
        ));
        if let Some(slot) = self.state.borrow_mut().module_scopes.get_mut(index) {
            *slot = Some(Rc::clone(&scope));
        }
        scope
    }

    /// Shares a scope that [`Scope::declare`] made, remembering it if it has
    /// bindings or aliases computed on first use: only a slot filled after
    /// its scope was made can point at that scope or a newer one, and so
    /// close a cycle (parameters and loop variables hold values from before).
    pub(crate) fn keep(&self, scope: ValueScope) -> Rc<ValueScope> {
        let scope = Rc::new(scope);
        let lazy_binds = scope.binds.values().any(|slot| slot.decl.is_some());
        if lazy_binds || !scope.aliases.is_empty() {
            self.state.borrow_mut().declared.push(Rc::downgrade(&scope));
        }
        scope
    }
}

pub(crate) use crate::context::resolve_import;

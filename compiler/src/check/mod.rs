//! The type checker: walks the program as it would run (classes per include,
//! functions per call, both branches of every `if`, loop bodies once), infers
//! a type for every expression by unification, and reports every mistake once.
//!
//! Named functions and classes are checked at each use with the argument types
//! of that use, which makes them polymorphic; a lambda bound to a variable has
//! one type. Operations whose rule depends on a type not yet known (`+` on an
//! unknown, `$s->port` on an unknown) are deferred and retried once more is
//! known; whatever stays unknown at the end is reported as ambiguous.

mod deferred;
mod errors;
mod expr;
mod names;
mod resource;
mod result_types;
mod stmt;
mod usage;

use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::facts::{Definition, ProgramFacts};
use crate::function::Function;
use crate::scope::{Duplicate, Scope};
use crate::types::unify::{TypeId, TypeTable};
use crate::types::Type;
use mcl_grammar::ast::{Stmt, TypeExpr};
use mcl_grammar::Span;
use std::collections::HashSet;
use std::rc::{Rc, Weak};
use std::sync::Arc;

pub use result_types::CallResultTypes;

pub(crate) type TypeScope<'a> = Scope<&'a Stmt, TypeId>;

/// Names no variable or parameter may have: `$in` would read as the `in`
/// of a loop (`for $i, $in in $list`). Other keywords stay usable after a
/// `$` (`$map`, `$str`), which nothing can mistake.
const RESERVED: &[&str] = &["in"];

/// A built-in call whose restriction check waits until its types are known.
struct PendingCall {
    function: Arc<dyn Function>,
    name: String,
    params: Vec<TypeId>,
    ret: TypeId,
    span: Span,
}

pub struct Checker<'a> {
    context: &'a Context<'a>,
    table: TypeTable,
    diagnostics: Vec<Diagnostic>,
    deferred: Vec<deferred::Queued>,
    pending_calls: Vec<PendingCall>,
    /// Built-in calls whose result type only their use fixes.
    result_uses: Vec<result_types::ResultUse>,
    /// Bindings whose types must be known by the end, with their spans.
    bindings: Vec<(String, Span, TypeId)>,
    module_scopes: Vec<Option<Rc<TypeScope<'a>>>>,
    /// Every scope with include aliases, whose cycles (see
    /// [`Scope::forget_computed`]) are broken when checking ends.
    with_aliases: Vec<Weak<TypeScope<'a>>>,
    /// Functions and classes being checked, innermost last, to refuse recursion.
    active: Vec<(String, Span)>,
    /// Every variable name the program mentions anywhere (last part of dotted
    /// names): a binding not among them is unused, and its leftovers of
    /// unknown type are not worth an error.
    used_names: std::collections::HashSet<String>,
    /// Above zero while checking an unused binding.
    lenient: usize,
    /// Whether to record facts: every expression's span and type, and every
    /// name use's definition.
    keep_facts: bool,
    expression_types: Vec<(Span, TypeId)>,
    definitions: Vec<(Span, Definition)>,
}

/// What checking hands on: the facts for tools (when asked for), and what
/// evaluation needs to know of the types.
#[derive(Debug, Default)]
pub struct Checked {
    pub facts: Option<ProgramFacts>,
    pub result_types: CallResultTypes,
}

/// Type-checks the entry module (and whatever it uses): what it learned
/// about the program, or every error.
/// With `keep_facts`, it also records each expression's type and each name
/// use's definition.
pub fn check_program(context: &Context<'_>, keep_facts: bool) -> Result<Checked, Vec<Diagnostic>> {
    let mut checker = Checker {
        context,
        table: TypeTable::new(),
        diagnostics: Vec::new(),
        deferred: Vec::new(),
        pending_calls: Vec::new(),
        result_uses: Vec::new(),
        bindings: Vec::new(),
        module_scopes: Vec::new(),
        with_aliases: Vec::new(),
        active: Vec::new(),
        used_names: HashSet::new(),
        lenient: 0,
        keep_facts,
        expression_types: Vec::new(),
        definitions: Vec::new(),
    };
    let names = usage::names(context.program);
    for ident in &names.declared {
        if RESERVED.contains(&ident.name.as_str()) {
            checker.error(errors::reserved_name(&ident.name, ident.span));
        }
    }
    checker.used_names = names.mentioned;
    checker
        .module_scopes
        .resize_with(context.program.modules.len(), || None);
    if let Some(entry) = context.program.modules.first() {
        let scope = checker.module_scope(0);
        checker.check_block(&scope, &entry.program.body);
        for (index, module) in context.program.modules.iter().enumerate().skip(1) {
            checker.check_module_only_defines(index, &module.program.body);
        }
    }
    checker.finish();
    let result_types = checker.resolve_result_types();
    for scope in checker.with_aliases.drain(..) {
        if let Some(scope) = scope.upgrade() {
            scope.forget_computed();
        }
    }
    if checker.diagnostics.is_empty() {
        let facts = keep_facts.then(|| {
            ProgramFacts::new(checker.expression_types, checker.definitions, checker.table)
        });
        Ok(Checked {
            facts,
            result_types,
        })
    } else {
        checker.diagnostics.sort_by_key(|diagnostic| {
            diagnostic
                .primary_span()
                .map(|span| (span.file, span.start))
                .unwrap_or_default()
        });
        Err(checker.diagnostics)
    }
}

impl<'a> Checker<'a> {
    /// Records that the name used at `span` refers to `definition`.
    fn define(&mut self, span: Span, definition: Definition) {
        if self.keep_facts {
            self.definitions.push((span, definition));
        }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn report_duplicates(&mut self, duplicates: Vec<Duplicate>) {
        for duplicate in duplicates {
            self.error(errors::duplicate(&duplicate));
        }
    }

    /// The top scope of module `index`, declared once.
    fn module_scope(&mut self, index: usize) -> Rc<TypeScope<'a>> {
        if let Some(Some(scope)) = self.module_scopes.get(index) {
            return Rc::clone(scope);
        }
        let context = self.context;
        let body: &'a [Stmt] = &context.program.modules[index].program.body;
        let mut duplicates = Vec::new();
        let scope = self.keep(Scope::declare(
            None,
            index,
            body,
            &|path| context.resolve_import(index, path),
            &mut duplicates,
        ));
        self.report_duplicates(duplicates);
        self.module_scopes[index] = Some(Rc::clone(&scope));
        scope
    }

    /// Shares a scope that [`Scope::declare`] made, remembering it if it has
    /// include aliases: an alias holds its instance, whose parent may be the
    /// scope that holds the alias.
    fn keep(&mut self, scope: TypeScope<'a>) -> Rc<TypeScope<'a>> {
        let scope = Rc::new(scope);
        if !scope.aliases.is_empty() {
            self.with_aliases.push(Rc::downgrade(&scope));
        }
        scope
    }

    /// Unifies, reporting a mismatch at `span` with `what` saying which
    /// expectation failed. Returns whether it unified.
    fn expect(&mut self, expected: TypeId, found: TypeId, span: Span, what: &str) -> bool {
        match self.table.unify(expected, found) {
            Ok(()) => true,
            Err(mismatch) => {
                self.error(errors::mismatch(&mismatch, span, what));
                false
            }
        }
    }

    /// [`Checker::expect`] with the expectation's words built only when
    /// they are needed (they are, rarely; the check runs for every field).
    fn expect_lazy(
        &mut self,
        expected: TypeId,
        found: TypeId,
        span: Span,
        what: impl FnOnce() -> String,
    ) -> bool {
        match self.table.unify(expected, found) {
            Ok(()) => true,
            Err(mismatch) => {
                self.error(errors::mismatch(&mismatch, span, &what()));
                false
            }
        }
    }

    fn concrete(&mut self, ty: &Type) -> TypeId {
        self.table.concrete(ty)
    }

    /// The type an annotation names.
    fn annotation(&mut self, ty: &TypeExpr) -> TypeId {
        let ty = type_of_annotation(ty);
        self.table.concrete(&ty)
    }

    /// Retries deferred checks, then reports what stayed unknown.
    fn finish(&mut self) {
        self.settle_deferred();
        // What stayed open may be a result that only a use could fix; a
        // check waiting on one can go on once it is a `variant`.
        self.default_open_results();
        self.settle_deferred();
        self.report_unresolved_deferred();
        // A restricted built-in is checked with what is known; parts nothing
        // fixed (an empty list's elements) read as `variant`.
        let pending = std::mem::take(&mut self.pending_calls);
        for call in pending {
            let params: Vec<Type> = call
                .params
                .iter()
                .map(|param| self.table.resolve_or_variant(*param))
                .collect();
            let ret = self.table.resolve_or_variant(call.ret);
            if let Err(message) = call.function.check(&params, &ret) {
                self.error(errors::call_rejected(&call.name, &message, call.span));
            }
        }
        // Ambiguity is only worth reporting when nothing else went wrong (an
        // earlier error is the usual reason a type stayed unknown), and only
        // for a used binding about which nothing at all is known.
        if self.diagnostics.is_empty() {
            let bindings = std::mem::take(&mut self.bindings);
            for (name, span, ty) in bindings {
                if self.table.head(ty).is_none() && self.used_names.contains(&name) {
                    let shown = self.table.display(ty);
                    self.error(errors::ambiguous_binding(&name, &shown, span));
                    break;
                }
            }
        }
    }
}

/// The type an annotation names, as a concrete type.
pub fn type_of_annotation(ty: &TypeExpr) -> Type {
    use mcl_grammar::ast::TypeKind;
    match &ty.kind {
        TypeKind::Bool => Type::Bool,
        TypeKind::Str => Type::Str,
        TypeKind::Int => Type::Int,
        TypeKind::Float => Type::Float,
        TypeKind::Variant => Type::Variant,
        TypeKind::List(element) => Type::list(type_of_annotation(element)),
        TypeKind::Map(key, value) => Type::map(type_of_annotation(key), type_of_annotation(value)),
        TypeKind::Struct(fields) => Type::Struct(
            fields
                .iter()
                .map(|(name, ty)| (name.name.clone(), type_of_annotation(ty)))
                .collect(),
        ),
        TypeKind::Func(params, ret) => Type::func(
            params
                .iter()
                .map(|(_, ty)| type_of_annotation(ty))
                .collect(),
            type_of_annotation(ret),
        ),
    }
}

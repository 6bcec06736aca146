//! Names in the evaluator: what it supplies to the shared resolver
//! ([`crate::scope::resolve`]), and what it does with the answer: computes a
//! binding's value on first use, runs an include. The checker has already
//! reported every unknown name, so a miss here is only a safety net.

use super::{errors, EvalCore, Evaluated, Failure, ValueScope};
use crate::function::FunctionRegistry;
use crate::scope::resolve::{self, NameHost, Unresolved, Variable};
use crate::scope::{bound_value, class_decl, Callee, Scope, SharedStmt, Slot, SlotState};
use crate::value::Value;
use mcl_grammar::ast::{Ident, Stmt, StmtKind};
use mcl_grammar::Span;
use std::rc::Rc;
use std::sync::Arc;

/// How deeply classes and functions may expand into each other. The checker
/// refuses recursion; this only guards the stack against the unforeseen.
const MAX_DEPTH: usize = 512;

/// The evaluator's side of name resolution. Implemented for a shared
/// borrow, since the evaluator works through `&self` (its state is in
/// cells): the resolver's `&mut host` is then `&mut { self }`, a unique
/// borrow of a copy of `self`.
impl NameHost for &EvalCore {
    type Stmt = SharedStmt;
    type Payload = Evaluated;
    type Failure = Failure;

    fn functions(&self) -> &FunctionRegistry {
        &self.inputs.functions
    }

    fn module_scope(&mut self, index: usize) -> Rc<ValueScope> {
        EvalCore::module_scope(self, index)
    }

    fn instantiate_alias(
        &mut self,
        holder: &Rc<ValueScope>,
        include: &SharedStmt,
    ) -> Result<Rc<ValueScope>, Failure> {
        self.include(holder, include)
    }
}

impl EvalCore {
    pub(crate) fn variable(&self, scope: &Rc<ValueScope>, ident: &Ident) -> Result<Value, Failure> {
        match resolve::variable(&mut { self }, scope, &ident.name) {
            Ok(Variable::Bind {
                scope: found, name, ..
            }) => self.slot_value(&found, name, ident.span),
            Ok(Variable::Hostname) => Ok(Value::str(self.inputs.hostname.clone())),
            Ok(Variable::Constant) => {
                let value = ident.name.rsplit('.').next().unwrap_or_default();
                Ok(Value::str(value))
            }
            Err(unresolved) => Err(self.unresolved(unresolved, ident.span)),
        }
    }

    /// The failure for a name that refers to nothing. The checker has
    /// reported every such name, so this only guards the unforeseen.
    fn unresolved(&self, unresolved: Unresolved<'_, Failure>, span: Span) -> Failure {
        if let Unresolved::Host(failure) = unresolved {
            return failure;
        }
        match errors::unresolved(&unresolved, span) {
            Some(diagnostic) => self.report(diagnostic),
            None => Failure::Fatal,
        }
    }

    /// The value of binding `name` in `scope`, computing it on first use.
    pub(crate) fn slot_value(
        &self,
        scope: &Rc<ValueScope>,
        name: &str,
        span: Span,
    ) -> Result<Value, Failure> {
        let Some(slot) = scope.binds.get(name) else {
            return Err(self.report(errors::internal(
                &format!("`${name}` is not in scope"),
                span,
            )));
        };
        let state = slot.state.borrow().clone();
        match state {
            SlotState::Done(Ok(value)) => Ok(value),
            SlotState::Done(Err(error)) => Err(Failure::Catchable(error)),
            SlotState::Busy => Err(self.report(errors::internal(
                &format!("`${name}` depends on itself"),
                span,
            ))),
            SlotState::Pending => {
                let Some(expr) = slot.decl.as_deref().and_then(bound_value) else {
                    return Err(
                        self.report(errors::internal(&format!("`${name}` has no value"), span))
                    );
                };
                *slot.state.borrow_mut() = SlotState::Busy;
                let result = self.expr(scope, expr);
                let stored = match &result {
                    Ok(value) => SlotState::Done(Ok(value.clone())),
                    Err(Failure::Catchable(error)) => SlotState::Done(Err(error.clone())),
                    // Leave it busy: the error is reported; later uses fail quietly.
                    Err(Failure::Fatal) => SlotState::Busy,
                };
                *slot.state.borrow_mut() = stored;
                result
            }
        }
    }

    /// Makes the instance of `include ... as alias` held by `holder`, once.
    pub(crate) fn alias_scope(
        &self,
        holder: &Rc<ValueScope>,
        alias: &Ident,
    ) -> Result<(), Failure> {
        resolve::alias(&mut { self }, holder, &alias.name)
            .map(|_| ())
            .map_err(|unresolved| self.unresolved(unresolved, alias.span))
    }

    /// Runs an include: evaluates the arguments, then the class body in a new scope.
    pub(crate) fn include(
        &self,
        scope: &Rc<ValueScope>,
        stmt: &Stmt,
    ) -> Result<Rc<ValueScope>, Failure> {
        let StmtKind::Include { name, args, .. } = &stmt.kind else {
            return Err(Failure::Fatal);
        };
        let mut values = Vec::new();
        for arg in args.iter().flatten() {
            values.push(
                self.expr(scope, arg)
                    .map_err(|failure| self.uncaught(failure, arg.span))?,
            );
        }
        let (definition, class) = resolve::class(&mut { self }, scope, &name.name)
            .map_err(|unresolved| self.unresolved(unresolved, name.span))?;
        let Some(class) = class_decl(&class) else {
            return Err(self.report(errors::internal("not a class", name.span)));
        };
        self.descend(name.span)?;
        let program = &self.inputs.program;
        let functions = &self.inputs.functions;
        let module = definition.module;
        let mut instance = Scope::declare(
            Some(Rc::clone(&definition)),
            module,
            Arc::clone(&class.body.stmts),
            &|path| super::resolve_import(program, functions, module, path),
            &mut Vec::new(),
        );
        instance.adopt_nested_classes(&definition, &class.name.name);
        for (param, value) in class.params.iter().flatten().zip(values) {
            // A binding of the body's own shadows the parameter, as upstream.
            instance
                .binds
                .entry(param.name.name.clone())
                .or_insert_with(|| Slot::done(&param.name, Ok(value)));
        }
        let instance = self.keep(instance);
        let result = self.run_block(&instance, &class.body.stmts);
        self.ascend();
        result.map(|()| instance)
    }

    /// What `name(...)` calls.
    pub(crate) fn callee(
        &self,
        scope: &Rc<ValueScope>,
        name: &Ident,
    ) -> Result<Callee<SharedStmt, Evaluated>, Failure> {
        resolve::function(&mut { self }, scope, &name.name)
            .map_err(|unresolved| self.unresolved(unresolved, name.span))
    }

    pub(crate) fn descend(&self, span: Span) -> Result<(), Failure> {
        let mut state = self.state.borrow_mut();
        if state.depth >= MAX_DEPTH {
            drop(state);
            return Err(self.report(errors::too_deep(span)));
        }
        state.depth += 1;
        Ok(())
    }

    pub(crate) fn ascend(&self) {
        let mut state = self.state.borrow_mut();
        state.depth = state.depth.saturating_sub(1);
    }
}

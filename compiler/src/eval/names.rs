//! Name lookup for the evaluator; mirrors the checker's, which has already
//! reported every unknown name, so a miss here is only a safety net.

use super::{errors, EvalCore, Failure, ValueScope};
use crate::scope::{
    bound_value, class_decl, Callee, ImportTarget, Namespace, Scope, SharedStmt, Slot, SlotState,
};
use crate::value::Value;
use mcl_grammar::ast::{Ident, Stmt, StmtKind};
use mcl_grammar::Span;
use std::rc::Rc;
use std::sync::Arc;

/// How deeply classes and functions may expand into each other. The checker
/// refuses recursion; this only guards the stack against the unforeseen.
const MAX_DEPTH: usize = 512;

impl EvalCore {
    pub(crate) fn variable(&self, scope: &Rc<ValueScope>, ident: &Ident) -> Result<Value, Failure> {
        let name = ident.name.as_str();
        if let Some((prefix, last)) = name.rsplit_once('.') {
            if (prefix == "const" || prefix.starts_with("const."))
                && scope.find_namespace("const").is_none()
            {
                let value = name.rsplit('.').next().unwrap_or_default();
                return Ok(Value::str(value));
            }
            let target = self.namespace_scope(scope, prefix, ident.span)?;
            return self.slot_value(&target, last, ident.span);
        }
        if let Some(found) = scope.find_bind(name) {
            return self.slot_value(&found, name, ident.span);
        }
        if name == "hostname" {
            return Ok(Value::str(self.inputs.hostname.clone()));
        }
        for target in scope.star_imports() {
            if let ImportTarget::Local(index) = target {
                let module = self.module_scope(index);
                if module.binds.contains_key(name) {
                    return self.slot_value(&module, name, ident.span);
                }
            }
        }
        Err(self.report(errors::internal(
            &format!("`${name}` is not in scope"),
            ident.span,
        )))
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

    pub(crate) fn namespace_scope(
        &self,
        scope: &Rc<ValueScope>,
        prefix: &str,
        span: Span,
    ) -> Result<Rc<ValueScope>, Failure> {
        let mut current = Rc::clone(scope);
        for part in prefix.split('.') {
            current = match current.find_namespace(part) {
                Some(Namespace::Import(ImportTarget::Local(index))) => self.module_scope(index),
                Some(Namespace::Alias(holder)) => self.alias_scope(&holder, part)?,
                _ => {
                    return Err(self.report(errors::internal(
                        &format!("`{part}` is not a namespace"),
                        span,
                    )))
                }
            };
        }
        Ok(current)
    }

    pub(crate) fn alias_scope(
        &self,
        holder: &Rc<ValueScope>,
        alias: &str,
    ) -> Result<Rc<ValueScope>, Failure> {
        let Some(slot) = holder.aliases.get(alias) else {
            return Err(Failure::Fatal);
        };
        let state = slot.state.borrow().clone();
        match state {
            SlotState::Done(scope) => Ok(scope),
            SlotState::Busy => Err(Failure::Fatal),
            SlotState::Pending => {
                *slot.state.borrow_mut() = SlotState::Busy;
                let scope = self.include(holder, &slot.stmt)?;
                *slot.state.borrow_mut() = SlotState::Done(Rc::clone(&scope));
                Ok(scope)
            }
        }
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
        let (definition, class) = self.find_class(scope, name)?;
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
            instance
                .binds
                .insert(param.name.name.clone(), Slot::done(&param.name, Ok(value)));
        }
        let instance = self.keep(instance);
        let result = self.run_block(&instance, &class.body.stmts);
        self.ascend();
        result.map(|()| instance)
    }

    fn find_class(
        &self,
        scope: &Rc<ValueScope>,
        name: &Ident,
    ) -> Result<(Rc<ValueScope>, SharedStmt), Failure> {
        if let Some((prefix, last)) = name.name.rsplit_once('.') {
            let target = self.namespace_scope(scope, prefix, name.span)?;
            if let Some(class) = target.classes.get(last) {
                return Ok((Rc::clone(&target), class.clone()));
            }
        } else if let Some(found) = scope.find_class(&name.name) {
            return Ok(found);
        } else {
            for target in scope.star_imports() {
                if let ImportTarget::Local(index) = target {
                    let module = self.module_scope(index);
                    if let Some(class) = module.classes.get(&name.name) {
                        return Ok((Rc::clone(&module), class.clone()));
                    }
                }
            }
        }
        Err(self.report(errors::internal(
            &format!("there is no class `{}`", name.name),
            name.span,
        )))
    }

    pub(crate) fn callee(
        &self,
        scope: &Rc<ValueScope>,
        name: &Ident,
    ) -> Result<Callee<SharedStmt, super::Evaluated>, Failure> {
        let functions = &self.inputs.functions;
        if let Some((prefix, last)) = name.name.rsplit_once('.') {
            if let Some(Namespace::Import(ImportTarget::Core(module))) =
                scope.find_namespace(prefix)
            {
                if let Some(function) = functions.get(&module, last) {
                    return Ok(Callee::Builtin(function));
                }
            } else {
                let target = self.namespace_scope(scope, prefix, name.span)?;
                if let Some(decl) = target.funcs.get(last) {
                    return Ok(Callee::User(Rc::clone(&target), decl.clone()));
                }
            }
        } else {
            if let Some((found, decl)) = scope.find_func(&name.name) {
                return Ok(Callee::User(found, decl));
            }
            if let Some(function) = functions.get("", &name.name) {
                return Ok(Callee::Builtin(function));
            }
            for target in scope.star_imports() {
                match target {
                    ImportTarget::Core(module) => {
                        if let Some(function) = functions.get(&module, &name.name) {
                            return Ok(Callee::Builtin(function));
                        }
                    }
                    ImportTarget::Local(index) => {
                        let module = self.module_scope(index);
                        if let Some(decl) = module.funcs.get(name.name.as_str()) {
                            return Ok(Callee::User(Rc::clone(&module), decl.clone()));
                        }
                    }
                }
            }
        }
        Err(self.report(errors::internal(
            &format!("there is no function `{}`", name.name),
            name.span,
        )))
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

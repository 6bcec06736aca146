//! Names in the checker: what it supplies to the shared resolver
//! ([`crate::scope::resolve`]), and what it does with the answer: types a
//! variable, checks an include or a call, records each name's definition.

use super::{errors, Checker, PendingCall, TypeScope};
use crate::facts::Definition;
use crate::function::{CallShape, FunctionRegistry};
use crate::scope::resolve::{self, NameHost, Unresolved, Variable};
use crate::scope::{class_decl, func_decl, Callee, Scope, Slot};
use crate::types::unify::TypeId;
use crate::types::Type;
use crate::value::Value;
use mcl_grammar::ast::{Expr, ExprKind, FuncDecl, Ident, Stmt, StmtKind, StrSegment};
use mcl_grammar::Span;
use std::collections::HashMap;
use std::convert::Infallible;
use std::rc::Rc;

impl<'a> NameHost for Checker<'a> {
    type Stmt = &'a Stmt;
    type Payload = TypeId;
    /// The checker never fails to make an instance: a broken include is
    /// reported and its alias names an empty scope.
    type Failure = Infallible;

    fn functions(&self) -> &FunctionRegistry {
        self.context.functions
    }

    fn module_scope(&mut self, index: usize) -> Rc<TypeScope<'a>> {
        Checker::module_scope(self, index)
    }

    fn instantiate_alias(
        &mut self,
        holder: &Rc<TypeScope<'a>>,
        include: &&'a Stmt,
    ) -> Result<Rc<TypeScope<'a>>, Infallible> {
        let instance = self.include(holder, include);
        Ok(instance.unwrap_or_else(|| Rc::new(Scope::empty(None, holder.module))))
    }
}

impl<'a> Checker<'a> {
    /// The type of `$name` as written at `ident`.
    pub(super) fn variable(&mut self, scope: &Rc<TypeScope<'a>>, ident: &Ident) -> TypeId {
        let found = resolve::variable(self, scope, &ident.name);
        match self.resolved(found, ident.span) {
            Some(Variable::Bind {
                scope: found,
                name,
                declared_at,
            }) => {
                self.define(ident.span, Definition::Source(declared_at));
                self.slot_type(&found, name)
            }
            Some(Variable::Hostname) => {
                self.define(ident.span, Definition::Hostname);
                self.concrete(&Type::Str)
            }
            Some(Variable::Constant) => self.constant(ident),
            None => self.table.error(),
        }
    }

    /// What resolution found, or `None` once why it found nothing is reported.
    fn resolved<T>(
        &mut self,
        found: Result<T, Unresolved<'_, Infallible>>,
        span: Span,
    ) -> Option<T> {
        match found {
            Ok(found) => Some(found),
            Err(unresolved) => {
                if let Some(diagnostic) = errors::unresolved(unresolved, span) {
                    self.error(diagnostic);
                }
                None
            }
        }
    }

    /// `$const.res.<kind>.<field>.<value>`: the value's own text.
    fn constant(&mut self, ident: &Ident) -> TypeId {
        let parts: Vec<&str> = ident.name.split('.').collect();
        if let ["const", "res", kind, field, value] = parts.as_slice() {
            let known = self
                .context
                .kinds
                .schema(kind)
                .and_then(|schema| schema.field(field))
                .is_some_and(|field| field.values.contains(value));
            if known {
                return self.concrete(&Type::Str);
            }
        }
        self.error(errors::unknown_constant(&ident.name, ident.span));
        self.table.error()
    }

    /// Checks the instance of `include ... as alias` held by `holder`, once.
    pub(super) fn alias_scope(&mut self, holder: &Rc<TypeScope<'a>>, alias: &Ident) {
        let found = resolve::alias(self, holder, &alias.name);
        self.resolved(found, alias.span);
    }

    /// Checks an include statement; returns the class instance's scope.
    pub(super) fn include(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        stmt: &'a Stmt,
    ) -> Option<Rc<TypeScope<'a>>> {
        let StmtKind::Include { name, args, .. } = &stmt.kind else {
            return None;
        };
        let arg_types: Vec<(TypeId, Span)> = args
            .iter()
            .flatten()
            .map(|arg| (self.expr(scope, arg), arg.span))
            .collect();
        let found = resolve::class(self, scope, &name.name);
        let (definition_scope, class) = self.resolved(found, name.span)?;
        let class = class_decl(class)?;
        self.define(name.span, Definition::Source(class.name.span));
        let params = class.params.as_deref().unwrap_or(&[]);
        if params.len() != arg_types.len() {
            self.error(errors::class_arity(
                &name.name,
                params.len(),
                arg_types.len(),
                name.span,
                class.name.span,
            ));
            return None;
        }
        if !self.enter(format!("class {}", class.name.name), name.span) {
            return None;
        }
        let context = self.context;
        let module = definition_scope.module;
        let mut duplicates = Vec::new();
        let mut instance = Scope::declare(
            Some(Rc::clone(&definition_scope)),
            module,
            &class.body.stmts,
            &|path| context.resolve_import(module, path),
            &mut duplicates,
        );
        self.report_duplicates(duplicates);
        instance.adopt_nested_classes(&definition_scope, &class.name.name);
        for (param, (found, span)) in params.iter().zip(arg_types) {
            let ty = match &param.ty {
                Some(annotation) => {
                    let declared = self.annotation(annotation);
                    self.expect(
                        declared,
                        found,
                        span,
                        "the class parameter is declared with this type",
                    );
                    declared
                }
                None => found,
            };
            // A binding of the body's own shadows the parameter, as upstream.
            instance
                .binds
                .entry(param.name.name.clone())
                .or_insert_with(|| Slot::done(&param.name, ty));
        }
        let instance = self.keep(instance);
        self.check_block(&instance, &class.body.stmts);
        self.leave();
        Some(instance)
    }

    /// Checks a call of a named function with the argument types given.
    pub(super) fn call(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        name: &'a Ident,
        args: &'a [Expr],
        span: Span,
    ) -> TypeId {
        let arg_types: Vec<TypeId> = args.iter().map(|arg| self.expr(scope, arg)).collect();
        let found = resolve::function(self, scope, &name.name);
        match self.resolved(found, name.span) {
            None => self.table.error(),
            Some(Callee::User(definition, decl)) => match func_decl(decl) {
                Some(decl) => {
                    self.define(name.span, Definition::Source(decl.name.span));
                    self.call_user(&definition, decl, name, args, &arg_types, span)
                }
                None => self.table.error(),
            },
            Some(Callee::Builtin(function)) => {
                self.define(name.span, Definition::Core(name.name.clone()));
                let constants: Vec<Option<Value>> = args.iter().map(constant_value).collect();
                let signature = match function.signature(CallShape {
                    constants: &constants,
                }) {
                    Ok(signature) => signature,
                    Err(message) => {
                        self.error(errors::call_rejected(&name.name, &message, span));
                        return self.table.error();
                    }
                };
                if signature.params.len() != args.len() {
                    self.error(errors::call_arity(
                        &name.name,
                        signature.params.len(),
                        args.len(),
                        span,
                    ));
                    return self.table.error();
                }
                let mut generics = HashMap::new();
                let params: Vec<TypeId> = signature
                    .params
                    .iter()
                    .map(|param| self.table.instantiate(param, &mut generics))
                    .collect();
                let ret = self.table.instantiate(&signature.ret, &mut generics);
                let open = super::result_types::result_only_generics(&signature);
                if !open.is_empty() {
                    let free = open
                        .iter()
                        .filter_map(|number| generics.get(number).copied())
                        .collect();
                    self.result_uses.push(super::result_types::ResultUse {
                        span,
                        name: name.name.clone(),
                        ret,
                        free,
                    });
                }
                for ((param, found), arg) in params.iter().zip(&arg_types).zip(args) {
                    self.expect_lazy(*param, *found, arg.span, || {
                        format!("`{}` takes this type here", name.name)
                    });
                }
                self.pending_calls.push(PendingCall {
                    function,
                    name: name.name.clone(),
                    params,
                    ret,
                    span,
                });
                ret
            }
        }
    }

    fn call_user(
        &mut self,
        definition: &Rc<TypeScope<'a>>,
        decl: &'a FuncDecl,
        name: &Ident,
        args: &'a [Expr],
        arg_types: &[TypeId],
        span: Span,
    ) -> TypeId {
        if decl.params.len() != args.len() {
            self.error(errors::call_arity(
                &name.name,
                decl.params.len(),
                args.len(),
                span,
            ));
            return self.table.error();
        }
        if !self.enter(format!("func {}", decl.name.name), name.span) {
            return self.table.error();
        }
        let mut body_scope = Scope::empty(Some(Rc::clone(definition)), definition.module);
        for ((param, found), arg) in decl.params.iter().zip(arg_types).zip(args) {
            let ty = match &param.ty {
                Some(annotation) => {
                    let declared = self.annotation(annotation);
                    self.expect_lazy(declared, *found, arg.span, || {
                        format!("`${}` is declared with this type", param.name.name)
                    });
                    declared
                }
                None => *found,
            };
            body_scope
                .binds
                .insert(param.name.name.clone(), Slot::done(&param.name, ty));
        }
        let body_scope = Rc::new(body_scope);
        let result = self.expr(&body_scope, &decl.body);
        let result = match &decl.ret {
            Some(annotation) => {
                let declared = self.annotation(annotation);
                self.expect(
                    declared,
                    result,
                    decl.body.span,
                    "the function declares this return type",
                );
                declared
            }
            None => result,
        };
        self.leave();
        result
    }
}

/// The value of a literal argument (for signatures computed from constants).
pub(super) fn constant_value(expr: &Expr) -> Option<Value> {
    match &expr.kind {
        ExprKind::Bool(value) => Some(Value::Bool(*value)),
        ExprKind::Int(value) => Some(Value::Int(*value)),
        ExprKind::Float(value) => Some(Value::Float(*value)),
        ExprKind::Str(segments) => {
            let mut text = String::new();
            for segment in segments {
                match segment {
                    StrSegment::Text(part) => text.push_str(part),
                    StrSegment::Var(_) => return None,
                }
            }
            Some(Value::Str(text))
        }
        ExprKind::Paren(inner) => constant_value(inner),
        _ => None,
    }
}

//! Name lookup for the checker: variables (plain, namespaced, `$hostname`,
//! `$const.res...`), functions (user, built-in, module), classes and includes.

use super::{errors, Checker, PendingCall, TypeScope};
use crate::facts::Definition;
use crate::function::CallShape;
use crate::scope::{
    class_decl, did_you_mean, func_decl, Callee, ImportTarget, Namespace, Scope, Slot, SlotState,
};
use crate::types::unify::TypeId;
use crate::types::Type;
use crate::value::Value;
use mcl_grammar::ast::{ClassDecl, Expr, ExprKind, FuncDecl, Ident, Stmt, StmtKind, StrSegment};
use mcl_grammar::Span;
use std::collections::HashMap;
use std::rc::Rc;

impl<'a> Checker<'a> {
    /// The type of `$name` as written at `ident`.
    pub(super) fn variable(&mut self, scope: &Rc<TypeScope<'a>>, ident: &Ident) -> TypeId {
        let name = ident.name.as_str();
        if let Some((prefix, last)) = name.rsplit_once('.') {
            return self.namespaced_variable(scope, ident, prefix, last);
        }
        if let Some(found) = scope.find_bind(name) {
            self.define_bind(ident.span, &found, name);
            return self.slot_type(&found, name);
        }
        if name == "hostname" {
            self.define(ident.span, Definition::Hostname);
            return self.concrete(&Type::Str);
        }
        for target in scope.star_imports() {
            if let ImportTarget::Local(index) = target {
                let module = self.module_scope(index);
                if module.binds.contains_key(name) {
                    self.define_bind(ident.span, &module, name);
                    return self.slot_type(&module, name);
                }
            }
        }
        let names = scope.visible_names();
        let suggestion = did_you_mean(name, names.iter().map(String::as_str)).map(str::to_owned);
        self.error(errors::unknown_variable(
            name,
            ident.span,
            suggestion.as_deref(),
        ));
        self.table.error()
    }

    /// Records that `$name` at `span` is the binding declared in `scope`.
    fn define_bind(&mut self, span: Span, scope: &TypeScope<'a>, name: &str) {
        if let Some(slot) = scope.binds.get(name) {
            self.define(span, Definition::Source(slot.name_span));
        }
    }

    fn namespaced_variable(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        ident: &Ident,
        prefix: &str,
        last: &str,
    ) -> TypeId {
        if (prefix == "const" || prefix.starts_with("const."))
            && scope.find_namespace("const").is_none()
        {
            return self.constant(ident);
        }
        let Some(target) = self.namespace_scope(scope, prefix, ident.span) else {
            return self.table.error();
        };
        if target.binds.contains_key(last) {
            self.define_bind(ident.span, &target, last);
            return self.slot_type(&target, last);
        }
        let suggestion =
            did_you_mean(last, target.binds.keys().map(String::as_str)).map(str::to_owned);
        self.error(errors::unknown_in_namespace(
            prefix,
            last,
            ident.span,
            suggestion.as_deref(),
        ));
        self.table.error()
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

    /// The scope a dotted prefix names: a local module or an include alias,
    /// possibly nested (`$a.b.x`).
    pub(super) fn namespace_scope(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        prefix: &str,
        span: Span,
    ) -> Option<Rc<TypeScope<'a>>> {
        let mut current = Rc::clone(scope);
        for (position, part) in prefix.split('.').enumerate() {
            // After the first part, only the namespaces the target itself declares count.
            let visible = position == 0
                || current.imports.contains_key(part)
                || current.aliases.contains_key(part);
            let found = if visible {
                current.find_namespace(part)
            } else {
                None
            };
            current = match found {
                Some(Namespace::Import(ImportTarget::Local(index))) => self.module_scope(index),
                Some(Namespace::Import(ImportTarget::Core(module))) => {
                    self.error(errors::core_module_has_no_variables(&module, span));
                    return None;
                }
                Some(Namespace::Alias(holder)) => self.alias_scope(&holder, part)?,
                None => {
                    self.error(errors::unknown_namespace(
                        part,
                        span,
                        self.context.functions.has_module(part),
                    ));
                    return None;
                }
            };
        }
        Some(current)
    }

    /// The instance scope of `include ... as alias` held by `holder`.
    pub(super) fn alias_scope(
        &mut self,
        holder: &Rc<TypeScope<'a>>,
        alias: &str,
    ) -> Option<Rc<TypeScope<'a>>> {
        let slot = holder.aliases.get(alias)?;
        let state = slot.state.borrow().clone();
        match state {
            SlotState::Done(scope) => Some(scope),
            SlotState::Busy => {
                let span = include_span(slot.stmt);
                self.error(errors::recursion(
                    &[format!("include as {alias}"), format!("${alias}")],
                    span,
                ));
                None
            }
            SlotState::Pending => {
                *slot.state.borrow_mut() = SlotState::Busy;
                let instance = self.include(holder, slot.stmt);
                let scope = instance.unwrap_or_else(|| Rc::new(Scope::empty(None, holder.module)));
                *slot.state.borrow_mut() = SlotState::Done(Rc::clone(&scope));
                Some(scope)
            }
        }
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
        let (definition_scope, class) = self.find_class(scope, name)?;
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
            instance
                .binds
                .insert(param.name.name.clone(), Slot::done(&param.name, ty));
        }
        let instance = self.keep(instance);
        self.check_block(&instance, &class.body.stmts);
        self.leave();
        Some(instance)
    }

    fn find_class(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        name: &Ident,
    ) -> Option<(Rc<TypeScope<'a>>, &'a ClassDecl)> {
        if let Some((prefix, last)) = name.name.rsplit_once('.') {
            let target = self.namespace_scope(scope, prefix, name.span)?;
            if let Some(class) = target.classes.get(last).copied().and_then(class_decl) {
                return Some((Rc::clone(&target), class));
            }
            self.error(errors::unknown_class(&name.name, name.span, None));
            return None;
        }
        if let Some((found, class)) = scope.find_class(&name.name) {
            return Some((found, class_decl(class)?));
        }
        for target in scope.star_imports() {
            if let ImportTarget::Local(index) = target {
                let module = self.module_scope(index);
                if let Some(class) = module.classes.get(&name.name).copied().and_then(class_decl) {
                    return Some((Rc::clone(&module), class));
                }
            }
        }
        let mut candidates = Vec::new();
        let mut current = Some(Rc::clone(scope));
        while let Some(level) = current {
            candidates.extend(level.classes.keys().cloned());
            current = level.parent.clone();
        }
        let suggestion =
            did_you_mean(&name.name, candidates.iter().map(String::as_str)).map(str::to_owned);
        self.error(errors::unknown_class(
            &name.name,
            name.span,
            suggestion.as_deref(),
        ));
        None
    }

    /// What `name(...)` calls.
    pub(super) fn callee(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        name: &Ident,
    ) -> Option<Callee<&'a Stmt, TypeId>> {
        let functions = self.context.functions;
        if let Some((prefix, last)) = name.name.rsplit_once('.') {
            if !prefix.contains('.') {
                match scope.find_namespace(prefix) {
                    Some(Namespace::Import(ImportTarget::Core(module))) => {
                        if let Some(function) = functions.get(&module, last) {
                            return Some(Callee::Builtin(function));
                        }
                        let suggestion =
                            did_you_mean(last, functions.functions(&module)).map(str::to_owned);
                        self.error(errors::unknown_function(
                            &name.name,
                            name.span,
                            suggestion.as_deref(),
                            None,
                        ));
                        return None;
                    }
                    Some(_) => {}
                    None => {
                        self.error(errors::unknown_namespace(
                            prefix,
                            name.span,
                            functions.has_module(prefix),
                        ));
                        return None;
                    }
                }
            }
            let target = self.namespace_scope(scope, prefix, name.span)?;
            if let Some(decl) = target.funcs.get(last) {
                return Some(Callee::User(Rc::clone(&target), *decl));
            }
            let suggestion =
                did_you_mean(last, target.funcs.keys().map(String::as_str)).map(str::to_owned);
            self.error(errors::unknown_function(
                &name.name,
                name.span,
                suggestion.as_deref(),
                None,
            ));
            return None;
        }
        if let Some((found, decl)) = scope.find_func(&name.name) {
            return Some(Callee::User(found, decl));
        }
        if let Some(function) = functions.get("", &name.name) {
            return Some(Callee::Builtin(function));
        }
        for target in scope.star_imports() {
            match target {
                ImportTarget::Core(module) => {
                    if let Some(function) = functions.get(&module, &name.name) {
                        return Some(Callee::Builtin(function));
                    }
                }
                ImportTarget::Local(index) => {
                    let module = self.module_scope(index);
                    if let Some(decl) = module.funcs.get(name.name.as_str()) {
                        return Some(Callee::User(Rc::clone(&module), *decl));
                    }
                }
            }
        }
        let builtins: Vec<&str> = functions.functions("").collect();
        let suggestion = did_you_mean(&name.name, builtins).map(str::to_owned);
        let home = functions
            .modules()
            .find(|module| functions.get(module, &name.name).is_some())
            .map(str::to_owned);
        self.error(errors::unknown_function(
            &name.name,
            name.span,
            suggestion.as_deref(),
            home.as_deref(),
        ));
        None
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
        match self.callee(scope, name) {
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

fn include_span(stmt: &Stmt) -> Span {
    stmt.span
}

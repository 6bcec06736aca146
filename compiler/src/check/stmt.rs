//! Statements: blocks, bindings, `if`, loops, includes, panics, and the rule
//! that imported modules only define.

use super::{errors, Checker, TypeScope};
use crate::facts::Definition;
use crate::scope::{bound_type, bound_value, ImportTarget, Scope, Slot, SlotState};
use crate::types::unify::{Head, TypeId};
use crate::types::Type;
use mcl_grammar::ast::{Block, ElseStmt, Expr, IfStmt, Stmt, StmtKind};
use mcl_grammar::Span;
use std::rc::Rc;

impl<'a> Checker<'a> {
    /// A child scope declaring `stmts`, checked.
    pub(super) fn check_child_block(&mut self, parent: &Rc<TypeScope<'a>>, block: &'a Block) {
        let scope = self.child_scope(parent, &block.stmts);
        self.check_block(&scope, &block.stmts);
    }

    pub(super) fn child_scope(
        &mut self,
        parent: &Rc<TypeScope<'a>>,
        stmts: &'a [Stmt],
    ) -> Rc<TypeScope<'a>> {
        let scope = self.declare_child(parent, stmts);
        self.keep(scope)
    }

    fn declare_child(&mut self, parent: &Rc<TypeScope<'a>>, stmts: &'a [Stmt]) -> TypeScope<'a> {
        let context = self.context;
        let module = parent.module;
        let mut duplicates = Vec::new();
        let scope = Scope::declare(
            Some(Rc::clone(parent)),
            module,
            stmts,
            &|path| context.resolve_import(module, path),
            &mut duplicates,
        );
        self.report_duplicates(duplicates);
        scope
    }

    pub(super) fn check_block(&mut self, scope: &Rc<TypeScope<'a>>, stmts: &'a [Stmt]) {
        for stmt in stmts {
            self.check_stmt(scope, stmt);
        }
    }

    fn check_stmt(&mut self, scope: &Rc<TypeScope<'a>>, stmt: &'a Stmt) {
        match &stmt.kind {
            StmtKind::Bind { name, .. } => {
                if scope
                    .binds
                    .get(name.name.as_str())
                    .is_some_and(|slot| slot.decl.is_some_and(|decl| std::ptr::eq(decl, stmt)))
                {
                    let unused = !self.used_names.contains(&name.name);
                    self.lenient += usize::from(unused);
                    self.slot_type(scope, &name.name);
                    self.lenient -= usize::from(unused);
                }
            }
            StmtKind::If(if_stmt) => self.check_if(scope, if_stmt),
            StmtKind::For {
                index,
                value,
                list,
                body,
            } => {
                let element = self.table.unknown();
                let expected = self.table.list_of(element);
                let found = self.expr(scope, list);
                self.expect(expected, found, list.span, "`for` loops over a list");
                let int = self.concrete(&Type::Int);
                let body_scope = self.loop_scope(scope, body, [(index, int), (value, element)]);
                self.check_block(&body_scope, &body.stmts);
            }
            StmtKind::ForKv {
                key,
                value,
                map,
                body,
            } => {
                let key_type = self.table.unknown();
                let value_type = self.table.unknown();
                let expected = self.table.map_of(key_type, value_type);
                let found = self.expr(scope, map);
                self.expect(expected, found, map.span, "`forkv` loops over a map");
                let body_scope =
                    self.loop_scope(scope, body, [(key, key_type), (value, value_type)]);
                self.check_block(&body_scope, &body.stmts);
            }
            StmtKind::Func(_) | StmtKind::Class(_) => {}
            StmtKind::Include { alias, .. } => match alias {
                Some(alias) => {
                    self.alias_scope(scope, alias);
                }
                None => {
                    self.include(scope, stmt);
                }
            },
            StmtKind::Import { path, .. } => {
                let target = self.context.resolve_import(scope.module, &path.value);
                match &target {
                    Some(ImportTarget::Core(module)) => {
                        self.define(path.span, Definition::Core(module.to_string()));
                    }
                    Some(ImportTarget::Local(index)) => {
                        let file = self.context.program.modules[*index].file;
                        self.define(path.span, Definition::Module(file));
                    }
                    None => {}
                }
                if target.is_none() && !crate::load::is_local_import(&path.value) {
                    let modules: Vec<&str> = self.context.functions.modules().collect();
                    self.error(errors::unknown_module(&path.value, path.span, &modules));
                }
            }
            StmtKind::Resource(resource) => self.check_resource(scope, resource, false),
            StmtKind::Collect(resource) => self.check_resource(scope, resource, true),
            StmtKind::Edge(halves) => self.check_edge_stmt(scope, halves),
            StmtKind::Panic(value) => self.check_panic(scope, value),
        }
    }

    pub(super) fn check_panic(&mut self, scope: &Rc<TypeScope<'a>>, value: &'a Expr) {
        let found = self.expr(scope, value);
        match self.table.head(found) {
            Some(Head::Bool | Head::Str | Head::Error) => {}
            None => {
                let bool_type = self.concrete(&Type::Bool);
                self.expect(
                    bool_type,
                    found,
                    value.span,
                    "`panic` takes a bool or a str",
                );
            }
            Some(_) => {
                let shown = self.table.display(found);
                self.error(errors::panic_argument(&shown, value.span));
            }
        }
    }

    fn check_if(&mut self, scope: &Rc<TypeScope<'a>>, if_stmt: &'a IfStmt) {
        let condition = self.expr(scope, &if_stmt.condition);
        let bool_type = self.concrete(&Type::Bool);
        self.expect(
            bool_type,
            condition,
            if_stmt.condition.span,
            "an `if` condition is a bool",
        );
        self.check_child_block(scope, &if_stmt.then);
        match &if_stmt.otherwise {
            Some(ElseStmt::Block(block)) => self.check_child_block(scope, block),
            Some(ElseStmt::If(nested, _)) => self.check_if(scope, nested),
            None => {}
        }
    }

    fn loop_scope<const N: usize>(
        &mut self,
        parent: &Rc<TypeScope<'a>>,
        body: &'a Block,
        variables: [(&'a mcl_grammar::ast::Ident, TypeId); N],
    ) -> Rc<TypeScope<'a>> {
        // The loop's variables have a scope of their own, around the body's:
        // the body may bind the same names (it shadows them, as upstream).
        let mut loop_variables = Scope::empty(Some(Rc::clone(parent)), parent.module);
        for (name, ty) in variables {
            loop_variables
                .binds
                .insert(name.name.clone(), Slot::done(name, ty));
        }
        let scope = self.declare_child(&Rc::new(loop_variables), &body.stmts);
        self.keep(scope)
    }

    /// The type of binding `name`, found from `scope`, computing it on first use.
    pub(super) fn slot_type(&mut self, found_in: &Rc<TypeScope<'a>>, name: &str) -> TypeId {
        let Some(slot) = found_in.binds.get(name) else {
            return self.table.error();
        };
        let state = slot.state.borrow().clone();
        match state {
            SlotState::Done(ty) => ty,
            SlotState::Busy => {
                let span = slot.name_span;
                let cycle = self.binding_cycle(name);
                self.error(errors::binding_cycle(&cycle, span));
                let error = self.table.error();
                *slot.state.borrow_mut() = SlotState::Done(error);
                error
            }
            SlotState::Pending => {
                *slot.state.borrow_mut() = SlotState::Busy;
                self.active.push((format!("${name}"), slot.name_span));
                let expr = slot.decl.and_then(bound_value);
                let found = match expr {
                    Some(expr) => self.expr(found_in, expr),
                    None => self.table.unknown(),
                };
                // A declared type is what users of the binding see, even when
                // the value is wrong: one mistake, one error.
                let found = match slot.decl.and_then(bound_type) {
                    Some(annotation) => {
                        let declared = self.annotation(annotation);
                        let span = expr.map_or(slot.name_span, |expr| expr.span);
                        self.expect(
                            declared,
                            found,
                            span,
                            "the binding is declared with this type",
                        );
                        declared
                    }
                    None => found,
                };
                self.active.pop();
                // A cycle may have resolved this slot to an error already.
                if let SlotState::Done(ty) = *slot.state.borrow() {
                    return ty;
                }
                *slot.state.borrow_mut() = SlotState::Done(found);
                let span = expr.map_or(slot.name_span, |expr| expr.span);
                self.bindings.push((name.to_owned(), span, found));
                found
            }
        }
    }

    /// The names from the first mention of `$name` on the active stack to now.
    fn binding_cycle(&self, name: &str) -> Vec<String> {
        let wanted = format!("${name}");
        let start = self
            .active
            .iter()
            .rposition(|(active, _)| *active == wanted)
            .unwrap_or(0);
        let mut cycle: Vec<String> = self.active[start..]
            .iter()
            .map(|(name, _)| name.clone())
            .collect();
        cycle.push(wanted);
        cycle
    }

    /// Refuses a class or function that is already being checked (recursion).
    pub(super) fn enter(&mut self, key: String, span: Span) -> bool {
        if let Some(start) = self.active.iter().position(|(active, _)| *active == key) {
            let mut cycle: Vec<String> = self.active[start..]
                .iter()
                .map(|(name, _)| name.clone())
                .collect();
            cycle.push(key);
            self.error(errors::recursion(&cycle, span));
            return false;
        }
        self.active.push((key, span));
        true
    }

    pub(super) fn leave(&mut self) {
        self.active.pop();
    }

    /// Top-level statements of an imported module may only define.
    pub(super) fn check_module_only_defines(&mut self, _module: usize, body: &'a [Stmt]) {
        for stmt in body {
            let what = match &stmt.kind {
                StmtKind::Resource(_) => "a resource",
                StmtKind::Collect(_) => "a collect",
                StmtKind::Include { .. } => "an include",
                StmtKind::Edge(_) => "an edge",
                StmtKind::Panic(_) => "a panic",
                StmtKind::If(_) => "an `if` statement",
                StmtKind::For { .. } | StmtKind::ForKv { .. } => "a loop",
                _ => continue,
            };
            self.error(errors::module_statement(what, stmt_head_span(stmt)));
        }
    }
}

/// The first line of a statement, for labels that should not cover a whole block.
pub(super) fn stmt_head_span(stmt: &Stmt) -> Span {
    match &stmt.kind {
        StmtKind::Resource(resource) | StmtKind::Collect(resource) => Span {
            end: resource.body_span.start + 1,
            ..stmt.span
        },
        _ => stmt.span,
    }
}

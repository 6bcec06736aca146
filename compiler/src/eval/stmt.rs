//! Statements: blocks, `if`, loops, includes, resources, collect, edges and
//! panics. Resources and edges are recorded; [`super::build`] makes the graph.

use super::{errors, EvalCore, Failure, PendingEdge, PendingResource, ValueScope};
use crate::context::kind_of_edge_name;
use crate::fields::Fields;
use crate::graph::MetaParams;
use crate::scope::{Scope, Slot};
use crate::value::Value;
use mcl_grammar::ast::{
    Block, BodyEntry, BodyEntryKind, EdgeRelation, EdgeTarget, ElseStmt, Expr, IfStmt, Resource,
    Stmt, StmtKind,
};
use mcl_grammar::Span;
use std::rc::Rc;
use std::sync::Arc;

impl EvalCore {
    fn child_scope(&self, parent: &Rc<ValueScope>, block: &Arc<[Stmt]>) -> ValueScope {
        let program = &self.inputs.program;
        let functions = &self.inputs.functions;
        let module = parent.module;
        Scope::declare(
            Some(Rc::clone(parent)),
            module,
            Arc::clone(block),
            &|path| super::resolve_import(program, functions, module, path),
            &mut Vec::new(),
        )
    }

    /// Runs every statement; a failure in one does not stop the others, so
    /// that every independent mistake is reported. Returns the first failure.
    pub(crate) fn run_block(&self, scope: &Rc<ValueScope>, stmts: &[Stmt]) -> Result<(), Failure> {
        let mut outcome = Ok(());
        for stmt in stmts {
            if let Err(failure) = self.run_stmt(scope, stmt) {
                if outcome.is_ok() {
                    outcome = Err(failure);
                }
            }
        }
        outcome
    }

    fn run_child_block(&self, scope: &Rc<ValueScope>, block: &Block) -> Result<(), Failure> {
        let child = self.keep(self.child_scope(scope, &block.stmts));
        self.run_block(&child, &block.stmts)
    }

    fn run_stmt(&self, scope: &Rc<ValueScope>, stmt: &Stmt) -> Result<(), Failure> {
        match &stmt.kind {
            // Bindings are computed when used; an unused one that fails is
            // not an error, as in any lazy language.
            StmtKind::Bind { .. }
            | StmtKind::Func(_)
            | StmtKind::Class(_)
            | StmtKind::Import { .. } => Ok(()),
            StmtKind::If(if_stmt) => self.run_if(scope, if_stmt),
            StmtKind::For {
                index,
                value,
                list,
                body,
            } => {
                let items = match self
                    .expr(scope, list)
                    .map_err(|failure| self.uncaught(failure, list.span))?
                {
                    Value::List(items) => items,
                    _ => {
                        return Err(self.report(errors::internal(
                            "`for` over a value that is not a list",
                            list.span,
                        )))
                    }
                };
                let mut outcome = Ok(());
                for (position, item) in items.into_iter().enumerate() {
                    let position = i64::try_from(position).unwrap_or(i64::MAX);
                    let variables = loop_variables(
                        scope,
                        [(index, Ok(Value::Int(position))), (value, Ok(item))],
                    );
                    let child = self.child_scope(&variables, &body.stmts);
                    if let Err(failure) = self.run_block(&self.keep(child), &body.stmts) {
                        outcome = outcome.and(Err(failure));
                    }
                }
                outcome
            }
            StmtKind::ForKv {
                key,
                value,
                map,
                body,
            } => {
                let entries = match self
                    .expr(scope, map)
                    .map_err(|failure| self.uncaught(failure, map.span))?
                {
                    Value::Map(entries) => entries,
                    _ => {
                        return Err(self.report(errors::internal(
                            "`forkv` over a value that is not a map",
                            map.span,
                        )))
                    }
                };
                let mut outcome = Ok(());
                for (entry_key, entry_value) in entries {
                    let variables =
                        loop_variables(scope, [(key, Ok(entry_key)), (value, Ok(entry_value))]);
                    let child = self.child_scope(&variables, &body.stmts);
                    if let Err(failure) = self.run_block(&self.keep(child), &body.stmts) {
                        outcome = outcome.and(Err(failure));
                    }
                }
                outcome
            }
            StmtKind::Include {
                alias: Some(alias), ..
            } => self.alias_scope(scope, alias),
            StmtKind::Include { alias: None, .. } => self.include(scope, stmt).map(|_| ()),
            StmtKind::Resource(resource) => self.run_resource(scope, resource),
            StmtKind::Collect(resource) => self.run_collect(scope, resource),
            StmtKind::Edge(halves) => {
                let mut ends = Vec::with_capacity(halves.len());
                for half in halves {
                    ends.push((self.edge_names(scope, &half.target)?, half.field.as_ref()));
                }
                for pair in ends.windows(2) {
                    let ((from_kind, from_names, from_span), sent) = &pair[0];
                    let ((to_kind, to_names, to_span), received) = &pair[1];
                    let send_recv = match (sent, received) {
                        (Some(sent), Some(received)) => {
                            Some((sent.name.clone(), received.name.clone()))
                        }
                        _ => None,
                    };
                    for from_name in from_names {
                        for to_name in to_names {
                            self.state.borrow_mut().edges.push(PendingEdge {
                                from: (from_kind.clone(), from_name.clone()),
                                to: (to_kind.clone(), to_name.clone()),
                                notify: false,
                                send_recv: send_recv.clone(),
                                from_span: *from_span,
                                to_span: *to_span,
                            });
                        }
                    }
                }
                Ok(())
            }
            StmtKind::Panic(value) => self.run_panic(scope, value),
        }
    }

    fn run_if(&self, scope: &Rc<ValueScope>, if_stmt: &IfStmt) -> Result<(), Failure> {
        let condition = self
            .expr(scope, &if_stmt.condition)
            .map_err(|failure| self.uncaught(failure, if_stmt.condition.span))?;
        if condition == Value::Bool(true) {
            return self.run_child_block(scope, &if_stmt.then);
        }
        match &if_stmt.otherwise {
            Some(ElseStmt::Block(block)) => self.run_child_block(scope, block),
            Some(ElseStmt::If(nested, _)) => self.run_if(scope, nested),
            None => Ok(()),
        }
    }

    fn run_panic(&self, scope: &Rc<ValueScope>, value: &Expr) -> Result<(), Failure> {
        match self
            .expr(scope, value)
            .map_err(|failure| self.uncaught(failure, value.span))?
        {
            Value::Bool(true) => {
                Err(self.report(errors::panic("the condition is true", value.span)))
            }
            Value::Str(message) if !message.is_empty() => {
                Err(self.report(errors::panic(&message, value.span)))
            }
            _ => Ok(()),
        }
    }

    /// A catchable error that reached a place that must have a value.
    pub(crate) fn uncaught(&self, failure: Failure, reached: Span) -> Failure {
        match failure {
            Failure::Catchable(error) => self.report(errors::uncaught(&error, reached)),
            Failure::Fatal => Failure::Fatal,
        }
    }

    /// A name expression as names: a str is one, a []str is each.
    fn names(&self, scope: &Rc<ValueScope>, expr: &Expr) -> Result<Vec<String>, Failure> {
        match self
            .expr(scope, expr)
            .map_err(|failure| self.uncaught(failure, expr.span))?
        {
            Value::Str(name) => Ok(vec![name]),
            Value::List(items) => Ok(items
                .into_iter()
                .filter_map(|item| match item {
                    Value::Str(name) => Some(name),
                    other => other
                        .field("name")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                })
                .collect()),
            _ => Err(self.report(errors::internal(
                "a resource name that is not a str",
                expr.span,
            ))),
        }
    }

    fn edge_names(&self, scope: &Rc<ValueScope>, target: &EdgeTarget) -> Result<EdgeEnd, Failure> {
        let names = self.names(scope, &target.name)?;
        Ok((kind_of_edge_name(&target.kind.name), names, target.span))
    }

    fn run_resource(&self, scope: &Rc<ValueScope>, resource: &Resource) -> Result<(), Failure> {
        let names = self.names(scope, &resource.name)?;
        let mut body = self.run_body(scope, resource)?;
        let last = names.len().saturating_sub(1);
        for (position, name) in names.into_iter().enumerate() {
            // The last name takes the values; the others get copies.
            let params = if position == last {
                std::mem::take(&mut body.params)
            } else {
                body.params.clone()
            };
            self.record_resource(resource, name, params, &body)?;
        }
        Ok(())
    }

    /// Records one resource of `resource`'s kind named `name`, with the
    /// body's edges and metaparameters.
    pub(super) fn record_resource(
        &self,
        resource: &Resource,
        name: String,
        params: Fields<(Value, Span)>,
        body: &Body,
    ) -> Result<(), Failure> {
        let kind = &resource.kind.name;
        if name.is_empty() {
            return Err(self.report(errors::empty_name(kind, resource.name.span)));
        }
        if name.starts_with('$') && !body.meta.dollar {
            return Err(self.report(errors::dollar_name(kind, &name, resource.name.span)));
        }
        for (relation, (edge_kind, edge_names, edge_span)) in &body.edges {
            for edge_name in edge_names {
                let this = (kind.clone(), name.clone());
                let other = (edge_kind.clone(), edge_name.clone());
                let (from, to) = match relation {
                    EdgeRelation::Before | EdgeRelation::Notify => (this, other),
                    EdgeRelation::Depend | EdgeRelation::Listen => (other, this),
                };
                self.state.borrow_mut().edges.push(PendingEdge {
                    from,
                    to,
                    notify: matches!(relation, EdgeRelation::Notify | EdgeRelation::Listen),
                    send_recv: None,
                    from_span: *edge_span,
                    to_span: *edge_span,
                });
            }
        }
        self.state.borrow_mut().resources.push(PendingResource {
            kind: kind.clone(),
            name,
            params,
            meta: body.meta.clone(),
            span: resource.kind.span.to(resource.name.span),
        });
        Ok(())
    }

    pub(super) fn run_body(
        &self,
        scope: &Rc<ValueScope>,
        resource: &Resource,
    ) -> Result<Body, Failure> {
        let mut body = Body::default();
        let mut outcome = Ok(());
        for entry in &resource.body {
            if let Err(failure) = self.run_entry(scope, entry, &mut body) {
                outcome = outcome.and(Err(failure));
            }
        }
        outcome.map(|()| body)
    }

    fn run_entry(
        &self,
        scope: &Rc<ValueScope>,
        entry: &BodyEntry,
        body: &mut Body,
    ) -> Result<(), Failure> {
        if let Some(condition) = &entry.condition {
            let value = self
                .expr(scope, condition)
                .map_err(|failure| self.uncaught(failure, condition.span))?;
            if value != Value::Bool(true) {
                return Ok(());
            }
        }
        match &entry.kind {
            BodyEntryKind::Field { name, value } => {
                let field_value = self
                    .expr(scope, value)
                    .map_err(|failure| self.uncaught(failure, value.span))?;
                body.params
                    .insert(name.name.clone(), (field_value, value.span));
            }
            BodyEntryKind::Edge {
                relation, target, ..
            } => {
                let names = self.edge_names(scope, target)?;
                body.edges.push((*relation, names));
            }
            BodyEntryKind::MetaParam { name, value } => {
                let meta_value = self
                    .expr(scope, value)
                    .map_err(|failure| self.uncaught(failure, value.span))?;
                self.set_meta(&mut body.meta, &name.name, meta_value, value.span)?;
            }
            BodyEntryKind::Meta { value } => {
                let meta_value = self
                    .expr(scope, value)
                    .map_err(|failure| self.uncaught(failure, value.span))?;
                if let Value::Struct(fields) = meta_value {
                    for (name, field_value) in fields {
                        self.set_meta(&mut body.meta, &name, field_value, value.span)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn set_meta(
        &self,
        meta: &mut MetaParams,
        name: &str,
        value: Value,
        span: Span,
    ) -> Result<(), Failure> {
        let non_negative = |value: i64| {
            u64::try_from(value).map_err(|_| self.report(errors::meta_range(name, value, span)))
        };
        match (name, value) {
            ("noop", Value::Bool(flag)) => meta.noop = flag,
            ("retryreset", Value::Bool(flag)) => meta.retryreset = flag,
            ("reset", Value::Bool(flag)) => meta.reset = flag,
            ("rewatch", Value::Bool(flag)) => meta.rewatch = flag,
            ("realize", Value::Bool(flag)) => meta.realize = flag,
            ("dollar", Value::Bool(flag)) => meta.dollar = flag,
            ("hidden", Value::Bool(flag)) => meta.hidden = flag,
            ("reverse", Value::Bool(flag)) => meta.reverse = flag,
            ("autoedge", Value::Bool(flag)) => meta.autoedge = flag,
            ("autogroup", Value::Bool(flag)) => meta.autogroup = flag,
            ("sensitive", Value::Bool(flag)) => meta.sensitive = flag,
            ("retry", Value::Int(count)) => {
                if count < -1 {
                    return Err(self.report(errors::meta_range(name, count, span)));
                }
                meta.retry = count;
            }
            ("delay", Value::Int(ms)) => meta.delay = non_negative(ms)?,
            ("timeout", Value::Int(ms)) => meta.timeout = non_negative(ms)?,
            ("poll", Value::Int(seconds)) => {
                meta.poll = u32::try_from(seconds)
                    .map_err(|_| self.report(errors::meta_range(name, seconds, span)))?;
            }
            ("burst", Value::Int(count)) => {
                non_negative(count)?;
                meta.burst = count;
            }
            ("limit", Value::Float(rate)) => meta.limit = rate,
            ("sema", Value::List(items)) => {
                meta.sema = items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect();
                if let Some(bad) = meta.sema.iter().find(|id| !valid_semaphore(id)) {
                    return Err(self.report(errors::bad_semaphore(bad, span)));
                }
            }
            ("export", Value::List(items)) => {
                meta.export = items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect();
            }
            _ => {}
        }
        Ok(())
    }
}

/// `id` or `id:N` with N at least 1.
fn valid_semaphore(id: &str) -> bool {
    match id.rsplit_once(':') {
        Some((name, count)) => {
            !name.is_empty() && count.parse::<u32>().is_ok_and(|count| count >= 1)
        }
        None => !id.is_empty(),
    }
}

/// The resources an edge end names: kind, names, and the span of the end.
type EdgeEnd = (String, Vec<String>, Span);

/// A resource body's evaluated entries.
#[derive(Default)]
pub(super) struct Body {
    pub params: Fields<(Value, Span)>,
    pub meta: MetaParams,
    pub edges: Vec<(EdgeRelation, EdgeEnd)>,
}

/// The scope of one loop iteration's variables, around the body's own
/// scope: the body may bind the same names and shadows them.
fn loop_variables<const N: usize>(
    parent: &Rc<ValueScope>,
    variables: [(&mcl_grammar::ast::Ident, super::Evaluated); N],
) -> Rc<ValueScope> {
    let mut scope = Scope::empty(Some(Rc::clone(parent)), parent.module);
    for (name, value) in variables {
        scope
            .binds
            .insert(name.name.clone(), Slot::done(name, value));
    }
    Rc::new(scope)
}

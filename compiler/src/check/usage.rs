//! Which variable names a program mentions at all, to tell used bindings from
//! unused ones without a second resolution pass, and which names it
//! declares (bindings, parameters, loop variables), to refuse reserved words.

use crate::load::LoadedProgram;
use mcl_grammar::ast::{
    BodyEntryKind, ElseStmt, Expr, ExprKind, Ident, IfStmt, Param, Stmt, StmtKind, StrSegment,
};
use std::collections::HashSet;

/// What one walk over the program collects.
#[derive(Default)]
pub(super) struct Names<'a> {
    /// The last part of every `$name` and `${name}`.
    pub mentioned: HashSet<String>,
    /// Every variable or parameter a statement or lambda declares.
    pub declared: Vec<&'a Ident>,
}

/// The names every module mentions and declares.
pub(super) fn names(program: &LoadedProgram) -> Names<'_> {
    let mut names = Names::default();
    for module in &program.modules {
        stmts(&module.program.body, &mut names);
    }
    names
}

fn params<'a>(params: &'a [Param], names: &mut Names<'a>) {
    names
        .declared
        .extend(params.iter().map(|param| &param.name));
}

fn stmts<'a>(body: &'a [Stmt], names: &mut Names<'a>) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::Bind { name, value, .. } => {
                names.declared.push(name);
                expr(value, names);
            }
            StmtKind::If(if_stmt) => if_chain(if_stmt, names),
            StmtKind::For {
                index: first,
                value: second,
                list: iterated,
                body,
            }
            | StmtKind::ForKv {
                key: first,
                value: second,
                map: iterated,
                body,
            } => {
                names.declared.extend([first, second]);
                expr(iterated, names);
                stmts(&body.stmts, names);
            }
            StmtKind::Func(decl) => {
                params(&decl.params, names);
                expr(&decl.body, names);
            }
            StmtKind::Class(decl) => {
                params(decl.params.as_deref().unwrap_or(&[]), names);
                stmts(&decl.body.stmts, names);
            }
            StmtKind::Include { args, .. } => {
                args.iter().flatten().for_each(|arg| expr(arg, names))
            }
            StmtKind::Import { .. } => {}
            StmtKind::Resource(resource) | StmtKind::Collect(resource) => {
                expr(&resource.name, names);
                for entry in &resource.body {
                    if let Some(condition) = &entry.condition {
                        expr(condition, names);
                    }
                    match &entry.kind {
                        BodyEntryKind::Field { value, .. }
                        | BodyEntryKind::MetaParam { value, .. }
                        | BodyEntryKind::Meta { value } => expr(value, names),
                        BodyEntryKind::Edge { target, .. } => expr(&target.name, names),
                    }
                }
            }
            StmtKind::Edge(halves) => halves
                .iter()
                .for_each(|half| expr(&half.target.name, names)),
            StmtKind::Panic(value) => expr(value, names),
        }
    }
}

fn if_chain<'a>(if_stmt: &'a IfStmt, names: &mut Names<'a>) {
    expr(&if_stmt.condition, names);
    stmts(&if_stmt.then.stmts, names);
    match &if_stmt.otherwise {
        Some(ElseStmt::Block(block)) => stmts(&block.stmts, names),
        Some(ElseStmt::If(nested, _)) => if_chain(nested, names),
        None => {}
    }
}

fn mention(name: &str, names: &mut Names<'_>) {
    let last = name.rsplit('.').next().unwrap_or(name);
    names.mentioned.insert(last.to_owned());
}

fn expr<'a>(value: &'a Expr, names: &mut Names<'a>) {
    match &value.kind {
        ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => {}
        ExprKind::Str(segments) => {
            for segment in segments {
                if let StrSegment::Var(ident) = segment {
                    mention(&ident.name, names);
                }
            }
        }
        ExprKind::Var(ident) => mention(&ident.name, names),
        ExprKind::List(items) => items.iter().for_each(|item| expr(item, names)),
        ExprKind::Map(entries) => entries.iter().for_each(|(key, entry)| {
            expr(key, names);
            expr(entry, names);
        }),
        ExprKind::Struct(fields) => fields.iter().for_each(|(_, field)| expr(field, names)),
        ExprKind::Call { args, .. } => args.iter().for_each(|arg| expr(arg, names)),
        ExprKind::Apply { function, args } => {
            expr(function, names);
            args.iter().for_each(|arg| expr(arg, names));
        }
        ExprKind::Lambda {
            params: declared,
            body,
            ..
        } => {
            params(declared, names);
            expr(body, names);
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            expr(condition, names);
            expr(then, names);
            expr(otherwise, names);
        }
        ExprKind::Index { base, index } => {
            expr(base, names);
            expr(index, names);
        }
        ExprKind::Field { base, .. } => expr(base, names),
        ExprKind::Unary { operand, .. } => expr(operand, names),
        ExprKind::Binary { left, right, .. } => {
            expr(left, names);
            expr(right, names);
        }
        ExprKind::Paren(inner) => expr(inner, names),
    }
}

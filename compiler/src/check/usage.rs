//! Which variable names a program mentions at all, to tell used bindings from
//! unused ones without a second resolution pass.

use crate::load::LoadedProgram;
use mcl_grammar::ast::{
    BodyEntryKind, ElseStmt, Expr, ExprKind, IfStmt, Stmt, StmtKind, StrSegment,
};
use std::collections::HashSet;

/// The last part of every `$name` and `${name}` in every module.
pub(super) fn mentioned_variables(program: &LoadedProgram) -> HashSet<String> {
    let mut names = HashSet::new();
    for module in &program.modules {
        stmts(&module.program.body, &mut names);
    }
    names
}

fn stmts(body: &[Stmt], names: &mut HashSet<String>) {
    for stmt in body {
        match &stmt.kind {
            StmtKind::Bind { value, .. } => expr(value, names),
            StmtKind::If(if_stmt) => if_chain(if_stmt, names),
            StmtKind::For {
                list: iterated,
                body,
                ..
            }
            | StmtKind::ForKv {
                map: iterated,
                body,
                ..
            } => {
                expr(iterated, names);
                stmts(&body.stmts, names);
            }
            StmtKind::Func(decl) => expr(&decl.body, names),
            StmtKind::Class(decl) => stmts(&decl.body.stmts, names),
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

fn if_chain(if_stmt: &IfStmt, names: &mut HashSet<String>) {
    expr(&if_stmt.condition, names);
    stmts(&if_stmt.then.stmts, names);
    match &if_stmt.otherwise {
        Some(ElseStmt::Block(block)) => stmts(&block.stmts, names),
        Some(ElseStmt::If(nested, _)) => if_chain(nested, names),
        None => {}
    }
}

fn mention(name: &str, names: &mut HashSet<String>) {
    let last = name.rsplit('.').next().unwrap_or(name);
    names.insert(last.to_owned());
}

fn expr(value: &Expr, names: &mut HashSet<String>) {
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
        ExprKind::Lambda { body, .. } => expr(body, names),
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

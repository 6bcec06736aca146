//! Statements, blocks and resource bodies: the parts of a program that are
//! always one item per line.
//!
//! Expressions inside them are `expr.rs`'s; comments and blank lines are
//! placed by the printer at the line breaks asked for here.

use super::expr::Brackets;
use super::literal;
use super::printer::{Break, Printer};
use super::types::type_text;
use crate::ast::{
    Block, BodyEntry, BodyEntryKind, ClassDecl, EdgeHalf, EdgeTarget, ElseStmt, FuncDecl, IfStmt,
    ImportAlias, Resource, Stmt, StmtKind,
};
use crate::span::Span;

impl Printer<'_> {
    /// One statement per line, keeping single blank lines from the source.
    pub(super) fn statements(&mut self, stmts: &[Stmt]) {
        for (position, stmt) in stmts.iter().enumerate() {
            self.line_break(stmt.span.start as usize, Break::before_item(position));
            self.statement(stmt);
            self.mark_end(stmt.span.end);
        }
    }

    fn statement(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Bind { name, ty, value } => {
                self.variable(name);
                if let Some(ty) = ty {
                    self.write(" ");
                    self.write(&type_text(ty));
                }
                self.write(" = ");
                self.expr(value);
            }
            StmtKind::If(if_stmt) => self.if_stmt(if_stmt),
            StmtKind::For {
                index,
                value,
                list,
                body,
            } => self.for_loop("for ", [index, value], list, body),
            StmtKind::ForKv {
                key,
                value,
                map,
                body,
            } => self.for_loop("forkv ", [key, value], map, body),
            StmtKind::Func(func) => self.func_decl(func, stmt.span),
            StmtKind::Class(class) => self.class_decl(class),
            StmtKind::Include { name, args, alias } => {
                self.write("include ");
                self.write(&name.name);
                if let Some(args) = args {
                    let from = args.last().map_or(name.span.end, |arg| arg.span.end);
                    let brackets = Brackets {
                        open: "(",
                        close: ")",
                        after: name.span.end as usize,
                        close_at: self.find_after(from as usize, ')'),
                    };
                    self.bracketed(brackets, args, |arg| arg.span, Self::expr);
                }
                if let Some(alias) = alias {
                    self.write(" as ");
                    self.write(&alias.name);
                }
            }
            StmtKind::Import { path, alias } => {
                self.write("import ");
                self.write(&literal::plain_string(&path.value));
                match alias {
                    Some(ImportAlias::Name(name)) => {
                        self.write(" as ");
                        self.write(&name.name);
                    }
                    Some(ImportAlias::Star(_)) => self.write(" as *"),
                    None => {}
                }
            }
            StmtKind::Resource(resource) => self.resource(resource),
            StmtKind::Collect(resource) => {
                self.write("collect ");
                self.resource(resource);
            }
            StmtKind::Edge(halves) => {
                for (position, half) in halves.iter().enumerate() {
                    if position > 0 {
                        self.write(" -> ");
                    }
                    self.edge_half(half);
                }
            }
            StmtKind::Panic(value) => {
                self.write("panic(");
                self.expr(value);
                self.write(")");
            }
        }
    }

    /// `{}` when empty, otherwise the statements on indented lines.
    fn block(&mut self, block: &Block) {
        let open = block.span.start as usize;
        let close_at = (block.span.end as usize).saturating_sub(1);
        if block.stmts.is_empty() && !self.has_comment_in(open, close_at) {
            self.write("{}");
            return;
        }
        self.write("{");
        self.indent();
        self.statements(&block.stmts);
        let place = if block.stmts.is_empty() {
            Break::CloseEmpty
        } else {
            Break::Close
        };
        self.line_break(close_at, place);
        self.dedent();
        self.write("}");
    }

    fn if_stmt(&mut self, if_stmt: &IfStmt) {
        self.write("if ");
        self.expr(&if_stmt.condition);
        self.write(" ");
        self.block(&if_stmt.then);
        match &if_stmt.otherwise {
            Some(ElseStmt::Block(block)) => {
                self.write(" else ");
                self.block(block);
            }
            Some(ElseStmt::If(chained, _)) => {
                self.write(" else ");
                self.if_stmt(chained);
            }
            None => {}
        }
    }

    fn for_loop(
        &mut self,
        keyword: &str,
        [first, second]: [&crate::ast::Ident; 2],
        collection: &crate::ast::Expr,
        body: &Block,
    ) {
        self.write(keyword);
        self.variable(first);
        self.write(", ");
        self.variable(second);
        self.write(" in ");
        self.expr(collection);
        self.write(" ");
        self.block(body);
    }

    /// A named function's body always stands on its own line.
    fn func_decl(&mut self, func: &FuncDecl, span: Span) {
        self.write("func ");
        self.write(&func.name.name);
        self.parameters(func.name.span.end as usize, &func.params);
        self.function_body(func.ret.as_ref(), &func.body, span, true);
    }

    fn class_decl(&mut self, class: &ClassDecl) {
        self.write("class ");
        self.write(&class.name.name);
        if let Some(params) = &class.params {
            self.parameters(class.name.span.end as usize, params);
        }
        self.write(" ");
        self.block(&class.body);
    }

    /// `kind name {` then one `entry,` per line; `{}` when empty.
    fn resource(&mut self, resource: &Resource) {
        self.write(&resource.kind.name);
        self.write(" ");
        self.expr(&resource.name);
        self.write(" ");
        let open = resource.body_span.start as usize;
        let close_at = (resource.body_span.end as usize).saturating_sub(1);
        if resource.body.is_empty() && !self.has_comment_in(open, close_at) {
            self.write("{}");
            return;
        }
        self.write("{");
        self.indent();
        for (position, entry) in resource.body.iter().enumerate() {
            self.line_break(entry.span.start as usize, Break::before_item(position));
            self.body_entry(entry);
            self.write(",");
            self.mark_end(entry.span.end);
        }
        let place = if resource.body.is_empty() {
            Break::CloseEmpty
        } else {
            Break::Close
        };
        self.line_break(close_at, place);
        self.dedent();
        self.write("}");
    }

    fn body_entry(&mut self, entry: &BodyEntry) {
        match &entry.kind {
            BodyEntryKind::Field { name, .. } => self.write(&name.name),
            BodyEntryKind::Edge { relation, .. } => self.write(relation.keyword()),
            BodyEntryKind::MetaParam { name, .. } => {
                self.write("Meta:");
                self.write(&name.name);
            }
            BodyEntryKind::Meta { .. } => self.write("Meta"),
        }
        self.write(" => ");
        if let Some(condition) = &entry.condition {
            self.expr(condition);
            self.write(" ?: ");
        }
        match &entry.kind {
            BodyEntryKind::Field { value, .. }
            | BodyEntryKind::MetaParam { value, .. }
            | BodyEntryKind::Meta { value } => self.expr(value),
            BodyEntryKind::Edge { target, .. } => self.edge_target(target),
        }
    }

    fn edge_half(&mut self, half: &EdgeHalf) {
        self.edge_target(&half.target);
        if let Some(field) = &half.field {
            self.write(".");
            self.write(&field.name);
        }
    }

    fn edge_target(&mut self, target: &EdgeTarget) {
        self.write(&target.kind.name);
        self.write("[");
        self.expr(&target.name);
        self.write("]");
    }
}

//! Expressions, and the one-line-or-one-per-line layout shared by every
//! bracketed list (lists, maps, structs, arguments, parameters).
//!
//! Nothing is reordered, added or dropped: each node prints the tokens it was
//! parsed from, so the text parses back to the same tree. Only whitespace,
//! trailing commas and the spelling of literals change.

use super::literal;
use super::printer::{Break, Printer};
use super::types::type_text;
use crate::ast::{Expr, ExprKind, Ident, Param, TypeExpr, UnaryOp};
use crate::span::Span;

/// Where a bracketed list sits in the source and how it is spelled.
pub(super) struct Brackets {
    pub(super) open: &'static str,
    pub(super) close: &'static str,
    /// The source offset after which the elements start (the end of a
    /// callee, or the opening bracket itself).
    pub(super) after: usize,
    /// The source offset of the closing bracket.
    pub(super) close_at: usize,
}

impl Printer<'_> {
    /// Prints a bracketed list on one line, or one element per line with a
    /// trailing comma when the source broke a line between its elements or
    /// next to its brackets. Line breaks inside an element do not count, so
    /// that `f($l, func($x) {...})` keeps hugging its lambda.
    pub(super) fn bracketed<T>(
        &mut self,
        brackets: Brackets,
        items: &[T],
        span_of: impl Fn(&T) -> Span,
        print: impl Fn(&mut Self, &T),
    ) {
        let Brackets {
            open,
            close,
            after,
            close_at,
        } = brackets;
        let multiline = match (items.first(), items.last()) {
            (Some(first), Some(last)) => {
                self.newline_between(after, span_of(first).start as usize)
                    || self.newline_between(span_of(last).end as usize, close_at)
                    || items.windows(2).any(|pair| {
                        self.newline_between(span_of(&pair[0]).end as usize, {
                            span_of(&pair[1]).start as usize
                        })
                    })
            }
            _ => self.has_comment_in(after, close_at),
        };
        self.write(open);
        if !multiline {
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    self.write(", ");
                }
                print(self, item);
            }
            self.write(close);
            return;
        }
        self.indent();
        for (position, item) in items.iter().enumerate() {
            let span = span_of(item);
            self.line_break(span.start as usize, Break::before_item(position));
            print(self, item);
            self.write(",");
            self.mark_end(span.end);
        }
        let place = if items.is_empty() {
            Break::CloseEmpty
        } else {
            Break::Close
        };
        self.line_break(close_at, place);
        self.dedent();
        self.write(close);
    }

    pub(super) fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Bool(value) => self.write(if *value { "true" } else { "false" }),
            ExprKind::Int(value) => self.write(&value.to_string()),
            ExprKind::Float(value) => {
                let text = literal::float(*value, self.slice(expr.span));
                self.write(&text);
            }
            ExprKind::Str(segments) => self.write(&literal::string(segments)),
            ExprKind::Var(name) => self.variable(name),
            ExprKind::List(elements) => {
                let brackets = Self::around(expr.span, "[", "]");
                self.bracketed(brackets, elements, |element| element.span, Self::expr);
            }
            ExprKind::Map(entries) => {
                let brackets = Self::around(expr.span, "{", "}");
                self.bracketed(
                    brackets,
                    entries,
                    |(key, value)| key.span.to(value.span),
                    |printer, (key, value)| {
                        printer.expr(key);
                        printer.write(" => ");
                        printer.expr(value);
                    },
                );
            }
            ExprKind::Struct(fields) => {
                let brackets = Self::around(expr.span, "struct{", "}");
                self.bracketed(
                    brackets,
                    fields,
                    |(name, value)| name.span.to(value.span),
                    |printer, (name, value)| {
                        printer.write(&name.name);
                        printer.write(" => ");
                        printer.expr(value);
                    },
                );
            }
            ExprKind::Call { name, args } => {
                self.write(&name.name);
                self.arguments(name.span.end as usize, expr.span, args);
            }
            ExprKind::Apply { function, args } => {
                self.expr(function);
                self.arguments(function.span.end as usize, expr.span, args);
            }
            ExprKind::Lambda { params, ret, body } => {
                self.write("func");
                self.parameters(expr.span.start as usize, params);
                self.function_body(ret.as_deref(), body, expr.span, self.spans_lines(expr.span));
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let multiline = self.spans_lines(expr.span);
                self.if_expr(condition, then, otherwise, multiline);
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.write("[");
                self.expr(index);
                self.write("]");
            }
            ExprKind::Field { base, field } => {
                self.expr(base);
                self.write("->");
                self.write(&field.name);
            }
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                self.write("not ");
                self.expr(operand);
            }
            ExprKind::Binary { op, left, right } => {
                self.expr(left);
                self.write(" ");
                self.write(op.symbol());
                self.write(" ");
                self.expr(right);
            }
            ExprKind::Paren(inner) => {
                self.write("(");
                self.expr(inner);
                self.write(")");
            }
        }
    }

    pub(super) fn variable(&mut self, name: &Ident) {
        self.write("$");
        self.write(&name.name);
    }

    /// `(args)` after a callee ending at `after`, in a call spanning `span`.
    pub(super) fn arguments(&mut self, after: usize, span: Span, args: &[Expr]) {
        let brackets = Brackets {
            open: "(",
            close: ")",
            after,
            close_at: (span.end as usize).saturating_sub(1),
        };
        self.bracketed(brackets, args, |arg| arg.span, Self::expr);
    }

    /// `($a int, $b)` after a name or `func` starting the list at `after`.
    pub(super) fn parameters(&mut self, after: usize, params: &[Param]) {
        let from = params.last().map_or(after, |param| param.span.end as usize);
        let brackets = Brackets {
            open: "(",
            close: ")",
            after,
            close_at: self.find_after(from, ')'),
        };
        self.bracketed(
            brackets,
            params,
            |param| param.span,
            |printer, param| {
                printer.variable(&param.name);
                if let Some(ty) = &param.ty {
                    printer.write(" ");
                    printer.write(&type_text(ty));
                }
            },
        );
    }

    /// ` [ret] { body }` of a function or lambda spanning `span`, whose
    /// closing brace is its last character.
    pub(super) fn function_body(
        &mut self,
        ret: Option<&TypeExpr>,
        body: &Expr,
        span: Span,
        multiline: bool,
    ) {
        if let Some(ret) = ret {
            self.write(" ");
            self.write(&type_text(ret));
        }
        if !multiline {
            self.write(" { ");
            self.expr(body);
            self.write(" }");
            return;
        }
        self.write(" {");
        self.braced_expr(body, (span.end as usize).saturating_sub(1));
    }

    /// An expression alone on indented lines, then `}` (at `close_at`).
    fn braced_expr(&mut self, body: &Expr, close_at: usize) {
        self.indent();
        self.line_break(body.span.start as usize, Break::First);
        self.expr(body);
        self.mark_end(body.span.end);
        self.line_break(close_at, Break::Close);
        self.dedent();
        self.write("}");
    }

    /// `if c { a } else if d { b } else { c }`, one line or one branch per
    /// line. An `else { if ... }` prints as `else if ...`: both parse to the
    /// same tree.
    fn if_expr(&mut self, condition: &Expr, then: &Expr, otherwise: &Expr, multiline: bool) {
        self.write("if ");
        self.expr(condition);
        if multiline {
            self.write(" {");
            let close_at = self.find_after(then.span.end as usize, '}');
            self.braced_expr(then, close_at);
        } else {
            self.write(" { ");
            self.expr(then);
            self.write(" }");
        }
        self.write(" else ");
        match &otherwise.kind {
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => self.if_expr(condition, then, otherwise, multiline),
            _ if multiline => {
                self.write("{");
                let close_at = self.find_after(otherwise.span.end as usize, '}');
                self.braced_expr(otherwise, close_at);
            }
            _ => {
                self.write("{ ");
                self.expr(otherwise);
                self.write(" }");
            }
        }
    }

    /// The brackets of a literal whose span starts and ends with them.
    fn around(span: Span, open: &'static str, close: &'static str) -> Brackets {
        Brackets {
            open,
            close,
            after: span.start as usize,
            close_at: (span.end as usize).saturating_sub(1),
        }
    }
}

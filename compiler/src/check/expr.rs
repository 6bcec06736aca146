//! Expression typing.

use super::deferred::Deferred;
use super::{errors, Checker, TypeScope};
use crate::scope::{Scope, Slot};
use crate::types::unify::{Head, TypeId};
use crate::types::Type;
use mcl_grammar::ast::{BinaryOp, Expr, ExprKind, Ident, StrSegment, UnaryOp};
use std::rc::Rc;

impl<'a> Checker<'a> {
    /// The type of `expr`, recorded for [`crate::facts::ProgramFacts`].
    pub(super) fn expr(&mut self, scope: &Rc<TypeScope<'a>>, expr: &'a Expr) -> TypeId {
        let ty = self.expr_type(scope, expr);
        if self.keep_facts {
            self.expression_types.push((expr.span, ty));
        }
        ty
    }

    fn expr_type(&mut self, scope: &Rc<TypeScope<'a>>, expr: &'a Expr) -> TypeId {
        match &expr.kind {
            ExprKind::Bool(_) => self.concrete(&Type::Bool),
            ExprKind::Int(_) => self.concrete(&Type::Int),
            ExprKind::Float(_) => self.concrete(&Type::Float),
            ExprKind::Str(segments) => {
                let string = self.concrete(&Type::Str);
                for segment in segments {
                    if let StrSegment::Var(ident) = segment {
                        let found = self.variable(scope, ident);
                        self.expect_lazy(string, found, ident.span, || {
                            format!("`${{{}}}` interpolates a str", ident.name)
                        });
                    }
                }
                string
            }
            ExprKind::List(items) => {
                let element = self.table.unknown();
                for item in items {
                    let found = self.expr(scope, item);
                    self.expect(element, found, item.span, "list elements all have one type");
                }
                self.table.list_of(element)
            }
            ExprKind::Map(entries) => {
                let key = self.table.unknown();
                let value = self.table.unknown();
                let mut seen: Vec<(crate::value::Value, mcl_grammar::Span)> = Vec::new();
                for (entry_key, _) in entries {
                    let Some(constant) = super::names::constant_value(entry_key) else {
                        continue;
                    };
                    match seen.iter().find(|(other, _)| *other == constant) {
                        Some((_, first)) => self.error(errors::duplicate_map_key(
                            &constant.to_string(),
                            *first,
                            entry_key.span,
                        )),
                        None => seen.push((constant, entry_key.span)),
                    }
                }
                for (entry_key, entry_value) in entries {
                    let found = self.expr(scope, entry_key);
                    self.expect(key, found, entry_key.span, "map keys all have one type");
                    let found = self.expr(scope, entry_value);
                    self.expect(
                        value,
                        found,
                        entry_value.span,
                        "map values all have one type",
                    );
                }
                self.defer(Deferred::Hashable {
                    ty: key,
                    span: expr.span,
                });
                self.table.map_of(key, value)
            }
            ExprKind::Struct(fields) => {
                let mut types = Vec::with_capacity(fields.len());
                for (name, value) in fields {
                    if types.iter().any(|(existing, _)| *existing == name.name) {
                        self.error(errors::duplicate_struct_field(&name.name, name.span));
                        continue;
                    }
                    let found = self.expr(scope, value);
                    types.push((name.name.clone(), found));
                }
                self.table.struct_of(types)
            }
            ExprKind::Var(ident) => self.variable(scope, ident),
            ExprKind::Call { name, args } => self.call(scope, name, args, expr.span),
            ExprKind::Apply { function, args } => {
                let found = self.expr(scope, function);
                let arg_types: Vec<TypeId> = args.iter().map(|arg| self.expr(scope, arg)).collect();
                match self.table.head(found) {
                    Some(Head::Func(params, ret)) => {
                        if params.len() != args.len() {
                            self.error(errors::call_arity(
                                "this function",
                                params.len(),
                                args.len(),
                                expr.span,
                            ));
                            return self.table.error();
                        }
                        for ((param, found), arg) in params.iter().zip(&arg_types).zip(args) {
                            self.expect(
                                *param,
                                *found,
                                arg.span,
                                "the function's parameter has this type",
                            );
                        }
                        ret
                    }
                    Some(Head::Error) => self.table.error(),
                    None => {
                        let ret = self.table.unknown();
                        let expected = self.table.func_of(arg_types, ret);
                        self.expect(
                            expected,
                            found,
                            function.span,
                            "a called value is a function",
                        );
                        ret
                    }
                    Some(_) => {
                        let shown = self.table.display(found);
                        self.error(errors::not_a_function(&shown, function.span));
                        self.table.error()
                    }
                }
            }
            ExprKind::Lambda { params, ret, body } => {
                let mut body_scope = Scope::empty(Some(Rc::clone(scope)), scope.module);
                let mut param_types = Vec::with_capacity(params.len());
                for param in params.iter() {
                    let ty = match &param.ty {
                        Some(annotation) => self.annotation(annotation),
                        None => self.table.unknown(),
                    };
                    param_types.push(ty);
                    body_scope
                        .binds
                        .insert(param.name.name.clone(), Slot::done(&param.name, ty));
                }
                let body_scope = Rc::new(body_scope);
                let result = self.expr(&body_scope, body);
                let result = match ret {
                    Some(annotation) => {
                        let declared = self.annotation(annotation);
                        self.expect(
                            declared,
                            result,
                            body.span,
                            "the function declares this return type",
                        );
                        declared
                    }
                    None => result,
                };
                self.table.func_of(param_types, result)
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let found = self.expr(scope, condition);
                let bool_type = self.concrete(&Type::Bool);
                self.expect(
                    bool_type,
                    found,
                    condition.span,
                    "an `if` condition is a bool",
                );
                let then_type = self.expr(scope, then);
                let else_type = self.expr(scope, otherwise);
                self.expect(
                    then_type,
                    else_type,
                    otherwise.span,
                    "both branches of an `if` have one type",
                );
                then_type
            }
            ExprKind::Index { base, index } => {
                let base_type = self.expr(scope, base);
                let index_type = self.expr(scope, index);
                let result = self.table.unknown();
                self.defer(Deferred::Index {
                    base: base_type,
                    index: index_type,
                    result,
                    span: base.span,
                    index_span: index.span,
                });
                result
            }
            ExprKind::Field { base, field } => self.field(scope, base, field, false),
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                let found = self.expr(scope, operand);
                let bool_type = self.concrete(&Type::Bool);
                self.expect(bool_type, found, operand.span, "`not` takes a bool");
                bool_type
            }
            ExprKind::Binary { op, left, right } => self.binary(scope, *op, left, right, expr),
            ExprKind::Paren(inner) => self.expr(scope, inner),
        }
    }

    fn field(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        base: &'a Expr,
        field: &'a Ident,
        missing_ok: bool,
    ) -> TypeId {
        let base_type = self.expr(scope, base);
        let result = self.table.unknown();
        self.defer(Deferred::Field {
            base: base_type,
            field: field.name.clone(),
            result,
            span: field.span,
            base_span: base.span,
            missing_ok,
        });
        result
    }

    fn binary(
        &mut self,
        scope: &Rc<TypeScope<'a>>,
        op: BinaryOp,
        left: &'a Expr,
        right: &'a Expr,
        whole: &'a Expr,
    ) -> TypeId {
        // `$s->port <|> 80`: a missing field is a catchable error here, with the fallback's type.
        let left_type = match (&op, &left.kind) {
            (BinaryOp::Except, ExprKind::Field { base, field }) => {
                self.field(scope, base, field, true)
            }
            _ => self.expr(scope, left),
        };
        let right_type = self.expr(scope, right);
        let bool_type = self.concrete(&Type::Bool);
        match op {
            BinaryOp::Except => {
                self.expect(
                    left_type,
                    right_type,
                    right.span,
                    "the fallback of `<|>` has the type of its left side",
                );
                left_type
            }
            BinaryOp::Or | BinaryOp::And => {
                if self.expect_lazy(bool_type, left_type, left.span, || {
                    format!("`{}` takes bools", op.symbol())
                }) {
                    self.expect_lazy(bool_type, right_type, right.span, || {
                        format!("`{}` takes bools", op.symbol())
                    });
                }
                bool_type
            }
            BinaryOp::Eq | BinaryOp::NotEq => {
                self.expect_lazy(left_type, right_type, right.span, || {
                    format!("both sides of `{}` have one type", op.symbol())
                });
                self.defer(Deferred::Comparable {
                    ty: left_type,
                    op,
                    span: whole.span,
                });
                bool_type
            }
            BinaryOp::Lt | BinaryOp::Gt | BinaryOp::LtEq | BinaryOp::GtEq => {
                // One mistake, one error: a mismatch says enough.
                if self.expect_lazy(left_type, right_type, right.span, || {
                    format!("both sides of `{}` have one type", op.symbol())
                }) {
                    self.defer(Deferred::Numeric {
                        ty: left_type,
                        op,
                        allow_str: false,
                        span: whole.span,
                    });
                }
                bool_type
            }
            BinaryOp::In => {
                self.defer(Deferred::In {
                    needle: left_type,
                    haystack: right_type,
                    span: right.span,
                });
                bool_type
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                if self.expect_lazy(left_type, right_type, right.span, || {
                    format!("both sides of `{}` have one type", op.symbol())
                }) {
                    self.defer(Deferred::Numeric {
                        ty: left_type,
                        op,
                        allow_str: op == BinaryOp::Add,
                        span: whole.span,
                    });
                }
                if op == BinaryOp::Div {
                    self.concrete(&Type::Float)
                } else {
                    left_type
                }
            }
        }
    }
}

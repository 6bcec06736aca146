//! Expression evaluation and the operators' run-time rules.

use super::closure::Closure;
use super::{errors, Catchable, EvalCore, Failure, ValueScope};
use crate::function::CallContext;
use crate::scope::{func_decl, Callee};
use crate::scope::{Scope, Slot};
use crate::value::{CallError, FuncValue, Value};
use mcl_grammar::ast::{BinaryOp, Expr, ExprKind, Ident, StrSegment, UnaryOp};
use mcl_grammar::Span;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

fn catchable(message: impl Into<String>, span: Span) -> Failure {
    Failure::Catchable(Catchable {
        message: message.into(),
        span,
    })
}

impl EvalCore {
    pub(crate) fn expr(&self, scope: &Rc<ValueScope>, expr: &Expr) -> Result<Value, Failure> {
        match &expr.kind {
            ExprKind::Bool(value) => Ok(Value::Bool(*value)),
            ExprKind::Int(value) => Ok(Value::Int(*value)),
            ExprKind::Float(value) => Ok(Value::Float(*value)),
            ExprKind::Str(segments) => {
                let mut text = String::new();
                for segment in segments {
                    match segment {
                        StrSegment::Text(part) => text.push_str(part),
                        StrSegment::Var(ident) => match self.variable(scope, ident)? {
                            Value::Str(part) => text.push_str(&part),
                            other => text.push_str(&other.to_string()),
                        },
                    }
                }
                Ok(Value::Str(text))
            }
            ExprKind::List(items) => items
                .iter()
                .map(|item| self.expr(scope, item))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List),
            ExprKind::Map(entries) => {
                let mut map = BTreeMap::new();
                for (key, value) in entries {
                    let key = self.expr(scope, key)?;
                    let value = self.expr(scope, value)?;
                    map.insert(key, value);
                }
                Ok(Value::Map(map))
            }
            ExprKind::Struct(fields) => fields
                .iter()
                .map(|(name, value)| Ok((name.name.clone(), self.expr(scope, value)?)))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Struct),
            ExprKind::Var(ident) => self.variable(scope, ident),
            ExprKind::Call { name, args } => self.call(scope, name, args, expr.span),
            ExprKind::Apply { function, args } => {
                let function_value = self.expr(scope, function)?;
                let values = args
                    .iter()
                    .map(|arg| self.expr(scope, arg))
                    .collect::<Result<Vec<_>, _>>()?;
                match function_value {
                    Value::Func(function_value) => self.apply(&function_value, values, expr.span),
                    _ => Err(self.report(errors::internal(
                        "called a value that is not a function",
                        expr.span,
                    ))),
                }
            }
            ExprKind::Lambda { params, body, .. } => Ok(Value::Func(FuncValue(Rc::new(Closure {
                core: self.this.clone(),
                scope: Rc::clone(scope),
                params: Arc::clone(params),
                body: Arc::clone(body),
            })))),
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => match self.expr(scope, condition)? {
                Value::Bool(true) => self.expr(scope, then),
                _ => self.expr(scope, otherwise),
            },
            ExprKind::Index { base, index } => {
                let base_value = self.expr(scope, base)?;
                let index_value = self.expr(scope, index)?;
                match (&base_value, &index_value) {
                    (Value::List(items), Value::Int(position)) => usize::try_from(*position)
                        .ok()
                        .and_then(|position| items.get(position).cloned())
                        .ok_or_else(|| {
                            catchable(
                                format!(
                                    "index {position} is out of range for a list of {} element{}",
                                    items.len(),
                                    if items.len() == 1 { "" } else { "s" }
                                ),
                                index.span,
                            )
                        }),
                    (Value::Map(map), key) => map
                        .get(key)
                        .cloned()
                        .ok_or_else(|| catchable(format!("the map has no key {key}"), index.span)),
                    _ => Err(self.report(errors::internal(
                        "indexed a value that is not a list or map",
                        expr.span,
                    ))),
                }
            }
            ExprKind::Field { base, field } => {
                let base_value = self.expr(scope, base)?;
                base_value.field(&field.name).cloned().ok_or_else(|| {
                    catchable(
                        format!("the struct has no field `{}`", field.name),
                        field.span,
                    )
                })
            }
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => match self.expr(scope, operand)? {
                Value::Bool(value) => Ok(Value::Bool(!value)),
                _ => Err(self.report(errors::internal(
                    "`not` of a value that is not a bool",
                    expr.span,
                ))),
            },
            ExprKind::Binary { op, left, right } => self.binary(scope, *op, left, right, expr.span),
            ExprKind::Paren(inner) => self.expr(scope, inner),
        }
    }

    fn binary(
        &self,
        scope: &Rc<ValueScope>,
        op: BinaryOp,
        left: &Expr,
        right: &Expr,
        span: Span,
    ) -> Result<Value, Failure> {
        match op {
            BinaryOp::Except => match self.expr(scope, left) {
                Err(Failure::Catchable(_)) => self.expr(scope, right),
                other => other,
            },
            BinaryOp::And => match self.expr(scope, left)? {
                Value::Bool(false) => Ok(Value::Bool(false)),
                _ => self.expr(scope, right),
            },
            BinaryOp::Or => match self.expr(scope, left)? {
                Value::Bool(true) => Ok(Value::Bool(true)),
                _ => self.expr(scope, right),
            },
            _ => {
                let left_value = self.expr(scope, left)?;
                let right_value = self.expr(scope, right)?;
                let kinds = (left_value.kind_name(), right_value.kind_name());
                operate(op, left_value, right_value, span).map_err(|failure| match failure {
                    Operation::Catchable(message) => catchable(message, span),
                    // The checker lets only a `variant` reach here with the
                    // wrong value: what it holds is known at run time.
                    Operation::Mistyped => catchable(
                        format!(
                            "`{}` cannot take {} and {} (a `variant` held a value of \
                             another type than this use needs)",
                            op.symbol(),
                            with_article(kinds.0),
                            with_article(kinds.1)
                        ),
                        span,
                    ),
                })
            }
        }
    }

    fn call(
        &self,
        scope: &Rc<ValueScope>,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Result<Value, Failure> {
        let values = args
            .iter()
            .map(|arg| self.expr(scope, arg))
            .collect::<Result<Vec<_>, _>>()?;
        match self.callee(scope, name)? {
            Callee::User(definition, decl) => {
                let Some(decl) = func_decl(&decl) else {
                    return Err(self.report(errors::internal("not a function", name.span)));
                };
                self.descend(name.span)?;
                let mut body_scope = Scope::empty(Some(Rc::clone(&definition)), definition.module);
                for (param, value) in decl.params.iter().zip(values) {
                    body_scope
                        .binds
                        .insert(param.name.name.clone(), Slot::done(&param.name, Ok(value)));
                }
                let result = self.expr(&Rc::new(body_scope), &decl.body);
                self.ascend();
                result
            }
            Callee::Builtin(function) => {
                let mut context = CallContext::new(self.inputs.host.as_ref(), &self.watches)
                    .with_world(self.inputs.world.as_ref());
                if let Some(ty) = self.inputs.result_types.get(span) {
                    context = context.with_result_type(ty);
                }
                match function.call(&context, values) {
                    Ok(value) => Ok(value),
                    Err(CallError::Catchable(message)) => Err(catchable(message, span)),
                    Err(CallError::Fatal(message)) if name.name == "panic" => {
                        let message = message.strip_prefix("panic: ").unwrap_or(&message);
                        Err(self.report(errors::panic(message, span)))
                    }
                    Err(CallError::Fatal(message)) => {
                        Err(self.report(errors::function_failed(&name.name, &message, span)))
                    }
                }
            }
        }
    }

    fn apply(&self, function: &FuncValue, args: Vec<Value>, span: Span) -> Result<Value, Failure> {
        match function.call(args) {
            Ok(value) => Ok(value),
            Err(CallError::Catchable(message)) => Err(catchable(message, span)),
            Err(CallError::Fatal(message)) => {
                Err(self.report(errors::function_failed("the function", &message, span)))
            }
        }
    }
}

enum Operation {
    Catchable(String),
    Mistyped,
}

/// The arithmetic, comparison and membership operators on values.
/// "an int", "a list".
fn with_article(kind: &str) -> String {
    match kind.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

fn operate(op: BinaryOp, left: Value, right: Value, _span: Span) -> Result<Value, Operation> {
    use Value::{Bool, Float, Int, Str};
    let overflow = || Operation::Catchable(format!("integer overflow in `{}`", op.symbol()));
    Ok(match (op, left, right) {
        (BinaryOp::Add, Int(a), Int(b)) => Int(a.checked_add(b).ok_or_else(overflow)?),
        (BinaryOp::Sub, Int(a), Int(b)) => Int(a.checked_sub(b).ok_or_else(overflow)?),
        (BinaryOp::Mul, Int(a), Int(b)) => Int(a.checked_mul(b).ok_or_else(overflow)?),
        (BinaryOp::Add, Float(a), Float(b)) => Float(a + b),
        (BinaryOp::Sub, Float(a), Float(b)) => Float(a - b),
        (BinaryOp::Mul, Float(a), Float(b)) => Float(a * b),
        (BinaryOp::Add, Str(a), Str(b)) => Str(a + &b),
        (BinaryOp::Div, Int(a), Int(b)) => {
            if b == 0 {
                return Err(Operation::Catchable("division by zero".to_owned()));
            }
            Float(a as f64 / b as f64)
        }
        (BinaryOp::Div, Float(a), Float(b)) => {
            if b == 0.0 {
                return Err(Operation::Catchable("division by zero".to_owned()));
            }
            Float(a / b)
        }
        (BinaryOp::Eq, a, b) => Bool(a == b),
        (BinaryOp::NotEq, a, b) => Bool(a != b),
        (BinaryOp::Lt, Int(a), Int(b)) => Bool(a < b),
        (BinaryOp::Gt, Int(a), Int(b)) => Bool(a > b),
        (BinaryOp::LtEq, Int(a), Int(b)) => Bool(a <= b),
        (BinaryOp::GtEq, Int(a), Int(b)) => Bool(a >= b),
        (BinaryOp::Lt, Float(a), Float(b)) => Bool(a < b),
        (BinaryOp::Gt, Float(a), Float(b)) => Bool(a > b),
        (BinaryOp::LtEq, Float(a), Float(b)) => Bool(a <= b),
        (BinaryOp::GtEq, Float(a), Float(b)) => Bool(a >= b),
        (BinaryOp::In, needle, Value::List(items)) => Bool(items.contains(&needle)),
        (BinaryOp::In, needle, Value::Map(map)) => Bool(map.contains_key(&needle)),
        (BinaryOp::In, Str(needle), Str(haystack)) => Bool(haystack.contains(&needle)),
        _ => return Err(Operation::Mistyped),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: BinaryOp, left: Value, right: Value) -> Result<Value, Operation> {
        operate(op, left, right, Span::default())
    }

    #[test]
    fn division_always_gives_a_float() {
        assert!(
            matches!(run(BinaryOp::Div, Value::Int(7), Value::Int(2)), Ok(Value::Float(value)) if value == 3.5)
        );
    }

    #[test]
    fn overflow_and_division_by_zero_are_catchable() {
        assert!(matches!(
            run(BinaryOp::Add, Value::Int(i64::MAX), Value::Int(1)),
            Err(Operation::Catchable(_))
        ));
        assert!(matches!(
            run(BinaryOp::Div, Value::Int(1), Value::Int(0)),
            Err(Operation::Catchable(_))
        ));
    }

    #[test]
    fn membership_works_on_lists_maps_and_strings() {
        let list = Value::List(vec![Value::Int(1), Value::Int(2)]);
        assert!(matches!(
            run(BinaryOp::In, Value::Int(2), list),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            run(BinaryOp::In, Value::str("ell"), Value::str("hello")),
            Ok(Value::Bool(true))
        ));
    }
}

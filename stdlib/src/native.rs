//! The plumbing every core function shares: [`Native`], a [`Function`] built
//! from a signature rule, an optional type check and a body, and the argument
//! accessors the bodies use.
//!
//! Most functions have one fixed signature; the few whose signature depends on
//! the call (argument count, constant arguments) give a rule instead. Argument
//! accessors fail with [`CallError::Fatal`]: a value of the wrong kind means
//! the type checker let something through, which no program can catch.

use mcl_compiler::function::{CallContext, CallShape, Function, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, FuncValue, Value};
use std::collections::BTreeMap;

type Body = Box<dyn Fn(&CallContext<'_>, Vec<Value>) -> Result<Value, CallError> + Send + Sync>;
type Rule = Box<dyn Fn(CallShape<'_>) -> Result<Signature, String> + Send + Sync>;
type Check = Box<dyn Fn(&[Type], &Type) -> Result<(), String> + Send + Sync>;

enum SignatureRule {
    Fixed(Signature),
    Shaped(Rule),
}

/// A core function: its signature (or the rule that computes it), an optional
/// restriction of its generics, and its body.
pub(crate) struct Native {
    name: String,
    signature: SignatureRule,
    check: Option<Check>,
    body: Body,
    reactive: bool,
}

impl Native {
    /// A function with one signature; `name` is how messages call it
    /// (`strings.to_lower`).
    pub(crate) fn new(
        name: &str,
        params: Vec<Type>,
        ret: Type,
        body: impl Fn(&CallContext<'_>, Vec<Value>) -> Result<Value, CallError> + Send + Sync + 'static,
    ) -> Native {
        Native {
            name: name.to_owned(),
            signature: SignatureRule::Fixed(Signature::new(params, ret)),
            check: None,
            body: Box::new(body),
            reactive: false,
        }
    }

    /// A pure function of its arguments, with one signature.
    pub(crate) fn pure(
        name: &str,
        params: Vec<Type>,
        ret: Type,
        body: impl Fn(Vec<Value>) -> Result<Value, CallError> + Send + Sync + 'static,
    ) -> Native {
        Native::new(name, params, ret, move |_, args| body(args))
    }

    /// A function whose signature depends on the call site.
    pub(crate) fn shaped(
        name: &str,
        rule: impl Fn(CallShape<'_>) -> Result<Signature, String> + Send + Sync + 'static,
        body: impl Fn(&CallContext<'_>, Vec<Value>) -> Result<Value, CallError> + Send + Sync + 'static,
    ) -> Native {
        Native {
            name: name.to_owned(),
            signature: SignatureRule::Shaped(Box::new(rule)),
            check: None,
            body: Box::new(body),
            reactive: false,
        }
    }

    /// Restricts the types the generics may take at a call site.
    pub(crate) fn checked(
        mut self,
        check: impl Fn(&[Type], &Type) -> Result<(), String> + Send + Sync + 'static,
    ) -> Native {
        self.check = Some(Box::new(check));
        self
    }

    /// Marks the value as changing over time (the body records its watches).
    pub(crate) fn reactive(mut self) -> Native {
        self.reactive = true;
        self
    }
}

impl Function for Native {
    fn signature(&self, shape: CallShape<'_>) -> Result<Signature, String> {
        match &self.signature {
            SignatureRule::Fixed(signature) => {
                let expected = signature.params.len();
                if shape.arg_count() != expected {
                    return Err(format!(
                        "`{}` takes {}, not {}",
                        self.name,
                        count(expected, "argument"),
                        shape.arg_count()
                    ));
                }
                Ok(signature.clone())
            }
            SignatureRule::Shaped(rule) => rule(shape),
        }
    }

    fn check(&self, params: &[Type], ret: &Type) -> Result<(), String> {
        match &self.check {
            Some(check) => check(params, ret),
            None => Ok(()),
        }
    }

    fn call(&self, context: &CallContext<'_>, args: Vec<Value>) -> Result<Value, CallError> {
        (self.body)(context, args)
    }

    fn reactive(&self) -> bool {
        self.reactive
    }
}

/// "1 argument", "3 arguments".
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The error for an argument whose value is not of the kind the signature
/// promised: a type checker bug, never the program's fault.
fn wrong_kind(index: usize, expected: &str, found: Option<&Value>) -> CallError {
    CallError::Fatal(match found {
        Some(value) => format!("argument {} should be {expected}, not {value}", index + 1),
        None => format!("argument {} ({expected}) is missing", index + 1),
    })
}

pub(crate) fn arg(args: &[Value], index: usize) -> Result<&Value, CallError> {
    args.get(index)
        .ok_or_else(|| wrong_kind(index, "a value", None))
}

pub(crate) fn arg_str(args: &[Value], index: usize) -> Result<&str, CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_str)
        .ok_or_else(|| wrong_kind(index, "a str", value))
}

pub(crate) fn arg_int(args: &[Value], index: usize) -> Result<i64, CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_int)
        .ok_or_else(|| wrong_kind(index, "an int", value))
}

pub(crate) fn arg_float(args: &[Value], index: usize) -> Result<f64, CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_float)
        .ok_or_else(|| wrong_kind(index, "a float", value))
}

pub(crate) fn arg_bool(args: &[Value], index: usize) -> Result<bool, CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_bool)
        .ok_or_else(|| wrong_kind(index, "a bool", value))
}

pub(crate) fn arg_list(args: &[Value], index: usize) -> Result<&[Value], CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_list)
        .ok_or_else(|| wrong_kind(index, "a list", value))
}

pub(crate) fn arg_map(args: &[Value], index: usize) -> Result<&BTreeMap<Value, Value>, CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_map)
        .ok_or_else(|| wrong_kind(index, "a map", value))
}

pub(crate) fn arg_func(args: &[Value], index: usize) -> Result<&FuncValue, CallError> {
    let value = args.get(index);
    value
        .and_then(Value::as_func)
        .ok_or_else(|| wrong_kind(index, "a function", value))
}

/// The text of an I/O error without Rust's " (os error 2)" suffix, so
/// messages read "cannot read /x: No such file or directory".
pub(crate) fn io_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_owned(),
        _ => text,
    }
}

/// Whether a resolved type may stand where any of `allowed` heads may
/// (`Variant` may, its value is checked when the call runs).
pub(crate) fn is_one_of(ty: &Type, allowed: &[fn(&Type) -> bool]) -> bool {
    matches!(ty, Type::Variant) || allowed.iter().any(|test| test(ty))
}

pub(crate) fn is_str(ty: &Type) -> bool {
    matches!(ty, Type::Str)
}

pub(crate) fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Bool)
}

pub(crate) fn is_int(ty: &Type) -> bool {
    matches!(ty, Type::Int)
}

pub(crate) fn is_float(ty: &Type) -> bool {
    matches!(ty, Type::Float)
}

pub(crate) fn is_list(ty: &Type) -> bool {
    matches!(ty, Type::List(_))
}

pub(crate) fn is_map(ty: &Type) -> bool {
    matches!(ty, Type::Map(..))
}

/// Whether values of the type can be compared with `==`.
pub(crate) fn is_comparable(ty: &Type) -> bool {
    match ty {
        Type::Func(..) => false,
        Type::List(element) => is_comparable(element),
        Type::Map(key, value) => is_comparable(key) && is_comparable(value),
        Type::Struct(fields) => fields.iter().all(|(_, ty)| is_comparable(ty)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_messages_drop_the_os_error_number() {
        let error = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&error), "No such file or directory");
    }

    #[test]
    fn fixed_signatures_check_the_argument_count() {
        let function = Native::pure("strings.to_lower", vec![Type::Str], Type::Str, |args| {
            Ok(args[0].clone())
        });
        let constants = [None, None];
        let error = function
            .signature(CallShape {
                constants: &constants,
            })
            .unwrap_err();
        assert_eq!(error, "`strings.to_lower` takes 1 argument, not 2");
    }
}

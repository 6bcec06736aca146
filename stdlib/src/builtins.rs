//! The functions that need no import: `len`, `concat`, `contains`, `panic`
//! and `history`.
//!
//! `history(value, index)` needs state that outlives one evaluation (the
//! values an expression had before), which only the engine has. Outside it,
//! index 0 (the current value) is all there is; any other index fails with a
//! catchable error, so `history($x, 1) <|> $x` works everywhere.

use crate::native::{
    arg, arg_int, arg_list, is_bool, is_comparable, is_list, is_map, is_one_of, is_str, Native,
};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        "",
        "len",
        Native::pure("len", vec![Type::Generic(0)], Type::Int, |args| {
            // Go's len: a str's length is its length in bytes.
            let length = match arg(&args, 0)? {
                Value::Str(text) => text.len(),
                Value::List(values) => values.len(),
                Value::Map(map) => map.len(),
                other => return Err(CallError::Fatal(format!("`len` of {other}"))),
            };
            Ok(Value::Int(i64::try_from(length).unwrap_or(i64::MAX)))
        })
        .checked(|params, _| match params.first() {
            Some(ty) if is_one_of(ty, &[is_str, is_list, is_map]) => Ok(()),
            Some(ty) => Err(format!("`len` takes a str, list or map, not {ty}")),
            None => Ok(()),
        }),
    );

    registry.register(
        "",
        "concat",
        Native::pure("concat", vec![Type::Str, Type::Str], Type::Str, |args| {
            let mut joined = crate::native::arg_str(&args, 0)?.to_owned();
            joined.push_str(crate::native::arg_str(&args, 1)?);
            Ok(Value::Str(joined))
        }),
    );

    registry.register(
        "",
        "contains",
        Native::pure(
            "contains",
            vec![Type::Generic(0), Type::list(Type::Generic(0))],
            Type::Bool,
            |args| {
                let needle = arg(&args, 0)?;
                Ok(Value::Bool(arg_list(&args, 1)?.contains(needle)))
            },
        )
        .checked(|params, _| match params.first() {
            Some(ty) if !is_comparable(ty) => Err(format!(
                "`contains` compares values with ==, which {ty} does not support"
            )),
            _ => Ok(()),
        }),
    );

    registry.register(
        "",
        "panic",
        Native::pure(
            "panic",
            vec![Type::Generic(0)],
            Type::Bool,
            |args| match arg(&args, 0)? {
                Value::Bool(true) => {
                    Err(CallError::Fatal("panic: the condition is true".to_owned()))
                }
                Value::Str(message) if !message.is_empty() => {
                    Err(CallError::Fatal(format!("panic: {message}")))
                }
                Value::Bool(false) | Value::Str(_) => Ok(Value::Bool(false)),
                other => Err(CallError::Fatal(format!("`panic` of {other}"))),
            },
        )
        .checked(|params, _| match params.first() {
            Some(ty) if is_one_of(ty, &[is_bool, is_str]) => Ok(()),
            Some(ty) => Err(format!("`panic` takes a bool or a str, not {ty}")),
            None => Ok(()),
        }),
    );

    registry.register(
        "",
        "history",
        Native::pure(
            "history",
            vec![Type::Generic(0), Type::Int],
            Type::Generic(0),
            |args| {
                let value = arg(&args, 0)?;
                match arg_int(&args, 1)? {
                    0 => Ok(value.clone()),
                    index if index < 0 => Err(CallError::catchable(format!(
                        "history index must not be negative, got {index}"
                    ))),
                    index => Err(CallError::catchable(format!(
                        "history is not available outside the engine (index {index})"
                    ))),
                }
            },
        ),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::types::Type;
    use mcl_compiler::value::{CallError, Value};
    use std::collections::BTreeMap;

    #[test]
    fn len_counts_bytes_elements_and_keys() {
        assert_eq!(ok("", "len", vec![s("héllo")]), Value::Int(6));
        assert_eq!(ok("", "len", vec![ints(&[1, 2, 3])]), Value::Int(3));
        let mut map = BTreeMap::new();
        map.insert(s("a"), Value::Int(1));
        assert_eq!(ok("", "len", vec![Value::Map(map)]), Value::Int(1));
    }

    #[test]
    fn len_refuses_other_types() {
        assert_eq!(
            check("", "len", &[Type::Int], &Type::Int).unwrap_err(),
            "`len` takes a str, list or map, not int"
        );
        assert!(check("", "len", &[Type::list(Type::Str)], &Type::Int).is_ok());
        assert!(check("", "len", &[Type::Variant], &Type::Int).is_ok());
    }

    #[test]
    fn concat_joins_two_strings() {
        assert_eq!(ok("", "concat", vec![s("ab"), s("cd")]), s("abcd"));
        assert!(signature("", "concat", 3).is_err());
    }

    #[test]
    fn contains_looks_for_an_equal_element() {
        assert_eq!(
            ok("", "contains", vec![s("b"), strs(&["a", "b"])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("", "contains", vec![Value::Int(4), ints(&[1, 2])]),
            Value::Bool(false)
        );
        let func = Type::func(vec![], Type::Int);
        assert!(check(
            "",
            "contains",
            &[func.clone(), Type::list(func)],
            &Type::Bool
        )
        .is_err());
    }

    #[test]
    fn panic_fails_on_true_or_a_message() {
        assert_eq!(
            ok("", "panic", vec![Value::Bool(false)]),
            Value::Bool(false)
        );
        assert_eq!(ok("", "panic", vec![s("")]), Value::Bool(false));
        assert_eq!(
            call("", "panic", vec![s("boom")]),
            Err(CallError::Fatal("panic: boom".to_owned()))
        );
        assert!(matches!(
            call("", "panic", vec![Value::Bool(true)]),
            Err(CallError::Fatal(_))
        ));
        assert_eq!(
            check("", "panic", &[Type::Int], &Type::Bool).unwrap_err(),
            "`panic` takes a bool or a str, not int"
        );
    }

    #[test]
    fn history_knows_only_the_current_value() {
        assert_eq!(ok("", "history", vec![s("x"), Value::Int(0)]), s("x"));
        assert_eq!(
            catchable("", "history", vec![s("x"), Value::Int(2)]),
            "history is not available outside the engine (index 2)"
        );
        assert!(catchable("", "history", vec![s("x"), Value::Int(-1)]).contains("negative"));
        let signature = signature("", "history", 2).unwrap();
        assert_eq!(signature.ret, Type::Generic(0));
    }
}

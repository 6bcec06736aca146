//! The `convert` module: between int, float, str and bool. Parsing a string
//! that is not a number or a bool is a catchable error, so
//! `convert.str_to_int($s) <|> 0` reads naturally.

use crate::native::{arg_bool, arg_float, arg_int, arg_str, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{format_float, CallError, Value};

const MODULE: &str = "convert";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "int_to_str",
        Native::pure("convert.int_to_str", vec![Type::Int], Type::Str, |args| {
            Ok(Value::Str(arg_int(&args, 0)?.to_string()))
        }),
    );

    registry.register(
        MODULE,
        "str_to_int",
        Native::pure("convert.str_to_int", vec![Type::Str], Type::Int, |args| {
            let text = arg_str(&args, 0)?;
            text.parse::<i64>().map(Value::Int).map_err(|error| {
                CallError::catchable(format!("cannot convert {text:?} to an int: {error}"))
            })
        }),
    );

    registry.register(
        MODULE,
        "str_to_float",
        Native::pure(
            "convert.str_to_float",
            vec![Type::Str],
            Type::Float,
            |args| {
                let text = arg_str(&args, 0)?;
                text.parse::<f64>().map(Value::Float).map_err(|_| {
                    CallError::catchable(format!("cannot convert {text:?} to a float"))
                })
            },
        ),
    );

    registry.register(
        MODULE,
        "to_float",
        Native::pure("convert.to_float", vec![Type::Int], Type::Float, |args| {
            Ok(Value::Float(arg_int(&args, 0)? as f64))
        }),
    );

    registry.register(
        MODULE,
        "to_int",
        Native::pure("convert.to_int", vec![Type::Float], Type::Int, |args| {
            // Truncates toward zero, as Go's int64(x) does.
            let value = arg_float(&args, 0)?;
            let truncated = value.trunc();
            if truncated.is_finite() && truncated >= -(2f64.powi(63)) && truncated < 2f64.powi(63) {
                Ok(Value::Int(truncated as i64))
            } else {
                Err(CallError::catchable(format!(
                    "{} does not fit in an int",
                    format_float(value)
                )))
            }
        }),
    );

    registry.register(
        MODULE,
        "format_bool",
        Native::pure("convert.format_bool", vec![Type::Bool], Type::Str, |args| {
            Ok(Value::Str(arg_bool(&args, 0)?.to_string()))
        }),
    );

    registry.register(
        MODULE,
        "parse_bool",
        Native::pure("convert.parse_bool", vec![Type::Str], Type::Bool, |args| {
            // The spellings Go's strconv.ParseBool accepts.
            match arg_str(&args, 0)? {
                "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(Value::Bool(true)),
                "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(Value::Bool(false)),
                other => Err(CallError::catchable(format!(
                    "cannot convert {other:?} to a bool (use true or false)"
                ))),
            }
        }),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;

    #[test]
    fn ints_and_strings() {
        assert_eq!(ok("convert", "int_to_str", vec![Value::Int(-12)]), s("-12"));
        assert_eq!(ok("convert", "str_to_int", vec![s("42")]), Value::Int(42));
        assert_eq!(
            catchable("convert", "str_to_int", vec![s("4x")]),
            "cannot convert \"4x\" to an int: invalid digit found in string"
        );
    }

    #[test]
    fn floats_and_strings() {
        assert_eq!(
            ok("convert", "str_to_float", vec![s("2.5")]),
            Value::Float(2.5)
        );
        assert_eq!(
            catchable("convert", "str_to_float", vec![s("two")]),
            "cannot convert \"two\" to a float"
        );
    }

    #[test]
    fn ints_and_floats() {
        assert_eq!(
            ok("convert", "to_float", vec![Value::Int(3)]),
            Value::Float(3.0)
        );
        assert_eq!(
            ok("convert", "to_int", vec![Value::Float(-3.9)]),
            Value::Int(-3)
        );
        assert_eq!(
            catchable("convert", "to_int", vec![Value::Float(1e30)]),
            "1000000000000000000000000000000 does not fit in an int"
        );
        assert!(catchable("convert", "to_int", vec![Value::Float(f64::NAN)]).contains("NaN"));
    }

    #[test]
    fn bools_and_strings() {
        assert_eq!(
            ok("convert", "format_bool", vec![Value::Bool(true)]),
            s("true")
        );
        assert_eq!(
            ok("convert", "parse_bool", vec![s("F")]),
            Value::Bool(false)
        );
        assert_eq!(ok("convert", "parse_bool", vec![s("1")]), Value::Bool(true));
        assert!(catchable("convert", "parse_bool", vec![s("yes")]).contains("\"yes\""));
    }
}

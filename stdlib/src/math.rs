//! The `math` module: `mod` (int or float, as mcl has no `%`), `pow`,
//! `sqrt`, and mgmt's two small examples `fortytwo` and `minus1`.
//!
//! Results that are not numbers (a zero divisor, the root of a negative,
//! an overflow to infinity) are catchable errors, never NaN values.

use crate::native::{arg, arg_float, arg_int, is_float, is_int, is_one_of, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{format_float as show, CallError, Value};

const MODULE: &str = "math";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "mod",
        Native::pure(
            "math.mod",
            vec![Type::Generic(0), Type::Generic(0)],
            Type::Generic(0),
            |args| match (arg(&args, 0)?, arg(&args, 1)?) {
                (Value::Int(x), Value::Int(y)) => {
                    if *y == 0 {
                        return Err(CallError::catchable(format!(
                            "division by zero in math.mod({x}, 0)"
                        )));
                    }
                    // i64::MIN % -1 overflows; its remainder is 0.
                    Ok(Value::Int(x.checked_rem(*y).unwrap_or(0)))
                }
                (Value::Float(x), Value::Float(y)) => {
                    finite(x % y, || format!("math.mod({}, {})", show(*x), show(*y)))
                        .map(Value::Float)
                }
                (x, y) => Err(CallError::Fatal(format!("math.mod of {x} and {y}"))),
            },
        )
        .checked(|params, _| match params.first() {
            Some(ty) if is_one_of(ty, &[is_int, is_float]) => Ok(()),
            Some(ty) => Err(format!("`math.mod` takes two ints or two floats, not {ty}")),
            None => Ok(()),
        }),
    );

    registry.register(
        MODULE,
        "pow",
        Native::pure(
            "math.pow",
            vec![Type::Float, Type::Float],
            Type::Float,
            |args| {
                let (x, y) = (arg_float(&args, 0)?, arg_float(&args, 1)?);
                finite(x.powf(y), || format!("math.pow({}, {})", show(x), show(y)))
                    .map(Value::Float)
            },
        ),
    );

    registry.register(
        MODULE,
        "sqrt",
        Native::pure("math.sqrt", vec![Type::Float], Type::Float, |args| {
            let x = arg_float(&args, 0)?;
            if x < 0.0 {
                return Err(CallError::catchable(format!(
                    "cannot take the square root of the negative number {}",
                    show(x)
                )));
            }
            finite(x.sqrt(), || format!("math.sqrt({})", show(x))).map(Value::Float)
        }),
    );

    registry.register(
        MODULE,
        "fortytwo",
        Native::pure("math.fortytwo", vec![], Type::Int, |_| Ok(Value::Int(42))),
    );

    registry.register(
        MODULE,
        "minus1",
        Native::pure("math.minus1", vec![Type::Int], Type::Int, |args| {
            Ok(Value::Int(arg_int(&args, 0)?.wrapping_sub(1)))
        }),
    );
}

/// `value` when it is a finite number, else a catchable error naming the
/// expression that produced it.
fn finite(value: f64, expression: impl Fn() -> String) -> Result<f64, CallError> {
    if value.is_nan() {
        Err(CallError::catchable(format!(
            "{} is not a number",
            expression()
        )))
    } else if value.is_infinite() {
        Err(CallError::catchable(format!(
            "{} is infinite",
            expression()
        )))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::types::Type;
    use mcl_compiler::value::Value;

    #[test]
    fn mod_works_on_ints_and_floats() {
        assert_eq!(
            ok("math", "mod", vec![Value::Int(7), Value::Int(3)]),
            Value::Int(1)
        );
        assert_eq!(
            ok("math", "mod", vec![Value::Int(-7), Value::Int(3)]),
            Value::Int(-1)
        );
        assert_eq!(
            ok("math", "mod", vec![Value::Float(7.5), Value::Float(2.0)]),
            Value::Float(1.5)
        );
        assert_eq!(
            ok("math", "mod", vec![Value::Int(i64::MIN), Value::Int(-1)]),
            Value::Int(0)
        );
    }

    #[test]
    fn mod_by_zero_is_catchable() {
        assert_eq!(
            catchable("math", "mod", vec![Value::Int(5), Value::Int(0)]),
            "division by zero in math.mod(5, 0)"
        );
        assert!(
            catchable("math", "mod", vec![Value::Float(5.0), Value::Float(0.0)])
                .contains("not a number")
        );
    }

    #[test]
    fn mod_takes_only_numbers() {
        assert!(check("math", "mod", &[Type::Int, Type::Int], &Type::Int).is_ok());
        assert_eq!(
            check("math", "mod", &[Type::Str, Type::Str], &Type::Str).unwrap_err(),
            "`math.mod` takes two ints or two floats, not str"
        );
    }

    #[test]
    fn pow_and_sqrt() {
        assert_eq!(
            ok("math", "pow", vec![Value::Float(2.0), Value::Float(10.0)]),
            Value::Float(1024.0)
        );
        assert!(
            catchable("math", "pow", vec![Value::Float(10.0), Value::Float(400.0)])
                .contains("infinite")
        );
        assert!(
            catchable("math", "pow", vec![Value::Float(-8.0), Value::Float(0.5)])
                .contains("not a number")
        );
        assert_eq!(
            ok("math", "sqrt", vec![Value::Float(9.0)]),
            Value::Float(3.0)
        );
        assert_eq!(
            catchable("math", "sqrt", vec![Value::Float(-1.0)]),
            "cannot take the square root of the negative number -1.0"
        );
    }

    #[test]
    fn the_examples() {
        assert_eq!(ok("math", "fortytwo", vec![]), Value::Int(42));
        assert_eq!(ok("math", "minus1", vec![Value::Int(43)]), Value::Int(42));
    }
}

//! The `iter` module: `map`, `filter`, `reduce` and `zip` call a lambda of
//! the program over list elements; `range` builds int lists like Python's;
//! `flatten` joins a list of lists.
//!
//! Argument orders follow mgmt (the list first, the function last) so that
//! inline lambdas read well; `reduce` takes its optional initial value
//! first. An error from the lambda, catchable or not, is the call's error.

use crate::native::{arg, arg_func, arg_int, arg_list, count, Native};
use mcl_compiler::function::{CallShape, FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "iter";

/// The longest list `iter.range` builds.
const RANGE_LIMIT: i128 = 10_000_000;

fn generic(number: u32) -> Type {
    Type::Generic(number)
}

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "map",
        Native::pure(
            "iter.map",
            vec![
                Type::list(generic(0)),
                Type::func(vec![generic(0)], generic(1)),
            ],
            Type::list(generic(1)),
            |args| {
                let function = arg_func(&args, 1)?;
                arg_list(&args, 0)?
                    .iter()
                    .map(|element| function.call(vec![element.clone()]))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::List)
            },
        ),
    );

    registry.register(
        MODULE,
        "filter",
        Native::pure(
            "iter.filter",
            vec![
                Type::list(generic(0)),
                Type::func(vec![generic(0)], Type::Bool),
            ],
            Type::list(generic(0)),
            |args| {
                let function = arg_func(&args, 1)?;
                let mut kept = Vec::new();
                for element in arg_list(&args, 0)? {
                    match function.call(vec![element.clone()])? {
                        Value::Bool(true) => kept.push(element.clone()),
                        Value::Bool(false) => {}
                        other => {
                            return Err(CallError::Fatal(format!(
                                "the iter.filter function returned {other}, not a bool"
                            )))
                        }
                    }
                }
                Ok(Value::List(kept))
            },
        ),
    );

    registry.register(
        MODULE,
        "reduce",
        Native::shaped("iter.reduce", reduce_signature, |_, args| {
            let (mut accumulator, elements, function) = if args.len() == 3 {
                (
                    arg(&args, 0)?.clone(),
                    arg_list(&args, 1)?,
                    arg_func(&args, 2)?,
                )
            } else {
                let elements = arg_list(&args, 0)?;
                let Some((first, rest)) = elements.split_first() else {
                    return Err(CallError::catchable(
                        "cannot reduce an empty list without an initial value",
                    ));
                };
                (first.clone(), rest, arg_func(&args, 1)?)
            };
            for element in elements {
                accumulator = function.call(vec![accumulator, element.clone()])?;
            }
            Ok(accumulator)
        }),
    );

    registry.register(
        MODULE,
        "zip",
        Native::pure(
            "iter.zip",
            vec![
                Type::list(generic(0)),
                Type::list(generic(1)),
                Type::func(vec![generic(0), generic(1)], generic(2)),
            ],
            Type::list(generic(2)),
            |args| {
                let function = arg_func(&args, 2)?;
                arg_list(&args, 0)?
                    .iter()
                    .zip(arg_list(&args, 1)?)
                    .map(|(x, y)| function.call(vec![x.clone(), y.clone()]))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::List)
            },
        ),
    );

    registry.register(
        MODULE,
        "range",
        Native::shaped(
            "iter.range",
            |shape| match shape.arg_count() {
                1..=3 => Ok(Signature::new(
                    vec![Type::Int; shape.arg_count()],
                    Type::list(Type::Int),
                )),
                other => Err(format!(
                    "`iter.range` takes 1 to 3 ints (stop; start, stop; or start, stop, step), \
                     not {}",
                    count(other, "argument")
                )),
            },
            |_, args| {
                let numbers = (0..args.len())
                    .map(|index| arg_int(&args, index))
                    .collect::<Result<Vec<_>, _>>()?;
                range(&numbers)
            },
        ),
    );

    registry.register(
        MODULE,
        "flatten",
        Native::pure(
            "iter.flatten",
            vec![Type::list(Type::list(generic(0)))],
            Type::list(generic(0)),
            |args| {
                let mut flat = Vec::new();
                for (index, inner) in arg_list(&args, 0)?.iter().enumerate() {
                    let Some(values) = inner.as_list() else {
                        return Err(CallError::Fatal(format!(
                            "iter.flatten: element {index} is {inner}, not a list"
                        )));
                    };
                    flat.extend(values.iter().cloned());
                }
                Ok(Value::List(flat))
            },
        ),
    );
}

/// `reduce(list, func(A, A) A) A`, or with an initial value
/// `reduce(init B, list []A, func(B, A) B) B`.
fn reduce_signature(shape: CallShape<'_>) -> Result<Signature, String> {
    match shape.arg_count() {
        2 => Ok(Signature::new(
            vec![
                Type::list(generic(0)),
                Type::func(vec![generic(0), generic(0)], generic(0)),
            ],
            generic(0),
        )),
        3 => Ok(Signature::new(
            vec![
                generic(1),
                Type::list(generic(0)),
                Type::func(vec![generic(1), generic(0)], generic(1)),
            ],
            generic(1),
        )),
        other => Err(format!(
            "`iter.reduce` takes a list and a function, optionally after an initial value, \
             not {}",
            count(other, "argument")
        )),
    }
}

/// Python's `range`: `[start, stop)` by `step`.
fn range(numbers: &[i64]) -> Result<Value, CallError> {
    let (start, stop, step) = match numbers {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        _ => return Err(CallError::Fatal("iter.range needs 1 to 3 ints".to_owned())),
    };
    if step == 0 {
        return Err(CallError::catchable("iter.range step must not be zero"));
    }
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    let length = if step > 0 {
        (stop - start + step - 1).div_euclid(step).max(0)
    } else {
        (start - stop - step - 1).div_euclid(-step).max(0)
    };
    if length > RANGE_LIMIT {
        return Err(CallError::catchable(format!(
            "iter.range would make {length} elements; the limit is {RANGE_LIMIT}"
        )));
    }
    let values = (0..length)
        .map(|index| Value::Int(i64::try_from(start + index * step).unwrap_or(0)))
        .collect();
    Ok(Value::List(values))
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::types::Type;
    use mcl_compiler::value::{CallError, Value};

    fn double(args: Vec<Value>) -> Result<Value, CallError> {
        Ok(Value::Int(args[0].as_int().unwrap_or(0) * 2))
    }

    fn is_even(args: Vec<Value>) -> Result<Value, CallError> {
        Ok(Value::Bool(args[0].as_int().unwrap_or(1) % 2 == 0))
    }

    fn add(args: Vec<Value>) -> Result<Value, CallError> {
        Ok(Value::Int(
            args[0].as_int().unwrap_or(0) + args[1].as_int().unwrap_or(0),
        ))
    }

    fn fail(_: Vec<Value>) -> Result<Value, CallError> {
        Err(CallError::catchable("nope"))
    }

    #[test]
    fn map_calls_the_function_on_each_element() {
        assert_eq!(
            ok("iter", "map", vec![ints(&[1, 2, 3]), lambda(double)]),
            ints(&[2, 4, 6])
        );
        assert_eq!(
            call("iter", "map", vec![ints(&[1]), lambda(fail)]),
            Err(CallError::catchable("nope"))
        );
        let signature = signature("iter", "map", 2).unwrap();
        assert_eq!(signature.ret, Type::list(Type::Generic(1)));
    }

    #[test]
    fn filter_keeps_what_the_function_accepts() {
        assert_eq!(
            ok("iter", "filter", vec![ints(&[1, 2, 3, 4]), lambda(is_even)]),
            ints(&[2, 4])
        );
    }

    #[test]
    fn reduce_folds_from_the_left() {
        assert_eq!(
            ok("iter", "reduce", vec![ints(&[1, 2, 3]), lambda(add)]),
            Value::Int(6)
        );
        assert_eq!(
            ok(
                "iter",
                "reduce",
                vec![Value::Int(10), ints(&[1, 2]), lambda(add)]
            ),
            Value::Int(13)
        );
        assert_eq!(
            ok(
                "iter",
                "reduce",
                vec![Value::Int(10), ints(&[]), lambda(add)]
            ),
            Value::Int(10)
        );
        assert_eq!(
            catchable("iter", "reduce", vec![ints(&[]), lambda(add)]),
            "cannot reduce an empty list without an initial value"
        );
        assert!(signature("iter", "reduce", 1)
            .unwrap_err()
            .contains("not 1 argument"));
    }

    #[test]
    fn zip_stops_at_the_shorter_list() {
        assert_eq!(
            ok(
                "iter",
                "zip",
                vec![ints(&[1, 2, 3]), ints(&[10, 20]), lambda(add)]
            ),
            ints(&[11, 22])
        );
    }

    #[test]
    fn range_is_pythons() {
        assert_eq!(ok("iter", "range", vec![Value::Int(3)]), ints(&[0, 1, 2]));
        assert_eq!(
            ok("iter", "range", vec![Value::Int(2), Value::Int(5)]),
            ints(&[2, 3, 4])
        );
        assert_eq!(
            ok(
                "iter",
                "range",
                vec![Value::Int(10), Value::Int(0), Value::Int(-3)]
            ),
            ints(&[10, 7, 4, 1])
        );
        assert_eq!(
            ok("iter", "range", vec![Value::Int(5), Value::Int(2)]),
            ints(&[])
        );
        assert_eq!(ok("iter", "range", vec![Value::Int(-2)]), ints(&[]));
        assert_eq!(
            catchable(
                "iter",
                "range",
                vec![Value::Int(0), Value::Int(5), Value::Int(0)]
            ),
            "iter.range step must not be zero"
        );
        assert!(catchable("iter", "range", vec![Value::Int(i64::MAX)]).contains("limit"));
        assert!(signature("iter", "range", 4).is_err());
        assert_eq!(
            signature("iter", "range", 2).unwrap().params,
            [Type::Int, Type::Int]
        );
    }

    #[test]
    fn flatten_joins_inner_lists() {
        let nested = Value::List(vec![ints(&[1]), ints(&[]), ints(&[2, 3])]);
        assert_eq!(ok("iter", "flatten", vec![nested]), ints(&[1, 2, 3]));
    }
}

//! The `list` module: `concat` joins any number of lists of one type;
//! `lookup(list, index)` fails catchably when the index is out of range, and
//! `lookup(list, index, default)` returns the default instead.

use crate::native::{arg, arg_int, arg_list, count, Native};
use mcl_compiler::function::{FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "list";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "concat",
        Native::shaped(
            "list.concat",
            |shape| {
                let list = Type::list(Type::Generic(0));
                Ok(Signature::new(vec![list.clone(); shape.arg_count()], list))
            },
            |_, args| {
                let mut joined = Vec::new();
                for index in 0..args.len() {
                    joined.extend(arg_list(&args, index)?.iter().cloned());
                }
                Ok(Value::List(joined))
            },
        ),
    );

    registry.register(
        MODULE,
        "lookup",
        Native::shaped(
            "list.lookup",
            |shape| {
                let element = Type::Generic(0);
                let mut params = vec![Type::list(element.clone()), Type::Int];
                match shape.arg_count() {
                    2 => {}
                    3 => params.push(element.clone()),
                    other => {
                        return Err(format!(
                            "`list.lookup` takes a list, an index and optionally a default, \
                             not {}",
                            count(other, "argument")
                        ))
                    }
                }
                Ok(Signature::new(params, element))
            },
            |_, args| {
                let list = arg_list(&args, 0)?;
                let index = arg_int(&args, 1)?;
                let found = usize::try_from(index)
                    .ok()
                    .and_then(|index| list.get(index));
                match (found, args.get(2)) {
                    (Some(value), _) => Ok(value.clone()),
                    (None, Some(_)) => Ok(arg(&args, 2)?.clone()),
                    (None, None) => Err(CallError::catchable(format!(
                        "list index {index} is out of range (the list has {})",
                        count(list.len(), "element")
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
    use mcl_compiler::value::Value;

    #[test]
    fn concat_joins_any_number_of_lists() {
        assert_eq!(
            ok("list", "concat", vec![ints(&[1]), ints(&[]), ints(&[2, 3])]),
            ints(&[1, 2, 3])
        );
        assert_eq!(ok("list", "concat", vec![]), ints(&[]));
        let signature = signature("list", "concat", 2).unwrap();
        assert_eq!(signature.params.len(), 2);
        assert_eq!(signature.ret, Type::list(Type::Generic(0)));
    }

    #[test]
    fn lookup_by_index() {
        assert_eq!(
            ok("list", "lookup", vec![strs(&["a", "b"]), Value::Int(1)]),
            s("b")
        );
        assert_eq!(
            catchable("list", "lookup", vec![strs(&["a", "b"]), Value::Int(2)]),
            "list index 2 is out of range (the list has 2 elements)"
        );
        assert!(
            catchable("list", "lookup", vec![strs(&["a"]), Value::Int(-1)]).contains("index -1")
        );
        assert_eq!(
            ok("list", "lookup", vec![strs(&["a"]), Value::Int(5), s("z")]),
            s("z")
        );
        assert!(signature("list", "lookup", 1).is_err());
    }
}

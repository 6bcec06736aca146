//! The `map` module: `keys` and `values` (both in key order, as mcl iterates
//! maps), and `lookup(map, key)`, which fails catchably on a missing key, or
//! `lookup(map, key, default)`.

use crate::native::{arg, arg_map, count, Native};
use mcl_compiler::function::{FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "map";

fn map_type() -> Type {
    Type::map(Type::Generic(0), Type::Generic(1))
}

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "keys",
        Native::pure(
            "map.keys",
            vec![map_type()],
            Type::list(Type::Generic(0)),
            |args| Ok(Value::List(arg_map(&args, 0)?.keys().cloned().collect())),
        ),
    );

    registry.register(
        MODULE,
        "values",
        Native::pure(
            "map.values",
            vec![map_type()],
            Type::list(Type::Generic(1)),
            |args| Ok(Value::List(arg_map(&args, 0)?.values().cloned().collect())),
        ),
    );

    registry.register(
        MODULE,
        "lookup",
        Native::shaped(
            "map.lookup",
            |shape| {
                let mut params = vec![map_type(), Type::Generic(0)];
                match shape.arg_count() {
                    2 => {}
                    3 => params.push(Type::Generic(1)),
                    other => {
                        return Err(format!(
                            "`map.lookup` takes a map, a key and optionally a default, not {}",
                            count(other, "argument")
                        ))
                    }
                }
                Ok(Signature::new(params, Type::Generic(1)))
            },
            |_, args| {
                let map = arg_map(&args, 0)?;
                let key = arg(&args, 1)?;
                match (map.get(key), args.get(2)) {
                    (Some(value), _) => Ok(value.clone()),
                    (None, Some(default)) => Ok(default.clone()),
                    (None, None) => Err(CallError::catchable(format!("the map has no key {key}"))),
                }
            },
        ),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;
    use std::collections::BTreeMap;

    fn sample() -> Value {
        let mut map = BTreeMap::new();
        map.insert(s("b"), Value::Int(2));
        map.insert(s("a"), Value::Int(1));
        Value::Map(map)
    }

    #[test]
    fn keys_and_values_come_in_key_order() {
        assert_eq!(ok("map", "keys", vec![sample()]), strs(&["a", "b"]));
        assert_eq!(ok("map", "values", vec![sample()]), ints(&[1, 2]));
    }

    #[test]
    fn lookup_by_key() {
        assert_eq!(ok("map", "lookup", vec![sample(), s("b")]), Value::Int(2));
        assert_eq!(
            catchable("map", "lookup", vec![sample(), s("c")]),
            "the map has no key \"c\""
        );
        assert_eq!(
            ok("map", "lookup", vec![sample(), s("c"), Value::Int(0)]),
            Value::Int(0)
        );
        assert!(signature("map", "lookup", 4).is_err());
    }
}

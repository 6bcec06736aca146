//! The `world` module (`getval`, `kvlookup`, `schedule`) and `world/collect`
//! (`res`): what hosts share, read through the call context's store. All
//! are reactive: the agent evaluates again when the key they read changes on
//! any host.

use crate::native::{arg_str, Native};
use mcl_compiler::function::{FunctionRegistry, Watch};
use mcl_compiler::types::Type;
use mcl_compiler::value::Value;
use mcl_compiler::world::{exports_key, kv_key, schedule_key};

pub fn register(registry: &mut FunctionRegistry) {
    registry.register(
        "world",
        "getval",
        Native::new(
            "world.getval",
            vec![Type::Str],
            Type::Struct(vec![
                ("value".to_owned(), Type::Str),
                ("exists".to_owned(), Type::Bool),
            ]),
            |context, args| {
                let key = arg_str(&args, 0)?;
                context.watch(Watch::Store(kv_key(key)));
                let value = context.world.value(key);
                Ok(Value::Struct(vec![
                    (
                        "value".to_owned(),
                        Value::str(value.clone().unwrap_or_default()),
                    ),
                    ("exists".to_owned(), Value::Bool(value.is_some())),
                ]))
            },
        )
        .reactive(),
    );
    registry.register(
        "world",
        "kvlookup",
        Native::new(
            "world.kvlookup",
            vec![Type::Str],
            Type::map(Type::Str, Type::Str),
            |context, args| {
                let key = arg_str(&args, 0)?;
                context.watch(Watch::Store(kv_key(key)));
                Ok(Value::Map(
                    context
                        .world
                        .mapped(key)
                        .into_iter()
                        .map(|(host, value)| (Value::str(host), Value::str(value)))
                        .collect(),
                ))
            },
        )
        .reactive(),
    );
    registry.register(
        "world",
        "schedule",
        Native::new(
            "world.schedule",
            vec![Type::Str],
            Type::list(Type::Str),
            |context, args| {
                let namespace = arg_str(&args, 0)?;
                context.watch(Watch::Store(schedule_key(namespace)));
                Ok(Value::List(
                    context
                        .world
                        .scheduled(namespace)
                        .into_iter()
                        .map(Value::str)
                        .collect(),
                ))
            },
        )
        .reactive(),
    );
    registry.register(
        "world/collect",
        "res",
        Native::new(
            "collect.res",
            vec![Type::Str],
            Type::list(Type::Struct(vec![
                ("name".to_owned(), Type::Str),
                ("host".to_owned(), Type::Str),
            ])),
            |context, args| {
                let kind = arg_str(&args, 0)?;
                context.watch(Watch::Store(exports_key(kind)));
                let hostname = context.host.hostname();
                Ok(Value::List(
                    context
                        .world
                        .exports(kind)
                        .into_iter()
                        .filter(|export| export.is_for(&hostname))
                        .map(|export| {
                            Value::Struct(vec![
                                ("name".to_owned(), Value::str(export.name)),
                                ("host".to_owned(), Value::str(export.host)),
                            ])
                        })
                        .collect(),
                ))
            },
        )
        .reactive(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryHost;
    use mcl_compiler::function::CallContext;
    use mcl_compiler::world::{Export, FixedWorld};
    use std::sync::Mutex;

    fn call(module: &str, name: &str, world: &FixedWorld, arg: &str) -> (Value, Vec<Watch>) {
        let mut registry = FunctionRegistry::new();
        register(&mut registry);
        let function = registry.get(module, name).expect("registered");
        let host = MemoryHost::default();
        let watches = Mutex::new(Vec::new());
        let context = CallContext::new(&host, &watches).with_world(world);
        let value = function
            .call(&context, vec![Value::str(arg)])
            .expect("call succeeds");
        (value, watches.into_inner().expect("not poisoned"))
    }

    #[test]
    fn getval_says_whether_the_key_exists() {
        let mut world = FixedWorld::default();
        world.values.insert("k".into(), "v".into());
        let (value, watches) = call("world", "getval", &world, "k");
        assert_eq!(value.field("value"), Some(&Value::str("v")));
        assert_eq!(value.field("exists"), Some(&Value::Bool(true)));
        assert_eq!(watches, [Watch::Store("kv/k".into())]);
        let (missing, _) = call("world", "getval", &world, "other");
        assert_eq!(missing.field("exists"), Some(&Value::Bool(false)));
    }

    #[test]
    fn kvlookup_maps_hosts_to_values() {
        let mut world = FixedWorld::default();
        world.mapped.insert(
            "k".into(),
            [("a".into(), "1".into()), ("b".into(), "2".into())].into(),
        );
        let (value, _) = call("world", "kvlookup", &world, "k");
        let Value::Map(map) = value else {
            panic!("not a map")
        };
        assert_eq!(map.get(&Value::str("b")), Some(&Value::str("2")));
    }

    #[test]
    fn res_lists_the_exports_addressed_to_this_host() {
        let export = |host: &str, name: &str, to: &str| Export {
            host: host.into(),
            kind: "file".into(),
            name: name.into(),
            to: vec![to.into()],
            params: Default::default(),
        };
        let world = FixedWorld {
            exports: vec![
                export("a", "/x", "*"),
                export("b", "/y", "elsewhere"),
                export("b", "/z", "h1"),
            ],
            ..FixedWorld::default()
        };
        let (value, watches) = call("world/collect", "res", &world, "file");
        let Value::List(items) = value else {
            panic!("not a list")
        };
        let names: Vec<_> = items
            .iter()
            .map(|item| item.field("name").and_then(Value::as_str).unwrap_or(""))
            .collect();
        assert_eq!(names, ["/x", "/z"]);
        assert_eq!(watches, [Watch::Store("exports/file".into())]);
    }
}

//! The `sys` module: facts about this host (`hostname`, `cpu_count`,
//! `uptime`, `load`) and its environment (`getenv`, `defaultenv`, `hasenv`,
//! `env`). The environment functions are reactive and watch the variables
//! they read; `uptime` and `load` watch the clock (every second, and every
//! five seconds, as the kernel updates load averages that often).

use crate::native::{arg_str, Native};
use mcl_compiler::function::{FunctionRegistry, Watch};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "sys";

pub(crate) fn load_type() -> Type {
    Type::structure(&[
        ("x1", Type::Float),
        ("x5", Type::Float),
        ("x15", Type::Float),
    ])
}

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "hostname",
        Native::new("sys.hostname", vec![], Type::Str, |context, _| {
            Ok(Value::Str(context.host.hostname()))
        }),
    );

    registry.register(
        MODULE,
        "cpu_count",
        Native::new("sys.cpu_count", vec![], Type::Int, |context, _| {
            Ok(Value::Int(context.host.cpu_count()))
        }),
    );

    registry.register(
        MODULE,
        "uptime",
        Native::new("sys.uptime", vec![], Type::Int, |context, _| {
            context.watch(Watch::Clock { period_ms: 1000 });
            Ok(Value::Int(context.host.uptime()))
        })
        .reactive(),
    );

    registry.register(
        MODULE,
        "load",
        Native::new("sys.load", vec![], load_type(), |context, _| {
            context.watch(Watch::Clock { period_ms: 5000 });
            let (x1, x5, x15) = context.host.load();
            Ok(Value::Struct(vec![
                ("x1".to_owned(), Value::Float(x1)),
                ("x5".to_owned(), Value::Float(x5)),
                ("x15".to_owned(), Value::Float(x15)),
            ]))
        })
        .reactive(),
    );

    registry.register(
        MODULE,
        "getenv",
        Native::new("sys.getenv", vec![Type::Str], Type::Str, |context, args| {
            let name = arg_str(&args, 0)?;
            context.watch(Watch::Env(Some(name.to_owned())));
            context.host.getenv(name).map(Value::Str).ok_or_else(|| {
                CallError::catchable(format!("the environment variable {name} is not set"))
            })
        })
        .reactive(),
    );

    registry.register(
        MODULE,
        "defaultenv",
        Native::new(
            "sys.defaultenv",
            vec![Type::Str, Type::Str],
            Type::Str,
            |context, args| {
                let name = arg_str(&args, 0)?;
                context.watch(Watch::Env(Some(name.to_owned())));
                Ok(Value::Str(context.host.getenv(name).unwrap_or_else(|| {
                    arg_str(&args, 1).unwrap_or_default().to_owned()
                })))
            },
        )
        .reactive(),
    );

    registry.register(
        MODULE,
        "hasenv",
        Native::new(
            "sys.hasenv",
            vec![Type::Str],
            Type::Bool,
            |context, args| {
                let name = arg_str(&args, 0)?;
                context.watch(Watch::Env(Some(name.to_owned())));
                Ok(Value::Bool(context.host.getenv(name).is_some()))
            },
        )
        .reactive(),
    );

    registry.register(
        MODULE,
        "env",
        Native::new(
            "sys.env",
            vec![],
            Type::map(Type::Str, Type::Str),
            |context, _| {
                context.watch(Watch::Env(None));
                Ok(Value::Map(
                    context
                        .host
                        .environment()
                        .into_iter()
                        .map(|(name, value)| (Value::Str(name), Value::Str(value)))
                        .collect(),
                ))
            },
        )
        .reactive(),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use crate::MemoryHost;
    use mcl_compiler::function::Watch;
    use mcl_compiler::value::{CallError, Value};

    #[test]
    fn host_facts() {
        let host = MemoryHost::new().with_hostname("web1");
        assert_eq!(call_on(&host, "sys", "hostname", vec![]).0, Ok(s("web1")));
        assert_eq!(ok("sys", "cpu_count", vec![]), Value::Int(2));
        let (uptime, watches) = call_on(&host, "sys", "uptime", vec![]);
        assert_eq!(uptime, Ok(Value::Int(3600)));
        assert_eq!(watches, [Watch::Clock { period_ms: 1000 }]);
        assert!(reactive("sys", "uptime"));
        assert!(!reactive("sys", "hostname"));
    }

    #[test]
    fn load_is_a_struct_of_three_averages() {
        let load = ok("sys", "load", vec![]);
        assert_eq!(load.field("x1"), Some(&Value::Float(0.5)));
        assert_eq!(load.field("x15"), Some(&Value::Float(0.125)));
        assert_eq!(
            signature("sys", "load", 0).unwrap().ret.to_string(),
            "struct{x1 float; x5 float; x15 float}"
        );
    }

    #[test]
    fn getenv_fails_catchably_when_unset() {
        let host = MemoryHost::new().with_env("LANG", "C");
        let (value, watches) = call_on(&host, "sys", "getenv", vec![s("LANG")]);
        assert_eq!(value, Ok(s("C")));
        assert_eq!(watches, [Watch::Env(Some("LANG".to_owned()))]);
        assert_eq!(
            call_on(&host, "sys", "getenv", vec![s("NOPE")]).0,
            Err(CallError::catchable(
                "the environment variable NOPE is not set"
            ))
        );
        assert!(reactive("sys", "getenv"));
    }

    #[test]
    fn defaultenv_hasenv_and_env() {
        let host = MemoryHost::new().with_env("A", "1");
        assert_eq!(
            call_on(&host, "sys", "defaultenv", vec![s("B"), s("2")]).0,
            Ok(s("2"))
        );
        assert_eq!(
            call_on(&host, "sys", "defaultenv", vec![s("A"), s("2")]).0,
            Ok(s("1"))
        );
        assert_eq!(
            call_on(&host, "sys", "hasenv", vec![s("A")]).0,
            Ok(Value::Bool(true))
        );
        let (env, watches) = call_on(&host, "sys", "env", vec![]);
        assert_eq!(env.unwrap().as_map().map(|map| map.len()), Some(1));
        assert_eq!(watches, [Watch::Env(None)]);
    }
}

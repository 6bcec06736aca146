//! The core mcl function modules (spec §6): the built-ins that need no import
//! (`len`, `concat`, `contains`, `panic`, `history`) and the modules `fmt`,
//! `strings`, `math`, `convert`, `iter`, `list`, `map`, `datetime`, `os`,
//! `sys`, `regexp`, `encoding`, `path`, `net`, `local` and `golang`, as
//! implementations of the compiler's [`Function`] trait.
//!
//! Functions reach the machine only through the [`Host`] in their call
//! context, and say what they read with [`CallContext::watch`]; [`RealHost`]
//! and [`MemoryHost`] are the two hosts. `world` and `world/collect` read the
//! shared store through the call context. `docs/functions.md` lists every
//! function with its signature.
//!
//! [`Function`]: mcl_compiler::function::Function
//! [`Host`]: mcl_compiler::function::Host
//! [`CallContext::watch`]: mcl_compiler::function::CallContext::watch

mod base64;
mod builtins;
mod convert;
mod datetime;
mod encoding;
mod fmt;
mod golang;
mod host;
mod hostport;
mod iter;
mod list;
mod local;
mod map;
mod math;
mod native;
mod net;
mod os;
mod os_accounts;
mod os_distro;
mod os_probe;
mod path;
mod printf;
mod regexp;
mod strings;
mod sys;
mod typestr;
mod url;
mod world;

pub use host::{MemoryHost, RealHost};

use mcl_compiler::function::FunctionRegistry;

/// Registers every core function under its module path (`""` for the
/// built-ins).
pub fn register(registry: &mut FunctionRegistry) {
    builtins::register(registry);
    fmt::register(registry);
    strings::register(registry);
    math::register(registry);
    convert::register(registry);
    iter::register(registry);
    list::register(registry);
    map::register(registry);
    datetime::register(registry);
    os::register(registry);
    os_probe::register(registry);
    os_accounts::register(registry);
    os_distro::register(registry);
    sys::register(registry);
    regexp::register(registry);
    encoding::register(registry);
    path::register(registry);
    net::register(registry);
    url::register(registry);
    hostport::register(registry);
    local::register(registry);
    world::register(registry);
    // Last: templates may call every function registered before them.
    golang::register(registry);
}

/// A registry holding every core function.
pub fn registry() -> FunctionRegistry {
    let mut registry = FunctionRegistry::new();
    register(&mut registry);
    registry
}

#[cfg(test)]
pub(crate) mod testing {
    //! Calls through the [`Function`] trait, as the compiler makes them.

    use super::MemoryHost;
    use mcl_compiler::function::{CallContext, CallShape, Function, Signature, Watch};
    use mcl_compiler::types::Type;
    use mcl_compiler::value::{CallError, Callable, FuncValue, Value};
    use std::rc::Rc;
    use std::sync::{Arc, Mutex};

    fn function(module: &str, name: &str) -> Arc<dyn Function> {
        super::registry()
            .get(module, name)
            .unwrap_or_else(|| panic!("{module}.{name} is not registered"))
    }

    /// The signature at a call site whose arguments are all constants.
    pub fn signature_for(module: &str, name: &str, args: &[Value]) -> Result<Signature, String> {
        let constants: Vec<Option<Value>> = args.iter().cloned().map(Some).collect();
        function(module, name).signature(CallShape {
            constants: &constants,
        })
    }

    /// The signature at a call site where some arguments are constants.
    pub fn signature_for_shape(
        module: &str,
        name: &str,
        constants: &[Option<Value>],
    ) -> Result<Signature, String> {
        function(module, name).signature(CallShape { constants })
    }

    /// The signature at a call site with `count` non-constant arguments.
    pub fn signature(module: &str, name: &str, count: usize) -> Result<Signature, String> {
        let constants = vec![None; count];
        function(module, name).signature(CallShape {
            constants: &constants,
        })
    }

    pub fn check(module: &str, name: &str, params: &[Type], ret: &Type) -> Result<(), String> {
        function(module, name).check(params, ret)
    }

    pub fn reactive(module: &str, name: &str) -> bool {
        function(module, name).reactive()
    }

    /// Calls on `host` after checking that the call has a signature with one
    /// parameter per argument (with the arguments as constants, or else as
    /// run-time values); returns the result and what was watched.
    pub fn call_on(
        host: &MemoryHost,
        module: &str,
        name: &str,
        args: Vec<Value>,
    ) -> (Result<Value, CallError>, Vec<Watch>) {
        let signature = signature_for(module, name, &args)
            .or_else(|_| signature(module, name, args.len()))
            .unwrap_or_else(|error| panic!("{module}.{name}: no signature: {error}"));
        assert_eq!(signature.params.len(), args.len(), "{module}.{name} arity");
        let watches = Mutex::new(Vec::new());
        let context = CallContext::new(host, &watches);
        let result = function(module, name).call(&context, args);
        let watches = watches.into_inner().unwrap_or_default();
        (result, watches)
    }

    /// Calls as the evaluator does where the checker fixed the result's type.
    pub fn call_used_as(
        module: &str,
        name: &str,
        args: Vec<Value>,
        result_type: &Type,
    ) -> Result<Value, CallError> {
        let host = MemoryHost::new();
        let watches = Mutex::new(Vec::new());
        let context = CallContext::new(&host, &watches).with_result_type(result_type);
        function(module, name).call(&context, args)
    }

    pub fn call(module: &str, name: &str, args: Vec<Value>) -> Result<Value, CallError> {
        call_on(&MemoryHost::new(), module, name, args).0
    }

    /// The value of a call that must succeed.
    pub fn ok(module: &str, name: &str, args: Vec<Value>) -> Value {
        call(module, name, args).unwrap_or_else(|error| panic!("{module}.{name}: {error:?}"))
    }

    /// The message of a call that must fail with a catchable error.
    pub fn catchable(module: &str, name: &str, args: Vec<Value>) -> String {
        match call(module, name, args) {
            Err(CallError::Catchable(message)) => message,
            other => panic!("{module}.{name}: expected a catchable error, got {other:?}"),
        }
    }

    pub fn s(text: &str) -> Value {
        Value::str(text)
    }

    pub fn strs(texts: &[&str]) -> Value {
        Value::List(texts.iter().map(|text| Value::str(*text)).collect())
    }

    pub fn ints(values: &[i64]) -> Value {
        Value::List(values.iter().map(|value| Value::Int(*value)).collect())
    }

    #[derive(Debug)]
    struct Lambda(fn(Vec<Value>) -> Result<Value, CallError>);

    impl Callable for Lambda {
        fn call(&self, args: Vec<Value>) -> Result<Value, CallError> {
            (self.0)(args)
        }
    }

    /// A function value, as a lambda of the program would be.
    pub fn lambda(body: fn(Vec<Value>) -> Result<Value, CallError>) -> Value {
        Value::Func(FuncValue(Rc::new(Lambda(body))))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_module_of_the_first_set_is_registered() {
        let registry = super::registry();
        for module in [
            "", "fmt", "strings", "math", "convert", "iter", "list", "map", "datetime", "os",
            "sys", "regexp", "encoding", "path", "net", "local", "golang",
        ] {
            assert!(registry.has_module(module), "module `{module}`");
        }
        assert!(registry.get("", "len").is_some());
        assert!(registry.get("fmt", "printf").is_some());
    }
}

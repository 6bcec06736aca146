//! How the compiler learns about functions it does not define itself.
//!
//! `stdlib` implements [`Function`] for every core function and registers them
//! by module in a [`FunctionRegistry`]. A function states its signature (which
//! may depend on constant arguments, as `fmt.printf`'s does on its format
//! string), may veto the types it was instantiated with, and computes a value
//! from values. Functions that read the host do so through [`Host`], and say
//! what they read through [`CallContext::watch`], so the engine can re-evaluate
//! the program when it changes.

use crate::types::Type;
use crate::value::{CallError, Value};
use crate::world::{EmptyWorld, WorldView};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Parameter and result types; [`Type::Generic`] numbers are shared within
/// one signature and instantiated afresh at each call site.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    pub params: Vec<Type>,
    pub ret: Type,
}

impl Signature {
    pub fn new(params: Vec<Type>, ret: Type) -> Signature {
        Signature { params, ret }
    }
}

/// What a function needs at a call site to state its signature.
#[derive(Clone, Copy, Debug)]
pub struct CallShape<'a> {
    /// One entry per argument: its value when it is a constant in the source.
    pub constants: &'a [Option<Value>],
}

impl CallShape<'_> {
    pub fn arg_count(&self) -> usize {
        self.constants.len()
    }

    /// The constant string at `index`, if the argument is one.
    pub fn constant_str(&self, index: usize) -> Option<&str> {
        self.constants.get(index)?.as_ref()?.as_str()
    }
}

/// A value of the outside world that a reactive function read.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Watch {
    /// The clock, at this period in milliseconds.
    Clock { period_ms: u64 },
    /// A file's contents or existence.
    File(String),
    /// An environment variable (or all of them, for `None`).
    Env(Option<String>),
    /// The output lines of a command.
    Command(String),
    /// A key in the shared store.
    Store(String),
}

/// Facts about the host, injected so that the compiler stays pure and tests
/// run in memory. `stdlib` has the real implementation and a memory one.
pub trait Host: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
    /// The offset of the local time zone from UTC at `unix` seconds, in seconds.
    fn utc_offset(&self, unix: i64) -> i64;
    fn hostname(&self) -> String;
    fn read_file(&self, path: &str) -> std::io::Result<String>;
    fn file_exists(&self, path: &str) -> bool;
    fn getenv(&self, name: &str) -> Option<String>;
    fn environment(&self) -> BTreeMap<String, String>;
    /// The last output line of a shell command (for `os.system`).
    fn system(&self, command: &str) -> std::io::Result<String>;
    fn cpu_count(&self) -> i64;
    /// Seconds since boot.
    fn uptime(&self) -> i64;
    /// 1, 5 and 15 minute load averages.
    fn load(&self) -> (f64, f64, f64);
    /// `ID` and `ID_LIKE` words of /etc/os-release, lowercase.
    fn os_family(&self) -> Vec<String>;
    /// The program's command-line arguments after the file name.
    fn args(&self) -> Vec<String>;
    /// The agent's private state directory.
    fn vardir(&self) -> String;
}

/// Handed to every call: the host, and the record of what was watched.
pub struct CallContext<'a> {
    pub host: &'a dyn Host,
    /// The shared store, for the `world` functions.
    pub world: &'a dyn WorldView,
    watches: &'a Mutex<Vec<Watch>>,
    result_type: Option<&'a Type>,
}

impl<'a> CallContext<'a> {
    pub fn new(host: &'a dyn Host, watches: &'a Mutex<Vec<Watch>>) -> CallContext<'a> {
        CallContext {
            host,
            world: &EmptyWorld,
            watches,
            result_type: None,
        }
    }

    /// A context for a call whose result type only its use fixes, as the
    /// checker found it.
    pub fn with_result_type(mut self, ty: &'a Type) -> CallContext<'a> {
        self.result_type = Some(ty);
        self
    }

    /// The call's result type, when its signature's result has generics that
    /// no parameter has (`encoding.decode_json(data) ?1`) and the program
    /// was checked; `None` elsewhere (a call from a template, a test).
    pub fn result_type(&self) -> Option<&Type> {
        self.result_type
    }

    /// A context whose `world` functions read `world`.
    pub fn with_world(mut self, world: &'a dyn WorldView) -> CallContext<'a> {
        self.world = world;
        self
    }

    /// Records that the value just read changes when `watch` does.
    pub fn watch(&self, watch: Watch) {
        if let Ok(mut watches) = self.watches.lock() {
            watches.push(watch);
        }
    }
}

pub trait Function: Send + Sync {
    /// The signature at a call site, or why the call cannot be well typed
    /// (shown as the error's message).
    fn signature(&self, shape: CallShape<'_>) -> Result<Signature, String>;

    /// A last check once the call's types are known (generics resolved), for
    /// functions whose generics are restricted (`len` takes str, list or map).
    fn check(&self, _params: &[Type], _ret: &Type) -> Result<(), String> {
        Ok(())
    }

    fn call(&self, context: &CallContext<'_>, args: Vec<Value>) -> Result<Value, CallError>;

    /// Whether the value can change over time without its arguments changing.
    fn reactive(&self) -> bool {
        false
    }
}

/// Every known function by module path (`""` for the built-ins that need no
/// import, `"fmt"`, `"golang/strings"`) and name.
#[derive(Default, Clone)]
pub struct FunctionRegistry {
    modules: BTreeMap<String, BTreeMap<String, Arc<dyn Function>>>,
}

impl FunctionRegistry {
    pub fn new() -> FunctionRegistry {
        FunctionRegistry::default()
    }

    pub fn register(&mut self, module: &str, name: &str, function: impl Function + 'static) {
        self.modules
            .entry(module.to_owned())
            .or_default()
            .insert(name.to_owned(), Arc::new(function));
    }

    pub fn get(&self, module: &str, name: &str) -> Option<Arc<dyn Function>> {
        self.modules.get(module)?.get(name).cloned()
    }

    pub fn has_module(&self, module: &str) -> bool {
        self.modules.contains_key(module)
    }

    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }

    pub fn functions(&self, module: &str) -> impl Iterator<Item = &str> {
        self.modules
            .get(module)
            .into_iter()
            .flat_map(|functions| functions.keys().map(String::as_str))
    }
}

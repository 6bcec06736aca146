//! Metaparameters (spec §8): settings every resource has, with defaults.

use crate::types::Type;
use crate::value::Value;
use std::collections::BTreeMap;

/// Every metaparameter's name and mcl type, as `Meta:name` and `Meta => struct{...}` take them.
pub const META_PARAMS: &[&str] = &[
    "noop",
    "retry",
    "retryreset",
    "delay",
    "timeout",
    "poll",
    "limit",
    "burst",
    "reset",
    "sema",
    "rewatch",
    "realize",
    "dollar",
    "hidden",
    "export",
    "reverse",
    "autoedge",
    "autogroup",
    "sensitive",
];

/// The mcl type of a metaparameter.
pub fn meta_param_type(name: &str) -> Option<Type> {
    Some(match name {
        "noop" | "retryreset" | "reset" | "rewatch" | "realize" | "dollar" | "hidden"
        | "reverse" | "autoedge" | "autogroup" | "sensitive" => Type::Bool,
        "retry" | "delay" | "timeout" | "poll" | "burst" => Type::Int,
        "limit" => Type::Float,
        "sema" | "export" => Type::list(Type::Str),
        _ => return None,
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetaParams {
    /// Check only; change nothing.
    pub noop: bool,
    /// Retries after a failure; -1 retries forever.
    pub retry: i64,
    /// Reset the retry count after a success.
    pub retryreset: bool,
    /// Milliseconds between retries.
    pub delay: u64,
    /// Milliseconds allowed per check/apply; 0 means no limit.
    pub timeout: u64,
    /// Seconds between polls instead of watching; 0 means watch.
    pub poll: u32,
    /// Events per second allowed; infinite when `f64::INFINITY`.
    pub limit: f64,
    /// Events allowed in a burst above `limit`.
    pub burst: i64,
    /// Reset the resource's state when it is replaced.
    pub reset: bool,
    /// Counting semaphores held while applying (`"lock:2"`).
    pub sema: Vec<String>,
    /// Restart the watch when it ends.
    pub rewatch: bool,
    /// Apply only once the resource was seen correct (delay first apply).
    pub realize: bool,
    /// Allow `$` in the name to stand for a variable of the engine.
    pub dollar: bool,
    /// Do not apply on this host (usually with `export`).
    pub hidden: bool,
    /// Hosts to export to (`["*"]` for all).
    pub export: Vec<String>,
    /// Undo the resource's changes when it is removed.
    pub reverse: bool,
    pub autoedge: bool,
    pub autogroup: bool,
    /// Its params and content are secrets: shown only as their size and
    /// digest in diffs, logs and graph output. Not upstream's.
    pub sensitive: bool,
}

impl Default for MetaParams {
    fn default() -> MetaParams {
        MetaParams {
            noop: false,
            retry: 0,
            retryreset: false,
            delay: 0,
            timeout: 0,
            poll: 0,
            limit: f64::INFINITY,
            burst: 0,
            reset: false,
            sema: Vec::new(),
            rewatch: false,
            realize: false,
            dollar: false,
            hidden: false,
            export: Vec::new(),
            reverse: false,
            autoedge: true,
            autogroup: true,
            sensitive: false,
        }
    }
}

impl MetaParams {
    /// Only the fields that differ from the defaults, as the JSON output shows them.
    pub fn non_default(&self) -> BTreeMap<&'static str, Value> {
        let defaults = MetaParams::default();
        let mut changed = BTreeMap::new();
        let mut note = |name: &'static str, differs: bool, value: Value| {
            if differs {
                changed.insert(name, value);
            }
        };
        note("noop", self.noop != defaults.noop, Value::Bool(self.noop));
        note(
            "retry",
            self.retry != defaults.retry,
            Value::Int(self.retry),
        );
        note(
            "retryreset",
            self.retryreset != defaults.retryreset,
            Value::Bool(self.retryreset),
        );
        note(
            "delay",
            self.delay != defaults.delay,
            Value::Int(clamp(self.delay)),
        );
        note(
            "timeout",
            self.timeout != defaults.timeout,
            Value::Int(clamp(self.timeout)),
        );
        note(
            "poll",
            self.poll != defaults.poll,
            Value::Int(i64::from(self.poll)),
        );
        note(
            "limit",
            self.limit != defaults.limit,
            Value::Float(self.limit),
        );
        note(
            "burst",
            self.burst != defaults.burst,
            Value::Int(self.burst),
        );
        note(
            "reset",
            self.reset != defaults.reset,
            Value::Bool(self.reset),
        );
        note(
            "sema",
            self.sema != defaults.sema,
            Value::List(self.sema.iter().cloned().map(Value::Str).collect()),
        );
        note(
            "rewatch",
            self.rewatch != defaults.rewatch,
            Value::Bool(self.rewatch),
        );
        note(
            "realize",
            self.realize != defaults.realize,
            Value::Bool(self.realize),
        );
        note(
            "dollar",
            self.dollar != defaults.dollar,
            Value::Bool(self.dollar),
        );
        note(
            "hidden",
            self.hidden != defaults.hidden,
            Value::Bool(self.hidden),
        );
        note(
            "export",
            self.export != defaults.export,
            Value::List(self.export.iter().cloned().map(Value::Str).collect()),
        );
        note(
            "reverse",
            self.reverse != defaults.reverse,
            Value::Bool(self.reverse),
        );
        note(
            "autoedge",
            self.autoedge != defaults.autoedge,
            Value::Bool(self.autoedge),
        );
        note(
            "autogroup",
            self.autogroup != defaults.autogroup,
            Value::Bool(self.autogroup),
        );
        note(
            "sensitive",
            self.sensitive != defaults.sensitive,
            Value::Bool(self.sensitive),
        );
        changed
    }
}

fn clamp(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

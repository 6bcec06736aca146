//! Run-time values of mcl: what evaluation produces and functions consume.
//!
//! Maps keep their keys sorted (mcl iterates maps in key order), so values have
//! a total order; floats compare with `total_cmp`, functions by identity.

use crate::types::Type;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<Value, Value>),
    /// Fields in their type's order.
    Struct(Vec<(String, Value)>),
    Func(FuncValue),
}

/// Why a call could not produce a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// A failure the program may catch with `<|>` (missing file, bad number...).
    Catchable(String),
    /// A failure nothing can catch (a bug in a function's use of its inputs).
    Fatal(String),
}

impl CallError {
    pub fn catchable(message: impl Into<String>) -> CallError {
        CallError::Catchable(message.into())
    }

    pub fn message(&self) -> &str {
        match self {
            CallError::Catchable(message) | CallError::Fatal(message) => message,
        }
    }
}

/// Something that can be called with values: a lambda of the program.
pub trait Callable: fmt::Debug {
    fn call(&self, args: Vec<Value>) -> Result<Value, CallError>;
}

/// A function value; equal only to itself. Function values live only while a
/// program is evaluated, so they are reference counted, not shared across
/// threads.
#[derive(Clone, Debug)]
pub struct FuncValue(pub Rc<dyn Callable>);

impl FuncValue {
    pub fn call(&self, args: Vec<Value>) -> Result<Value, CallError> {
        self.0.call(args)
    }

    fn address(&self) -> usize {
        Rc::as_ptr(&self.0).cast::<()>() as usize
    }
}

impl Value {
    pub fn str(text: impl Into<String>) -> Value {
        Value::Str(text.into())
    }

    /// The name of this value's type's head, for run-time errors about
    /// values a `variant` held.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Struct(_) => "struct",
            Value::Func(_) => "func",
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(value) => Some(value),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(values) => Some(values),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<Value, Value>> {
        match self {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_func(&self) -> Option<&FuncValue> {
        match self {
            Value::Func(function) => Some(function),
            _ => None,
        }
    }

    /// A struct field by name.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(fields) => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The zero value of a type (`""`, `0`, `[]`...), as Go-style functions
    /// and undefined optional fields use it.
    pub fn zero(ty: &Type) -> Value {
        match ty {
            Type::Bool => Value::Bool(false),
            Type::Int => Value::Int(0),
            Type::Float => Value::Float(0.0),
            Type::List(_) => Value::List(Vec::new()),
            Type::Map(..) => Value::Map(BTreeMap::new()),
            Type::Struct(fields) => Value::Struct(
                fields
                    .iter()
                    .map(|(name, ty)| (name.clone(), Value::zero(ty)))
                    .collect(),
            ),
            Type::Str | Type::Variant | Type::Func(..) | Type::Generic(_) => {
                Value::Str(String::new())
            }
        }
    }

    /// The value as JSON: structs as objects, maps with string keys as
    /// objects and other maps as `[[key, value], ...]`, functions as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Bool(value) => Json::Bool(*value),
            Value::Int(value) => Json::from(*value),
            Value::Float(value) => serde_json::Number::from_f64(*value)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            Value::Str(value) => Json::String(value.clone()),
            Value::List(values) => Json::Array(values.iter().map(Value::to_json).collect()),
            Value::Map(map) => {
                if map.keys().all(|key| matches!(key, Value::Str(_))) {
                    Json::Object(
                        map.iter()
                            .map(|(key, value)| {
                                (key.as_str().unwrap_or_default().to_owned(), value.to_json())
                            })
                            .collect(),
                    )
                } else {
                    Json::Array(
                        map.iter()
                            .map(|(key, value)| Json::Array(vec![key.to_json(), value.to_json()]))
                            .collect(),
                    )
                }
            }
            Value::Struct(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(name, value)| (name.clone(), value.to_json()))
                    .collect(),
            ),
            Value::Func(_) => Json::Null,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Bool(_) => 0,
            Value::Int(_) => 1,
            Value::Float(_) => 2,
            Value::Str(_) => 3,
            Value::List(_) => 4,
            Value::Map(_) => 5,
            Value::Struct(_) => 6,
            Value::Func(_) => 7,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
            (Value::Str(a), Value::Str(b)) => a.cmp(b),
            (Value::List(a), Value::List(b)) => a.cmp(b),
            (Value::Map(a), Value::Map(b)) => a.iter().cmp(b.iter()),
            (Value::Struct(a), Value::Struct(b)) => a.cmp(b),
            (Value::Func(a), Value::Func(b)) => a.address().cmp(&b.address()),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl fmt::Display for Value {
    /// mcl literal syntax, as `%v` and the text output print values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(value) => write!(f, "{value}"),
            Value::Int(value) => write!(f, "{value}"),
            Value::Float(value) => write!(f, "{}", format_float(*value)),
            Value::Str(value) => write!(f, "{value:?}"),
            Value::List(values) => {
                f.write_str("[")?;
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (index, (key, value)) in map.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key} => {value}")?;
                }
                f.write_str("}")
            }
            Value::Struct(fields) => {
                f.write_str("struct{")?;
                for (index, (name, value)) in fields.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name} => {value}")?;
                }
                f.write_str("}")
            }
            Value::Func(_) => f.write_str("func(...)"),
        }
    }
}

/// Floats always show a fraction, so `2.0` never reads as an int.
pub fn format_float(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e16 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_mcl_literals() {
        let mut map = BTreeMap::new();
        map.insert(Value::str("b"), Value::Int(2));
        map.insert(Value::str("a"), Value::Int(1));
        let value = Value::List(vec![
            Value::Map(map),
            Value::Float(2.0),
            Value::Struct(vec![("x".to_owned(), Value::Bool(true))]),
        ]);
        assert_eq!(
            value.to_string(),
            r#"[{"a" => 1, "b" => 2}, 2.0, struct{x => true}]"#
        );
    }

    #[test]
    fn json_keeps_structs_as_objects() {
        let value = Value::Struct(vec![
            ("name".to_owned(), Value::str("x")),
            ("port".to_owned(), Value::Int(80)),
        ]);
        assert_eq!(value.to_json().to_string(), r#"{"name":"x","port":80}"#);
    }
}

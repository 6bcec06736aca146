//! The `encoding` module: base64 (`base64_encode`, `base64_decode`) and
//! `decode_json`.
//!
//! `decode_json(data, type)` builds a value of the mcl type spelled by its
//! second argument (`"struct{name str; port int}"`): objects become structs
//! or maps as the type says. When the type string is a constant, the call's
//! result has that type at compile time; otherwise, and in the one-argument
//! form, the result's type is fixed by its use, as upstream's `?1` is
//! (`$ratio float = encoding.decode_json("2")` is the float 2.0), and the
//! checker hands it to the call ([`CallContext::result_type`]). A result
//! that nothing fixes is a `variant` whose objects are maps with str keys.
//! `decode_json_flexible` gives missing struct fields their zero value
//! instead of failing. Bad base64 or JSON, or JSON of another shape than the
//! type, is a catchable error.

use crate::native::{arg_str, count, Native};
use crate::typestr::parse_type;
use mcl_compiler::function::{CallContext, CallShape, FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};
use serde_json::Value as Json;
use std::collections::BTreeMap;

const MODULE: &str = "encoding";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "base64_encode",
        Native::pure(
            "encoding.base64_encode",
            vec![Type::Str],
            Type::Str,
            |args| {
                Ok(Value::Str(crate::base64::encode(
                    arg_str(&args, 0)?.as_bytes(),
                )))
            },
        ),
    );

    registry.register(
        MODULE,
        "base64_decode",
        Native::pure(
            "encoding.base64_decode",
            vec![Type::Str],
            Type::Str,
            |args| {
                let text = arg_str(&args, 0)?;
                let bytes = crate::base64::decode(text).map_err(|at| {
                    CallError::catchable(format!("{text:?} is not valid base64 (at byte {at})"))
                })?;
                String::from_utf8(bytes).map(Value::Str).map_err(|_| {
                    CallError::catchable(format!("{text:?} does not decode to UTF-8 text"))
                })
            },
        ),
    );

    for (name, flexible) in [("decode_json", false), ("decode_json_flexible", true)] {
        let qualified = format!("{MODULE}.{name}");
        let rule_name = qualified.clone();
        registry.register(
            MODULE,
            name,
            Native::shaped(
                &qualified,
                move |shape| decode_signature(&rule_name, shape),
                move |context, args| {
                    let data = arg_str(&args, 0)?;
                    let json: Json = serde_json::from_str(data)
                        .map_err(|error| CallError::catchable(format!("invalid JSON: {error}")))?;
                    let ty = decoded_type(context, &args)?;
                    from_json(&json, &ty, flexible, &mut String::new())
                        .map_err(CallError::catchable)
                },
            ),
        );
    }
}

/// The type to decode as: the type string's, or else the one the call's use
/// fixed, or else `variant`. A type string known only at run time must agree
/// with the use.
fn decoded_type(context: &CallContext<'_>, args: &[Value]) -> Result<Type, CallError> {
    let used_as = context
        .result_type()
        .filter(|ty| !matches!(ty, Type::Variant));
    if args.len() < 2 {
        return Ok(used_as.cloned().unwrap_or(Type::Variant));
    }
    let text = arg_str(args, 1)?;
    let spelt = parse_type(text)
        .map_err(|error| CallError::catchable(format!("invalid type string: {error}")))?;
    match used_as {
        Some(used_as) if !agree(used_as, &spelt) => Err(CallError::catchable(format!(
            "the type string says `{spelt}`, but the result is used as `{used_as}`"
        ))),
        _ => Ok(spelt),
    }
}

/// Whether two types can be the same, a `variant` part agreeing with any.
fn agree(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Variant, _) | (_, Type::Variant) => true,
        (Type::List(a), Type::List(b)) => agree(a, b),
        (Type::Map(ak, av), Type::Map(bk, bv)) => agree(ak, bk) && agree(av, bv),
        (Type::Struct(a), Type::Struct(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((an, at), (bn, bt))| an == bn && agree(at, bt))
        }
        (a, b) => a == b,
    }
}

fn decode_signature(name: &str, shape: CallShape<'_>) -> Result<Signature, String> {
    // Without a constant type, the result is whatever its use makes it.
    let fixed_by_use = Type::Generic(0);
    match shape.arg_count() {
        1 => Ok(Signature::new(vec![Type::Str], fixed_by_use)),
        2 => {
            let ret = match shape.constant_str(1) {
                Some(text) => parse_type(text)
                    .map_err(|error| format!("the type string of `{name}` is invalid: {error}"))?,
                None => fixed_by_use,
            };
            if matches!(ret, Type::Func(..)) {
                return Err(format!("`{name}` cannot decode a function"));
            }
            Ok(Signature::new(vec![Type::Str, Type::Str], ret))
        }
        other => Err(format!(
            "`{name}` takes the JSON text and optionally a type string, not {}",
            count(other, "argument")
        )),
    }
}

/// The value of type `ty` that `json` holds; `path` locates errors
/// (`.ports[1]`).
fn from_json(json: &Json, ty: &Type, flexible: bool, path: &mut String) -> Result<Value, String> {
    let mismatch = |path: &str, wanted: &str| {
        let place = if path.is_empty() {
            String::new()
        } else {
            format!(" at {path}")
        };
        format!("expected {wanted}{place}, found {}", describe(json))
    };
    match (ty, json) {
        (Type::Variant | Type::Generic(_), json) => variant(json, path),
        (Type::Bool, Json::Bool(value)) => Ok(Value::Bool(*value)),
        (Type::Str, Json::String(text)) => Ok(Value::Str(text.clone())),
        (Type::Int, Json::Number(number)) => number
            .as_i64()
            .map(Value::Int)
            .ok_or_else(|| mismatch(path, "an int")),
        (Type::Float, Json::Number(number)) => number
            .as_f64()
            .map(Value::Float)
            .ok_or_else(|| mismatch(path, "a float")),
        (Type::List(element), Json::Array(items)) => {
            let mut values = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                values.push(from_json(item, element, flexible, path)?);
                path.truncate(length);
            }
            Ok(Value::List(values))
        }
        (Type::Map(key, value), Json::Object(object)) => {
            let mut map = BTreeMap::new();
            for (name, item) in object {
                let key = map_key(name, key).ok_or_else(|| {
                    format!("the key {name:?}{} is not {}", at(path), article(key))
                })?;
                let length = path.len();
                path.push_str(&format!("[{name:?}]"));
                map.insert(key, from_json(item, value, flexible, path)?);
                path.truncate(length);
            }
            Ok(Value::Map(map))
        }
        (Type::Struct(fields), Json::Object(object)) => {
            let mut values = Vec::with_capacity(fields.len());
            for (name, field_type) in fields {
                let length = path.len();
                path.push('.');
                path.push_str(name);
                let value = match object.get(name) {
                    Some(item) => from_json(item, field_type, flexible, path)?,
                    None if flexible => Value::zero(field_type),
                    None => return Err(format!("the field {path} is missing")),
                };
                path.truncate(length);
                values.push((name.clone(), value));
            }
            Ok(Value::Struct(values))
        }
        (ty, _) => Err(mismatch(path, &article(ty))),
    }
}

/// JSON without a type: numbers that are whole are ints, objects are maps.
fn variant(json: &Json, path: &mut String) -> Result<Value, String> {
    Ok(match json {
        Json::Null => return Err(format!("null{} has no mcl value", at(path))),
        Json::Bool(value) => Value::Bool(*value),
        Json::Number(number) => match number.as_i64() {
            Some(value) => Value::Int(value),
            None => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(text) => Value::Str(text.clone()),
        Json::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                values.push(variant(item, path)?);
                path.truncate(length);
            }
            Value::List(values)
        }
        Json::Object(object) => {
            let mut map = BTreeMap::new();
            for (name, item) in object {
                let length = path.len();
                path.push_str(&format!("[{name:?}]"));
                map.insert(Value::Str(name.clone()), variant(item, path)?);
                path.truncate(length);
            }
            Value::Map(map)
        }
    })
}

/// A JSON object key as a map key of type `ty` (str, or a number for int
/// and float keys).
fn map_key(name: &str, ty: &Type) -> Option<Value> {
    match ty {
        Type::Str | Type::Variant => Some(Value::str(name)),
        Type::Int => name.parse().ok().map(Value::Int),
        Type::Float => name.parse().ok().map(Value::Float),
        Type::Bool => name.parse().ok().map(Value::Bool),
        _ => None,
    }
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at {path}")
    }
}

fn article(ty: &Type) -> String {
    match ty {
        Type::Int => "an int".to_owned(),
        Type::List(_) => format!("a list ({ty})"),
        Type::Map(..) => format!("an object ({ty})"),
        Type::Struct(_) => format!("an object ({ty})"),
        other => format!("a {other}"),
    }
}

fn describe(json: &Json) -> String {
    let text = json.to_string();
    if text.len() > 40 {
        let cut = (0..=37)
            .rev()
            .find(|at| text.is_char_boundary(*at))
            .unwrap_or(0);
        format!("{}...", &text[..cut])
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::types::Type;
    use mcl_compiler::value::{CallError, Value};

    #[test]
    fn base64_round_trip() {
        assert_eq!(
            ok("encoding", "base64_encode", vec![s("hello")]),
            s("aGVsbG8=")
        );
        assert_eq!(
            ok("encoding", "base64_decode", vec![s("aGVsbG8=")]),
            s("hello")
        );
        assert_eq!(
            catchable("encoding", "base64_decode", vec![s("aGV*bG8=")]),
            "\"aGV*bG8=\" is not valid base64 (at byte 3)"
        );
        assert!(catchable("encoding", "base64_decode", vec![s("/w==")]).contains("UTF-8"));
    }

    #[test]
    fn decode_json_builds_the_typed_value() {
        let ty = s("struct{name str; ports []int; tags map{str: bool}}");
        let data = s(r#"{"name": "web", "ports": [80, 443], "tags": {"a": true}, "extra": 1}"#);
        let value = ok("encoding", "decode_json", vec![data, ty.clone()]);
        assert_eq!(value.field("name"), Some(&s("web")));
        assert_eq!(value.field("ports"), Some(&ints(&[80, 443])));
        assert_eq!(
            value.to_string(),
            r#"struct{name => "web", ports => [80, 443], tags => {"a" => true}}"#
        );
        let signature = signature_for_shape("encoding", "decode_json", &[None, Some(ty)]).unwrap();
        assert_eq!(
            signature.ret.to_string(),
            "struct{name str; ports []int; tags map{str: bool}}"
        );
    }

    #[test]
    fn decode_json_reports_shape_errors_with_a_path() {
        let ty = s("struct{name str; ports []int}");
        assert_eq!(
            catchable(
                "encoding",
                "decode_json",
                vec![s(r#"{"name": "x", "ports": [1, "2"]}"#), ty.clone()]
            ),
            r#"expected an int at .ports[1], found "2""#
        );
        assert_eq!(
            catchable(
                "encoding",
                "decode_json",
                vec![s(r#"{"name": "x"}"#), ty.clone()]
            ),
            "the field .ports is missing"
        );
        assert!(catchable("encoding", "decode_json", vec![s("{"), ty]).starts_with("invalid JSON"));
    }

    #[test]
    fn decode_json_flexible_fills_missing_fields() {
        let value = ok(
            "encoding",
            "decode_json_flexible",
            vec![s(r#"{"name": "x"}"#), s("struct{name str; port int}")],
        );
        assert_eq!(value.field("port"), Some(&Value::Int(0)));
    }

    #[test]
    fn without_a_constant_type_the_use_fixes_the_result() {
        let float = call_used_as("encoding", "decode_json", vec![s("2")], &Type::Float);
        assert_eq!(float, Ok(Value::Float(2.0)));
        let int = call_used_as("encoding", "decode_json", vec![s("42")], &Type::Int);
        assert_eq!(int, Ok(Value::Int(42)));
        let ports = call_used_as(
            "encoding",
            "decode_json",
            vec![s("[80, 443]"), s("[]int")],
            &Type::list(Type::Int),
        );
        assert_eq!(ports, Ok(ints(&[80, 443])));
        let loose = call_used_as(
            "encoding",
            "decode_json",
            vec![s("[80]"), s("[]int")],
            &Type::list(Type::Variant),
        );
        assert_eq!(loose, Ok(ints(&[80])));
        assert_eq!(
            call_used_as(
                "encoding",
                "decode_json",
                vec![s("1"), s("str")],
                &Type::Int
            ),
            Err(CallError::catchable(
                "the type string says `str`, but the result is used as `int`"
            ))
        );
    }

    #[test]
    fn decode_json_without_a_type_gives_a_variant() {
        let value = ok(
            "encoding",
            "decode_json",
            vec![s(r#"{"a": [1, 2.5, "x", true]}"#)],
        );
        assert_eq!(value.to_string(), r#"{"a" => [1, 2.5, "x", true]}"#);
        assert_eq!(
            signature("encoding", "decode_json", 1).unwrap().ret,
            Type::Generic(0)
        );
        assert!(
            catchable("encoding", "decode_json", vec![s(r#"{"a": null}"#)])
                .contains("null at [\"a\"]")
        );
    }

    #[test]
    fn type_strings_are_checked() {
        let error =
            signature_for_shape("encoding", "decode_json", &[None, Some(s("string"))]).unwrap_err();
        assert_eq!(
            error,
            "the type string of `encoding.decode_json` is invalid: `string` is not a type"
        );
        assert!(
            signature_for_shape("encoding", "decode_json", &[None, Some(s("func() int"))]).is_err()
        );
        assert!(signature("encoding", "decode_json", 3).is_err());
        assert_eq!(
            signature("encoding", "decode_json", 2).unwrap().ret,
            Type::Generic(0)
        );
    }
}

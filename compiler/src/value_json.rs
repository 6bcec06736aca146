//! Reading a value back from JSON, given the type it must have: the reverse
//! of `Value::to_json`, for resources that other hosts exported.

use crate::types::Type;
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// `json` as a value of `ty`, or what does not fit (with the path into it).
pub fn value_from_json(json: &Json, ty: &Type) -> Result<Value, String> {
    match (ty, json) {
        (Type::Bool, Json::Bool(flag)) => Ok(Value::Bool(*flag)),
        (Type::Str, Json::String(text)) => Ok(Value::Str(text.clone())),
        (Type::Int, Json::Number(number)) => number
            .as_i64()
            .map(Value::Int)
            .ok_or_else(|| format!("{number} is not an int")),
        (Type::Float, Json::Number(number)) => number
            .as_f64()
            .map(Value::Float)
            .ok_or_else(|| format!("{number} is not a float")),
        (Type::List(element), Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                value_from_json(item, element).map_err(|problem| format!("[{index}]: {problem}"))
            })
            .collect::<Result<_, _>>()
            .map(Value::List),
        (Type::Map(key, value), Json::Object(entries)) if **key == Type::Str => entries
            .iter()
            .map(|(name, item)| {
                let item = value_from_json(item, value)
                    .map_err(|problem| format!("[{name:?}]: {problem}"))?;
                Ok((Value::Str(name.clone()), item))
            })
            .collect::<Result<BTreeMap<_, _>, String>>()
            .map(Value::Map),
        (Type::Map(key, value), Json::Array(pairs)) => pairs
            .iter()
            .map(|pair| match pair {
                Json::Array(both) if both.len() == 2 => Ok((
                    value_from_json(&both[0], key)?,
                    value_from_json(&both[1], value)?,
                )),
                _ => Err("a map entry that is not a [key, value] pair".to_owned()),
            })
            .collect::<Result<BTreeMap<_, _>, String>>()
            .map(Value::Map),
        (Type::Struct(fields), Json::Object(entries)) => {
            if let Some(extra) = entries
                .keys()
                .find(|name| !fields.iter().any(|(field, _)| field == *name))
            {
                return Err(format!("no field `{extra}` in {ty}"));
            }
            fields
                .iter()
                .map(|(name, field_type)| {
                    let field = match entries.get(name) {
                        Some(item) => value_from_json(item, field_type)
                            .map_err(|problem| format!(".{name}: {problem}"))?,
                        None => return Err(format!("field `{name}` is missing")),
                    };
                    Ok((name.clone(), field))
                })
                .collect::<Result<_, String>>()
                .map(Value::Struct)
        }
        (Type::Variant, json) => Ok(untyped(json)),
        (ty, json) => Err(format!("{} is not of type {ty}", short(json))),
    }
}

/// A value of unknown type (a `variant` field): the obvious reading.
fn untyped(json: &Json) -> Value {
    match json {
        Json::Null => Value::Str(String::new()),
        Json::Bool(flag) => Value::Bool(*flag),
        Json::Number(number) => number
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(number.as_f64().unwrap_or_default())),
        Json::String(text) => Value::Str(text.clone()),
        Json::Array(items) => Value::List(items.iter().map(untyped).collect()),
        Json::Object(entries) => Value::Map(
            entries
                .iter()
                .map(|(name, item)| (Value::Str(name.clone()), untyped(item)))
                .collect(),
        ),
    }
}

/// The JSON, cut short for a message.
fn short(json: &Json) -> String {
    let text = json.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_survives_json_and_back() {
        let ty = Type::Struct(vec![
            ("names".into(), Type::list(Type::Str)),
            ("sizes".into(), Type::map(Type::Int, Type::Float)),
            ("on".into(), Type::Bool),
        ]);
        let value = Value::Struct(vec![
            ("names".into(), Value::List(vec![Value::Str("a".into())])),
            (
                "sizes".into(),
                Value::Map([(Value::Int(1), Value::Float(0.5))].into_iter().collect()),
            ),
            ("on".into(), Value::Bool(true)),
        ]);
        assert_eq!(value_from_json(&value.to_json(), &ty), Ok(value));
    }

    #[test]
    fn a_mismatch_says_where() {
        let ty = Type::Struct(vec![("mode".into(), Type::list(Type::Int))]);
        let problem = value_from_json(&json!({"mode": [1, "x"]}), &ty).unwrap_err();
        assert_eq!(problem, ".mode: [1]: \"x\" is not of type int");
        assert!(value_from_json(&json!({"other": 1}), &ty)
            .unwrap_err()
            .contains("no field `other`"));
    }
}

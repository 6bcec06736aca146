//! The `strings` module: tests, splitting, joining, case, trimming, substrings
//! and padding, with mgmt's argument orders (the string first, as in Go).

use crate::native::{arg_int, arg_list, arg_str, Native};
use mcl_compiler::function::FunctionRegistry;
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};

const MODULE: &str = "strings";

fn str_test(registry: &mut FunctionRegistry, name: &'static str, test: fn(&str, &str) -> bool) {
    registry.register(
        MODULE,
        name,
        Native::pure(
            &format!("{MODULE}.{name}"),
            vec![Type::Str, Type::Str],
            Type::Bool,
            move |args| Ok(Value::Bool(test(arg_str(&args, 0)?, arg_str(&args, 1)?))),
        ),
    );
}

fn str_map(registry: &mut FunctionRegistry, name: &'static str, map: fn(&str) -> String) {
    registry.register(
        MODULE,
        name,
        Native::pure(
            &format!("{MODULE}.{name}"),
            vec![Type::Str],
            Type::Str,
            move |args| Ok(Value::Str(map(arg_str(&args, 0)?))),
        ),
    );
}

pub(crate) fn register(registry: &mut FunctionRegistry) {
    str_test(registry, "contains", |s, substr| s.contains(substr));
    str_test(registry, "has_prefix", |s, prefix| s.starts_with(prefix));
    str_test(registry, "has_suffix", |s, suffix| s.ends_with(suffix));
    str_map(registry, "to_lower", str::to_lowercase);
    str_map(registry, "to_upper", str::to_uppercase);
    str_map(registry, "trim_space", |s| s.trim().to_owned());

    registry.register(
        MODULE,
        "split",
        Native::pure(
            "strings.split",
            vec![Type::Str, Type::Str],
            Type::list(Type::Str),
            |args| {
                let parts = split(arg_str(&args, 0)?, arg_str(&args, 1)?);
                Ok(Value::List(parts.into_iter().map(Value::Str).collect()))
            },
        ),
    );

    registry.register(
        MODULE,
        "join_nonempty",
        Native::pure(
            "strings.join_nonempty",
            vec![Type::list(Type::Str), Type::Str],
            Type::Str,
            |args| {
                let separator = arg_str(&args, 1)?;
                let parts: Vec<&str> = arg_list(&args, 0)?
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|part| !part.is_empty())
                    .collect();
                Ok(Value::Str(parts.join(separator)))
            },
        ),
    );

    registry.register(
        MODULE,
        "replace_all",
        Native::pure(
            "strings.replace_all",
            vec![Type::Str, Type::Str, Type::Str],
            Type::Str,
            |args| {
                let text = arg_str(&args, 0)?;
                Ok(Value::Str(
                    text.replace(arg_str(&args, 1)?, arg_str(&args, 2)?),
                ))
            },
        ),
    );

    registry.register(
        MODULE,
        "substr",
        Native::pure(
            "strings.substr",
            vec![Type::Str, Type::Int, Type::Int],
            Type::Str,
            |args| {
                let text = arg_str(&args, 0)?;
                let (low, high) = (arg_int(&args, 1)?, arg_int(&args, 2)?);
                substr(text, low, high).map(Value::str)
            },
        ),
    );

    for (name, left) in [("left_pad", true), ("right_pad", false)] {
        registry.register(
            MODULE,
            name,
            Native::pure(
                &format!("{MODULE}.{name}"),
                vec![Type::Str, Type::Str, Type::Int],
                Type::Str,
                move |args| {
                    let (text, padding) = (arg_str(&args, 0)?, arg_str(&args, 1)?);
                    Ok(Value::Str(pad(text, padding, arg_int(&args, 2)?, left)))
                },
            ),
        );
    }
}

/// Go's `strings.Split`: an empty separator splits after each character.
fn split(text: &str, separator: &str) -> Vec<String> {
    if separator.is_empty() {
        text.chars().map(String::from).collect()
    } else {
        text.split(separator).map(str::to_owned).collect()
    }
}

/// Bytes `low..high` of `text`, as Go slices strings.
fn substr(text: &str, low: i64, high: i64) -> Result<&str, CallError> {
    let out_of_range = || {
        CallError::catchable(format!(
            "substr {low}..{high} is out of range for {:?} (length {})",
            text,
            text.len()
        ))
    };
    let low = usize::try_from(low).map_err(|_| out_of_range())?;
    let high = usize::try_from(high).map_err(|_| out_of_range())?;
    if low > high || high > text.len() {
        return Err(out_of_range());
    }
    text.get(low..high).ok_or_else(|| {
        CallError::catchable(format!(
            "substr {low}..{high} of {text:?} would split a character"
        ))
    })
}

/// Adds whole copies of `padding` until `text` is at least `length`
/// characters long; it may overshoot when `padding` is longer than one
/// character (easier to trim than to pad again).
fn pad(text: &str, padding: &str, length: i64, left: bool) -> String {
    let have = text.chars().count();
    let want = usize::try_from(length).unwrap_or(0);
    let step = padding.chars().count();
    if step == 0 || have >= want {
        return text.to_owned();
    }
    let copies = (want - have).div_ceil(step);
    let fill = padding.repeat(copies);
    if left {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;

    #[test]
    fn tests_take_the_string_first() {
        assert_eq!(
            ok("strings", "contains", vec![s("hello"), s("ell")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("strings", "has_prefix", vec![s("hello"), s("he")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("strings", "has_suffix", vec![s("hello"), s("he")]),
            Value::Bool(false)
        );
    }

    #[test]
    fn case_and_space() {
        assert_eq!(ok("strings", "to_lower", vec![s("HeLLo")]), s("hello"));
        assert_eq!(ok("strings", "to_upper", vec![s("straße")]), s("STRASSE"));
        assert_eq!(ok("strings", "trim_space", vec![s(" \t x y\n")]), s("x y"));
    }

    #[test]
    fn split_and_join() {
        assert_eq!(
            ok("strings", "split", vec![s("a,b,,c"), s(",")]),
            strs(&["a", "b", "", "c"])
        );
        assert_eq!(
            ok("strings", "split", vec![s("ab"), s("")]),
            strs(&["a", "b"])
        );
        assert_eq!(
            ok(
                "strings",
                "join_nonempty",
                vec![strs(&["a", "", "b"]), s("-")]
            ),
            s("a-b")
        );
    }

    #[test]
    fn replace_all_replaces_every_match() {
        assert_eq!(
            ok("strings", "replace_all", vec![s("a.b.c"), s("."), s("/")]),
            s("a/b/c")
        );
    }

    #[test]
    fn substr_takes_bytes_and_fails_catchably() {
        assert_eq!(
            ok(
                "strings",
                "substr",
                vec![s("hello"), Value::Int(1), Value::Int(3)]
            ),
            s("el")
        );
        assert_eq!(
            catchable(
                "strings",
                "substr",
                vec![s("hello"), Value::Int(2), Value::Int(9)]
            ),
            "substr 2..9 is out of range for \"hello\" (length 5)"
        );
        assert!(catchable(
            "strings",
            "substr",
            vec![s("hé"), Value::Int(0), Value::Int(2)]
        )
        .contains("split a character"));
        assert!(catchable(
            "strings",
            "substr",
            vec![s("x"), Value::Int(-1), Value::Int(1)]
        )
        .contains("out of range"));
    }

    #[test]
    fn padding_reaches_the_length() {
        assert_eq!(
            ok("strings", "left_pad", vec![s("7"), s("0"), Value::Int(3)]),
            s("007")
        );
        assert_eq!(
            ok("strings", "right_pad", vec![s("ab"), s("-"), Value::Int(4)]),
            s("ab--")
        );
        assert_eq!(
            ok("strings", "left_pad", vec![s("a"), s("xy"), Value::Int(4)]),
            s("xyxya")
        );
        assert_eq!(
            ok("strings", "left_pad", vec![s("abc"), s("0"), Value::Int(2)]),
            s("abc")
        );
        assert_eq!(
            ok("strings", "left_pad", vec![s("a"), s(""), Value::Int(5)]),
            s("a")
        );
    }
}

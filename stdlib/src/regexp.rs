//! The `regexp` module: `match(pattern, s)`, with the `regex` crate's syntax
//! (RE2's, as Go's `regexp` uses). A constant pattern is compiled when the
//! call's signature is computed, so a bad one is a compile error at the call
//! site; a pattern computed at run time that does not compile is a catchable
//! error.

use crate::native::{arg_str, Native};
use mcl_compiler::function::{FunctionRegistry, Signature};
use mcl_compiler::types::Type;
use mcl_compiler::value::{CallError, Value};
use regex::Regex;

const MODULE: &str = "regexp";

pub(crate) fn register(registry: &mut FunctionRegistry) {
    registry.register(
        MODULE,
        "match",
        Native::shaped(
            "regexp.match",
            |shape| {
                if shape.arg_count() != 2 {
                    return Err(format!(
                        "`regexp.match` takes a pattern and a string, not {}",
                        crate::native::count(shape.arg_count(), "argument")
                    ));
                }
                if let Some(pattern) = shape.constant_str(0) {
                    Regex::new(pattern).map_err(|error| {
                        format!(
                            "the pattern of `regexp.match` is not a valid regular expression: {}",
                            first_line(&error)
                        )
                    })?;
                }
                Ok(Signature::new(vec![Type::Str, Type::Str], Type::Bool))
            },
            |_, args| {
                let pattern = arg_str(&args, 0)?;
                let regex = Regex::new(pattern).map_err(|error| {
                    CallError::catchable(format!(
                        "{pattern:?} is not a valid regular expression: {}",
                        first_line(&error)
                    ))
                })?;
                Ok(Value::Bool(regex.is_match(arg_str(&args, 1)?)))
            },
        ),
    );
}

/// The regex crate's messages draw the pattern with a caret over several
/// lines; the last line says what is wrong.
fn first_line(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .map(|line| line.trim().trim_start_matches("error: ").to_owned())
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use crate::testing::*;
    use mcl_compiler::value::Value;

    #[test]
    fn match_finds_the_pattern_anywhere() {
        assert_eq!(
            ok("regexp", "match", vec![s("^web[0-9]+$"), s("web12")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("regexp", "match", vec![s("b+"), s("abba")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("regexp", "match", vec![s("^x"), s("abc")]),
            Value::Bool(false)
        );
    }

    #[test]
    fn a_bad_constant_pattern_is_a_compile_error() {
        let error = signature_for("regexp", "match", &[s("a(b"), s("x")]).unwrap_err();
        assert!(
            error.starts_with("the pattern of `regexp.match` is not a valid regular expression"),
            "{error}"
        );
        assert!(error.contains("unclosed group"), "{error}");
    }

    #[test]
    fn a_bad_dynamic_pattern_is_catchable() {
        let message = catchable("regexp", "match", vec![s("a(b"), s("x")]).to_string();
        assert!(
            message.starts_with("\"a(b\" is not a valid regular expression"),
            "{message}"
        );
        assert!(signature("regexp", "match", 2).is_ok());
    }
}

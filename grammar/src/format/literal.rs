//! Canonical spelling of literals: strings (escapes and `${}`), numbers.
//!
//! These are pure functions from AST values to text; each result must lex
//! back to the very same value, which is what keeps the formatter from
//! changing a program.

use crate::ast::StrSegment;

/// A string literal with its quotes, escapes and interpolations.
pub(super) fn string(segments: &[StrSegment]) -> String {
    let mut out = String::from("\"");
    for segment in segments {
        match segment {
            StrSegment::Text(text) => escape_into(&mut out, text),
            StrSegment::Var(name) => {
                out.push_str("${");
                out.push_str(&name.name);
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

/// A string without interpolation, such as an import path.
pub(super) fn plain_string(value: &str) -> String {
    let mut out = String::from("\"");
    escape_into(&mut out, value);
    out.push('"');
    out
}

fn escape_into(out: &mut String, text: &str) {
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0C' => out.push_str("\\f"),
            '\x0B' => out.push_str("\\v"),
            // Only `${` would start an interpolation. A `$` at the end of a
            // text segment is followed by `"` or by the `$` of the next
            // `${name}`, and neither makes it special.
            '$' if characters.peek() == Some(&'{') => out.push_str("\\$"),
            other => out.push(other),
        }
    }
}

/// A float that lexes back as the same float: always with a `.` and a digit
/// after it. Rust prints the shortest text that reads back exactly and never
/// uses an exponent, so only the `.0` may be missing.
pub(super) fn float(value: f64, source: &str) -> String {
    if !value.is_finite() {
        // Only a literal too long for f64 gets here; its own text is the
        // one spelling that lexes back to the same value.
        return source.to_owned();
    }
    let mut text = value.to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Ident;
    use crate::span::Span;

    fn text(value: &str) -> StrSegment {
        StrSegment::Text(value.to_owned())
    }

    fn var(name: &str) -> StrSegment {
        StrSegment::Var(Ident {
            name: name.to_owned(),
            span: Span::default(),
        })
    }

    #[test]
    fn escapes_are_canonical() {
        let printed = string(&[text("a\\b\"c\nd\te\rf\x07g\x08h\x0Ci\x0Bj é")]);
        assert_eq!(printed, r#""a\\b\"c\nd\te\rf\ag\bh\fi\vj é""#);
    }

    #[test]
    fn dollar_is_escaped_only_before_a_brace() {
        assert_eq!(string(&[text("${x} $y $")]), r#""\${x} $y $""#);
        assert_eq!(string(&[text("cost $"), var("x")]), r#""cost $${x}""#);
    }

    #[test]
    fn interpolation_prints_the_name() {
        let printed = string(&[text("hi "), var("ns.who"), text("!")]);
        assert_eq!(printed, r#""hi ${ns.who}!""#);
        assert_eq!(string(&[text("")]), r#""""#);
    }

    #[test]
    fn floats_keep_a_fraction() {
        assert_eq!(float(2.0, "2.000"), "2.0");
        assert_eq!(float(0.5, "0.50"), "0.5");
        assert_eq!(float(-3.25, "-3.25"), "-3.25");
        assert_eq!(float(1e-7, "0.0000001"), "0.0000001");
        assert_eq!(float(f64::INFINITY, "9.9"), "9.9");
    }
}

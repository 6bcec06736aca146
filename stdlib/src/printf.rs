//! Go-style format strings, shared by `fmt.printf` and the `printf` of
//! `golang.template`: parsing a format into text and verbs (`%s %d %f %t %v
//! %q %%`, with Go's flags `-+ 0#`, width and precision), and rendering
//! values into it.
//!
//! Two styles differ in how they print floats and containers: [`Style::Mcl`]
//! follows mgmt's printf (`%f` and `%v` print the shortest exact decimal,
//! containers print as mcl literals); [`Style::Go`] follows Go's fmt, as
//! templates expect (`%f` has 6 decimals, `%v` is `%g`, `[a b]`,
//! `map[k:v]`).

use mcl_compiler::types::Type;
use mcl_compiler::value::Value;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Mcl,
    Go,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
}

/// One `%` directive: its verb letter, flags, width and precision, and
/// where it stands in the format (for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spec {
    pub verb: char,
    pub text: String,
    pub offset: usize,
    flags: Flags,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    /// The type a verb needs, or `None` for `%v`, which takes any value.
    pub fn ty(&self) -> Option<Type> {
        match self.verb {
            's' | 'q' => Some(Type::Str),
            'd' => Some(Type::Int),
            'f' => Some(Type::Float),
            't' => Some(Type::Bool),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Verb(Spec),
}

/// Splits a format into text and verbs, or says what is wrong with it.
pub(crate) fn parse(format: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = format.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let mut flags = Flags::default();
        while let Some(&(_, flag)) = chars.peek() {
            match flag {
                '-' => flags.minus = true,
                '+' => flags.plus = true,
                '0' => flags.zero = true,
                ' ' => flags.space = true,
                // Go's `#` changes nothing for these verbs but `%q`; accepted.
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        let width = number(&mut chars);
        let mut precision = None;
        if chars.next_if(|&(_, c)| c == '.').is_some() {
            precision = Some(number(&mut chars).unwrap_or(0));
        }
        let Some((at, verb)) = chars.next() else {
            return Err(format!(
                "the format ends in an unfinished `{}`; write `%%` for a percent sign",
                &format[offset..]
            ));
        };
        let directive = &format[offset..at + verb.len_utf8()];
        match verb {
            '%' if directive == "%%" => text.push('%'),
            's' | 'd' | 'f' | 't' | 'v' | 'q' | 'T' => {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Verb(Spec {
                    verb,
                    text: directive.to_owned(),
                    offset,
                    flags,
                    width,
                    precision,
                }));
            }
            _ => {
                return Err(format!(
                    "`{directive}` at byte {offset} of the format is not a supported verb; \
                     use %s, %d, %f, %t, %v, %q, %T, or %% for a percent sign"
                ))
            }
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// A run of decimal digits (a width or precision), capped at 1000.
fn number(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<usize> {
    let mut number: Option<usize> = None;
    while let Some((_, digit)) = chars.next_if(|(_, c)| c.is_ascii_digit()) {
        let value = digit.to_digit(10).unwrap_or(0) as usize;
        number = Some((number.unwrap_or(0) * 10 + value).min(1000));
    }
    number
}

/// The verbs of a parsed format, in order.
pub(crate) fn verbs(pieces: &[Piece]) -> impl Iterator<Item = &Spec> {
    pieces.iter().filter_map(|piece| match piece {
        Piece::Verb(spec) => Some(spec),
        Piece::Text(_) => None,
    })
}

/// Renders `args` into a parsed format. Fails when the counts differ or a
/// value does not suit its verb (the type checker prevents both in mcl).
pub(crate) fn render(pieces: &[Piece], args: &[Value], style: Style) -> Result<String, String> {
    let mut out = String::new();
    let mut args = args.iter();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Verb(spec) => {
                let Some(value) = args.next() else {
                    return Err(format!("`{}` has no value to print", spec.text));
                };
                out.push_str(&render_one(spec, value, style)?);
            }
        }
    }
    if args.next().is_some() {
        return Err(format!(
            "the format has {} but more values were given",
            crate::native::count(verbs(pieces).count(), "verb")
        ));
    }
    Ok(out)
}

fn render_one(spec: &Spec, value: &Value, style: Style) -> Result<String, String> {
    let mismatch = || format!("`{}` cannot print {value}", spec.text);
    let (body, numeric) = match (spec.verb, value) {
        ('s', Value::Str(text)) => (truncate(text, spec.precision), false),
        ('q', Value::Str(text)) => (go_quote(text), false),
        ('t', Value::Bool(value)) => (value.to_string(), false),
        ('d', Value::Int(value)) => (format_int(*value, spec), true),
        ('f', Value::Float(value)) => (format_float(*value, spec, style), true),
        ('v', Value::Int(value)) => (format_int(*value, spec), true),
        ('v', Value::Float(value)) => match (style, spec.precision) {
            (_, Some(_)) => (format_float(*value, spec, style), true),
            (Style::Mcl, None) => (signed(&shortest(*value), spec), true),
            (Style::Go, None) => (signed(&go_general(*value), spec), true),
        },
        ('v', Value::Str(text)) => (truncate(text, spec.precision), false),
        ('v', Value::Bool(value)) => (value.to_string(), false),
        ('v', Value::Func(_)) => return Err(mismatch()),
        ('T', value) => (type_name(value), false),
        ('v', value) => match style {
            Style::Mcl => (value.to_string(), false),
            Style::Go => (go_value(value), false),
        },
        _ => return Err(mismatch()),
    };
    Ok(pad(body, spec, numeric))
}

/// The mcl type of a value, as `%T` prints it (`[]str`, `map{str: int}`);
/// an empty list or map says `variant` for what it could hold.
pub(crate) fn type_name(value: &Value) -> String {
    match value {
        Value::Bool(_) => "bool".to_owned(),
        Value::Int(_) => "int".to_owned(),
        Value::Float(_) => "float".to_owned(),
        Value::Str(_) => "str".to_owned(),
        Value::List(items) => format!(
            "[]{}",
            items
                .first()
                .map_or_else(|| "variant".to_owned(), type_name)
        ),
        Value::Map(entries) => match entries.iter().next() {
            Some((key, value)) => format!("map{{{}: {}}}", type_name(key), type_name(value)),
            None => "map{variant: variant}".to_owned(),
        },
        Value::Struct(fields) => format!(
            "struct{{{}}}",
            fields
                .iter()
                .map(|(name, value)| format!("{name} {}", type_name(value)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Value::Func(_) => "func".to_owned(),
    }
}

fn truncate(text: &str, precision: Option<usize>) -> String {
    match precision {
        Some(limit) => text.chars().take(limit).collect(),
        None => text.to_owned(),
    }
}

fn format_int(value: i64, spec: &Spec) -> String {
    let mut digits = value.unsigned_abs().to_string();
    if let Some(precision) = spec.precision {
        while digits.len() < precision {
            digits.insert(0, '0');
        }
    }
    let sign = if value < 0 { "-" } else { "" };
    signed(&format!("{sign}{digits}"), spec)
}

fn format_float(value: f64, spec: &Spec, style: Style) -> String {
    let body = if !value.is_finite() {
        special_float(value)
    } else {
        match (spec.precision, style) {
            (Some(precision), _) => format!("{value:.precision$}"),
            (None, Style::Go) => format!("{value:.6}"),
            (None, Style::Mcl) => shortest(value),
        }
    };
    signed(&body, spec)
}

fn special_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value > 0.0 {
        "+Inf".to_owned()
    } else {
        "-Inf".to_owned()
    }
}

/// The shortest decimal that reads back as `value`, never with an exponent
/// (Go's `FormatFloat(v, 'f', -1, 64)`, as mgmt prints floats).
pub(crate) fn shortest(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        special_float(value)
    }
}

/// Go's `%v` of a float: `%g` with the shortest digits, switching to an
/// exponent below 1e-4 and from 1e6 on (`1e+06`), as Go's fmt does.
pub(crate) fn go_general(value: f64) -> String {
    if !value.is_finite() {
        return special_float(value);
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let scientific = format!("{value:e}");
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return scientific;
    };
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if (-4..6).contains(&exponent) {
        format!("{value}")
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs())
    }
}

/// Adds the `+` or ` ` sign flag to a number.
fn signed(body: &str, spec: &Spec) -> String {
    if body.starts_with('-') || body.starts_with('+') {
        body.to_owned()
    } else if spec.flags.plus {
        format!("+{body}")
    } else if spec.flags.space {
        format!(" {body}")
    } else {
        body.to_owned()
    }
}

fn pad(body: String, spec: &Spec, numeric: bool) -> String {
    let Some(width) = spec.width else {
        return body;
    };
    let length = body.chars().count();
    if length >= width {
        return body;
    }
    let fill = width - length;
    if spec.flags.minus {
        format!("{body}{}", " ".repeat(fill))
    } else if spec.flags.zero && numeric {
        let split = usize::from(body.starts_with(['-', '+', ' ']));
        format!("{}{}{}", &body[..split], "0".repeat(fill), &body[split..])
    } else {
        format!("{}{body}", " ".repeat(fill))
    }
}

/// A double-quoted Go string literal (Go's `strconv.Quote`).
pub(crate) fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%v` of a value: `[a b]` for lists, `map[k:v]` for maps and for
/// structs (as mgmt hands templates structs as maps).
pub(crate) fn go_value(value: &Value) -> String {
    match value {
        Value::Bool(value) => value.to_string(),
        Value::Int(value) => value.to_string(),
        Value::Float(value) => go_general(*value),
        Value::Str(text) => text.clone(),
        Value::List(values) => {
            let items: Vec<String> = values.iter().map(go_value).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Map(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{}:{}", go_value(key), go_value(value)))
                .collect();
            format!("map[{}]", items.join(" "))
        }
        Value::Struct(fields) => {
            let mut items: Vec<(String, String)> = fields
                .iter()
                .map(|(name, value)| (title(name), go_value(value)))
                .collect();
            items.sort();
            let items: Vec<String> = items
                .into_iter()
                .map(|(name, value)| format!("{name}:{value}"))
                .collect();
            format!("map[{}]", items.join(" "))
        }
        Value::Func(_) => "<func>".to_owned(),
    }
}

/// The name with its first letter in upper case (`port` -> `Port`).
pub(crate) fn title(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sprintf(format: &str, args: &[Value], style: Style) -> String {
        render(&parse(format).unwrap(), args, style).unwrap()
    }

    #[test]
    fn verbs_and_percent_signs_are_parsed() {
        let pieces = parse("a %s b %% c %5.2f").unwrap();
        let verbs: Vec<&str> = verbs(&pieces).map(|spec| spec.text.as_str()).collect();
        assert_eq!(verbs, ["%s", "%5.2f"]);
        assert!(parse("100%").unwrap_err().contains("unfinished `%`"));
        let error = parse("x %x").unwrap_err();
        assert!(error.starts_with("`%x` at byte 2 of the format"), "{error}");
    }

    #[test]
    fn values_render_like_mgmt() {
        let args = [
            Value::str("hi"),
            Value::Int(-7),
            Value::Float(2.5),
            Value::Bool(true),
            Value::List(vec![Value::str("a")]),
        ];
        assert_eq!(
            sprintf("%s %d %f %t %v", &args, Style::Mcl),
            r#"hi -7 2.5 true ["a"]"#
        );
        assert_eq!(sprintf("%v", &[Value::Float(3.0)], Style::Mcl), "3");
        assert_eq!(
            sprintf("%q", &[Value::str("a\"b\n")], Style::Mcl),
            r#""a\"b\n""#
        );
    }

    #[test]
    fn widths_precisions_and_flags_work_like_go() {
        assert_eq!(sprintf("%05d", &[Value::Int(-42)], Style::Mcl), "-0042");
        assert_eq!(sprintf("%-4s|", &[Value::str("ab")], Style::Mcl), "ab  |");
        assert_eq!(
            sprintf("%.2f", &[Value::Float(1.23456)], Style::Mcl),
            "1.23"
        );
        assert_eq!(sprintf("%+d", &[Value::Int(3)], Style::Mcl), "+3");
        assert_eq!(sprintf("%.1s", &[Value::str("héllo")], Style::Mcl), "h");
        assert_eq!(sprintf("%f", &[Value::Float(2.5)], Style::Go), "2.500000");
    }

    #[test]
    fn go_style_prints_floats_and_containers_like_go() {
        assert_eq!(go_general(1e21), "1e+21");
        assert_eq!(go_general(123456.0), "123456");
        assert_eq!(go_general(1e6), "1e+06");
        assert_eq!(go_general(1234567.0), "1.234567e+06");
        assert_eq!(go_general(0.00001), "1e-05");
        assert_eq!(go_general(2.0), "2");
        let value = Value::Struct(vec![
            ("name".to_owned(), Value::str("x")),
            (
                "ports".to_owned(),
                Value::List(vec![Value::Int(1), Value::Int(2)]),
            ),
        ]);
        assert_eq!(go_value(&value), "map[Name:x Ports:[1 2]]");
    }

    #[test]
    fn percent_t_prints_the_mcl_type() {
        let list = Value::List(vec![Value::str("a")]);
        let record = Value::Struct(vec![("port".into(), Value::Int(80))]);
        assert_eq!(
            sprintf(
                "%T %T %T %T %T",
                &[
                    Value::Int(1),
                    list,
                    record,
                    Value::List(vec![]),
                    Value::Bool(true)
                ],
                Style::Mcl
            ),
            "int []str struct{port int} []variant bool"
        );
    }

    #[test]
    fn wrong_values_and_counts_are_reported() {
        let pieces = parse("%d").unwrap();
        assert!(render(&pieces, &[Value::str("x")], Style::Mcl).is_err());
        assert!(render(&pieces, &[], Style::Mcl).is_err());
        assert!(render(&pieces, &[Value::Int(1), Value::Int(2)], Style::Mcl).is_err());
    }
}

//! Syntax errors (lexer and parser) as diagnostics.

use super::model::Diagnostic;
use mcl_grammar::token::{LexErrorKind, Token};
use mcl_grammar::{SourceMap, SyntaxError, SyntaxErrorKind};

const BODY_KEYWORDS: [&str; 5] = ["Before", "Depend", "Notify", "Listen", "Meta"];

/// Converts one syntax error; `sources` lets messages quote the text.
pub fn to_diagnostic(sources: &SourceMap, error: &SyntaxError) -> Diagnostic {
    let span = error.span;
    let text = sources
        .get(span.file)
        .and_then(|file| file.text().get(span.range()))
        .unwrap_or("");
    match &error.kind {
        SyntaxErrorKind::Lex(kind) => lex_diagnostic(kind, error, text),
        SyntaxErrorKind::UnexpectedToken { found, expected } => {
            let diagnostic = Diagnostic::error(
                "E0111",
                format!("unexpected {found}"),
                span,
                expectation(expected).unwrap_or_else(|| "not expected here".to_owned()),
            );
            match unexpected_token_help(found, expected) {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            }
        }
        SyntaxErrorKind::UnexpectedEnd { expected } => Diagnostic::error(
            "E0112",
            "unexpected end of file",
            span,
            expectation(expected).unwrap_or_else(|| "the file ends here".to_owned()),
        ),
        SyntaxErrorKind::MissingComma => Diagnostic::error(
            "E0113",
            "missing `,` at the end of this line",
            span,
            "expected `,` before the line break",
        )
        .with_help("every field, map entry and struct field is followed by a comma"),
        SyntaxErrorKind::SpacedName => Diagnostic::error(
            "E0114",
            "a name joined with `:` cannot have spaces around the `:`",
            span,
            "spaces around `:`",
        )
        .with_help(format!(
            "write `{}`",
            text.split_whitespace().collect::<String>()
        )),
        SyntaxErrorKind::UnknownBodyKeyword { found } => {
            let diagnostic = Diagnostic::error(
                "E0115",
                format!("unknown key `{found}` in a resource body"),
                span,
                "expected a lowercase field name, or Before, Depend, Notify, Listen or Meta",
            );
            match nearest_body_keyword(found) {
                Some(keyword) => diagnostic.with_help(format!("did you mean `{keyword}`?")),
                None => diagnostic.with_help(format!(
                    "field names are lowercase: did you mean `{}`?",
                    found.to_lowercase()
                )),
            }
        }
        SyntaxErrorKind::EdgeNeedsTarget { keyword } => Diagnostic::error(
            "E0116",
            format!("`{keyword}` needs a resource to point at"),
            span,
            "expected `Kind[\"name\"]` after this",
        )
        .with_help(format!("for example `{keyword} => File[\"/etc/motd\"],`")),
        SyntaxErrorKind::TargetNeedsEdgeKeyword { keyword } => Diagnostic::error(
            "E0117",
            format!("`{keyword}` does not take a resource"),
            span,
            "only Before, Depend, Notify and Listen point at resources",
        ),
        SyntaxErrorKind::ParamOnNonMeta { keyword } => Diagnostic::error(
            "E0118",
            format!("`{keyword}:` is not a metaparameter key"),
            span,
            "only `Meta` takes a `:param`",
        )
        .with_help("write `Meta:noop => true,` for example"),
        SyntaxErrorKind::DottedBinding { name } => Diagnostic::error(
            "E0119",
            format!("cannot bind `${name}`"),
            span,
            "only plain names such as `$x` can be bound here",
        )
        .with_note(
            "a dotted name refers to a variable inside an imported module or an included class",
        ),
        SyntaxErrorKind::InterpolatedImport => Diagnostic::error(
            "E0120",
            "an import path cannot contain interpolation",
            span,
            "this path must be a plain string",
        )
        .with_note("imports are resolved before the program runs, so their paths are fixed"),
    }
}

fn lex_diagnostic(kind: &LexErrorKind, error: &SyntaxError, text: &str) -> Diagnostic {
    let span = error.span;
    match kind {
        LexErrorKind::UnexpectedChar => Diagnostic::error(
            "E0101",
            format!("unexpected character `{}`", text.escape_debug()),
            span,
            "no token starts with this",
        ),
        LexErrorKind::Percent => Diagnostic::error(
            "E0102",
            "unexpected `%`: mcl has no modulo operator",
            span,
            "not an operator",
        )
        .with_help("use `math.mod($a, $b)` from `import \"math\"`"),
        LexErrorKind::WindowsLineEnding => Diagnostic::error(
            "E0103",
            "this file has Windows line endings (CRLF)",
            span,
            "a carriage return before the line feed",
        )
        .with_help("convert the file to Unix line endings, e.g. with `dos2unix` or `sed -i 's/\\r$//'`"),
        LexErrorKind::LoneCarriageReturn => Diagnostic::error(
            "E0104",
            "a carriage return (`\\r`) outside a string",
            span,
            "stray carriage return",
        )
        .with_help("remove it; inside a string, write `\\r`"),
        LexErrorKind::IntOverflow => Diagnostic::error(
            "E0105",
            format!("integer `{text}` does not fit in 64 bits"),
            span,
            "out of range",
        )
        .with_note("integers range from -9223372036854775808 to 9223372036854775807"),
        LexErrorKind::UnterminatedString => Diagnostic::error(
            "E0106",
            "this string is never closed",
            span,
            "the string starts here and runs to the end of the file",
        )
        .with_help("add the closing `\"`"),
        LexErrorKind::UnknownEscape { .. } => Diagnostic::error(
            "E0107",
            format!("unknown escape `{text}`"),
            span,
            "not a known escape",
        )
        .with_help("the escapes are \\a \\b \\f \\n \\r \\t \\v \\\\ \\\" and \\$; write `\\\\` for a backslash"),
        LexErrorKind::BadInterpolation { .. } => Diagnostic::error(
            "E0108",
            "only a variable name may stand inside `${...}`",
            span,
            "not a variable name",
        )
        .with_help("bind the value first (`$v = ...`), then write `${v}`; or write `\\${` for a literal `${`"),
        LexErrorKind::TrailingUnderscore => Diagnostic::error(
            "E0109",
            format!("`{text}` ends with `_`"),
            span,
            "names cannot end with an underscore",
        )
        .with_help(format!("write `{}`", text.trim_end_matches('_'))),
        LexErrorKind::BareDollar => Diagnostic::error(
            "E0110",
            "`$` must be followed by a variable name",
            span,
            "expected a name such as `$x`",
        )
        .with_note("variable names are lowercase: letters, digits and `_`, starting with a letter"),
        LexErrorKind::TooDeep => Diagnostic::error(
            "E0121",
            format!(
                "brackets nested more than {} levels deep",
                mcl_grammar::lexer::MAX_NESTING
            ),
            span,
            "too deep here",
        )
        .with_help("bind inner values to variables to flatten the expression"),
    }
}

/// "expected `)` or `,`"
fn expectation(expected: &[String]) -> Option<String> {
    match expected {
        [] => None,
        [only] => Some(format!("expected {only}")),
        [init @ .., last] if init.len() < 6 => {
            Some(format!("expected {} or {last}", init.join(", ")))
        }
        _ => Some(format!("expected one of {}", expected.join(", "))),
    }
}

fn unexpected_token_help(found: &Token, expected: &[String]) -> Option<String> {
    let expects = |what: &str| expected.iter().any(|name| name == what);
    match found {
        Token::Int(value) if *value < 0 && !expects("an expression") => Some(format!(
            "the `-` belongs to the number: to subtract, write `- {}` with a space",
            value.unsigned_abs()
        )),
        Token::Float(value) if *value < 0.0 && !expects("an expression") => {
            Some("the `-` belongs to the number: to subtract, put a space after `-`".to_owned())
        }
        Token::Eq
        | Token::NotEq
        | Token::Lt
        | Token::Gt
        | Token::LtEq
        | Token::GtEq
        | Token::In
            if !expects("an expression") =>
        {
            Some("comparisons do not chain: combine them with `and`".to_owned())
        }
        Token::Assign if expects("`=>`") => Some("fields and entries use `=>`, not `=`".to_owned()),
        _ if expected == ["end of line"] => Some(
            "a statement ends at the end of its line: start the next one on a new line".to_owned(),
        ),
        _ => None,
    }
}

/// The edge or meta keyword within two edits of what the user wrote.
fn nearest_body_keyword(found: &str) -> Option<&'static str> {
    BODY_KEYWORDS
        .iter()
        .map(|keyword| (edit_distance(found, keyword), *keyword))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, keyword)| keyword)
}

/// Levenshtein distance over characters; used for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("Notfy", "Notify"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn expectations_read_as_a_sentence() {
        let list = |names: &[&str]| {
            names
                .iter()
                .map(|name| (*name).to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(expectation(&list(&["`)`"])).unwrap(), "expected `)`");
        assert_eq!(
            expectation(&list(&["`)`", "`,`"])).unwrap(),
            "expected `)` or `,`"
        );
    }
}

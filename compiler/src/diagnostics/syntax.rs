//! Syntax errors (lexer and parser) as diagnostics: every message, label and
//! help a user reads about a syntax mistake is written here.

use super::model::Diagnostic;
use mcl_grammar::parser::error::Context;
use mcl_grammar::token::{LexErrorKind, Token};
use mcl_grammar::{SourceMap, Span, SyntaxError, SyntaxErrorKind};

const BODY_KEYWORDS: [&str; 5] = ["Before", "Depend", "Notify", "Listen", "Meta"];

/// Converts one syntax error; `sources` lets messages quote the text.
pub fn to_diagnostic(sources: &SourceMap, error: &SyntaxError) -> Diagnostic {
    let span = error.span;
    let source = Source {
        sources,
        file: span.file,
    };
    let text = source.text(span);
    match &error.kind {
        SyntaxErrorKind::Lex(kind) => lex_diagnostic(kind, error, &source),
        SyntaxErrorKind::UnexpectedToken {
            found,
            expected,
            context,
        } => {
            let label = if context.closes_nothing {
                let symbol = found.symbol().unwrap_or("}");
                format!("this `{symbol}` has no matching `{}`", opening_of(symbol))
            } else {
                expectation(expected).unwrap_or_else(|| "not expected here".to_owned())
            };
            let diagnostic = Diagnostic::error("E0111", format!("unexpected {found}"), span, label);
            let diagnostic = with_unclosed(diagnostic, &source, context.unclosed);
            match unexpected_token_help(found, expected, context) {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            }
        }
        SyntaxErrorKind::UnexpectedEnd { expected, unclosed } => with_unclosed(
            Diagnostic::error(
                "E0112",
                "unexpected end of file",
                span,
                expectation(expected).unwrap_or_else(|| "the file ends here".to_owned()),
            ),
            &source,
            *unclosed,
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
        SyntaxErrorKind::LowercaseEdgeKind => {
            let kind = text.split('[').next().unwrap_or(text);
            Diagnostic::error(
                "E0111",
                format!("unexpected identifier `{kind}`"),
                span,
                "expected a capitalised resource kind",
            )
            .with_help(format!(
                "resource kinds in edges are capitalised: `{}`",
                capitalise_kind(text)
            ))
        }
        SyntaxErrorKind::CapitalisedKind { kind } => Diagnostic::error(
            "E0111",
            format!("unexpected `{kind}`"),
            span,
            "expected a lowercase resource kind",
        )
        .with_help(format!(
            "resource kinds are lowercase: `{}`; capitalised kinds name resources in edges, as in `{kind}[\"name\"]`",
            kind.to_lowercase()
        )),
        SyntaxErrorKind::LoopWithOneVariable { keyword } => {
            let (first, second, what) = match *keyword {
                "forkv" => ("$k", "$v", "a key and a value"),
                _ => ("$i", "$x", "an index and a value"),
            };
            Diagnostic::error(
                "E0111",
                "unexpected `in`",
                span,
                "expected `,` and a second variable",
            )
            .with_help(format!(
                "`{keyword}` takes {what}: `{keyword} {first}, {second} in ...`"
            ))
        }
        SyntaxErrorKind::DottedClassName { name } => Diagnostic::error(
            "E0123",
            format!("a class cannot be declared as `{name}`"),
            span,
            "a class name is `name` or `base:inner`",
        )
        .with_note("dotted names such as `mod.web` refer to classes inside imported modules, in `include`")
        .with_help(format!("to nest a class, write `{}`", name.replace('.', ":"))),
    }
}

/// The text of one file, for quoting it in messages.
struct Source<'a> {
    sources: &'a SourceMap,
    file: mcl_grammar::FileId,
}

impl Source<'_> {
    fn all(&self) -> &str {
        self.sources.get(self.file).map_or("", |file| file.text())
    }

    fn text(&self, span: Span) -> &str {
        self.all().get(span.range()).unwrap_or("")
    }

    fn line_of(&self, offset: usize) -> usize {
        self.sources
            .get(self.file)
            .map_or(0, |file| file.line_column(offset).0)
    }
}

/// Adds "this `[` is never closed" at the bracket left open around an error.
fn with_unclosed(diagnostic: Diagnostic, source: &Source, unclosed: Option<Span>) -> Diagnostic {
    match unclosed {
        Some(bracket) => {
            let symbol = source.text(bracket);
            diagnostic.with_secondary(bracket, format!("this `{symbol}` is never closed"))
        }
        None => diagnostic,
    }
}

fn opening_of(closing: &str) -> &'static str {
    match closing {
        ")" => "(",
        "]" => "[",
        _ => "{",
    }
}

/// `svc["x"]` becomes `Svc["x"]`, `http:server["x"]` becomes `Http:Server["x"]`.
fn capitalise_kind(target: &str) -> String {
    let (kind, rest) = target.split_at(target.find('[').unwrap_or(target.len()));
    let parts: Vec<String> = kind
        .split(':')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    format!("{}{rest}", parts.join(":"))
}

/// A character as it can be printed inside backticks: itself, unless it is
/// invisible or would move the cursor.
fn visible(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() || character.is_whitespace() {
                character.escape_default().to_string()
            } else {
                character.to_string()
            }
        })
        .collect()
}

/// `'it\'s'` as the double-quoted mcl string it was meant to be.
fn double_quoted(single_quoted: &str) -> String {
    let inner = single_quoted.strip_prefix('\'').unwrap_or(single_quoted);
    let inner = inner.strip_suffix('\'').unwrap_or(inner);
    let escaped = inner.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

fn lex_diagnostic(kind: &LexErrorKind, error: &SyntaxError, source: &Source) -> Diagnostic {
    let span = error.span;
    let text = source.text(span);
    match kind {
        LexErrorKind::UnexpectedChar => {
            let characters = if text.chars().count() > 1 {
                "characters"
            } else {
                "character"
            };
            Diagnostic::error(
                "E0101",
                format!("unexpected {characters} `{}`", visible(text)),
                span,
                "no token starts with this",
            )
        }
        LexErrorKind::ForeignOperator { meant } => Diagnostic::error(
            "E0101",
            format!("`{text}` is not an operator in mcl"),
            span,
            format!("mcl spells this `{meant}`"),
        )
        .with_help(format!("use `{meant}`")),
        LexErrorKind::SingleQuotedString => Diagnostic::error(
            "E0122",
            "strings use double quotes",
            span,
            "single quotes do not make a string",
        )
        .with_help(format!("write `{}`", double_quoted(text))),
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
            visible_carriage_return(span, source),
            "a stray carriage return is hidden here",
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
            Span::new(span.file, span.range().start, span.range().start + 1),
            "the string starts here and runs to the end of the file",
        )
        .with_help("add the closing `\"`"),
        LexErrorKind::UnclosedOnItsLine { runs_to } => Diagnostic::error(
            "E0106",
            "this string is never closed",
            span,
            "no closing `\"` on this line",
        )
        .with_note(format!(
            "without it, the string runs on to line {} and every quote after it pairs up wrongly",
            source.line_of(runs_to.saturating_sub(1))
        ))
        .with_help("add the closing `\"` at the end of the string"),
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

/// A lone `\r` is zero columns wide, so a label on it alone draws no caret:
/// the label takes in the character after it too, when there is one on the line.
fn visible_carriage_return(span: Span, source: &Source) -> Span {
    let next = source
        .all()
        .get(span.range().end..)
        .and_then(|rest| rest.chars().next())
        .filter(|next| *next != '\n' && *next != '\r');
    match next {
        Some(next) => Span::new(
            span.file,
            span.range().start,
            span.range().end + next.len_utf8(),
        ),
        None => span,
    }
}

fn unexpected_token_help(found: &Token, expected: &[String], context: &Context) -> Option<String> {
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
            if expects("an operator") =>
        {
            Some("comparisons do not chain: combine them with `and`".to_owned())
        }
        Token::Assign | Token::Colon if expects("`=>`") => Some(format!(
            "use `=>`: fields and entries are written `name => value`, not with `{}`",
            found.symbol().unwrap_or("=")
        )),
        // `($x) { $x }`: the parser took `($x)` for a complete expression.
        Token::LBrace
            if context.previous == Some(Token::RParen)
                && (expects("end of line") || expects("an operator"))
                && !expects("`as`") =>
        {
            Some("a lambda is written `func($x) { ... }`".to_owned())
        }
        Token::TypeBool | Token::TypeStr | Token::TypeInt | Token::TypeFloat | Token::Variant
            if expects("end of line") =>
        {
            Some("a type goes between the name and the `=`: `$x int = 1`".to_owned())
        }
        Token::Else => Some("`else` follows the `}` of an `if`, on the same line".to_owned()),
        _ if expects("`,`") && starts_element(found) => Some(
            "add a `,` before this: fields, entries and elements are separated by commas"
                .to_owned(),
        ),
        Token::Newline if expects("`{`") && context.next == Some(Token::LBrace) => {
            Some("a `{` goes at the end of this line, not on the next one".to_owned())
        }
        _ if expects("end of line") && starts_statement(found) => Some(
            "a statement ends at the end of its line: start the next one on a new line".to_owned(),
        ),
        _ => None,
    }
}

/// Tokens that can begin a field, a map entry or a list element.
fn starts_element(token: &Token) -> bool {
    matches!(
        token,
        Token::Var(_)
            | Token::Ident(_)
            | Token::CapIdent(_)
            | Token::Str(_)
            | Token::Int(_)
            | Token::Float(_)
            | Token::True
            | Token::False
    )
}

/// Tokens that can begin a statement.
fn starts_statement(token: &Token) -> bool {
    matches!(
        token,
        Token::Var(_)
            | Token::Ident(_)
            | Token::CapIdent(_)
            | Token::If
            | Token::For
            | Token::ForKv
            | Token::Func
            | Token::Class
            | Token::Include
            | Token::Import
            | Token::Collect
            | Token::Panic
    )
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

/// Edit distance over characters (a swap of neighbours counts one); used
/// for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    // Optimal string alignment: insertions, deletions, substitutions and
    // swaps of two neighbours (`fiel` for `file`) each count one.
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut table = vec![0usize; (a.len() + 1) * width];
    for (j, cell) in table.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        table[i * width] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[(i - 1) * width + j] + 1)
                .min(table[i * width + j - 1] + 1)
                .min(table[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[(i - 2) * width + j - 2] + 1);
            }
            table[i * width + j] = best;
        }
    }
    table[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("Notfy", "Notify"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("fiel", "file"), 1);
        assert_eq!(edit_distance("retyr", "retry"), 1);
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

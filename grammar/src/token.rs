//! The tokens of mcl (spec §1) as a logos enum.
//!
//! Strings are scanned by a hand-written callback because they carry escapes and
//! `${name}` interpolation; everything else is a plain pattern. Comments and
//! newlines are tokens here; [`crate::lexer`] moves comments aside and decides
//! which newlines end statements.

use logos::{Lexer, Logos};
use std::fmt;

/// Why a piece of text is not a token. Offsets inside are absolute byte offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LexErrorKind {
    #[default]
    UnexpectedChar,
    /// `%`: mcl has no modulo operator.
    Percent,
    /// `\r\n`: a file saved with Windows line endings.
    WindowsLineEnding,
    /// A `\r` that is not followed by `\n`.
    LoneCarriageReturn,
    /// An integer literal outside the range of int64.
    IntOverflow,
    /// A string that is never closed.
    UnterminatedString,
    /// A string with no closing quote on its line, which would otherwise run
    /// on and pair up every later quote wrongly; `runs_to` is where the next
    /// `"` would have closed it (see [`crate::lexer`]).
    UnclosedOnItsLine { runs_to: usize },
    /// `'text'`: strings use double quotes.
    SingleQuotedString,
    /// `&&`, `||` or `!`: the operator mcl spells as the word `meant`.
    ForeignOperator { meant: &'static str },
    /// `\q` inside a string: an escape mcl does not know, at `start..end`.
    UnknownEscape { start: usize, end: usize },
    /// `${...}` whose inside is not a variable name, at `start..end`.
    BadInterpolation { start: usize, end: usize },
    /// An identifier that ends with `_`.
    TrailingUnderscore,
    /// `$` that is not followed by a variable name.
    BareDollar,
    /// Brackets nested deeper than [`crate::lexer::MAX_NESTING`].
    TooDeep,
}

/// One piece of a string literal: text, or an interpolated `${name}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StrPart {
    Text(String),
    /// A variable name (dotted for `${ns.name}`) and its absolute byte range.
    Var {
        name: String,
        start: usize,
        end: usize,
    },
}

/// What the string scanner must know on a second pass over a file whose quotes
/// went out of step: the string that starts at `start` ends with its line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LexExtras {
    pub cut_string: Option<StringCut>,
}

/// A string cut at the end of its first line; the first pass ended it at `runs_to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringCut {
    pub start: usize,
    pub runs_to: usize,
}

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexErrorKind)]
#[logos(extras = LexExtras)]
#[logos(skip r"[ \t\x0C]+")]
pub enum Token {
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("forkv")]
    ForKv,
    #[token("in")]
    In,
    #[token("func")]
    Func,
    #[token("class")]
    Class,
    #[token("include")]
    Include,
    #[token("import")]
    Import,
    #[token("as")]
    As,
    #[token("panic")]
    Panic,
    #[token("collect")]
    Collect,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("bool")]
    TypeBool,
    #[token("str")]
    TypeStr,
    #[token("int")]
    TypeInt,
    #[token("float")]
    TypeFloat,
    #[token("map")]
    Map,
    #[token("struct")]
    Struct,
    #[token("variant")]
    Variant,

    /// A lowercase identifier such as `file` or `content`.
    #[regex(r"[a-z][a-z0-9_]*", identifier)]
    Ident(String),
    /// A dotted name such as `fmt.printf` or `iter.map`, used for calls and includes.
    #[regex(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", identifier)]
    DottedIdent(String),
    /// A capitalised word such as `File`, `Before` or `Meta`.
    #[regex(r"[A-Z][A-Za-z0-9_]*", |lex| lex.slice().to_owned())]
    CapIdent(String),
    /// `$name` or `$ns.name`, stored without the `$`.
    #[regex(r"\$[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*", variable)]
    #[token("$", bare_dollar)]
    Var(String),

    #[regex(r"-?[0-9]+", integer)]
    Int(i64),
    #[regex(r"-?[0-9]+\.[0-9]+", |lex| lex.slice().parse::<f64>().ok())]
    Float(f64),
    #[token("\"", string)]
    Str(Vec<StrPart>),

    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semicolon,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("=")]
    Assign,
    #[token("=>")]
    FatArrow,
    #[token("->")]
    Arrow,
    #[token("?:")]
    Elvis,
    #[token("<|>")]
    Except,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("==")]
    Eq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    LtEq,
    #[token(">=")]
    GtEq,

    #[token("\n")]
    Newline,
    #[regex(r"#[^\n\r]*", allow_greedy = true)]
    Comment,

    #[token("%", |_| fail(LexErrorKind::Percent))]
    #[token("\r\n", |_| fail(LexErrorKind::WindowsLineEnding))]
    #[token("\r", |_| fail(LexErrorKind::LoneCarriageReturn))]
    #[token("&&", |_| fail(LexErrorKind::ForeignOperator { meant: "and" }))]
    #[token("||", |_| fail(LexErrorKind::ForeignOperator { meant: "or" }))]
    #[token("!", |_| fail(LexErrorKind::ForeignOperator { meant: "not" }))]
    #[regex(r"'[^'\n\r]*'?", |_| fail(LexErrorKind::SingleQuotedString))]
    /// Stands in for text that did not lex, after its error was recorded, so
    /// that the parser can recover and report later mistakes too.
    Invalid,
}

fn fail(kind: LexErrorKind) -> Result<(), LexErrorKind> {
    Err(kind)
}

fn bare_dollar(_: &mut Lexer<Token>) -> Result<String, LexErrorKind> {
    Err(LexErrorKind::BareDollar)
}

fn identifier(lex: &mut Lexer<Token>) -> Result<String, LexErrorKind> {
    let text = lex.slice();
    if text.ends_with('_') || text.contains("_.") {
        return Err(LexErrorKind::TrailingUnderscore);
    }
    Ok(text.to_owned())
}

fn variable(lex: &mut Lexer<Token>) -> Result<String, LexErrorKind> {
    let name = &lex.slice()[1..];
    if name.ends_with('_') || name.contains("_.") {
        return Err(LexErrorKind::TrailingUnderscore);
    }
    Ok(name.to_owned())
}

fn integer(lex: &mut Lexer<Token>) -> Result<i64, LexErrorKind> {
    lex.slice()
        .parse::<i64>()
        .map_err(|_| LexErrorKind::IntOverflow)
}

/// Scans a string literal after its opening quote, decoding escapes and
/// splitting out `${name}` interpolations.
fn string(lex: &mut Lexer<Token>) -> Result<Vec<StrPart>, LexErrorKind> {
    let base = lex.span().end;
    let rest = lex.remainder();
    if let Some(cut) = lex
        .extras
        .cut_string
        .filter(|cut| cut.start == lex.span().start)
    {
        lex.bump(rest.find(['\n', '\r']).unwrap_or(rest.len()));
        return Err(LexErrorKind::UnclosedOnItsLine {
            runs_to: cut.runs_to,
        });
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = rest.char_indices().peekable();
    let mut first_error = None;
    while let Some((index, character)) = chars.next() {
        match character {
            '"' => {
                lex.bump(index + 1);
                if let Some(error) = first_error {
                    return Err(error);
                }
                if !text.is_empty() || parts.is_empty() {
                    parts.push(StrPart::Text(text));
                }
                return Ok(parts);
            }
            '\\' => {
                let Some((escape_index, escaped)) = chars.next() else {
                    break;
                };
                let decoded = match escaped {
                    'a' => '\x07',
                    'b' => '\x08',
                    'f' => '\x0C',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\x0B',
                    '\\' => '\\',
                    '"' => '"',
                    '$' => '$',
                    other => {
                        first_error.get_or_insert(LexErrorKind::UnknownEscape {
                            start: base + index,
                            end: base + escape_index + other.len_utf8(),
                        });
                        continue;
                    }
                };
                text.push(decoded);
            }
            '$' if rest[index + 1..].starts_with('{') => {
                chars.next();
                let inner_start = index + 2;
                let Some(close) = rest[inner_start..].find(['}', '"']) else {
                    break;
                };
                let inner_end = inner_start + close;
                let name = &rest[inner_start..inner_end];
                let valid_name = rest[inner_end..].starts_with('}') && is_variable_path(name);
                if !valid_name {
                    let end = if rest[inner_end..].starts_with('}') {
                        inner_end + 1
                    } else {
                        inner_end
                    };
                    first_error.get_or_insert(LexErrorKind::BadInterpolation {
                        start: base + index,
                        end: base + end,
                    });
                }
                if !text.is_empty() {
                    parts.push(StrPart::Text(std::mem::take(&mut text)));
                }
                parts.push(StrPart::Var {
                    name: name.to_owned(),
                    start: base + index,
                    end: base + inner_end + 1,
                });
                // Skip to the closing brace (or leave the quote for the loop).
                while let Some(&(next, _)) = chars.peek() {
                    if next >= inner_end {
                        break;
                    }
                    chars.next();
                }
                if rest[inner_end..].starts_with('}') {
                    chars.next();
                }
            }
            other => text.push(other),
        }
    }
    lex.bump(rest.len());
    Err(LexErrorKind::UnterminatedString)
}

/// `name` or `ns.name`, with the identifier rules of spec §1.
pub fn is_variable_path(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(is_identifier)
}

/// `[a-z]([a-z0-9_]*[a-z0-9])?`
pub fn is_identifier(text: &str) -> bool {
    let bytes = text.as_bytes();
    matches!(bytes.first(), Some(b'a'..=b'z'))
        && !text.ends_with('_')
        && bytes
            .iter()
            .all(|byte| matches!(byte, b'a'..=b'z' | b'0'..=b'9' | b'_'))
}

impl fmt::Display for Token {
    /// How a token is named after "unexpected" in an error message: "`if`",
    /// "string", "identifier `x`".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fixed = match self {
            Token::Ident(name) => return write!(f, "identifier `{name}`"),
            Token::DottedIdent(name) => return write!(f, "name `{name}`"),
            Token::CapIdent(name) => return write!(f, "`{name}`"),
            Token::Var(name) => return write!(f, "variable `${name}`"),
            Token::Int(value) => return write!(f, "integer `{value}`"),
            Token::Float(value) => return write!(f, "float `{value}`"),
            Token::Str(_) => "string",
            Token::Newline => "end of line",
            Token::Comment => "comment",
            Token::Invalid => "invalid text",
            other => return write!(f, "`{}`", other.symbol().unwrap_or("?")),
        };
        f.write_str(fixed)
    }
}

impl Token {
    /// The fixed text of keywords and punctuation.
    pub fn symbol(&self) -> Option<&'static str> {
        Some(match self {
            Token::If => "if",
            Token::Else => "else",
            Token::For => "for",
            Token::ForKv => "forkv",
            Token::In => "in",
            Token::Func => "func",
            Token::Class => "class",
            Token::Include => "include",
            Token::Import => "import",
            Token::As => "as",
            Token::Panic => "panic",
            Token::Collect => "collect",
            Token::And => "and",
            Token::Or => "or",
            Token::Not => "not",
            Token::True => "true",
            Token::False => "false",
            Token::TypeBool => "bool",
            Token::TypeStr => "str",
            Token::TypeInt => "int",
            Token::TypeFloat => "float",
            Token::Map => "map",
            Token::Struct => "struct",
            Token::Variant => "variant",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::Comma => ",",
            Token::Semicolon => ";",
            Token::Colon => ":",
            Token::Dot => ".",
            Token::Assign => "=",
            Token::FatArrow => "=>",
            Token::Arrow => "->",
            Token::Elvis => "?:",
            Token::Except => "<|>",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Slash => "/",
            Token::Eq => "==",
            Token::NotEq => "!=",
            Token::Lt => "<",
            Token::Gt => ">",
            Token::LtEq => "<=",
            Token::GtEq => ">=",
            _ => return None,
        })
    }
}

//! The lexer the parser consumes: logos tokens plus three decisions.
//!
//! 1. Comments go aside (the formatter puts them back), never to the parser.
//! 2. A mistake in the text is recorded as a [`LexError`] and replaced by a
//!    stand-in token, so that the parser goes on and reports later mistakes,
//!    while the broken text itself is reported exactly once.
//! 3. Newlines end statements (spec §1), so only the newlines that can end one
//!    reach the parser: none inside `(...)` or `[...]`, none after a token that
//!    cannot end a statement (`,`, `=`, `{`, an operator), none before a token
//!    that cannot start one (`}`, `)`, `]`, `,`, `else`, `->`), and runs of them
//!    collapse into one.

use crate::token::{LexErrorKind, Token};
use logos::Logos;

/// A `# comment`, without its line break, at `start..end` of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A piece of text that is not a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub start: usize,
    pub end: usize,
}

/// How deeply `(`, `[` and `{` may nest. Every later phase walks the tree
/// recursively, so an absurd depth is refused here with a located error rather
/// than overflowing a stack somewhere downstream.
pub const MAX_NESTING: usize = 256;

/// Everything the lexer learned about one file.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<(usize, Token, usize)>,
    pub comments: Vec<Comment>,
    pub errors: Vec<LexError>,
    /// Lexing stopped early (nesting too deep): the tokens are incomplete and
    /// must not be parsed.
    pub stopped: bool,
}

/// Lexes a whole file. Never panics and always terminates: logos advances by
/// at least one byte per token or error.
pub fn lex(text: &str) -> Lexed {
    let mut lexed = Lexed::default();
    let mut filter = NewlineFilter::default();
    let mut raw = Token::lexer(text);
    let mut reported_windows_endings = false;
    while let Some(result) = raw.next() {
        let range = raw.span();
        let token = match result {
            Ok(Token::Comment) => {
                lexed.comments.push(Comment {
                    start: range.start,
                    end: range.end,
                    text: raw.slice().to_owned(),
                });
                continue;
            }
            Ok(token) => token,
            Err(kind) => {
                let stand_in = stand_in_for(&kind, raw.slice());
                // One error for a file saved with CRLF, not one per line.
                let repeated = kind == LexErrorKind::WindowsLineEnding && reported_windows_endings;
                if !repeated {
                    reported_windows_endings |= kind == LexErrorKind::WindowsLineEnding;
                    lexed.errors.push(error_at(kind, range.start, range.end));
                }
                match stand_in {
                    Some(token) => token,
                    None => continue,
                }
            }
        };
        let opens = matches!(token, Token::LParen | Token::LBracket | Token::LBrace);
        if opens && filter.brackets.len() >= MAX_NESTING {
            lexed
                .errors
                .push(error_at(LexErrorKind::TooDeep, range.start, range.end));
            lexed.stopped = true;
            break;
        }
        filter.push(&mut lexed.tokens, (range.start, token, range.end));
    }
    lexed
}

/// Errors inside a string point at the escape or interpolation, not the string.
fn error_at(kind: LexErrorKind, start: usize, end: usize) -> LexError {
    let (start, end) = match kind {
        LexErrorKind::UnknownEscape { start, end }
        | LexErrorKind::BadInterpolation { start, end } => (start, end),
        _ => (start, end),
    };
    LexError { kind, start, end }
}

/// What the parser sees in place of text that did not lex: a token of the kind
/// the user meant, so that no second error is reported for the same mistake.
fn stand_in_for(kind: &LexErrorKind, slice: &str) -> Option<Token> {
    match kind {
        LexErrorKind::WindowsLineEnding => Some(Token::Newline),
        LexErrorKind::LoneCarriageReturn => None,
        LexErrorKind::IntOverflow => Some(Token::Int(0)),
        LexErrorKind::UnterminatedString
        | LexErrorKind::UnknownEscape { .. }
        | LexErrorKind::BadInterpolation { .. } => Some(Token::Str(Vec::new())),
        LexErrorKind::TrailingUnderscore => Some(match slice.strip_prefix('$') {
            Some(name) => Token::Var(name.to_owned()),
            None if slice.contains('.') => Token::DottedIdent(slice.to_owned()),
            None => Token::Ident(slice.to_owned()),
        }),
        LexErrorKind::UnexpectedChar
        | LexErrorKind::Percent
        | LexErrorKind::BareDollar
        | LexErrorKind::TooDeep => Some(Token::Invalid),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bracket {
    Paren,
    Square,
    Brace,
}

/// Decides which newlines reach the parser (see the module header).
#[derive(Default)]
struct NewlineFilter {
    brackets: Vec<Bracket>,
    pending_newline: Option<(usize, usize)>,
}

impl NewlineFilter {
    fn push(&mut self, out: &mut Vec<(usize, Token, usize)>, item: (usize, Token, usize)) {
        let (start, token, end) = item;
        if token == Token::Newline {
            let inside_parens =
                matches!(self.brackets.last(), Some(Bracket::Paren | Bracket::Square));
            let continues = match out.as_slice() {
                [] => true,
                // `import "dir/" as *` ends its statement with `*`.
                [.., (_, Token::As, _), (_, Token::Star, _)] => false,
                [.., (_, last, _)] => continues_line(last),
            };
            if !inside_parens && !continues && self.pending_newline.is_none() {
                self.pending_newline = Some((start, end));
            }
            return;
        }
        if let Some((newline_start, newline_end)) = self.pending_newline.take() {
            if !joins_previous_line(&token) {
                out.push((newline_start, Token::Newline, newline_end));
            }
        }
        match token {
            Token::LParen => self.brackets.push(Bracket::Paren),
            Token::LBracket => self.brackets.push(Bracket::Square),
            Token::LBrace => self.brackets.push(Bracket::Brace),
            Token::RParen | Token::RBracket | Token::RBrace => {
                self.brackets.pop();
            }
            _ => {}
        }
        out.push((start, token, end));
    }
}

/// Tokens after which a line break cannot end a statement.
fn continues_line(token: &Token) -> bool {
    matches!(
        token,
        Token::LBrace
            | Token::LParen
            | Token::LBracket
            | Token::Comma
            | Token::Semicolon
            | Token::Colon
            | Token::Dot
            | Token::Assign
            | Token::FatArrow
            | Token::Arrow
            | Token::Elvis
            | Token::Except
            | Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Eq
            | Token::NotEq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::And
            | Token::Or
            | Token::Not
            | Token::In
            | Token::Newline
    )
}

/// Tokens that cannot start a statement, so a line break before them is no end.
fn joins_previous_line(token: &Token) -> bool {
    matches!(
        token,
        Token::RBrace | Token::RParen | Token::RBracket | Token::Comma | Token::Else | Token::Arrow
    )
}

#[cfg(test)]
mod tests;

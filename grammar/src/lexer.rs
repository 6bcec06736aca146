//! The lexer the parser consumes: logos tokens plus four decisions.
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
//! 4. Quotes that went out of step are put back in step: when the last string
//!    of a file is never closed and an earlier string ran past the end of its
//!    line into something that looks like code, that earlier string is the one
//!    left open. The file is lexed again with it cut at its line's end, so it
//!    is reported once and the strings after it lex as written.
//!
//! The bracket stack that decides about newlines also records every bracket's
//! reach ([`BracketSpan`]), so that parse errors can point at a bracket that
//! was never closed.

mod tokens;

use crate::token::{LexErrorKind, LexExtras, StrPart, StringCut, Token};
use logos::Logos;
pub use tokens::{Tokens, Triple};

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

/// One opening bracket and how far it reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BracketSpan {
    /// Byte offset of the opening bracket (one byte long).
    pub open: usize,
    /// Byte offset of its closing bracket, if it has one.
    pub close: Option<usize>,
    /// Where it stops being open: its closing bracket, the closing bracket of
    /// an outer pair that cut it off, or the end of the file.
    pub reach: usize,
}

/// Everything the lexer learned about one file.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    pub tokens: Tokens,
    pub comments: Vec<Comment>,
    pub errors: Vec<LexError>,
    /// Every opening bracket, in source order.
    pub brackets: Vec<BracketSpan>,
    /// Byte offsets of closing brackets met while no bracket was open.
    pub unmatched_closers: Vec<usize>,
    /// Lexing stopped early (nesting too deep): the tokens are incomplete and
    /// must not be parsed.
    pub stopped: bool,
}

impl Lexed {
    /// The innermost bracket open just before `offset`, if it is never closed.
    pub fn unclosed_around(&self, offset: usize) -> Option<BracketSpan> {
        self.brackets
            .iter()
            .filter(|bracket| bracket.open < offset && offset <= bracket.reach)
            .max_by_key(|bracket| bracket.open)
            .filter(|bracket| bracket.close.is_none())
            .copied()
    }

    /// Whether the closing bracket at `offset` closes nothing.
    pub fn closes_nothing(&self, offset: usize) -> bool {
        self.unmatched_closers.binary_search(&offset).is_ok()
    }
}

/// Lexes a whole file. Never panics and always terminates: logos advances by
/// at least one byte per token or error.
pub fn lex(text: &str) -> Lexed {
    let lexed = lex_with(text, LexExtras::default());
    match runaway_string(text, &lexed) {
        Some(cut) => lex_with(
            text,
            LexExtras {
                cut_string: Some(cut),
            },
        ),
        None => lexed,
    }
}

/// The string that most likely lacks its closing quote, when the file's last
/// string is never closed: the first one that runs past the end of its line
/// and whose closing quote is directly followed by code (`"world"` read as
/// `" world "`), since a string that really ends there is followed by a
/// space, a comma, a bracket or a line break.
fn runaway_string(text: &str, lexed: &Lexed) -> Option<StringCut> {
    let last_error = lexed.errors.last()?;
    if last_error.kind != LexErrorKind::UnterminatedString {
        return None;
    }
    lexed
        .tokens
        .iter()
        .filter(|(_, token, _)| matches!(token, Token::Str(_)))
        .take_while(|(start, _, _)| *start < last_error.start)
        .find(|(start, _, end)| {
            let runs_on = text[*start..*end].contains('\n');
            let followed_by_code = text[*end..].chars().next().is_some_and(|next| {
                next.is_alphanumeric() || matches!(next, '$' | '_' | '/' | '.' | '\\')
            });
            runs_on && followed_by_code
        })
        .map(|(start, _, end)| StringCut {
            start: *start,
            runs_to: *end,
        })
}

fn lex_with(text: &str, extras: LexExtras) -> Lexed {
    let mut lexed = Lexed::default();
    let mut filter = NewlineFilter::default();
    let mut raw = Token::lexer_with_extras(text, extras);
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
                // A run of characters that start no token is one mistake.
                let extends_run = kind == LexErrorKind::UnexpectedChar
                    && lexed.errors.last().is_some_and(|last| {
                        last.kind == LexErrorKind::UnexpectedChar && last.end == range.start
                    });
                if extends_run {
                    if let Some(last) = lexed.errors.last_mut() {
                        last.end = range.end;
                    }
                    continue;
                }
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
    filter.finish(&mut lexed, text.len());
    lexed
}

/// Errors inside a string point at the escape or interpolation, not the
/// string; a Windows line ending at its `\r`, not at the line break.
fn error_at(kind: LexErrorKind, start: usize, end: usize) -> LexError {
    let (start, end) = match kind {
        LexErrorKind::UnknownEscape { start, end }
        | LexErrorKind::BadInterpolation { start, end } => (start, end),
        LexErrorKind::WindowsLineEnding => (start, start + 1),
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
        | LexErrorKind::UnclosedOnItsLine { .. }
        | LexErrorKind::UnknownEscape { .. }
        | LexErrorKind::BadInterpolation { .. } => Some(Token::Str(Vec::new())),
        LexErrorKind::SingleQuotedString => {
            let inner = slice.trim_start_matches('\'').trim_end_matches('\'');
            Some(Token::Str(vec![StrPart::Text(inner.to_owned())]))
        }
        LexErrorKind::ForeignOperator { meant } => Some(match *meant {
            "and" => Token::And,
            "or" => Token::Or,
            _ => Token::Not,
        }),
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
    /// The open brackets, innermost last, with their index in `spans`.
    brackets: Vec<(Bracket, usize)>,
    spans: Vec<BracketSpan>,
    unmatched_closers: Vec<usize>,
    pending_newline: Option<(usize, usize)>,
}

impl NewlineFilter {
    fn push(&mut self, out: &mut Tokens, item: Triple) {
        let (start, token, end) = item;
        if token == Token::Newline {
            let inside_parens = matches!(
                self.brackets.last(),
                Some((Bracket::Paren | Bracket::Square, _))
            );
            let continues = match out.last_two() {
                (_, None) => true,
                // `import "dir/" as *` ends its statement with `*`.
                (Some(Token::As), Some(Token::Star)) => false,
                (_, Some(last)) => continues_line(last),
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
            Token::LParen => self.open(Bracket::Paren, start),
            Token::LBracket => self.open(Bracket::Square, start),
            Token::LBrace => self.open(Bracket::Brace, start),
            Token::RParen => self.close(Bracket::Paren, start),
            Token::RBracket => self.close(Bracket::Square, start),
            Token::RBrace => self.close(Bracket::Brace, start),
            _ => {}
        }
        out.push((start, token, end));
    }

    fn open(&mut self, bracket: Bracket, start: usize) {
        self.brackets.push((bracket, self.spans.len()));
        self.spans.push(BracketSpan {
            open: start,
            close: None,
            reach: start,
        });
    }

    /// Closes the innermost bracket of the same kind, cutting off any left
    /// open inside it (`([1, 2)` leaves the `[` unclosed). A closing bracket
    /// of a kind that is not open closes the innermost bracket anyway, as a
    /// mismatched pair, so that the newlines after it still count.
    fn close(&mut self, bracket: Bracket, start: usize) {
        let matching = self.brackets.iter().rposition(|(open, _)| *open == bracket);
        let Some(first_closed) = matching.or(self.brackets.len().checked_sub(1)) else {
            self.unmatched_closers.push(start);
            return;
        };
        for (position, (_, index)) in self.brackets.drain(first_closed..).enumerate() {
            let span = &mut self.spans[index];
            span.reach = start;
            if position == 0 && matching.is_some() {
                span.close = Some(start);
            }
        }
    }

    fn finish(self, lexed: &mut Lexed, end_of_file: usize) {
        let mut spans = self.spans;
        for (_, index) in self.brackets {
            spans[index].reach = end_of_file;
        }
        lexed.brackets = spans;
        lexed.unmatched_closers = self.unmatched_closers;
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

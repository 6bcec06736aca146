//! Parsing: text in, [`Program`] or every syntax error out.
//!
//! LALRPOP's own error type stops here: [`parse_file`] turns lexer errors,
//! recovered parse errors and the grammar's semantic checks into
//! [`SyntaxError`]s, one per mistake, in source order.
//!
//! Only a file with errors is looked at twice. The tokens around each error
//! and the brackets left open feed the hints; an error that only repeats an
//! earlier one is dropped (a `}` whose `{` failed, a parse error on text the
//! lexer already reported); and a `{` that is not at the end of its line is
//! put back there and the file parsed again, so the body after it is read as
//! a body rather than as a run of broken statements.

pub mod actions;
pub mod error;

use crate::ast::{Expr, Program};
use crate::lexer::{lex, Comment, Lexed};
use crate::span::{FileId, Span};
use crate::token::Token;
use error::{readable_expectations, Context, SyntaxError, SyntaxErrorKind};
use lalrpop_util::{lalrpop_mod, ErrorRecovery, ParseError};

lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, unused_parens)]
    generated,
    "/mcl.rs"
);

/// A parsed file with its comments, which the formatter puts back.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    pub program: Program,
    pub comments: Vec<Comment>,
}

/// Parses a whole `.mcl` file.
pub fn parse_file(file: FileId, text: &str) -> Result<ParsedFile, Vec<SyntaxError>> {
    let Lexed {
        tokens,
        comments,
        errors: lex_errors,
        stopped,
        ..
    } = lex(text);
    let mut errors: Vec<SyntaxError> = lex_errors
        .into_iter()
        .map(|error| SyntaxError {
            kind: SyntaxErrorKind::Lex(error.kind),
            span: Span::new(file, error.start, error.end),
        })
        .collect();
    if stopped {
        return Err(errors);
    }
    let attempt = parse_tokens(file, tokens);
    if errors.is_empty() && attempt.errors.is_empty() && attempt.problems.is_empty() {
        if let Some(program) = attempt.program {
            return Ok(ParsedFile { program, comments });
        }
    }
    // Only now is a second look at the file worth its cost: the parser
    // consumed the tokens, and the hints need them and the brackets.
    let surroundings = Surroundings::new(file, text);
    let mut parse_errors = surroundings.errors_of(attempt);
    if let Some((tokens, missing_braces)) = surroundings.with_missing_braces(&parse_errors) {
        let mut repaired = surroundings.errors_of(parse_tokens(file, tokens));
        repaired.extend(missing_braces);
        sort_by_position(&mut repaired);
        if repaired.len() <= parse_errors.len() {
            parse_errors = repaired;
        }
    }
    // A parse error inside or right after text the lexer already reported
    // (the line a runaway string was cut at) repeats that mistake.
    let lexed_badly = |error: &SyntaxError| {
        errors.iter().any(|lex_error| {
            lex_error.span.start <= error.span.start && error.span.start <= lex_error.span.end
        })
    };
    let parse_errors: Vec<SyntaxError> = parse_errors
        .into_iter()
        .filter(|error| !lexed_badly(error))
        .collect();
    errors.extend(parse_errors);
    sort_by_position(&mut errors);
    Err(errors)
}

/// What one run of the parser produced.
struct Attempt {
    program: Option<Program>,
    errors: Vec<ParseError<usize, Token, SyntaxError>>,
    /// Errors the grammar's actions recorded.
    problems: Vec<SyntaxError>,
}

/// A token and its byte range, as the parser takes it.
use crate::lexer::{Tokens, Triple};

fn parse_tokens(file: FileId, tokens: impl IntoIterator<Item = Triple>) -> Attempt {
    let mut recovered = Vec::new();
    let mut problems = Vec::new();
    let result = generated::ProgramParser::new().parse(
        file,
        &mut recovered,
        &mut problems,
        tokens.into_iter().map(Ok::<_, SyntaxError>),
    );
    let mut errors: Vec<ParseError<usize, Token, SyntaxError>> = recovered
        .into_iter()
        .map(|recovery: ErrorRecovery<usize, Token, SyntaxError>| recovery.error)
        .collect();
    let program = match result {
        Ok(program) => Some(program),
        Err(error) => {
            errors.push(error);
            None
        }
    };
    Attempt {
        program,
        errors,
        problems,
    }
}

/// Source order, one error per position.
fn sort_by_position(errors: &mut Vec<SyntaxError>) {
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    errors.dedup_by_key(|error| error.span.start);
}

/// Parses a lone expression (used by tests and tools).
pub fn parse_expression(file: FileId, text: &str) -> Result<Expr, Vec<SyntaxError>> {
    let parsed = parse_file(file, &format!("$expression = {text}"))?;
    let shift = "$expression = ".len() as u32;
    match parsed.program.body.first().map(|stmt| stmt.kind.clone()) {
        Some(crate::ast::StmtKind::Bind { mut value, .. }) => {
            value.span.start -= shift;
            value.span.end -= shift;
            Ok(value)
        }
        _ => Err(Vec::new()),
    }
}

/// What the lexer knows about the file, for locating and explaining parse
/// errors.
struct Surroundings {
    file: FileId,
    end_of_file: usize,
    lexed: Lexed,
    /// Offsets of the `}` that close nothing.
    spare_braces: Vec<usize>,
}

impl Surroundings {
    fn new(file: FileId, text: &str) -> Surroundings {
        let lexed = lex(text);
        let spare_braces = lexed
            .unmatched_closers
            .iter()
            .copied()
            .filter(|offset| text.as_bytes().get(*offset) == Some(&b'}'))
            .collect();
        Surroundings {
            file,
            end_of_file: text.len(),
            lexed,
            spare_braces,
        }
    }

    /// The errors of one parse, located, explained, in order, without the
    /// ones that only repeat an earlier mistake.
    fn errors_of(&self, attempt: Attempt) -> Vec<SyntaxError> {
        let mut errors: Vec<SyntaxError> = attempt
            .errors
            .into_iter()
            .filter_map(|error| self.convert(error))
            .collect();
        errors.extend(attempt.problems);
        sort_by_position(&mut errors);
        self.without_cascades(errors)
    }

    /// Repairs for a `{` that is not at the end of its line, where it must
    /// be: on the next line (`if $x` then `{`), the line break goes; missing,
    /// with a body after it and a `}` later that closes nothing (`class web`,
    /// then a body), a `{` takes the line break's place. The repaired tokens,
    /// and the errors that each repair answers; parsed again, the body is read
    /// as a body instead of as a run of broken statements.
    fn with_missing_braces(&self, errors: &[SyntaxError]) -> Option<(Tokens, Vec<SyntaxError>)> {
        let mut spare = self.spare_braces.clone();
        let mut repairs: Vec<(usize, Option<Token>)> = Vec::new();
        let mut answered = Vec::new();
        for error in errors {
            let SyntaxErrorKind::UnexpectedToken {
                found: Token::Newline,
                expected,
                context,
            } = &error.kind
            else {
                continue;
            };
            if !expected.iter().any(|name| name == "`{`") {
                continue;
            }
            let at = error.span.range().start;
            if context.next == Some(Token::LBrace) {
                repairs.push((at, None));
            } else if let Some(index) = spare.iter().position(|offset| *offset > at) {
                spare.remove(index);
                repairs.push((at, Some(Token::LBrace)));
            } else {
                continue;
            }
            answered.push(error.clone());
        }
        if repairs.is_empty() {
            return None;
        }
        let tokens = self
            .lexed
            .tokens
            .iter()
            .filter_map(|(start, token, end)| {
                let repair = repairs
                    .iter()
                    .find(|(at, _)| *token == Token::Newline && at == start);
                match repair {
                    Some((_, Some(brace))) => Some((*start, brace.clone(), *start)),
                    Some((_, None)) => None,
                    None => Some((*start, token.clone(), *end)),
                }
            })
            .collect();
        Some((tokens, answered))
    }

    fn convert(&self, error: ParseError<usize, Token, SyntaxError>) -> Option<SyntaxError> {
        let file = self.file;
        Some(match error {
            // The lexer already reported the text behind an invalid token.
            ParseError::UnrecognizedToken {
                token: (_, Token::Invalid, _),
                ..
            }
            | ParseError::InvalidToken { .. } => return None,
            ParseError::UnrecognizedToken {
                token: (start, found, end),
                expected,
            } => self.unexpected(start, found, end, readable_expectations(&expected)),
            ParseError::ExtraToken {
                token: (start, found, end),
            } => self.unexpected(start, found, end, Vec::new()),
            ParseError::UnrecognizedEof { location, expected } => {
                // Just after the last token, not across the line breaks after it.
                let at = location.min(self.end_of_file);
                SyntaxError {
                    kind: SyntaxErrorKind::UnexpectedEnd {
                        expected: readable_expectations(&expected),
                        unclosed: self.unclosed_at(self.end_of_file),
                    },
                    span: Span::new(file, at, at),
                }
            }
            ParseError::User { error } => error,
        })
    }

    fn unexpected(
        &self,
        start: usize,
        found: Token,
        end: usize,
        expected: Vec<String>,
    ) -> SyntaxError {
        // A line break is shown as the point where its line ends.
        let end = if found == Token::Newline { start } else { end };
        let previous = self
            .lexed
            .tokens
            .iter()
            .take_while(|(token_start, _, _)| *token_start < start)
            .last()
            .map(|(_, token, _)| token.clone());
        let next = self
            .lexed
            .tokens
            .iter()
            .find(|(token_start, _, _)| *token_start > start)
            .map(|(_, token, _)| token.clone());
        let closer = matches!(found, Token::RParen | Token::RBracket | Token::RBrace);
        SyntaxError {
            kind: SyntaxErrorKind::UnexpectedToken {
                context: Context {
                    previous,
                    next,
                    unclosed: self.unclosed_at(start),
                    closes_nothing: closer && self.lexed.closes_nothing(start),
                },
                found,
                expected,
            },
            span: Span::new(self.file, start, end),
        }
    }

    fn unclosed_at(&self, offset: usize) -> Option<Span> {
        self.lexed
            .unclosed_around(offset)
            .map(|bracket| Span::new(self.file, bracket.open, bracket.open + 1))
    }

    /// Drops the errors that only repeat an earlier one: a `}` that closes
    /// nothing after an error where a `{` was expected is the end of the block
    /// whose opening failed (`class web` on a line of its own, then a body).
    fn without_cascades(&self, errors: Vec<SyntaxError>) -> Vec<SyntaxError> {
        let mut failed_openings = 0_usize;
        let mut kept = Vec::with_capacity(errors.len());
        for error in errors {
            if let SyntaxErrorKind::UnexpectedToken {
                found,
                expected,
                context,
            } = &error.kind
            {
                if *found == Token::RBrace && context.closes_nothing && failed_openings > 0 {
                    failed_openings -= 1;
                    continue;
                }
                if expected.iter().any(|name| name == "`{`") {
                    failed_openings += 1;
                }
            }
            kept.push(error);
        }
        kept
    }
}

#[cfg(test)]
mod tests;

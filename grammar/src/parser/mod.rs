//! Parsing: text in, [`Program`] or every syntax error out.
//!
//! LALRPOP's own error type stops here: [`parse_file`] turns lexer errors,
//! recovered parse errors and the grammar's semantic checks into
//! [`SyntaxError`]s, one per mistake, in source order.

pub mod actions;
pub mod error;

use crate::ast::{Expr, Program};
use crate::lexer::{lex, Comment, Lexed};
use crate::span::{FileId, Span};
use crate::token::Token;
use error::{readable_expectations, SyntaxError, SyntaxErrorKind};
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
    let mut recovered = Vec::new();
    let mut problems = Vec::new();
    let result = generated::ProgramParser::new().parse(
        file,
        &mut recovered,
        &mut problems,
        tokens.into_iter().map(Ok::<_, SyntaxError>),
    );
    let end_of_file = text.len();
    let mut parse_errors: Vec<SyntaxError> = recovered
        .into_iter()
        .filter_map(|recovery: ErrorRecovery<usize, Token, SyntaxError>| {
            convert(file, end_of_file, recovery.error)
        })
        .collect();
    let program = match result {
        Ok(program) => Some(program),
        Err(error) => {
            parse_errors.extend(convert(file, end_of_file, error));
            None
        }
    };
    errors.extend(parse_errors);
    errors.extend(problems);
    match program {
        Some(program) if errors.is_empty() => Ok(ParsedFile { program, comments }),
        _ => {
            errors.sort_by_key(|error| (error.span.start, error.span.end));
            errors.dedup_by_key(|error| error.span.start);
            Err(errors)
        }
    }
}

/// Parses a lone expression (used by tests and tools).
pub fn parse_expression(file: FileId, text: &str) -> Result<Expr, Vec<SyntaxError>> {
    let parsed = parse_file(file, &format!("$expression = {text}"))?;
    let shift = "$expression = ".len() as u32;
    match parsed.program.body.into_iter().next().map(|stmt| stmt.kind) {
        Some(crate::ast::StmtKind::Bind { mut value, .. }) => {
            value.span.start -= shift;
            value.span.end -= shift;
            Ok(value)
        }
        _ => Err(Vec::new()),
    }
}

fn convert(
    file: FileId,
    end_of_file: usize,
    error: ParseError<usize, Token, SyntaxError>,
) -> Option<SyntaxError> {
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
        } => SyntaxError {
            kind: SyntaxErrorKind::UnexpectedToken {
                found,
                expected: readable_expectations(&expected),
            },
            span: Span::new(file, start, end),
        },
        ParseError::UnrecognizedEof { location, expected } => SyntaxError {
            kind: SyntaxErrorKind::UnexpectedEnd {
                expected: readable_expectations(&expected),
            },
            span: Span::new(file, location.min(end_of_file), end_of_file),
        },
        ParseError::ExtraToken {
            token: (start, found, end),
        } => SyntaxError {
            kind: SyntaxErrorKind::UnexpectedToken {
                found,
                expected: Vec::new(),
            },
            span: Span::new(file, start, end),
        },
        ParseError::User { error } => error,
    })
}

#[cfg(test)]
mod tests;

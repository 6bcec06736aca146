//! The canonical formatter (`mgmt fmt`): a parsed file and its text in, the
//! one canonical spelling of that program out.
//!
//! The layout rules are those of the project brief: tabs, one statement or
//! body entry per line, one-line collections unless the source broke their
//! lines, canonical literals, every comment kept in order. Two promises hold
//! for every input that parses: formatting twice changes nothing more, and the
//! output parses to the same tree (spans aside). The work is split by what
//! each file owns: `printer.rs` the output text, comments and blank lines;
//! `stmt.rs` statements and resource bodies; `expr.rs` expressions and
//! bracketed lists; `types.rs` type annotations; `literal.rs` strings and
//! numbers. Parsing and reporting syntax errors stay with the parser.

mod expr;
mod literal;
mod printer;
mod stmt;
mod types;

use crate::parser::ParsedFile;
use printer::Printer;

/// Formats a parsed file. `text` must be the source `parsed` came from: it
/// tells which collections spanned several lines, where blank lines were, and
/// which comments trailed code.
pub fn format_source(parsed: &ParsedFile, text: &str) -> String {
    let mut comments = parsed.comments.clone();
    // The printer walks comments in source order; the lexer already gives
    // them so, but a hand-built `ParsedFile` might not.
    comments.sort_by_key(|comment| comment.start);
    let mut printer = Printer::new(text, &comments);
    printer.statements(&parsed.program.body);
    printer.finish()
}

#[cfg(test)]
mod tests;

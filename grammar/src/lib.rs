//! The mcl front end: source files and spans, the lexer, the parser and its
//! AST, and the canonical formatter.
//!
//! Everything here is pure: callers hand in text and get back tokens, an AST or
//! structured errors. Turning errors into text is the compiler's diagnostics
//! layer's job; reading files is the caller's.

pub mod lexer;
pub mod source;
pub mod span;
pub mod token;

pub use source::{SourceFile, SourceMap};
pub use span::{FileId, Span, Spanned};
pub mod ast;
pub mod format;
pub mod parser;

pub use parser::error::{SyntaxError, SyntaxErrorKind};
pub use parser::{parse_expression, parse_file, ParsedFile};
